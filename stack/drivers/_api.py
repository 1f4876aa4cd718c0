"""The public driver API: bases whose handlers are the NDIS callbacks and whose methods are the
NDIS calls.

A driver model subclasses one base and overrides the callbacks its driver does differently; the
base does what NDIS requires of every driver on that edge (the state tables, admission in the
wrong state, waits before a pause or an unbind completes, through ``MiniportEdge`` and
``BindingTable``), and each default callback does what a correct minimal driver does:

* ``MiniportDriver`` -- a miniport that plays one adapter, named after the driver
  (``Stack.add_miniport``).  Callbacks (D/ndis/ns-ndis-_ndis_miniport_driver_characteristics.md):
  ``MiniportInitializeEx``, ``MiniportRestart``, ``MiniportPause``, ``MiniportHaltEx``,
  ``MiniportDevicePnPEventNotify``, ``MiniportOidRequest``, ``MiniportCancelOidRequest``,
  ``MiniportSendNetBufferLists``.  NDIS calls: ``NdisMSetMiniportAttributes``,
  ``NdisMRestartComplete``, ``NdisMPauseComplete``, ``NdisMOidRequestComplete``,
  ``NdisMIndicateStatusEx``, ``NdisMSendNetBufferListsComplete``,
  ``NdisMIndicateReceiveNetBufferLists``.
* ``ProtocolDriver`` -- a protocol bound to adapters (``Stack.add_protocol``).  Callbacks
  (D/ndis/ns-ndis-_ndis_protocol_driver_characteristics.md): ``ProtocolBindAdapterEx``,
  ``ProtocolUnbindAdapterEx``, ``ProtocolNetPnPEvent``, ``ProtocolOidRequestComplete``,
  ``ProtocolStatusEx``, ``ProtocolReceiveNetBufferLists``,
  ``ProtocolSendNetBufferListsComplete``.  NDIS calls: ``NdisOidRequest``,
  ``NdisCancelOidRequest``, ``NdisSendNetBufferLists``, ``NdisCompleteUnbindAdapterEx``.
* ``MuxDriver`` (``stack.drivers.mux``) -- both edges in one driver: virtual miniports above,
  protocol bindings below (``Stack.add_mux``).

Every callback is ``Callback(self, ctx, adapter, ...)``; every NDIS call is
``self.NdisCall(ctx, adapter, ...)`` with the C argument order, and posts the bus message that
stands for it to NDIS (``stack.runtime`` messages; the emulator's trace shows them).  ``ctx`` is a
``DriverContext``: ``post``, ``note`` (a trace line), ``decide`` (a fault-injection site),
``fail`` (report a broken NDIS rule), ``now``.  A timer is a ``Command`` the driver posts to
itself with a delay (``set_timer``); it comes back to ``on_timer``.  Scenario commands come to
``on_command``.

Emulator conventions where C has a return value: MiniportInitializeEx returns by calling
``NdisMSetMiniportAttributes`` (now or later); MiniportHaltEx returns when the callback returns;
MiniportRestart completes by ``NdisMRestartComplete``; a pause completes by itself once no send
handed to the miniport is outstanding (N/pausing-an-adapter.md).  On the protocol edge a bind and
a restart complete at once, a pause once the binding's sends completed and an unbind once its OID
requests completed (``BindingTable``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from stack.drivers._base import DriverContext, unhandled
from stack.drivers._edges import Binding, BindingTable, MiniportEdge
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_REVISION_1,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    MiniportAdapterEvent,
    NdisStatus,
)
from stack.runtime import (
    NDIS_BIND_PARAMETERS,
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    NET_BUFFER_LIST,
    Command,
    Envelope,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    RegistryWrite,
    Send,
    SendComplete,
    StatusIndication,
)

__all__ = ["NO_OFFLOAD", "MiniportDriver", "ProtocolDriver"]

#: An NDIS_OFFLOAD with nothing on: what a NIC without task offload reports.
NO_OFFLOAD = NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(NDIS_OFFLOAD_REVISION_1))


class _Driver:
    """What every base shares: the names, timers, scenario commands, configuration writes."""

    __slots__ = ()
    name: str
    ndis: str

    def set_timer(self, ctx: DriverContext, delay: int, name: str, **args: Any) -> None:
        """Post ``Command(name, args)`` to this driver ``delay`` ticks from now (a work item or
        an NdisSetTimerObject timer); it is handed to ``on_timer``."""
        ctx.post(self.name, Command(name, tuple(args.items())), delay=delay)

    def on_timer(self, ctx: DriverContext, timer: Command) -> None:
        """A timer set with ``set_timer`` fired.  The default has none, so one arriving is a
        failure."""
        ctx.fail("driver-unhandled-message", f"{self.name}: no handler for timer {timer.name!r}")

    def on_command(self, ctx: DriverContext, command: Command) -> None:
        """A scenario command (``Stack.command``).  The default knows none: bad input."""
        raise BadInput(f"{self.name}: unknown command {command.name!r} (known: none)")

    def NdisWriteConfiguration(
        self, ctx: DriverContext, adapter: str, keyword: str, value: str
    ) -> None:
        """Write a keyword of the adapter's registry key (D/ndis/nf-ndis-ndiswriteconfiguration.md);
        NDIS hands it back at the next MiniportInitializeEx."""
        ctx.post(self.ndis, RegistryWrite(adapter, keyword, value))


# -- the miniport edge ---------------------------------------------------------------------------


class _MiniportSide(_Driver):
    """The upper edge: callbacks NDIS makes on a miniport adapter, and the NdisM calls back."""

    __slots__ = ()

    def miniport_edge(self, adapter: str) -> MiniportEdge | None:
        """The ``MiniportEdge`` of an adapter this driver plays, or None."""
        raise NotImplementedError

    def _edge(self, adapter: str) -> MiniportEdge:
        edge = self.miniport_edge(adapter)
        if edge is None:
            raise BadInput(f"{self.name} plays no miniport adapter {adapter!r}")
        return edge

    # -- dispatch (the edge's checks, then the callback) ---------------------------------------

    def _miniport_pnp(
        self, envelope: Envelope, edge: MiniportEdge, message: Pnp, ctx: DriverContext
    ) -> None:
        op = message.operation
        adapter = edge.adapter
        if op is PnpOp.MiniportInitializeEx:
            if edge.event(MiniportAdapterEvent.MiniportInitializeEx, ctx):
                self.MiniportInitializeEx(ctx, adapter, dict(message.keywords))
        elif op is PnpOp.MiniportRestart:
            if edge.event(MiniportAdapterEvent.MiniportRestart, ctx):
                self.MiniportRestart(ctx, adapter)
        elif op is PnpOp.MiniportPause:
            # A pause cannot fail, and completes only once the sends NDIS handed the miniport
            # have completed (N/pausing-an-adapter.md).
            if edge.event(MiniportAdapterEvent.MiniportPause, ctx):
                self.MiniportPause(ctx, adapter)
                edge.pause_waiting = True
                if edge.pause_done:
                    self.NdisMPauseComplete(ctx, adapter)
        elif op is PnpOp.MiniportHaltEx:
            edge.check_halt(ctx)
            if edge.event(MiniportAdapterEvent.MiniportHaltEx, ctx):
                edge.halted()
                self.MiniportHaltEx(ctx, adapter)
                # MiniportHaltEx returning (D/ndis/nc-ndis-miniport_halt.md).
                ctx.post(self.ndis, Pnp(PnpOp.HaltComplete, adapter))
        elif op is PnpOp.SurpriseRemoved:
            # No reply (D/ndis/nc-ndis-miniport_device_pnp_event_notify.md).
            event = MiniportAdapterEvent.NdisDevicePnPEventSurpriseRemoved
            if edge.event(event, ctx):
                self.MiniportDevicePnPEventNotify(ctx, adapter, event)
        else:
            unhandled(self.name, edge.state.value, envelope, ctx)

    def _miniport_oid_request(
        self, edge: MiniportEdge, request: NDIS_OID_REQUEST, ctx: DriverContext
    ) -> None:
        if not edge.admit_oid(request, ctx):
            return
        refusal = edge.refusal
        if refusal is not None:
            # NOT_ACCEPTED between surprise removal and halt
            # (D/ndis/nc-ndis-miniport_oid_request.md).
            self.NdisMOidRequestComplete(ctx, edge.adapter, request, refusal)
            return
        self.MiniportOidRequest(ctx, edge.adapter, request)

    def _miniport_send(self, edge: MiniportEdge, nbl: NET_BUFFER_LIST, ctx: DriverContext) -> None:
        status = edge.admit_send(nbl, ctx)
        if status is not None:
            self.NdisMSendNetBufferListsComplete(ctx, edge.adapter, nbl, status)
            return
        self.MiniportSendNetBufferLists(ctx, edge.adapter, nbl)

    # -- callbacks -----------------------------------------------------------------------------

    def MiniportInitializeEx(
        self, ctx: DriverContext, adapter: str, keywords: Mapping[str, str]
    ) -> None:
        """MiniportInitializeEx (D/ndis/nc-ndis-miniport_initialize.md): ``keywords`` are the
        adapter's registry values NDIS read for it (NdisReadConfiguration).  The default reports
        a NIC without task offload; a driver finishes by calling ``NdisMSetMiniportAttributes``
        (now, or later to model a slow initialization)."""
        attributes = NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES(
            DefaultOffloadConfiguration=NO_OFFLOAD, HardwareOffloadCapabilities=NO_OFFLOAD
        )
        self.NdisMSetMiniportAttributes(ctx, adapter, attributes)

    def MiniportRestart(self, ctx: DriverContext, adapter: str) -> None:
        """MiniportRestart (D/ndis/nc-ndis-miniport_restart.md): the default restarts at once."""
        self.NdisMRestartComplete(ctx, adapter)

    def MiniportPause(self, ctx: DriverContext, adapter: str) -> None:
        """MiniportPause (D/ndis/nc-ndis-miniport_pause.md): stop what the driver started on its
        own.  The base completes the pause once no send is outstanding; the default does
        nothing else."""

    def MiniportHaltEx(self, ctx: DriverContext, adapter: str) -> None:
        """MiniportHaltEx (D/ndis/nc-ndis-miniport_halt.md): release what the adapter holds.  The
        base has checked nothing is outstanding and returns the halt after this callback."""

    def MiniportDevicePnPEventNotify(
        self, ctx: DriverContext, adapter: str, event: MiniportAdapterEvent
    ) -> None:
        """MiniportDevicePnPEventNotify (D/ndis/nc-ndis-miniport_device_pnp_event_notify.md);
        ``event`` is NdisDevicePnPEventSurpriseRemoved.  From here to MiniportHaltEx the base
        completes every OID and send request with NDIS_STATUS_NOT_ACCEPTED."""

    def MiniportOidRequest(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST
    ) -> None:
        """MiniportOidRequest (D/ndis/nc-ndis-miniport_oid_request.md), admitted by the base
        (state, serialization, surprise removal).  Complete it with ``NdisMOidRequestComplete``,
        now or later (NDIS_STATUS_PENDING).  The default supports no OID."""
        self.NdisMOidRequestComplete(ctx, adapter, request, NdisStatus.NDIS_STATUS_NOT_SUPPORTED)

    def MiniportCancelOidRequest(
        self, ctx: DriverContext, adapter: str, request_id: int, origin: str
    ) -> None:
        """MiniportCancelOidRequest (D/ndis/nc-ndis-miniport_cancel_oid_request.md): complete the
        request with RequestId ``request_id`` (issued by ``origin``) with
        NDIS_STATUS_REQUEST_ABORTED if it is still pending.  The default completes every request
        at once, so a cancel always comes late, which is legal (same page)."""
        ctx.note("oid.cancel.late", adapter=adapter, request_id=request_id, origin=origin)

    def MiniportSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        """MiniportSendNetBufferLists (D/ndis/nc-ndis-miniport_send_net_buffer_lists.md), admitted
        by the base (state, surprise removal).  The default sends it at once."""
        self.NdisMSendNetBufferListsComplete(ctx, adapter, nbl, NdisStatus.NDIS_STATUS_SUCCESS)

    # -- NDIS calls ----------------------------------------------------------------------------

    def NdisMSetMiniportAttributes(
        self,
        ctx: DriverContext,
        adapter: str,
        attributes: NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    ) -> None:
        """Register the offload attributes and return NDIS_STATUS_SUCCESS from
        MiniportInitializeEx (D/ndis/nf-ndis-ndismsetminiportattributes.md; the
        ``InitializeComplete`` PnP message)."""
        if self._edge(adapter).event(MiniportAdapterEvent.InitializeComplete, ctx):
            ctx.post(
                self.ndis,
                Pnp(PnpOp.InitializeComplete, adapter, status=NdisStatus.NDIS_STATUS_SUCCESS,
                    attributes=attributes),
            )  # fmt: skip

    def NdisMRestartComplete(self, ctx: DriverContext, adapter: str) -> None:
        """D/ndis/nf-ndis-ndismrestartcomplete.md: the adapter is Running."""
        self._edge(adapter).event(MiniportAdapterEvent.RestartComplete, ctx)
        ctx.post(self.ndis, Pnp(PnpOp.RestartComplete, adapter))

    def NdisMPauseComplete(self, ctx: DriverContext, adapter: str) -> None:
        """D/ndis/nf-ndis-ndismpausecomplete.md: the adapter is Paused.  The base calls it once
        the sends outstanding at MiniportPause have completed."""
        edge = self._edge(adapter)
        edge.pause_waiting = False
        edge.event(MiniportAdapterEvent.PauseComplete, ctx)
        ctx.post(self.ndis, Pnp(PnpOp.PauseComplete, adapter))

    def NdisMOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        """D/ndis/nf-ndis-ndismoidrequestcomplete.md: ``request`` as it goes back (filled
        InformationBuffer, BytesWritten/BytesNeeded, SupportedRevision) and the final status."""
        if self._edge(adapter).oid_completed(request, ctx):
            ctx.post(self.ndis, OidComplete(adapter, request, status))

    def NdisMIndicateStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        """D/ndis/nf-ndis-ndismindicatestatusex.md (build the indication with
        ``NDIS_STATUS_INDICATION.indicate(adapter, code, buffer)``)."""
        ctx.post(self.ndis, StatusIndication(adapter, indication))

    def NdisMSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        """D/ndis/nf-ndis-ndismsendnetbufferlistscomplete.md; completes a waiting pause when it
        was the last outstanding send."""
        edge = self._edge(adapter)
        if not edge.send_completed(nbl, status, ctx):
            return
        ctx.post(self.ndis, SendComplete(adapter, nbl, status))
        if edge.pause_done:
            self.NdisMPauseComplete(ctx, adapter)

    def NdisMIndicateReceiveNetBufferLists(
        self,
        ctx: DriverContext,
        adapter: str,
        nbl_id: str,
        *,
        rx_checksum_offloaded: bool = False,
        rsc_coalesced: bool = False,
    ) -> None:
        """D/ndis/nf-ndis-ndismindicatereceivenetbufferlists.md: a received packet and the receive
        offload results attached to it (which must respect the encapsulation gate,
        N/oid-offload-encapsulation.md)."""
        ctx.post(
            self.ndis,
            Receive(adapter, nbl_id, rx_checksum_offloaded=rx_checksum_offloaded,
                    rsc_coalesced=rsc_coalesced),
        )  # fmt: skip


# -- the protocol edge ---------------------------------------------------------------------------


class _ProtocolSide(_Driver):
    """The lower edge: callbacks NDIS makes on a protocol binding, and the Ndis calls back."""

    __slots__ = ()

    @property
    def binding_table(self) -> BindingTable:
        """The driver's ``BindingTable`` (one ``Binding`` per adapter it was ever bound to)."""
        raise NotImplementedError

    def binding(self, adapter: str) -> Binding | None:
        """The binding to ``adapter``, or None if this driver was never bound to it."""
        return self.binding_table.get(adapter)

    # -- dispatch (the table's state machine, then the callback) -------------------------------

    def _protocol_pnp(self, message: Pnp, ctx: DriverContext) -> None:
        table = self.binding_table
        binding = table.begin(message, ctx)
        if binding is None:
            return
        op = message.operation
        if op is PnpOp.ProtocolBindAdapterEx:
            self.ProtocolBindAdapterEx(ctx, message.adapter, message.bind)
        elif op is PnpOp.ProtocolUnbindAdapterEx:
            self.ProtocolUnbindAdapterEx(ctx, message.adapter)
        else:
            self.ProtocolNetPnPEvent(ctx, message.adapter, op)
        table.settle(binding, ctx)

    def _protocol_oid_complete(self, message: OidComplete, ctx: DriverContext) -> None:
        table = self.binding_table
        if table.completed(message, ctx) is None:
            return
        self.ProtocolOidRequestComplete(ctx, message.adapter, message.request, message.status)
        binding = table.get(message.adapter)
        assert binding is not None
        table.settle(binding, ctx)

    def _protocol_status(self, message: StatusIndication, ctx: DriverContext) -> None:
        if self.binding(message.adapter) is None:
            reason = f"{self.name}: status indication for {message.adapter!r}, never bound"
            ctx.fail("protocol-status-unbound", reason)
            return
        self.ProtocolStatusEx(ctx, message.adapter, message.indication)

    def _protocol_send_complete(self, message: SendComplete, ctx: DriverContext) -> None:
        table = self.binding_table
        binding = table.send_completed(message, ctx)
        if binding is None:
            return
        self.ProtocolSendNetBufferListsComplete(ctx, message.adapter, message.nbl, message.status)
        table.settle(binding, ctx)

    def _protocol_receive(self, message: Receive, ctx: DriverContext) -> None:
        if self.binding(message.adapter) is None:
            ctx.fail("protocol-receive-unbound",
                     f"{self.name}: receive on {message.adapter!r}, never bound")  # fmt: skip
            return
        self.ProtocolReceiveNetBufferLists(ctx, message.adapter, message)

    # -- callbacks -----------------------------------------------------------------------------

    def ProtocolBindAdapterEx(
        self, ctx: DriverContext, adapter: str, bind: NDIS_BIND_PARAMETERS | None
    ) -> None:
        """ProtocolBindAdapterEx (D/ndis/nc-ndis-protocol_bind_adapter_ex.md), after the base
        opened the binding (NdisOpenAdapterEx, NdisCompleteBindAdapterEx): it is Paused.
        ``bind`` carries the current offload configuration
        (N/determining-task-offload-capabilities.md).  The default keeps nothing."""

    def ProtocolUnbindAdapterEx(self, ctx: DriverContext, adapter: str) -> None:
        """ProtocolUnbindAdapterEx (D/ndis/nc-ndis-protocol_unbind_adapter_ex.md), as the unbind
        starts (the binding is Closing): stop issuing requests.  The base closes the binding once
        the binding's OID requests have completed."""

    def ProtocolNetPnPEvent(self, ctx: DriverContext, adapter: str, event: PnpOp) -> None:
        """ProtocolNetPnPEvent (D/ndis/nc-ndis-protocol_net_pnp_event.md) with ``event``
        ``PnpOp.NetEventPause`` -- called as the pause starts; the base completes it once the
        binding's sends have completed -- or ``PnpOp.NetEventRestart`` -- called once the
        restart has completed and the binding is Running (N/restarting-a-binding.md)."""

    def ProtocolOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        """ProtocolOidRequestComplete (D/ndis/nc-ndis-protocol_oid_request_complete.md) for a
        request this driver issued (the base matched it by RequestId)."""

    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        """ProtocolStatusEx (D/ndis/nc-ndis-protocol_status_ex.md).  A protocol that uses task
        offload tracks the offload indications (N/determining-task-offload-capabilities.md);
        the default ignores them."""

    def ProtocolReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        """ProtocolReceiveNetBufferLists (D/ndis/nc-ndis-protocol_receive_net_buffer_lists.md)."""

    def ProtocolSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        """ProtocolSendNetBufferListsComplete
        (D/ndis/nc-ndis-protocol_send_net_buffer_lists_complete.md) for an NBL this driver sent."""

    # -- NDIS calls ----------------------------------------------------------------------------

    def _open_binding(self, adapter: str, call: str, ctx: DriverContext) -> Binding | None:
        binding = self.binding(adapter)
        if binding is None:
            ctx.fail("protocol-call-unbound", f"{self.name}: {call} on {adapter!r}, never bound")
        return binding

    def NdisOidRequest(self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST) -> None:
        """D/ndis/nf-ndis-ndisoidrequest.md: the request goes as given (RequestId and
        RequestHandle are the caller's); its completion comes to ``ProtocolOidRequestComplete``,
        and an unbind waits for it."""
        binding = self._open_binding(adapter, "NdisOidRequest", ctx)
        if binding is not None:
            self.binding_table.issue(binding, request, ctx)

    def NdisCancelOidRequest(self, ctx: DriverContext, adapter: str, request_id: int) -> None:
        """D/ndis/nf-ndis-ndiscanceloidrequest.md: cancel this driver's request ``request_id``."""
        ctx.post(self.ndis, OidCancel(adapter, request_id, self.name))

    def NdisSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        """D/ndis/nf-ndis-ndissendnetbufferlists.md: a pause waits for its completion."""
        binding = self._open_binding(adapter, "NdisSendNetBufferLists", ctx)
        if binding is not None:
            self.binding_table.sent(binding, nbl.Id)
            ctx.post(self.ndis, Send(adapter, nbl))

    def NdisCompleteUnbindAdapterEx(self, ctx: DriverContext, adapter: str) -> None:
        """NdisCloseAdapterEx and D/ndis/nf-ndis-ndiscompleteunbindadapterex.md now, whatever is
        outstanding (the base calls it once the binding's requests have completed; calling it
        earlier is the bug of behaviours-and-bugs.md 20)."""
        binding = self._open_binding(adapter, "NdisCompleteUnbindAdapterEx", ctx)
        if binding is not None:
            self.binding_table.complete_unbind(binding, ctx)


