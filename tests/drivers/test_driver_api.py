"""The public driver API: bases whose defaults are a correct minimal driver, the shared miniport
edge's checks, and the Stack calls that put a user's driver (or NDIS library) into the stack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from stack.drivers import (
    NO_OFFLOAD,
    DriverContext,
    MiniportDriver,
    MiniportEdge,
    ProtocolDriver,
    RecordingContext,
)
from stack.drivers.mux import MuxDriver
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OID_REQUEST,
    MiniportAdapterEvent,
    MiniportAdapterState,
    NdisStatus,
    Oid,
    ProtocolBindingState,
)
from stack.runtime import (
    NET_BUFFER_LIST,
    Command,
    NdisLibrary,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    Send,
    SendComplete,
)
from stack.scenario import RunResult, ScenarioFile, Stack, run_stack

S = NdisStatus


def run(fn: Callable[[Stack], Awaitable[None]]) -> RunResult:
    scenario = ScenarioFile(Path("inline.py"), "inline", fn, "0" * 64, "inline")
    return trio.run(lambda: run_stack(scenario))


@attrs.define(eq=False)
class Recorder(ProtocolDriver):
    """A protocol that records what reaches its callbacks and otherwise keeps the defaults."""

    calls: list[tuple[str, str]] = attrs.field(init=False, factory=list)

    def ProtocolBindAdapterEx(self, ctx: DriverContext, adapter: str, bind: Any) -> None:
        self.calls.append(("bind", adapter))

    def ProtocolNetPnPEvent(self, ctx: DriverContext, adapter: str, event: PnpOp) -> None:
        self.calls.append((event.value, adapter))

    def ProtocolOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        self.calls.append((f"complete {S(status).name}", adapter))

    def on_command(self, ctx: DriverContext, command: Command) -> None:
        if command.name == "query":
            request = NDIS_OID_REQUEST.query(
                Oid.OID_TCP4_OFFLOAD_STATS, RequestId=7, RequestHandle=self.name
            )
            self.NdisOidRequest(ctx, command.arg("adapter"), request)
        elif command.name == "send":
            nbl = NET_BUFFER_LIST(Id=f"{self.name}#1", DataLength=100)
            self.NdisSendNetBufferLists(ctx, command.arg("adapter"), nbl)
        else:
            super().on_command(ctx, command)


# -- the defaults are a correct minimal driver ---------------------------------------------------


def test_a_bare_miniport_and_protocol_come_up_pass_every_monitor_and_carry_traffic() -> None:
    async def scenario(stack: Stack) -> None:
        stack.add_miniport(MiniportDriver("nic0"))
        prot = stack.add_protocol(Recorder("prot"), bind=["nic0"])
        await stack.start()
        stack.command("prot", "query", adapter="nic0")
        stack.command("prot", "send", adapter="nic0")
        await stack.settle()
        stack.restart_adapter("nic0")
        await stack.settle()
        stack.expect(("complete NDIS_STATUS_NOT_SUPPORTED", "nic0") in prot.calls, "OID done")

    result = run(scenario)
    assert result.failure is None, result.failure
    prot = result.stack.drivers["prot"]
    assert prot.calls[:2] == [("bind", "nic0"), ("NetEventRestart", "nic0")]
    assert ("NetEventPause", "nic0") in prot.calls
    assert result.stack.ndis.adapters["nic0"].current == NO_OFFLOAD
    assert result.stack.binding_state("nic0", "prot") is ProtocolBindingState.Running
    completions = [r for r in result.trace.records if r["kind"] == "send.complete"]
    assert [r["status"] for r in completions] == ["NDIS_STATUS_SUCCESS"] * 2


def test_the_miniport_base_completes_a_pause_only_once_its_sends_have_completed() -> None:
    @attrs.define(eq=False)
    class SlowSender(MiniportDriver):
        held: NET_BUFFER_LIST | None = attrs.field(init=False, default=None)

        def MiniportSendNetBufferLists(
            self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
        ) -> None:
            self.set_timer(ctx, 5, "done", nbl=nbl.Id)
            self.held = nbl

        def on_timer(self, ctx: DriverContext, timer: Command) -> None:
            assert self.held is not None
            self.NdisMSendNetBufferListsComplete(ctx, self.name, self.held, S.NDIS_STATUS_SUCCESS)

    miniport = SlowSender("nic0")
    ctx = RecordingContext()
    for op in (PnpOp.MiniportInitializeEx, PnpOp.MiniportRestart):
        ctx.deliver(miniport, Pnp(op, "nic0"))
    nbl = NET_BUFFER_LIST(Id="p#1", DataLength=10)
    ctx.deliver(miniport, Send("nic0", nbl))
    ctx.take()
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    assert ctx.messages(Pnp) == [] and miniport.edge.state is MiniportAdapterState.Pausing
    ctx.deliver(miniport, Command("done"), src="nic0")
    assert ctx.messages(SendComplete) == [SendComplete("nic0", nbl, S.NDIS_STATUS_SUCCESS)]
    assert ctx.messages(Pnp) == [Pnp(PnpOp.PauseComplete, "nic0")]
    assert miniport.edge.state is MiniportAdapterState.Paused and ctx.failures == []


# -- the miniport edge checks what NDIS guarantees -----------------------------------------------


def _running(edge: MiniportEdge, ctx: RecordingContext) -> None:
    for event in (
        MiniportAdapterEvent.MiniportInitializeEx,
        MiniportAdapterEvent.InitializeComplete,
        MiniportAdapterEvent.MiniportRestart,
        MiniportAdapterEvent.RestartComplete,
    ):
        assert edge.event(event, ctx)


def test_the_edge_admits_one_oid_request_at_a_time_and_only_in_an_accepting_state() -> None:
    edge, ctx = MiniportEdge("mux", "team0"), RecordingContext()
    first = NDIS_OID_REQUEST.query(Oid.OID_TCP4_OFFLOAD_STATS, RequestId=1)
    assert not edge.admit_oid(first, ctx)
    assert [rule for rule, _ in ctx.failures] == ["miniport-oid-in-state"]
    assert "mux (team0)" in ctx.failures[0][1]
    _running(edge, ctx)
    assert edge.admit_oid(first, ctx)
    assert not edge.admit_oid(attrs.evolve(first, RequestId=2), ctx)
    assert ctx.failures[-1][0] == "NdisOidDoubleRequest"
    assert edge.oid_completed(first, ctx) and edge.outstanding is None
    assert not edge.oid_completed(first, ctx)
    assert ctx.failures[-1][0] == "miniport-oid-complete-unknown"


def test_the_edge_refuses_sends_after_surprise_removal_and_checks_the_halt() -> None:
    edge, ctx = MiniportEdge("nic0", "nic0"), RecordingContext()
    _running(edge, ctx)
    nbl = NET_BUFFER_LIST(Id="p#1", DataLength=10)
    assert edge.admit_send(nbl, ctx) is None
    assert edge.event(MiniportAdapterEvent.NdisDevicePnPEventSurpriseRemoved, ctx)
    later = NET_BUFFER_LIST(Id="p#2", DataLength=10)
    assert edge.admit_send(later, ctx) == S.NDIS_STATUS_NOT_ACCEPTED
    assert edge.send_completed(later, S.NDIS_STATUS_NOT_ACCEPTED, ctx)
    edge.check_halt(ctx)
    assert [rule for rule, _ in ctx.failures] == ["miniport-halt-with-sends-outstanding"]
    assert edge.sends == 2 and edge.sends_failed == 1


# -- a MUX on the bare base ----------------------------------------------------------------------


@attrs.define(eq=False)
class PassThroughMux(MuxDriver):
    """A MUX that starts its virtual miniport once a member runs and advertises no offload."""

    started: bool = attrs.field(init=False, default=False)

    def ProtocolNetPnPEvent(self, ctx: DriverContext, adapter: str, event: PnpOp) -> None:
        if event is PnpOp.NetEventRestart and not self.started:
            self.started = True
            self.NdisIMInitializeDeviceInstanceEx(ctx, "team0")

    def ProtocolReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        self.NdisMIndicateReceiveNetBufferLists(ctx, "team0", receive.nbl_id)


def test_a_mux_on_the_bare_base_runs_under_the_mux_monitors() -> None:
    async def scenario(stack: Stack) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.add_mux(PassThroughMux("pt"), "team0", members=["nic0"])
        prot = stack.ndisprot("ndisprot", bind=["team0"])
        await stack.start()
        stack.receive("nic0", count=2)
        await stack.settle()
        stack.expect(prot.receives == 2, "the receives came up through the MUX")
        stack.expect(
            prot.binding_state("team0") is ProtocolBindingState.Running, "bound to the team"
        )

    result = run(scenario)
    assert result.failure is None, result.failure
    assert "mux-advertised-within-members" in result.monitors
    mux = result.stack.drivers["pt"]
    assert mux.teams == ["team0"] and mux.aggregated("team0") == ("nic0",)
    assert mux.team_state("team0") is MiniportAdapterState.Running


# -- Stack calls -----------------------------------------------------------------------------------


@attrs.define(eq=False)
class CountingNdis(NdisLibrary):
    routed: list[int] = attrs.field(factory=list)

    def route_oid_request(self, pending: Any, record: Any, ctx: Any) -> None:
        self.routed.append(pending.request.RequestId)
        super().route_oid_request(pending, record, ctx)


def test_configure_ndis_replaces_the_library_and_the_monitors_watch_the_new_one() -> None:
    async def scenario(stack: Stack) -> None:
        stack.configure_ndis(library=CountingNdis, registry_rollback_on_failure=True)
        stack.miniport("nic0", preset="intel-x710")
        stack.ndisprot("ndisprot", bind=["nic0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS()
        stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS,
                                                          params), request_id=9)  # fmt: skip
        await stack.settle()

    result = run(scenario)
    assert result.failure is None, result.failure
    ndis = result.stack.ndis
    assert isinstance(ndis, CountingNdis) and ndis.routed == [9]
    assert ndis.options.registry_rollback_on_failure
    assert all(getattr(m, "ndis", ndis) is ndis for m in result.stack.bus.monitors)


@pytest.mark.parametrize(
    "call",
    [
        lambda stack: (stack.miniport("nic0"), stack.configure_ndis(library=CountingNdis)),
        lambda stack: stack.configure_ndis(library=dict),
        lambda stack: stack.configure_ndis(no_such_option=1),
        lambda stack: stack.add_miniport(Recorder("prot")),
        lambda stack: stack.add_protocol(MiniportDriver("nic0")),
        lambda stack: stack.add_mux(MiniportDriver("m"), "team0", members=[]),
        lambda stack: (stack.miniport("nic0"), stack.add_miniport(MiniportDriver("nic0"))),
    ],
    ids=[
        "library-after-a-driver",
        "library-not-ndis",
        "unknown-option",
        "protocol-as-miniport",
        "miniport-as-protocol",
        "miniport-as-mux",
        "two-drivers-one-name",
    ],
)
def test_topology_mistakes_are_bad_input(call: Callable[[Stack], object]) -> None:
    async def scenario(stack: Stack) -> None:
        call(stack)

    with pytest.raises(BadInput):
        run(scenario)


def test_a_protocol_default_callbacks_accept_every_delivery_kind() -> None:
    prot, ctx = ProtocolDriver("p"), RecordingContext()
    ctx.deliver(prot, Pnp(PnpOp.ProtocolBindAdapterEx, "nic0"))
    ctx.deliver(prot, Pnp(PnpOp.NetEventRestart, "nic0"))
    request = NDIS_OID_REQUEST.query(Oid.OID_TCP4_OFFLOAD_STATS, RequestId=3)
    prot.NdisOidRequest(ctx, "nic0", request)
    assert ctx.messages(OidRequest) == [OidRequest("nic0", request)]
    ctx.deliver(prot, Pnp(PnpOp.NetEventPause, "nic0"))
    ctx.deliver(prot, Pnp(PnpOp.ProtocolUnbindAdapterEx, "nic0"))
    # The unbind waits for the outstanding request (BindingTable).
    assert ctx.messages(Pnp)[-1] == Pnp(PnpOp.NetEventPauseComplete, "nic0")
    ctx.deliver(prot, OidComplete("nic0", request, S.NDIS_STATUS_SUCCESS))
    assert ctx.messages(Pnp)[-1] == Pnp(PnpOp.UnbindComplete, "nic0")
    ctx.deliver(prot, Receive("nic0", "x#1", rx_checksum_offloaded=False))
    assert ctx.failures == []
    with pytest.raises(BadInput):
        ctx.deliver(prot, Command("anything"), src="scenario")
