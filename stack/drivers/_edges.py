"""The two NDIS edges a driver has, each one shared part with its state machine and its waits.

* ``BindingTable`` is the **protocol edge**: a protocol driver's (or a MUX's lower) opens on the
  adapters below it, one ``Binding`` each (N/protocol-binding-states-and-operations.md).
* ``MiniportEdge`` is the **miniport edge**: one adapter a miniport driver (a NIC model, or a
  MUX's virtual miniport) plays for NDIS (N/miniport-adapter-states-and-operations.md).

Both keep only what NDIS requires of *every* driver on that edge -- the state table, which
requests and sends are outstanding, when a pause or an unbind may complete, what may not happen
in which state -- so that a driver model is left with what makes it different.  Neither posts a
request or a completion on its own: the driver bases (``stack.drivers.MiniportDriver``,
``ProtocolDriver``, ``MuxDriver``) call them around the NDIS callbacks, so that a driver that
overrides an NDIS call (``NdisMOidRequestComplete`` ...) sees every one of them.  Contract
violations are reported with ``ctx.fail`` under a stable rule id, never absorbed.
"""

from __future__ import annotations

import attrs

from stack.drivers._base import DriverContext
from stack.ndis import (
    NDIS_OID_REQUEST,
    IllegalTransition,
    MiniportAdapterEvent,
    MiniportAdapterState,
    MiniportAdapterStatus,
    NdisStatus,
    Oid,
    ProtocolBindingEvent,
    ProtocolBindingState,
    miniport_accepts_oid_requests,
    miniport_handles_send_and_receive,
    transition,
)
from stack.runtime import (
    NET_BUFFER_LIST,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    SendComplete,
)

__all__ = ["Binding", "BindingTable", "MiniportEdge"]


def _oid_name(oid: int) -> str:
    try:
        return Oid(oid).name
    except ValueError:
        return f"0x{oid:08X}"


# -- the protocol edge ---------------------------------------------------------------------------


@attrs.define(eq=False)
class Binding:
    """One protocol's open on one adapter: its state and what it is waiting for."""

    adapter: str
    state: ProtocolBindingState = ProtocolBindingState.Unbound
    #: OID requests this protocol issued on the binding that have not completed, by RequestId.
    pending_oids: dict[int, NDIS_OID_REQUEST] = attrs.field(factory=dict)
    #: NBL ids sent and not yet completed.
    sends_in_flight: set[str] = attrs.field(factory=set)
    unbind_waiting: bool = False
    pause_waiting: bool = False


