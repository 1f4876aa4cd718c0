"""Each MUX monitor fires on a MUX that breaks its rule, and stays quiet on the correct one.

The buggy MUXes are the correct driver with one rule removed, each the shape of a bug class of
behaviours-and-bugs.md: dropping the hardware-capability indication (bug class 1, the sample's
``PtStatus``), and closing a lower binding with a forwarded request still outstanding (bug class 3).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs
import trio

from stack.drivers.mux import Mux, MuxContext, mux_monitors
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    NdisStatus,
    Oid,
)
from stack.runtime import Envelope, NdisLibrary, Pnp, PnpOp, Registry
from stack.scenario import RunResult, ScenarioFile, Stack, run_stack

S = NdisStatus


def run(fn: Callable[[Stack], Awaitable[None]]) -> RunResult:
    scenario = ScenarioFile(Path("inline.py"), "inline", fn, "0" * 64, "inline")
    return trio.run(lambda: run_stack(scenario))


@attrs.define(eq=False)
class DropsHardwareIndication(Mux):
    """Bug class 1: re-indicates the current configuration but drops the hardware change."""

    def _indicate(self, team: Any, code: int, buffer: object | None, ctx: MuxContext) -> None:
        if code != S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES:
            super()._indicate(team, code, buffer, ctx)


@attrs.define(eq=False)
class ClosesEarly(Mux):
    """Bug class 3: completes the unbind of a member at once, request outstanding or not."""

    def handle(self, envelope: Envelope, ctx: MuxContext) -> None:
        message = envelope.message
        if isinstance(message, Pnp) and message.operation is PnpOp.ProtocolUnbindAdapterEx:
            ctx.post(self.ndis, Pnp(PnpOp.UnbindComplete, message.adapter))
            return
        super().handle(envelope, ctx)


def failover(stack: Stack, mux: Mux | None = None, **nic0: Any) -> Mux:
    stack.miniport("nic0", preset="intel-x710", **nic0)
    stack.miniport("nic1", preset="realtek-basic")
    if mux is not None:
        stack.drivers[mux.name] = mux
        stack.bus.add_actor(mux, stack._nursery)
    # The active-member model: a swap changes what the team advertises (what these monitors watch).
    options = {} if mux is not None else {"advertises": "active"}
    result = stack.mux("team0", members=["nic0", "nic1"], mode="failover", **options)
    stack.tcpip("tcpip", bind=["team0"])
    return result


def test_the_mux_monitors_join_a_run_with_a_mux_and_pass_with_the_correct_one() -> None:
    async def scenario(stack: Stack) -> None:
        failover(stack)
        await stack.start()
        stack.mux_command("team0", "swap", to="nic1")
        stack.send("tcpip", adapter="team0", count=1, length=20000)

    result = run(scenario)
    assert result.failure is None
    ids = result.monitors
    assert {"mux-advertised-within-members", "mux-hardware-change-before-send",
            "no-oid-completion-after-close"} <= set(ids)  # fmt: skip


def test_a_dropped_hardware_indication_leaves_the_team_advertising_too_much() -> None:
    async def scenario(stack: Stack) -> None:
        failover(stack, DropsHardwareIndication(name="mux", advertises="active"))
        await stack.start()
        stack.mux_command("team0", "swap", to="nic1")

    result = run(scenario)
    assert result.failure is not None
    assert result.failure.rule == "mux-advertised-within-members"
    assert "LsoV" in result.failure.reason


def test_a_protocol_sending_after_an_unindicated_hardware_change_is_caught() -> None:
    async def scenario(stack: Stack) -> None:
        failover(stack, DropsHardwareIndication(name="mux", advertises="active"))
        await stack.start()
        stack.mux_command("team0", "swap", to="nic1")
        await stack.bus.run_until(lambda: stack.drivers["mux"].team("team0").active == "nic1")
        stack.send("tcpip", adapter="team0", count=1, length=1000)

    result = run(scenario)
    assert result.failure is not None
    assert result.failure.rule == "mux-hardware-change-before-send"


def test_a_completion_after_the_member_binding_closed_is_caught() -> None:
    async def scenario(stack: Stack) -> None:
        failover(stack, ClosesEarly(name="mux"), oid_completion="pend", oid_latency=5)
        stack.ndisprot("ndisprot", bind=["team0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
        stack.oid("ndisprot", "team0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))
        await stack.bus.run_until(lambda: stack.drivers["mux"].team("team0").request_pending)
        stack.surprise_remove("nic0")

    result = run(scenario)
    assert result.failure is not None
    assert result.failure.rule == "no-oid-completion-after-close"
    assert "after its binding closed" in result.failure.reason


def test_the_monitors_carry_their_docs_pages() -> None:
    monitors = mux_monitors(NdisLibrary(Registry()), list)
    assert [(m.id, m.page) for m in monitors] == [
        ("mux-advertised-within-members", "N/ndis-status-task-offload-hardware-capabilities.md"),
        (
            "mux-hardware-change-before-send",
            "N/using-the-tcp-ip-offload-administrator-interface.md",
        ),
        ("no-oid-completion-after-close", "N/intermediate-driver-unbinding-operations.md"),
        ("mux-member-respects-team", "N/using-the-tcp-ip-offload-administrator-interface.md"),
    ]
    assert all(m.explanation for m in monitors)
