"""Drivers of different NDIS versions on one stack: the shipped ndis_version_mismatch scenario,
and an old filter that rebuilds the view it reports at its own revision."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.drivers import OffloadMaskingFilter
from stack.errors import BadInput
from stack.scenario import run_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_mismatch_scenario_passes_and_shows_both_directions() -> None:
    result = run_scenario(ROOT / "scenarios" / "ndis_version_mismatch.py")
    assert result.failure is None, result.failure
    notes = [r for r in result.trace.records if r["kind"] == "oid.params.revision_refused"]
    assert [(n["adapter"], n["minimum"]) for n in notes] == [("nic0", 3)]


def test_an_old_masking_filter_strips_the_newer_members_for_the_layers_above() -> None:
    result = run_scenario(ROOT / "tests" / "scenarios" / "data" / "old_masking_filter.py")
    assert result.failure is None, result.failure


def test_a_bad_filter_version_is_bad_input() -> None:
    with pytest.raises(BadInput, match="NDIS version"):
        OffloadMaskingFilter(name="f", ndis_version="five")