@attrs.define(eq=False)
class BindingTable:
    """The protocol edge every protocol driver shares: per-adapter binding state machines
    (``stack.ndis.transition`` over N/protocol-binding-states-and-operations.md), the PnP replies,
    and the waits NDIS requires before a pause or an unbind may complete.

    * Bind completes into Paused (ProtocolBindAdapterEx, then NdisOpenAdapterEx and
      NdisCompleteBindAdapterEx).
    * A pause completes only after the binding's own sends have completed
      (N/pausing-a-driver-stack.md).
    * An unbind completes only after the binding's own OID requests have completed
      (behaviours-and-bugs.md 20; ndisprot ``ndisprotShutdownBinding`` waits for pended I/O before
      NdisCloseAdapterEx).

    A PnP operation is run in two halves so that the driver's own work fits between them, as it
    does inside ProtocolNetPnPEvent / ProtocolUnbindAdapterEx: ``begin`` moves the binding (and
    answers a bind or a restart at once), ``settle`` finishes a pause or an unbind once nothing
    it waits for is left.  Each protocol owns its table; nothing here is shared between drivers.
    """

    driver: str
    ndis: str = "ndis"
    bindings: dict[str, Binding] = attrs.field(factory=dict)

    def get(self, adapter: str) -> Binding | None:
        return self.bindings.get(adapter)

    def _event(self, binding: Binding, event: ProtocolBindingEvent, ctx: DriverContext) -> bool:
        try:
            binding.state = transition(binding.state, event)
        except IllegalTransition as exc:
            ctx.fail("protocol-illegal-pnp", f"{self.driver} on {binding.adapter}: {exc}")
            return False
        return True

    def pnp(self, message: Pnp, ctx: DriverContext) -> Binding | None:
        """Run the whole standard part of a binding PnP operation (``begin`` then ``settle``);
        returns the binding when the operation moved it, None otherwise."""
        binding = self.begin(message, ctx)
        if binding is not None:
            self.settle(binding, ctx)
        return binding

    def begin(self, message: Pnp, ctx: DriverContext) -> Binding | None:
        """Move the binding for a PnP operation from NDIS.  A bind completes into Paused and a
        restart into Running at once (their replies are posted); a pause or an unbind is left
        waiting for ``settle``.  Returns the binding, or None (and a failure) when the operation
        is illegal here."""
        op = message.operation
        binding = self.bindings.get(message.adapter)
        if op is PnpOp.ProtocolBindAdapterEx:
            if binding is None or binding.state is ProtocolBindingState.Unbound:
                binding = Binding(message.adapter)
                self.bindings[message.adapter] = binding
            if not self._event(binding, ProtocolBindingEvent.ProtocolBindAdapterEx, ctx):
                return None
            self._event(binding, ProtocolBindingEvent.BindComplete, ctx)
            ctx.post(self.ndis, Pnp(PnpOp.BindComplete, message.adapter))
            return binding
        if binding is None:
            ctx.fail(
                "protocol-pnp-unbound",
                f"{self.driver}: {op.value} for {message.adapter!r}, which it is not bound to",
            )
            return None
        if op is PnpOp.NetEventRestart:
            if self._event(binding, ProtocolBindingEvent.NetEventRestart, ctx):
                self._event(binding, ProtocolBindingEvent.RestartComplete, ctx)
                ctx.post(self.ndis, Pnp(PnpOp.NetEventRestartComplete, message.adapter))
                return binding
            return None
        if op is PnpOp.NetEventPause:
            if not self._event(binding, ProtocolBindingEvent.NetEventPause, ctx):
                return None
            binding.pause_waiting = True
            return binding
        if op is PnpOp.ProtocolUnbindAdapterEx:
            if not self._event(binding, ProtocolBindingEvent.ProtocolUnbindAdapterEx, ctx):
                return None
            binding.unbind_waiting = True
            return binding
        ctx.fail("protocol-unexpected-pnp", f"{self.driver}: unexpected {op.value}")
        return None

    def settle(self, binding: Binding, ctx: DriverContext) -> None:
        """Finish a waiting pause or unbind once nothing it waits for is left."""
        if binding.pause_waiting and not binding.sends_in_flight:
            self.complete_pause(binding, ctx)
        if binding.unbind_waiting and not binding.pending_oids:
            self.complete_unbind(binding, ctx)

    def complete_pause(self, binding: Binding, ctx: DriverContext) -> None:
        """NdisCompleteNetPnPEvent for NetEventPause (``settle`` calls it when it may)."""
        binding.pause_waiting = False
        self._event(binding, ProtocolBindingEvent.PauseComplete, ctx)
        ctx.post(self.ndis, Pnp(PnpOp.NetEventPauseComplete, binding.adapter))

    def complete_unbind(self, binding: Binding, ctx: DriverContext) -> None:
        """NdisCloseAdapterEx and NdisCompleteUnbindAdapterEx (``settle`` calls it when it may)."""
        binding.unbind_waiting = False
        self._event(binding, ProtocolBindingEvent.UnbindComplete, ctx)
        ctx.post(self.ndis, Pnp(PnpOp.UnbindComplete, binding.adapter))

    def issue(self, binding: Binding, request: NDIS_OID_REQUEST, ctx: DriverContext) -> None:
        """NdisOidRequest on the binding; the completion comes back as OidComplete."""
        binding.pending_oids[request.RequestId] = request
        ctx.post(self.ndis, OidRequest(binding.adapter, request))

    def completed(self, message: OidComplete, ctx: DriverContext) -> NDIS_OID_REQUEST | None:
        """Match a completion to the request this protocol issued; None (and a failure) if it
        never issued it or it already completed (DV NdisOidDoubleComplete)."""
        binding = self.bindings.get(message.adapter)
        request_id = message.request.RequestId
        issued = binding.pending_oids.pop(request_id, None) if binding is not None else None
        if binding is None or issued is None:
            ctx.fail(
                "protocol-oid-complete-unknown",
                f"{self.driver}: ProtocolOidRequestComplete for request {request_id} on "
                f"{message.adapter!r} that is not outstanding "
                "(D/ndis/nf-ndis-ndismoidrequestcomplete.md)",
            )
            return None
        return issued

    def sent(self, binding: Binding, nbl_id: str) -> None:
        binding.sends_in_flight.add(nbl_id)

    def send_completed(self, message: SendComplete, ctx: DriverContext) -> Binding | None:
        binding = self.bindings.get(message.adapter)
        if binding is None or message.nbl.Id not in binding.sends_in_flight:
            ctx.fail(
                "protocol-send-complete-unknown",
                f"{self.driver}: send completion for {message.nbl.Id} on {message.adapter!r} "
                "that it has not sent",
            )
            return None
        binding.sends_in_flight.discard(message.nbl.Id)
        return binding


