"""How fast each exploration strategy finds each bug of the zoo (a script, not a test).

For every exhibit of ``stack.drivers.zoo.BUGS`` and every strategy (random, pct, delay and the
default portfolio, all with swarm faults on), a campaign runs seeds 0, 1, 2 ... until the first
run fails (``stop_on_first``), up to ``--budget`` runs, and the table shows the runs it took
(the lowest failing seed + 1), the wall-clock seconds, and the rule that fired.  Everything but
the seconds is deterministic.

    python benchmarks/zoo_detection.py [--budget 1000] [--jobs 2] [--markdown]
    python benchmarks/zoo_detection.py --write-tapes tests/explore/data/zoo [--only BUG ...]

``--write-tapes DIR`` instead explores each bug with the portfolio, shrinks the failure and
writes its tape to DIR/<bug>.tape.json (the regression tests in
tests/explore/test_zoo_quality.py replay them); run it again when the emulator changes what a
tape means.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from stack.drivers.zoo import BUGS
from stack.explore import explore, plan_for, run_campaign
from stack.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES = ("random", "pct", "delay", "portfolio")


def first_detection(scenario: Path, strategy: str, budget: int, jobs: int) -> tuple[str, str, str]:
    """(runs, seconds, rule) to the first failing run, or ("> budget", seconds, "-")."""
    plan = plan_for(load_scenario(scenario), strategy)
    result = run_campaign(plan, budget, jobs=jobs, stop_on_first=True)
    failed = result.failed
    seconds = f"{result.elapsed:.1f}"
    if not failed:
        return f"> {budget}", seconds, "-"
    first = failed[0]
    assert first.failure is not None
    return str(first.seed + 1), seconds, first.failure.rule


def table(budget: int, jobs: int, markdown: bool) -> None:
    header = ["bug", *(f"{s} runs / s" for s in STRATEGIES), "rule"]
    rows = []
    for bug in BUGS:
        cells, rules = [], set()
        for strategy in STRATEGIES:
            runs, seconds, rule = first_detection(ROOT / bug.scenario, strategy, budget, jobs)
            cells.append(f"{runs} / {seconds}")
            rules.add(rule)
            print(f"  {bug.name} {strategy}: {runs} runs, {seconds} s, {rule}", file=sys.stderr)
        rows.append([bug.name, *cells, ", ".join(sorted(rules - {"-"})) or "-"])
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for name, *cells in rows:
            print("| " + " | ".join([f"`{name}`", *cells]) + " |")
        return
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


#: Shrinking candidates per tape: more than ``explore``'s default, a tape is written once.
SHRINK_BUDGET = 2000


def write_tapes(out: Path, budget: int, jobs: int, only: list[str] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(only or ()) - {bug.name for bug in BUGS}
    if unknown:
        raise SystemExit(f"--only: no zoo bug {sorted(unknown)[0]!r}")
    with tempfile.TemporaryDirectory() as scratch:
        for bug in BUGS:
            if only and bug.name not in only:
                continue
            report = explore(
                ROOT / bug.scenario,
                runs=budget,
                jobs=jobs,
                stop_on_first=True,
                out=Path(scratch),
                check=False,
                shrink_budget=SHRINK_BUDGET,
            )
            found = [f for f in report.failures if f.rule == bug.rule]
            if not found:
                raise SystemExit(f"{bug.name}: no {bug.rule} failure in {budget} runs")
            target = out / f"{bug.name}.tape.json"
            shutil.copyfile(found[0].artifacts.tape, target)
            print(f"{target}: seed {found[0].seed}, {found[0].deviations_after} deviations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=1000, help="runs per campaign at most")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--write-tapes", type=Path, metavar="DIR", help="write regression tapes")
    parser.add_argument("--only", action="append", metavar="BUG", help="with --write-tapes: "
                        "only this bug's tape (repeatable)")  # fmt: skip
    args = parser.parse_args()
    if args.write_tapes is not None:
        write_tapes(args.write_tapes, args.budget, args.jobs, args.only)
    else:
        table(args.budget, args.jobs, args.markdown)


if __name__ == "__main__":
    main()
