#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's policies, examples and bad-input corpora.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/check corpus/eval corpus/loaders
find .. -path ../fuzz -prune -o -path ../target -prune -o -name '*.accord' -print | while read -r f; do
  h=$(sha1sum "$f" | cut -c1-16)
  cp "$f" "corpus/check/$h"
  cp "$f" "corpus/eval/$h"
done
i=0
find ../tests/corpus/err/data ../examples -type f \( -name '*.json' -o -name '*.jsonl' -o -name '*.csv' \) | while read -r f; do
  case "$f" in
    *.json) k='\x00' ;;
    *.jsonl) k='\x01' ;;
    *) k='\x02' ;;
  esac
  h=$(sha1sum "$f" | cut -c1-16)
  { printf "$k"; cat "$f"; } > "corpus/loaders/$h"
done
echo "seeded: $(ls corpus/check | wc -l) policies, $(ls corpus/loaders | wc -l) data files"
