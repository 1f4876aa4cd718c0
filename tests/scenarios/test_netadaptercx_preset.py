"""The netadaptercx preset on a stack: what it does, and the two docs-strict monitors its real
behaviour meets (issue 10 item 6 gives them a level; until then each reports it, and nothing
else does)."""

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
    assert result.failure is None or result.failure.rule == "indication-after-change"


def test_pause_offload_capabilities_is_a_transient_only_inv1_objects_to() -> None:
    result = run_scenario(DATA / "netadaptercx_pause_offloads.py")
    indicated = _statuses(result.trace.records, "nic0")
    pause = [
        "NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]
    # after the encapsulation set's CURRENT_CONFIG: zero hardware first (the run stops there
    # while INV-1 checks every indication; with a practice level it goes on to CURRENT_CONFIG)
    assert indicated[1] == pause[0]
    assert indicated[1:3] == pause[: len(indicated[1:3])]
    assert result.failure is None or result.failure.rule == "INV-1-current-within-hardware"
