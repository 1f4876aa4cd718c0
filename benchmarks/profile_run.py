"""Benchmark: where a delivery's CPU time goes in explored runs, in microseconds per delivery.

Usage:  .venv/bin/python benchmarks/profile_run.py [--scenario FILE ...] [--runs N]
            [--strategy portfolio] [--top 25]

For each scenario (default: scenarios/mux_failover_lso.py and scenarios/toggle_offloads.py) it
runs the campaign's own worker entry point (``run_chunk``: fresh scenario load, strategy, stack,
monitors, one trio run per chunk of seeds) twice:

  1. unprofiled, ``--repeat`` times (the best counts), timed with ``time.process_time`` (CPU
     seconds of this process: the machine is shared, and CPU time is what other processes'
     load distorts least), which gives schedules/s and microseconds per delivery;
  2. under ``cProfile``, whose *self* times are summed by part of the code (the bus, the trace,
     the monitors, the NDIS library, the drivers, the pure NDIS rules, attrs-generated methods,
     trio ...).  Profiling slows everything down unevenly, so the table scales each part's share
     of the profiled self time to the unprofiled CPU time per delivery.

``--top`` also prints the most expensive functions by self time (profiled seconds), which is the
list to read before optimising.  Figures, not assertions: the suite never times anything.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Sequence
from pathlib import Path

from stack.explore import plan_for
from stack.explore._campaign import CHUNK, run_chunk
from stack.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent

#: (part, substring of the code's file name), first match wins.
PARTS: tuple[tuple[str, str], ...] = (
    ("bus", "stack/runtime/_bus.py"),
    ("trace", "stack/runtime/_trace.py"),
    ("monitors", "stack/runtime/_monitors.py"),
    ("NDIS library", "stack/runtime/_ndis_library.py"),
    ("messages", "stack/runtime/_messages.py"),
    ("runtime other", "stack/runtime/"),
    ("NDIS rules (stack.ndis)", "stack/ndis/"),
    ("drivers", "stack/drivers/"),
    ("strategies", "stack/explore/_strategies.py"),
    ("scenario + Stack", "stack/scenario/"),
    ("scenario script", "scenarios/"),
    ("explore other", "stack/explore/"),
    ("attrs-generated", "<attrs generated"),
    ("attrs library", "/attr/"),
    ("trio", "/trio/"),
    ("json", "/json/"),
)


def part_of(filename: str) -> str:
    for part, needle in PARTS:
        if needle in filename:
            return part
    if filename == "~":
        return "builtins (C)"
    return "other Python"


def seeds_in_chunks(runs: int) -> list[tuple[int, ...]]:
    return [tuple(range(i, min(i + CHUNK, runs))) for i in range(0, runs, CHUNK)]


def campaign(plan: object, runs: int) -> tuple[int, int]:
    """Run ``runs`` seeds as the campaign does; (deliveries, failed runs)."""
    deliveries = failed = 0
    for chunk in seeds_in_chunks(runs):
        for outcome in run_chunk(plan, chunk):  # type: ignore[arg-type]
            deliveries += outcome.deliveries
            failed += outcome.failure is not None
    return deliveries, failed


def by_part(stats: pstats.Stats) -> dict[str, float]:
    parts: dict[str, float] = {}
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        part = part_of(filename)
        parts[part] = parts.get(part, 0.0) + tottime
    return parts


def profile_scenario(path: Path, runs: int, strategy: str, top: int, repeat: int) -> None:
    scenario = load_scenario(path)
    plan = plan_for(scenario, strategy)
    campaign(plan, 16)  # warm imports and caches

    cpus = []
    for _ in range(repeat):  # the best of a few: other processes' load only ever adds time
        start = time.process_time()
        deliveries, failed = campaign(plan, runs)
        cpus.append(time.process_time() - start)
    cpu = min(cpus)
    us_per_delivery = cpu / deliveries * 1e6
    print(f"== {path.name}  strategy {strategy}  {runs} runs  ({failed} failed)")
    print(
        f"   CPU {cpu:.2f} s: {runs / cpu:.0f} schedules/s, {deliveries / runs:.1f} deliveries "
        f"per run, {deliveries / cpu:,.0f} deliveries/s, {us_per_delivery:.1f} us per delivery"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    campaign(plan, runs)
    profiler.disable()
    stats = pstats.Stats(profiler)
    parts = by_part(stats)
    total = sum(parts.values())
    print(f"   {'part':<26}{'us/delivery':>12}{'share':>8}")
    for part, seconds in sorted(parts.items(), key=lambda kv: -kv[1]):
        share = seconds / total
        print(f"   {part:<26}{share * us_per_delivery:12.1f}{share:8.1%}")
    if top:
        print(f"   top {top} functions by self time (profiled seconds):")
        stats.sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        type=Path,
        action="append",
        default=None,
        help="repeatable; default mux_failover_lso and toggle_offloads",
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--strategy", default="portfolio")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions; the best counts")
    args = parser.parse_args(argv)
    scenarios = args.scenario or [
        ROOT / "scenarios" / "mux_failover_lso.py",
        ROOT / "scenarios" / "toggle_offloads.py",
    ]
    for path in scenarios:
        profile_scenario(path, args.runs, args.strategy, args.top, args.repeat)


if __name__ == "__main__":
    main()
