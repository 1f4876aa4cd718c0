"""Toy scenarios with planted bugs, loaded by path like any user's scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.scenario import ScenarioFile, load_scenario

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def race() -> ScenarioFile:
    """C must hear A's x before B's y; noise actors ping-pong meanwhile."""
    return load_scenario(DATA / "race.py")


@pytest.fixture
def timeout() -> ScenarioFile:
    """A reply must come back within 5 ticks: only a delay (clog) breaks it."""
    return load_scenario(DATA / "timeout.py")


@pytest.fixture
def fault() -> ScenarioFile:
    """Request 3 must not fail: only a fault at toy.oid.fail breaks it."""
    return load_scenario(DATA / "fault.py")
