"""Benchmark: exploration schedules per second per core, and the speed-up at --jobs J.

Usage:  /tmp/venv/bin/python benchmarks/explore_rate.py [--scenario FILE] [--runs N]
            [--strategy portfolio] [--jobs 2]

Prints, for one scenario (default: scenarios/mux_failover_lso.py when it exists, else
scenarios/toggle_offloads.py):
  * schedules/s on one core: a campaign of N seeds in this process (``jobs=1``), each run a fresh
    scenario load, a strategy, the stack, the monitors; no shrinking, no artifacts;
  * schedules/s at --jobs J (local process pool, pool start-up included) and the speed-up over
    one job, with the number of CPUs this process may use;
  * deliveries and real choices per run, so the figure can be compared with the design's target
    (>= 300 schedules/s/core for about 50 deliveries per run).
Figures, not assertions: the suite never times anything.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from stack.explore import default_jobs, plan_for, run_campaign
from stack.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _default_scenario() -> Path:
    mux = ROOT / "scenarios" / "mux_failover_lso.py"
    return mux if mux.exists() else ROOT / "scenarios" / "toggle_offloads.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=_default_scenario())
    parser.add_argument("--runs", type=int, default=600)
    parser.add_argument("--strategy", default="portfolio")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    plan = plan_for(scenario, args.strategy)
    run_campaign(plan, 16)  # warm caches and imports

    start = time.perf_counter()
    one = run_campaign(plan, args.runs, jobs=1)
    single = time.perf_counter() - start
    start = time.perf_counter()
    many = run_campaign(plan, args.runs, jobs=args.jobs)
    multi = time.perf_counter() - start
    assert one.outcomes == many.outcomes, "results differ between job counts"

    deliveries = sum(o.deliveries for o in one.outcomes) / args.runs
    choices = sum(o.decisions for o in one.outcomes) / args.runs
    print(f"scenario {scenario.name}  strategy {args.strategy}  {args.runs} runs")
    print(f"  per run            : {deliveries:8.1f} deliveries, {choices:6.1f} decisions")
    print(f"  failed runs        : {len(one.failed):8d} ({len(one.groups())} distinct rules)")
    print(f"  jobs 1             : {args.runs / single:8.0f} schedules/s")
    print(
        f"  jobs {args.jobs:<14d}: {args.runs / multi:8.0f} schedules/s  "
        f"speed-up {single / multi:4.2f}x  ({default_jobs()} CPUs available)"
    )


if __name__ == "__main__":
    main()
