"""Campaigns: results depend on the seeds alone, never on the number of jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.errors import BadInput
from stack.explore import explore, plan_for, run_campaign
from stack.scenario import ScenarioFile

DATA = Path(__file__).resolve().parent / "data"


def test_results_are_identical_for_one_and_two_jobs(race: ScenarioFile) -> None:
    plan = plan_for(race, "portfolio")
    one = run_campaign(plan, 40, seed=100, jobs=1)
    two = run_campaign(plan, 40, seed=100, jobs=2)
    assert [o.seed for o in two.outcomes] == list(range(100, 140))
    assert one.outcomes == two.outcomes
    assert [(g.rule, g.seeds) for g in one.groups()] == [(g.rule, g.seeds) for g in two.groups()]


def test_stop_on_first_keeps_every_run_up_to_the_lowest_failing_seed(race: ScenarioFile) -> None:
    plan = plan_for(race, "random")
    full = run_campaign(plan, 40)
    lowest = min(o.seed for o in full.failed)
    for jobs in (1, 2):
        stopped = run_campaign(plan, 40, jobs=jobs, stop_on_first=True)
        assert [o.seed for o in stopped.outcomes] == list(range(lowest + 1))
        assert stopped.stopped_early == (lowest < 39)


def test_failures_are_grouped_by_rule_in_order_of_their_lowest_seed(race: ScenarioFile) -> None:
    result = run_campaign(plan_for(race, "random"), 30)
    (group,) = result.groups()
    assert group.rule == "toy-order"
    assert group.first.seed == group.seeds[0] == min(o.seed for o in result.failed)
    assert group.runs == len(result.failed)
    assert group.first.tape and group.first.trace_sha256


def test_pct_k_is_estimated_from_a_fifo_run_unless_given(race: ScenarioFile) -> None:
    assert plan_for(race, "pct").params["k"] > 1
    assert plan_for(race, "pct", {"k": 7}).params["k"] == 7
    assert "k" not in plan_for(race, "random").params


def test_a_campaign_needs_a_run_and_a_job(race: ScenarioFile) -> None:
    plan = plan_for(race, "random")
    with pytest.raises(BadInput):
        run_campaign(plan, 0)
    with pytest.raises(BadInput):
        run_campaign(plan, 3, jobs=0)


def test_explore_reports_each_distinct_failure_shrunk_with_its_artifacts(tmp_path: Path) -> None:
    report = explore(DATA / "race.py", runs=30, strategy="random", out=tmp_path, check=False)
    (failure,) = report.failures
    assert failure.rule == "toy-order"
    assert failure.deviations_after == 1 <= failure.deviations_before
    assert failure.replayed_in_process
    for path in failure.artifacts.as_dict().values():
        assert Path(path).is_file()
    assert failure.replay_command == f"ndisemu replay {failure.artifacts.tape}"


def test_explore_json_is_identical_whatever_the_number_of_jobs(tmp_path: Path) -> None:
    one = explore(DATA / "race.py", runs=24, out=tmp_path, check=False, jobs=1)
    two = explore(DATA / "race.py", runs=24, out=tmp_path, check=False, jobs=2)
    assert one.as_dict() == two.as_dict()


def test_a_passing_scenario_reports_no_failure(tmp_path: Path) -> None:
    report = explore(DATA / "calm.py", runs=10, out=tmp_path)
    assert report.failures == ()
    assert report.failed_runs == 0
    assert not any(tmp_path.iterdir())
