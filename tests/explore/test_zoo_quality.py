"""The explorer's quality, measured on the bug zoo (stack.drivers.zoo) and the shipped scenarios.

* The default portfolio, with swarm faults, finds every zoo bug within ``BUDGET`` runs, and the
  first failure is the bug's own rule.
* Every zoo scenario passes ``CORRECT_RUNS`` explored runs when its slot holds the correct driver:
  what the explorer reports is the bug, not the scenario.
* The correct drivers raise no false alarm: ``SHIPPED_RUNS`` explored runs of every shipped
  scenario (a few thousand in all) pass.

Budgets are stated here, not timed: benchmarks/zoo_detection.py prints how many runs each
strategy needs (the README has the table).  About a minute on two cores with ``JOBS`` = 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from stack.drivers.zoo import BUGS, ZooBug
from stack.explore import make_strategy, plan_for, run_campaign
from stack.explore._campaign import estimate_k
from stack.scenario import Failure, load_scenario, run_stack

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.py"))

#: Portfolio runs within which each zoo bug must be found (the slowest needs about 35).
BUDGET = 300
#: Portfolio runs of each zoo scenario with the correct driver in its slot.
CORRECT_RUNS = 100
#: Portfolio runs of each shipped scenario (9000 runs over the 18 scenarios shipped today).
SHIPPED_RUNS = 500
JOBS = 2


@pytest.mark.slow
@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_the_default_portfolio_finds_the_zoo_bug_within_its_budget(bug: ZooBug) -> None:
    plan = plan_for(load_scenario(ROOT / bug.scenario), "portfolio")
    result = run_campaign(plan, BUDGET, jobs=JOBS, stop_on_first=True)
    assert result.failed, f"{bug.name}: nothing found in {BUDGET} runs"
    first = result.failed[0]
    assert first.failure is not None
    assert first.failure.rule == bug.rule, (first.seed, first.failure)


@pytest.mark.slow
@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_the_zoo_scenario_passes_with_the_correct_driver(bug: ZooBug) -> None:
    scenario = load_scenario(ROOT / bug.scenario)
    assert scenario.fn.__globals__[bug.slot] is bug.driver
    scenario.fn.__globals__[bug.slot] = bug.correct
    k = estimate_k(scenario)

    async def explore() -> list[tuple[int, Failure]]:
        failures = []
        for seed in range(CORRECT_RUNS):
            strategy = make_strategy("portfolio", seed, {"k": k})
            result = await run_stack(scenario, seed=seed, strategy=strategy)
            if result.failure is not None:
                failures.append((seed, result.failure))
        return failures

    assert trio.run(explore) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_the_correct_drivers_raise_no_false_alarm(path: Path) -> None:
    plan = plan_for(load_scenario(path), "portfolio")
    result = run_campaign(plan, SHIPPED_RUNS, jobs=JOBS)
    assert len(result.outcomes) == SHIPPED_RUNS
    failed = [(o.seed, o.failure) for o in result.failed]
    assert failed == [], f"{len(failed)} false alarms, the first: {failed[0]}"