# -- the bases -----------------------------------------------------------------------------------


@attrs.define(eq=False)
class MiniportDriver(_MiniportSide):
    """A miniport driver model playing one adapter, named ``name`` (module docstring).

    Subclass it with ``@attrs.define(eq=False)`` and override the callbacks the driver does
    differently; add it with ``Stack.add_miniport(driver)``.  ``edge`` is its ``MiniportEdge``
    (status, outstanding request and sends, counters).
    """

    name: str
    #: The NDIS library actor.
    ndis: str = attrs.field(default="ndis", kw_only=True)
    _edge_record: MiniportEdge | None = attrs.field(init=False, default=None)

    @property
    def edge(self) -> MiniportEdge:
        if self._edge_record is None:
            self._edge_record = MiniportEdge(self.name, self.name)
        return self._edge_record

    def miniport_edge(self, adapter: str) -> MiniportEdge | None:
        return self.edge if adapter == self.name else None

    def handle(self, envelope: Envelope, ctx: DriverContext) -> None:
        message = envelope.message
        edge = self.miniport_edge(getattr(message, "adapter", ""))
        match message:
            case Pnp() if edge is not None:
                self._miniport_pnp(envelope, edge, message, ctx)
            case OidRequest() if edge is not None:
                self._miniport_oid_request(edge, message.request, ctx)
            case OidRequest():
                reason = f"{self.name}: MiniportOidRequest for adapter {message.adapter!r}"
                ctx.fail("miniport-wrong-adapter", reason)
            case OidCancel() if edge is not None:
                self.MiniportCancelOidRequest(ctx, edge.adapter, message.request_id,
                                              message.origin)  # fmt: skip
            case Send() if edge is not None:
                self._miniport_send(edge, message.nbl, ctx)
            case Command() if envelope.src == self.name:
                self.on_timer(ctx, message)
            case Command():
                self.on_command(ctx, message)
            case _:
                unhandled(self.name, self.edge.state.value, envelope, ctx)


