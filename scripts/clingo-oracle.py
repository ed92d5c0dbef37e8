#!/usr/bin/env python3
"""The external oracle of accord's differential tests: solve ASP programs with clingo and compare.

Reads JSON Lines, one program per line: {"seed": N, "program": "<ASP text>", "expected": ["atom", ...]}
(written by `cargo test --test differential -- --ignored clingo_oracle`, see docs/testing.md). Each
program is stratified, so it must have exactly one answer set; its atoms must be exactly `expected`
(accord's model). Prints a summary line and every disagreement; exits 1 when there is any.

Needs the clingo Python package (`pip install --user clingo`); not used by `cargo test` or CI.
"""

import json
import sys

import clingo


def answer_sets(program):
    ctl = clingo.Control(["--warn=none", "--models=2"])
    ctl.add("base", [], program)
    ctl.ground([("base", [])])
    models = []
    ctl.solve(on_model=lambda m: models.append(sorted(str(s) for s in m.symbols(atoms=True))))
    return models


def main(path):
    compared = 0
    disagreements = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            case = json.loads(line)
            compared += 1
            try:
                models = answer_sets(case["program"])
            except RuntimeError as error:  # a grounding error: the translation is wrong
                disagreements.append({"seed": case["seed"], "error": str(error)})
                continue
            expected = sorted(case["expected"])
            if len(models) != 1:
                disagreements.append({"seed": case["seed"], "answer_sets": len(models)})
            elif models[0] != expected:
                got = set(models[0])
                want = set(expected)
                disagreements.append(
                    {
                        "seed": case["seed"],
                        "only_clingo": sorted(got - want),
                        "only_accord": sorted(want - got),
                        "program": case["program"],
                    }
                )
    for d in disagreements:
        print(json.dumps(d))
    print(f"clingo {clingo.__version__}: {compared} programs compared, {len(disagreements)} disagreements")
    return 1 if disagreements else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: clingo-oracle.py CASES.jsonl")
    sys.exit(main(sys.argv[1]))