# -- the miniport edge ---------------------------------------------------------------------------


@attrs.define(eq=False)
class MiniportEdge:
    """One miniport adapter as its driver plays it: the adapter status
    (``stack.ndis.MiniportAdapterStatus`` over N/miniport-adapter-states-and-operations.md, with
    the surprise-removal flag), the OID request and the sends NDIS handed it and it has not
    completed, and the pause waiting for those sends.

    What it checks, each a rule NDIS guarantees a miniport (so a break is NDIS's, reported):

    * PnP entry points only where the state table allows them (``miniport-illegal-pnp``);
    * MiniportOidRequest only in a state that accepts OID requests (``miniport-oid-in-state``),
      and one non-direct request at a time (``NdisOidDoubleRequest``,
      N/miniport-adapter-oid-request-serialization.md);
    * MiniportSendNetBufferLists only while Running or Pausing (``miniport-send-in-state``);
    * MiniportHaltEx with nothing outstanding (``miniport-halt-with-oid-outstanding``,
      ``miniport-halt-with-sends-outstanding``; D/ndis/nc-ndis-miniport_halt.md);

    and what it checks of the driver: it completes only what it was handed
    (``miniport-oid-complete-unknown``, ``miniport-send-complete-unknown``).

    Between a surprise removal and MiniportHaltEx ``refusal`` is the status every OID and send
    request is completed with at once (D/ndis/nc-ndis-miniport_oid_request.md).  A pause
    completes once no send is outstanding (N/pausing-an-adapter.md).
    """

    driver: str
    adapter: str
    status: MiniportAdapterStatus = attrs.field(factory=MiniportAdapterStatus)
    #: The non-direct OID request NDIS handed and the driver has not completed yet.
    outstanding: NDIS_OID_REQUEST | None = None
    #: NBLs NDIS handed (MiniportSendNetBufferLists) and the driver has not completed, in order.
    sends_in_flight: dict[str, NET_BUFFER_LIST] = attrs.field(factory=dict)
    #: MiniportPause has been called and waits for ``sends_in_flight`` to drain.
    pause_waiting: bool = False
    #: Sends handed to the driver, those completed with a failure, OID requests completed.
    sends: int = 0
    sends_failed: int = 0
    oids_completed: int = 0

    @property
    def state(self) -> MiniportAdapterState:
        return self.status.state

    @property
    def refusal(self) -> int | None:
        """NDIS_STATUS_NOT_ACCEPTED after a surprise removal until MiniportHaltEx, else None."""
        return self.status.refusal

    @property
    def who(self) -> str:
        """How failures name this edge: the driver, and the adapter when they differ."""
        return self.driver if self.adapter == self.driver else f"{self.driver} ({self.adapter})"

    def event(self, event: MiniportAdapterEvent, ctx: DriverContext) -> bool:
        """Move the status; an illegal move is reported and leaves it unchanged."""
        try:
            self.status = self.status.after(event)
        except IllegalTransition as exc:
            ctx.fail("miniport-illegal-pnp", f"{self.who}: {exc}")
            return False
        return True

    def admit_oid(self, request: NDIS_OID_REQUEST, ctx: DriverContext) -> bool:
        """MiniportOidRequest arriving: False (and a failure) when NDIS broke the state table or
        the serialization; else the request is outstanding until ``oid_completed``."""
        if not miniport_accepts_oid_requests(self.status.state):
            ctx.fail(
                "miniport-oid-in-state",
                f"{self.who}: MiniportOidRequest({_oid_name(request.Oid)}) in state "
                f"{self.status.state.value} (N/miniport-adapter-states-and-operations.md)",
            )
            return False
        if self.outstanding is not None:
            # NDIS serializes non-direct OID requests
            # (N/miniport-adapter-oid-request-serialization.md; DV rule NdisOidDoubleRequest).
            ctx.fail(
                "NdisOidDoubleRequest",
                f"{self.who}: MiniportOidRequest({_oid_name(request.Oid)}) id "
                f"{request.RequestId} while request {self.outstanding.RequestId} is pending "
                "(N/miniport-adapter-oid-request-serialization.md)",
            )
            return False
        self.outstanding = request
        return True

    def oid_completed(self, request: NDIS_OID_REQUEST, ctx: DriverContext) -> bool:
        """NdisMOidRequestComplete: False (and a failure) for a request that is not outstanding
        (DV NdisOidDoubleComplete, D/ndis/nf-ndis-ndismoidrequestcomplete.md)."""
        if self.outstanding is None or self.outstanding.RequestId != request.RequestId:
            ctx.fail(
                "miniport-oid-complete-unknown",
                f"{self.who}: NdisMOidRequestComplete for request {request.RequestId}, which "
                "is not outstanding (D/ndis/nf-ndis-ndismoidrequestcomplete.md)",
            )
            return False
        self.outstanding = None
        self.oids_completed += 1
        return True

    def admit_send(self, nbl: NET_BUFFER_LIST, ctx: DriverContext) -> int | None:
        """MiniportSendNetBufferLists arriving: the NBL is outstanding from now on.  Returns the
        status to complete it with at once (the surprise-removal refusal, or NDIS_STATUS_PAUSED
        with a failure when NDIS sends in a state without a data path), or None to handle it."""
        self.sends += 1
        self.sends_in_flight[nbl.Id] = nbl
        refusal = self.status.refusal
        if refusal is not None:
            return refusal
        if not miniport_handles_send_and_receive(self.status.state):
            ctx.fail(
                "miniport-send-in-state",
                f"{self.who}: MiniportSendNetBufferLists({nbl.Id}) in state "
                f"{self.status.state.value} (N/miniport-adapter-states-and-operations.md)",
            )
            return NdisStatus.NDIS_STATUS_PAUSED
        return None

    def send_completed(self, nbl: NET_BUFFER_LIST, status: int, ctx: DriverContext) -> bool:
        """NdisMSendNetBufferListsComplete: False (and a failure) for an NBL it was not handed."""
        if self.sends_in_flight.pop(nbl.Id, None) is None:
            ctx.fail(
                "miniport-send-complete-unknown",
                f"{self.who}: NdisMSendNetBufferListsComplete({nbl.Id}), which NDIS never "
                "handed it (D/ndis/nf-ndis-ndismsendnetbufferlistscomplete.md)",
            )
            return False
        if status != NdisStatus.NDIS_STATUS_SUCCESS:
            self.sends_failed += 1
        return True

    @property
    def pause_done(self) -> bool:
        """A pause is waiting and no send is outstanding any more."""
        return self.pause_waiting and not self.sends_in_flight

    def check_halt(self, ctx: DriverContext) -> None:
        """NDIS never halts a miniport with OID or send requests outstanding
        (D/ndis/nc-ndis-miniport_halt.md)."""
        if self.outstanding is not None:
            ctx.fail(
                "miniport-halt-with-oid-outstanding",
                f"{self.who}: MiniportHaltEx with OID request {self.outstanding.RequestId} "
                "outstanding (D/ndis/nc-ndis-miniport_halt.md)",
            )
        if self.sends_in_flight:
            ctx.fail(
                "miniport-halt-with-sends-outstanding",
                f"{self.who}: MiniportHaltEx with send(s) "
                f"{', '.join(sorted(self.sends_in_flight))} outstanding "
                "(D/ndis/nc-ndis-miniport_halt.md)",
            )

    def halted(self) -> None:
        """MiniportHaltEx has been accepted: nothing is outstanding any more."""
        self.outstanding = None
        self.sends_in_flight.clear()
        self.pause_waiting = False
