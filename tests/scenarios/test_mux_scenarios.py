"""The MUX scenarios pass under every invariant (the MUX monitors included), and their traces show
the propagation step by step, in the order the MUX rules require."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stack.scenario import RunResult, run_scenario, summary_json

ROOT = Path(__file__).resolve().parents[2]
MUX_SCENARIOS = sorted((ROOT / "scenarios").glob("mux_*.py"))
MUX_MONITORS = {
    "mux-advertised-within-members",
    "mux-hardware-change-before-send",
    "no-oid-completion-after-close",
}


def run(name: str) -> RunResult:
    result = run_scenario(ROOT / "scenarios" / f"{name}.py")
    assert result.failure is None, result.failure
    return result


def steps(result: RunResult, *, team: str = "team0") -> list[str]:
    """The propagation as one line per step: MUX decisions, the team's indications on their way
    up (MUX -> NDIS -> each protocol), and requests crossing the team."""
    out = []
    for r in result.trace.records:
        kind = r["kind"]
        if kind in ("mux.member.join", "mux.member.leave", "mux.failover", "mux.swap",
                    "mux.withdraw", "mux.reapply", "mux.forward", "mux.forward.complete",
                    "mux.send.refused", "mux.start", "mux.initialized"):  # fmt: skip
            out.append(f"{kind} {r.get('member') or r.get('active') or r.get('oid') or ''}".strip())
        elif kind == "status.indicate" and r.get("adapter") == team:
            out.append(f"{r['src']}->{r['dst']} {r['status']}")
        elif kind == "oid.complete" and r.get("adapter") == team and r.get("src") == "mux":
            out.append(f"mux->ndis complete {r['oid']} {r['status']}")
    return out


def after(lines: list[str], marker: str) -> list[str]:
    return lines[lines.index(marker) :]


@pytest.mark.parametrize("path", MUX_SCENARIOS, ids=[p.stem for p in MUX_SCENARIOS])
def test_every_mux_scenario_passes_under_the_mux_monitors(path: Path) -> None:
    result = run_scenario(path)
    assert result.failure is None, result.failure
    assert set(result.monitors) >= MUX_MONITORS
    assert all(ok for _, ok in result.stack.expectations)


def test_the_scenarios_of_the_issue_are_shipped() -> None:
    assert [p.stem for p in MUX_SCENARIOS] == [
        "mux_disable_lso_then_join",
        "mux_failover_lso",
        "mux_link_failover",
        "mux_replace_member",
        "mux_surprise_remove_only_member",
        "mux_swap_pending_set",
        "mux_team_add_remove",
    ]


def test_a_replacement_joins_and_takes_over_in_one_capability_change() -> None:
    lines = after(steps(run("mux_replace_member")), "mux.member.leave nic0")
    assert lines[:7] == [
        "mux.member.leave nic0",
        "mux.member.join nic2",
        "mux.failover nic2",
        "mux.withdraw",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]


def test_failover_propagates_withdrawal_hardware_then_current_to_tcpip() -> None:
    lines = after(steps(run("mux_failover_lso")), "mux.member.leave nic0")
    assert lines[:8] == [
        "mux.member.leave nic0",
        "mux.failover nic1",
        "mux.withdraw",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "mux.send.refused",
        "ndis->tcpip NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]
    assert lines[8:10] == [
        "ndis->tcpip NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "ndis->tcpip NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]


def test_a_swap_with_a_set_pending_indicates_the_swap_then_completes_the_set_after_its_config() -> (
    None
):
    lines = after(steps(run("mux_swap_pending_set")), "mux.forward OID_TCP_OFFLOAD_PARAMETERS")
    swap = lines.index("mux.swap nic1")
    done = lines.index("mux.forward.complete")
    assert swap < done, "the swap landed while the set was pending"
    assert lines[swap + 1 : swap + 5] == [
        "mux.withdraw",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]
    assert lines[done + 1 : done + 3] == [
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "mux->ndis complete OID_TCP_OFFLOAD_PARAMETERS NDIS_STATUS_SUCCESS",
    ]


def test_a_new_member_is_configured_before_it_joins() -> None:
    lines = after(steps(run("mux_disable_lso_then_join")), "mux.reapply nic1")
    assert lines[:3] == ["mux.reapply nic1", "mux.reapply nic1", "mux.member.join nic1"]
    assert not [line for line in lines if line.startswith("mux->ndis")]


def test_adding_and_removing_a_member_indicates_each_capability_change() -> None:
    lines = steps(run("mux_team_add_remove"))
    join = after(lines, "mux.member.join nic2")
    assert join[1:5] == [
        "mux.withdraw",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]
    leave = after(lines, "mux.member.leave nic2")
    assert leave[1:3] == [
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES",
        "mux->ndis NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
    ]


def test_losing_the_only_member_completes_the_request_before_the_unbind() -> None:
    result = run("mux_surprise_remove_only_member")
    order = [
        (r["kind"], r.get("operation") or r.get("oid"))
        for r in result.trace.records
        if r.get("src") == "mux"
        and r.get("dst") == "ndis"
        and (
            r.get("operation") == "UnbindComplete"
            or (r["kind"] == "oid.complete" and r.get("oid") == "OID_TCP_OFFLOAD_PARAMETERS")
        )
    ]
    assert order == [
        ("oid.complete", "OID_TCP_OFFLOAD_PARAMETERS"),
        ("pnp", "UnbindComplete"),
    ]


def test_the_summary_shows_the_team_each_member_and_each_protocols_view() -> None:
    summary: dict[str, Any] = summary_json(run("mux_failover_lso"))
    adapters = {a["adapter"]: a for a in summary["adapters"]}
    assert {"team0", "nic0", "nic1"} <= set(adapters)
    assert adapters["team0"]["hardware"] == adapters["nic1"]["hardware"]
    views = {(v["protocol"], v["adapter"]) for v in summary["views"]}
    assert {("tcpip", "team0"), ("mux", "nic0"), ("mux", "nic1")} <= views
