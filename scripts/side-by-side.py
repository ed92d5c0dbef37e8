#!/usr/bin/env python3
"""Wall time of one command run by several binaries, alternately, so that they see the same moments of
a noisy machine. Prints each binary's median, min and max over the runs.

Usage: scripts/side-by-side.py RUNS ARGS... -- BINARY...
  e.g. scripts/side-by-side.py 11 check /tmp/r.accord -- /tmp/accord-before target/release/accord
"""
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    runs = int(sys.argv[1])
    split = sys.argv.index("--")
    args, binaries = sys.argv[2:split], sys.argv[split + 1 :]
    times = {b: [] for b in binaries}
    for _ in range(runs):
        for binary in binaries:
            start = time.perf_counter()
            subprocess.run([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[binary].append(time.perf_counter() - start)
    for binary, t in times.items():
        ms = sorted(x * 1e3 for x in t)
        print(f"{binary}: median {statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}), {runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
