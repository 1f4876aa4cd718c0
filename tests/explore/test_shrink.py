"""Shrinking brings a failing tape down toward FIFO / no faults, keeping the same rule."""

from __future__ import annotations

import pytest

from stack.explore import Decision, make_strategy, replay_entries, shrink
from stack.explore._replay import run_once
from stack.explore._tape import deviations, from_bus_tape
from stack.scenario import ScenarioFile


def _found(scenario: ScenarioFile, name: str, min_deviations: int) -> tuple[int, object]:
    for seed in range(300):
        run = run_once(scenario, seed, make_strategy(name, seed))
        if run.failure is None:
            continue
        replayed = replay_entries(scenario, seed, from_bus_tape(run.stack.bus.tape), name=name)
        if deviations(replayed.decisions) >= min_deviations:
            return seed, replayed
    raise AssertionError("no failing run with enough deviations")


@pytest.mark.parametrize("name", ["random", "pct"])
def test_the_planted_two_actor_race_shrinks_to_one_deviation(race: ScenarioFile, name: str) -> None:
    seed, start = _found(race, name, 3)
    result = shrink(race, seed, start, name=name)  # type: ignore[arg-type]
    assert result.deviations_before >= 3
    assert result.deviations_after == 1
    assert result.failure.rule == "toy-order"
    assert 0 < result.candidate_runs <= 200
    # The kept tape is the recorded one of a real run: it replays to the same trace.
    again = replay_entries(race, seed, result.entries, name=name, complete=True)
    assert again.trace_sha256 == result.run.trace_sha256
    assert again.divergence is None


def test_a_fault_found_failure_shrinks_to_the_one_fault(fault: ScenarioFile) -> None:
    seed, start = _found(fault, "random", 2)
    result = shrink(fault, seed, start, name="random")  # type: ignore[arg-type]
    remaining = [d for d in result.entries if d.is_deviation]
    assert len(remaining) == 1
    assert remaining[0].kind == "toy.oid.fail"
    assert remaining[0].index == 1  # lowered from 2 where it was 2


def test_delay_waits_are_dropped_when_they_do_not_matter(race: ScenarioFile) -> None:
    # A wait in front of the one swap that matters: the shrunk tape keeps only the swap.
    start = replay_entries(
        race, 0, [Decision("wait", 0), Decision("wait", 0), Decision("sched", 3)]
    )
    assert start.failure is not None
    result = shrink(race, 0, start)
    assert result.deviations_after == 1
    assert [d.kind for d in result.entries if d.is_deviation] == ["sched"]


def test_the_budget_bounds_candidate_runs(race: ScenarioFile) -> None:
    seed, start = _found(race, "random", 4)
    result = shrink(race, seed, start, name="random", budget=2)  # type: ignore[arg-type]
    assert result.candidate_runs == 2
    assert result.failure.rule == "toy-order"


def test_a_passing_run_cannot_be_shrunk(race: ScenarioFile) -> None:
    with pytest.raises(ValueError, match="did not fail"):
        shrink(race, 0, replay_entries(race, 0, []))
