#!/usr/bin/env bash
# Times `accord eval` on the issue-9 workload: median, min and max of 5 runs (wall seconds and peak RSS).
# Usage: scripts/perf-batch.sh [N...]   (default: 1000 10000 100000). Needs a release build:
#   cargo build --release --workspace
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000 100000)
for n in "${sizes[@]}"; do
  dir="${TMPDIR:-/tmp}/accord-workload-$n"
  [ -f "$dir/data/shipment.csv" ] || target/release/accord-bench gen "$n" "$dir" 2>/dev/null
  runs=()
  for _ in 1 2 3 4 5; do
    runs+=("$( { /usr/bin/time -f '%e %M' target/release/accord eval "$dir/policy.accord" \
      --facts "$dir/data" --as-of 2025-12-31 --format json >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | awk -v n="$n" '
    { t[NR] = $1; m[NR] = $2 }
    END { printf "N=%-7s wall median %.2f s (min %.2f, max %.2f)  peak RSS median %.0f MiB\n",
          n, t[3], t[1], t[5], m[3] / 1024 }'
done