@attrs.define(eq=False)
class ProtocolDriver(_ProtocolSide):
    """A protocol driver model bound to one or more adapters (module docstring).

    Subclass it with ``@attrs.define(eq=False)`` and override the callbacks the driver does
    differently; add it with ``Stack.add_protocol(driver, bind=[...])``.
    """

    name: str
    #: The NDIS library actor.
    ndis: str = attrs.field(default="ndis", kw_only=True)
    _table: BindingTable | None = attrs.field(init=False, default=None)

    @property
    def binding_table(self) -> BindingTable:
        if self._table is None:
            self._table = BindingTable(self.name, self.ndis)
        return self._table

    @property
    def adapters(self) -> list[str]:
        """Adapters this protocol has (or had) a binding to, in bind order."""
        return list(self.binding_table.bindings)

    def handle(self, envelope: Envelope, ctx: DriverContext) -> None:
        message = envelope.message
        match message:
            case Pnp():
                self._protocol_pnp(message, ctx)
            case OidComplete():
                self._protocol_oid_complete(message, ctx)
            case StatusIndication():
                self._protocol_status(message, ctx)
            case SendComplete():
                self._protocol_send_complete(message, ctx)
            case Receive():
                self._protocol_receive(message, ctx)
            case Command() if envelope.src == self.name:
                self.on_timer(ctx, message)
            case Command():
                self.on_command(ctx, message)
            case _:
                unhandled(self.name, "any", envelope, ctx)
