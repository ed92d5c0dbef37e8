#!/usr/bin/env python3
"""Wall and CPU time of one command run by several binaries, alternately (and in turned order every
other round), so that they see the same moments of a noisy machine. Prints each binary's median, min
and max wall time, and its median user and system CPU time (the kernel's share is mostly page
faults on this VM).

Usage: scripts/side-by-side.py RUNS ARGS... -- BINARY...
  e.g. scripts/side-by-side.py 11 check /tmp/r.accord -- /tmp/accord-before target/release/accord
"""
import os
import statistics
import sys
import time


def run(binary: str, args: list) -> tuple:
    """Wall, user and system milliseconds of one run, its output thrown away."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            os.execv(binary, [binary, *args])
        finally:
            os._exit(127)
    _, _, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return wall * 1e3, usage.ru_utime * 1e3, usage.ru_stime * 1e3


def main() -> int:
    if len(sys.argv) < 4 or "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    runs = int(sys.argv[1])
    split = sys.argv.index("--")
    args, binaries = sys.argv[2:split], sys.argv[split + 1 :]
    times = {b: [] for b in binaries}
    for i in range(runs):
        for binary in binaries if i % 2 == 0 else binaries[::-1]:
            times[binary].append(run(binary, args))
    for binary, t in times.items():
        wall = sorted(w for w, _, _ in t)
        user = statistics.median(u for _, u, _ in t)
        system = statistics.median(s for _, _, s in t)
        print(
            f"{binary}: median {statistics.median(wall):.0f} ms (min {wall[0]:.0f}, max {wall[-1]:.0f}),"
            f" user {user:.0f} ms, system {system:.0f} ms, {runs} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
