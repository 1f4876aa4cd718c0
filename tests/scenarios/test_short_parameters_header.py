"""scenarios/short_parameters_header.py reproduces issue 13: it passes on this NDIS and fails,
with the monitor the issue asked for, on the NDIS that wrote keywords before checking the
header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stack.runtime import NdisLibrary
from stack.scenario import run_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "short_parameters_header.py"


def test_the_scenario_passes() -> None:
    result = run_scenario(SCENARIO)
    assert result.failure is None, result.failure
    refused = [r for r in result.trace.records if r["kind"] == "oid.refused"]
    assert [r["origin"] for r in refused] == ["guest"]
    assert not [r for r in result.trace.records if r["kind"] == "registry.write"]


def test_without_the_header_check_the_keywords_monitor_fires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unchecked(self: NdisLibrary, pending: Any, record: Any, ctx: Any) -> bool:
        return False

    monkeypatch.setattr(NdisLibrary, "_refuse_set", unchecked)
    result = run_scenario(SCENARIO)
    assert result.failure is not None
    assert result.failure.rule == "no-keywords-for-refused-set"
