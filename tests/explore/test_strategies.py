"""Strategies: every decision from the seed, through named sub-streams; faults swarm-style."""

from __future__ import annotations

from typing import Any

import pytest

from stack.errors import BadInput
from stack.explore import PCT, PORTFOLIO, DelayClog, RandomWalk, Swarm, make_strategy
from stack.explore._replay import run_once
from stack.scenario import ScenarioFile


def _trace(scenario: ScenarioFile, strategy: Any, seed: int) -> str:
    return run_once(scenario, seed, strategy).trace.sha256()


@pytest.mark.parametrize("name", ["random", "pct", "delay"])
def test_the_same_seed_gives_the_same_trace(race: ScenarioFile, name: str) -> None:
    for seed in range(5):
        first = _trace(race, make_strategy(name, seed), seed)
        assert _trace(race, make_strategy(name, seed), seed) == first


@pytest.mark.parametrize("name", ["random", "pct"])
def test_different_seeds_explore_different_schedules(race: ScenarioFile, name: str) -> None:
    traces = {_trace(race, make_strategy(name, seed), seed) for seed in range(20)}
    assert len(traces) > 5


def test_swarm_switches_a_site_on_by_seed_and_name_not_by_the_order_sites_are_asked() -> None:
    one, two = Swarm(7), Swarm(7)
    sites = [f"site.{i}" for i in range(40)]
    for site in sites:
        one.decide(site, 3)
    for site in reversed(sites):
        two.decide(site, 3)
    assert one.sites_on() == two.sites_on()
    # about a quarter of the sites are on, and the others never fire
    assert 3 <= len(one.sites_on()) <= 20
    off = next(site for site in sites if site not in one.sites_on())
    assert all(one.decide(off, 5) == 0 for _ in range(100))


def test_an_enabled_site_fires_sometimes_and_picks_a_non_default_option() -> None:
    swarm = Swarm(1, site_p=1.0, fire_p=0.5)
    picks = [swarm.decide("miniport.oid.fail", 4) for _ in range(200)]
    assert 0 in picks
    assert set(picks) - {0} == {1, 2, 3}


def test_faults_off_never_fire() -> None:
    swarm = Swarm(1, enabled=False, site_p=1.0, fire_p=1.0)
    assert {swarm.decide("ndis.surprise_remove", 2) for _ in range(50)} == {0}


def test_pct_draws_depth_minus_one_change_points_within_k() -> None:
    strategy = PCT(3, depth=4, k=20)
    points = strategy._change_points
    assert len(points) == 3
    assert all(1 <= step <= 20 for step in points)


def test_pct_depth_one_is_a_fixed_priority_schedule(race: ScenarioFile) -> None:
    strategy = PCT(5, depth=1, k=10)
    run_once(race, 5, strategy)
    assert strategy._change_points == {}


def test_delay_lets_ticks_pass_when_everything_enabled_is_clogged(timeout: ScenarioFile) -> None:
    waited = False
    for seed in range(40):
        result = run_once(timeout, seed, DelayClog(seed, clog_p=0.5))
        waited = waited or ("wait", 0) in result.stack.bus.tape
    assert waited


def test_portfolio_rotates_by_seed() -> None:
    names = [make_strategy("portfolio", seed).name for seed in range(6)]
    assert names == list(PORTFOLIO) * 2


def test_params_reach_only_the_strategies_that_take_them() -> None:
    strategy = make_strategy("random", 0, {"depth": 5, "clog_p": 0.3, "faults": False})
    assert isinstance(strategy, RandomWalk)
    assert strategy.params() == {"faults": False, "site_p": 0.25, "fire_p": 0.25}


@pytest.mark.parametrize(
    ("name", "params"),
    [("sideways", {}), ("pct", {"depth": 0}), ("pct", {"unit": "thread"})],
)
def test_bad_strategy_options_are_bad_input(name: str, params: dict[str, Any]) -> None:
    with pytest.raises(BadInput):
        make_strategy(name, 0, params)
