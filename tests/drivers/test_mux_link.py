"""Link state: miniports indicate NDIS_STATUS_LINK_STATE, NDIS passes it on and remembers it for
bind parameters, and the MUX fails over on link down (not only on removal), with optional
failback, and reports its own link (N/ndis-status-link-state.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trio

from stack.errors import BadInput
from stack.ndis import (
    NDIS_LINK_STATE,
    NDIS_SIZEOF_LINK_STATE_REVISION_1,
    NDIS_STATUS_LINK_STATE,
    MediaConnectStateConnected,
    MediaConnectStateDisconnected,
    buffer_length,
    link_state,
    status_row,
)
from stack.scenario import RunResult, ScenarioFile, Stack, run_stack


def run(fn: Callable[[Stack], Awaitable[None]]) -> RunResult:
    scenario = ScenarioFile(Path("inline.py"), "inline", fn, "0" * 64, "inline")
    return trio.run(lambda: run_stack(scenario))


def passes(fn: Callable[[Stack], Awaitable[None]]) -> RunResult:
    result = run(fn)
    assert result.failure is None, result.failure
    return result


def test_the_link_state_structure_and_its_status_row() -> None:
    down = link_state(False)
    assert down.MediaConnectState == MediaConnectStateDisconnected and not down.connected
    up = link_state(True)
    assert up.MediaConnectState == MediaConnectStateConnected and up.connected
    assert NDIS_LINK_STATE().connected  # Unknown is not "no link"
    assert buffer_length(up) == NDIS_SIZEOF_LINK_STATE_REVISION_1 == 40
    row = status_row(NDIS_STATUS_LINK_STATE)
    assert row is not None and row.buffer is NDIS_LINK_STATE and row.slot is None


def _links(stack: Stack, protocol: str, adapter: str) -> list[bool]:
    return [
        i.buffer.connected
        for i in stack.drivers[protocol].indications
        if i.adapter == adapter and i.status == NDIS_STATUS_LINK_STATE
    ]


def test_a_pulled_cable_reaches_every_protocol_and_the_next_bind() -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Stack) -> None:
        stack.miniport("nic0")
        stack.ndisprot("ndisprot", bind=["nic0"])
        await stack.start()
        stack.link_down("nic0")
        stack.link_down("nic0")  # no change: nothing indicated
        await stack.settle()
        seen["after_pull"] = _links(stack, "ndisprot", "nic0")
        seen["recorded"] = stack.ndis.adapters["nic0"].media_connect_state
        stack.link_up("nic0")
        await stack.settle()
        seen["after_plug"] = _links(stack, "ndisprot", "nic0")

    passes(scenario)
    assert seen["after_pull"] == [False]
    assert seen["recorded"] == MediaConnectStateDisconnected
    assert seen["after_plug"] == [False, True]


def test_a_virtual_miniport_has_no_cable() -> None:
    async def scenario(stack: Stack) -> None:
        stack.miniport("nic0")
        stack.mux("team0", members=["nic0"])
        await stack.start()
        stack.link_down("team0")

    with pytest.raises(BadInput, match="no cable"):
        run(scenario)


def _pair(stack: Stack, **options: Any) -> Any:
    stack.miniport("nic0", preset="intel-x710")
    stack.miniport("nic1", preset="intel-x710")
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover", **options)
    stack.tcpip("tcpip", bind=["team0"])
    stack.ndisprot("ndisprot", bind=["team0"])
    return mux


@pytest.mark.parametrize("failback", [False, True])
def test_failover_on_link_down_and_failback_only_when_asked(failback: bool) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Stack) -> None:
        mux = _pair(stack, failback=failback)
        await stack.start()
        stack.link_down("nic0")
        await stack.settle()
        seen["down"] = mux.team("team0").active
        stack.link_up("nic0")
        await stack.settle()
        seen["up"] = mux.team("team0").active
        seen["links"] = _links(stack, "ndisprot", "team0")

    passes(scenario)
    assert seen["down"] == "nic1"
    assert seen["up"] == ("nic0" if failback else "nic1")
    assert seen["links"] == []  # the team never lost its link


def test_the_team_is_disconnected_only_when_every_member_is() -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Stack) -> None:
        mux = _pair(stack)
        await stack.start()
        stack.link_down("nic0")
        stack.link_down("nic1")
        await stack.settle()
        seen["links"] = _links(stack, "ndisprot", "team0")
        seen["team"] = mux.team("team0").link_up
        stack.send("tcpip", adapter="team0", count=1, length=1000)
        await stack.settle()
        seen["failed"] = stack.drivers["tcpip"].view("team0").sends_failed
        stack.link_up("nic1")
        await stack.settle()
        seen["back"] = _links(stack, "ndisprot", "team0")
        seen["active"] = mux.team("team0").active

    passes(scenario)
    assert seen["links"] == [False] and seen["team"] is False
    assert seen["failed"] == 1
    assert seen["back"] == [False, True] and seen["active"] == "nic1"


def test_a_member_bound_with_its_cable_out_is_not_made_active() -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Stack) -> None:
        stack.miniport("nic0", preset="intel-x710", media_connected=False)
        stack.miniport("nic1", preset="intel-x710")
        mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover")
        await stack.start()
        seen["active"] = mux.team("team0").active
        seen["nic0"] = mux.member("nic0").link_up

    passes(scenario)
    assert seen == {"active": "nic1", "nic0": False}


def test_a_team_spreads_sends_only_over_members_with_link() -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Stack) -> None:
        nic0 = stack.miniport("nic0", preset="intel-x710")
        nic1 = stack.miniport("nic1", preset="intel-x710")
        stack.mux("team0", members=["nic0", "nic1"], mode="team")
        stack.tcpip("tcpip", bind=["team0"])
        await stack.start()
        stack.link_down("nic1")
        await stack.settle()
        before = (nic0.stats().sends, nic1.stats().sends)
        stack.send("tcpip", adapter="team0", count=4, length=1000)
        await stack.settle()
        seen["sent"] = (nic0.stats().sends - before[0], nic1.stats().sends - before[1])

    passes(scenario)
    assert seen["sent"] == (4, 0)


def test_under_lbfo_a_failover_indicates_no_capability_change() -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Stack) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.miniport("nic1", preset="realtek-basic")
        stack.mux("team0", members=["nic0", "nic1"], mode="failover")
        tcpip = stack.tcpip("tcpip", bind=["team0"])
        await stack.start()
        before = tcpip.view("team0").indications
        stack.link_down("nic0")
        await stack.settle()
        seen["indications"] = tcpip.view("team0").indications - before

    passes(scenario)
    assert seen["indications"] == 0


def test_the_link_failover_scenario_shows_its_team() -> None:
    from click.testing import CliRunner

    from stack.cli import cli

    shown = CliRunner().invoke(cli, ["show", "scenarios/mux_link_failover.py", "adapter", "lso"])
    assert shown.exit_code == 0, shown.output
    team0 = next(line for line in shown.output.splitlines() if line.startswith("team0"))
    assert "LSO Version 2" in team0 and "False" in team0  # LSOv2, no LSOv1: nic1 lacks it
