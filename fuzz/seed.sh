#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's policies, examples, REPL scripts and bad-input corpora.
# check, eval: every `*.accord` file; eval also gets each example policy with its data written inline
#   as facts (the eval target reads no data files).
# loaders: every data file, behind the byte that picks the format.
# repl: the scripts of tests/repl.rs and src/repl/tests.rs, the transcript of docs/repl.md, and the
#   `.repl` regression inputs of tests/corpus/no_panic.
# Needs jq (for the inline facts) and perl (to cut the scripts out of the Rust sources).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/check corpus/eval corpus/loaders corpus/repl
put() { # put DIR < content: stores stdin under its hash
  local tmp h
  tmp=$(mktemp)
  cat > "$tmp"
  h=$(sha1sum "$tmp" | cut -c1-16)
  mv "$tmp" "$1/$h"
}
find .. -path ../fuzz -prune -o -path ../target -prune -o -name '*.accord' -print | while read -r f; do
  put corpus/check < "$f"
  put corpus/eval < "$f"
done

# A JSON data document as policy facts: `relation(A, "b c", 2025-01-01, 3, true).`
inline_facts() {
  jq -r --argjson n "${2:-1000000}" 'to_entries[] | .key as $r | .value[:$n][] |
    "\($r)(" + (map(
      if type == "string" then
        (if test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") or test("^[A-Z][A-Za-z0-9_]*$") then . else tojson end)
      else tostring end) | join(", ")) + ")."' "$1"
}
{ cat ../examples/us-mx/policy.accord; inline_facts ../examples/us-mx/data.json; } | put corpus/eval
# The real policy tree in one text (imports dropped), with the first rows of each trade-2025 relation.
{
  find ../policies -name '*.accord' ! -path '*/tests/*' | sort | xargs cat | grep -v '^import '
  inline_facts ../examples/trade-2025/data.json 8
} | put corpus/eval

find ../tests/corpus/err/data ../examples -type f \( -name '*.json' -o -name '*.jsonl' -o -name '*.csv' \) | while read -r f; do
  case "$f" in
    *.json) k='\x00' ;;
    *.jsonl) k='\x01' ;;
    *) k='\x02' ;;
  esac
  { printf "$k"; cat "$f"; } | put corpus/loaders
done

# REPL scripts: the raw strings `let script = r#"…"#;` of the REPL tests, one seed each.
for src in ../tests/repl.rs; do
  perl -0777 -ne 'while (/let script = r#"(.*?)"#;/sg) { print $1, "\0" }' "$src" |
    while IFS= read -r -d '' script; do printf '%s\n' "$script" | put corpus/repl; done
done
# The inputs of src/repl/tests.rs's sessions (`run(&mut s, "…")`), as one script.
perl -ne 'print "$1\n" while /run\(&mut s, "((?:[^"\\]|\\.)*)"\)/g' ../src/repl/tests.rs |
  perl -pe 's/\\"/"/g; s/\\n/\n/g' | put corpus/repl
# The documented transcript's inputs.
sed -n 's/^accord> //p' ../docs/repl.md | put corpus/repl
for f in ../tests/corpus/no_panic/*.repl; do
  [ -e "$f" ] && put corpus/repl < "$f"
done
echo "seeded: $(ls corpus/check | wc -l) check, $(ls corpus/eval | wc -l) eval, $(ls corpus/loaders | wc -l) loaders, $(ls corpus/repl | wc -l) repl"
