"""The netadaptercx preset on a stack: what it does, and the two docs-strict monitors its real
behaviour meets: at the default ``practice`` level each is a warning and the run passes; at
``strict`` the run fails on exactly that monitor (README, Monitor levels)."""

from __future__ import annotations

from pathlib import Path

from stack.scenario import run_scenario

DATA = Path(__file__).resolve().parent / "data"


def _statuses(records: list[dict], src: str) -> list[str]:
    return [r["status"] for r in records if r["kind"] == "status.indicate" and r["src"] == src]


def test_its_encapsulation_set_owes_no_indication_which_only_the_strict_monitor_objects_to() -> (
    None
):
    result = run_scenario(DATA / "netadaptercx_encapsulation.py")
    completes = [
        r
        for r in result.trace.records
        if r["kind"] == "oid.complete" and r["src"] == "nic0"
        and r["oid"] == "OID_OFFLOAD_ENCAPSULATION"
    ]  # fmt: skip
    assert completes and completes[0]["status"] == "NDIS_STATUS_SUCCESS"
    assert _statuses(result.trace.records, "nic0") == []
    assert result.failure is None
    assert [w.rule for w in result.warnings] == ["indication-after-change"]
    strict = run_scenario(DATA / "netadaptercx_encapsulation.py", level="strict")
    assert strict.failure is not None and strict.failure.rule == "indication-after-change"


def test_pause_offload_capabilities_is_a_transient_only_inv1_objects_to() -> None:
    result = run_scenario(DATA / "netadaptercx_pause_offloads.py")
    indicated = _statuses(result.trace.records, "nic0")
    pause = [
        "NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]
    # after the encapsulation set's CURRENT_CONFIG: zero hardware, then zero current config
    assert indicated[1:3] == pause
    assert result.failure is None
    assert "INV-1-current-within-hardware" in {w.rule for w in result.warnings}
    strict = run_scenario(DATA / "netadaptercx_pause_offloads.py", level="strict")
    assert strict.failure is not None and strict.failure.rule == "INV-1-current-within-hardware"
