"""The NDIS library as an actor: the source of truth for what overlying drivers see.

It keeps, per miniport adapter, what ndis.sys keeps (spec 5.3): the hardware capabilities and
current configuration, updated only from the initialization attributes and from status
indications; the connection-offload pair; each open's encapsulation request; the adapter and
binding states; the queue of OID requests waiting for the miniport; and (through the registry) the
standardized keywords.

OID routing (spec 1, 5.7):

* NDIS answers ``OID_TCP_OFFLOAD_CURRENT_CONFIG``, ``OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES``, the
  two connection-offload queries and the ``OID_OFFLOAD_ENCAPSULATION`` query from its cache; the
  miniport never sees them (N/oid-tcp-offload-current-config.md,
  N/oid-tcp-offload-hardware-capabilities.md, N/oid-offload-encapsulation.md).
* Everything else goes to the miniport, one non-direct request at a time; the rest wait in a FIFO
  queue (N/miniport-adapter-oid-request-serialization.md).
* Before an ``OID_TCP_OFFLOAD_PARAMETERS`` set is handed on, NDIS writes the standardized keywords
  unless ``NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE`` is set (N/oid-tcp-offload-parameters.md,
  N/udp-rsc-offload.md).  A set whose header or InformationBufferLength breaks the
  header-versioning rules is refused as it arrives, before any keyword is written
  (``stack.ndis.set_buffer_refusal``; N/version-information-requirements-for-ndis.md).
* The cached queries are answered at the revision the caller's header and buffer allow
  (``stack.ndis.answer_query``).
* After a surprise removal, every request is completed with ``NDIS_STATUS_NOT_ACCEPTED`` — by the
  miniport for what reaches it (D/ndis/nc-ndis-miniport_oid_request.md) and by NDIS for what it
  answers itself.

Bring-up and teardown are *plans*: ordered steps, each posting to one or more drivers and waiting
for all their completions before the next step starts (N/pausing-a-driver-stack.md: protocols
first, then the miniport; N/restarting-a-driver-stack.md: the other way round).

Fault-injection sites (``ctx.decide``; 0 is always the plain behaviour, every other option
something Windows may legally do, which correct drivers must survive):

* ``ndis.surprise_remove`` (3 options), asked as NDIS hands an OID request to a physical
  miniport: 1 = the NIC is surprise-removed right after the request was handed (the removal
  races the request in the miniport's hands), 2 = right before (the request meets a removed NIC
  and gets NDIS_STATUS_NOT_ACCEPTED).  A removal can happen at any moment
  (N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md); a virtual
  miniport (``AdapterRecord.virtual``: a MUX team) has no hardware to pull and is never asked.
* ``ndis.pause_during_oid`` (2 options), asked as NDIS hands an OID request to a running adapter
  with no plan in progress: 1 = NDIS pauses the adapter's stack and restarts it (as it does to
  insert or remove a filter, N/restarting-a-driver-stack.md) while the request is outstanding:
  OID requests keep flowing while paused (N/pausing-a-driver-stack.md, behaviour 13).
* ``ndis.indicate.order`` (as many options as bound protocols), asked when NDIS fans a status
  indication out to more than one protocol: option k starts the fan-out at the k-th protocol.
  NDIS does not promise which protocol hears first (D/ndis/nf-ndis-ndismindicatestatusex.md
  describes the indication, not an order).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    MiniportAdapterEvent,
    MiniportAdapterState,
    NdisRequestType,
    NdisStatus,
    Oid,
    ProtocolBindingEvent,
    ProtocolBindingState,
    answer_query,
    binding_may_issue_oid_requests,
    keywords_from_parameters,
    miniport_accepts_oid_requests,
    miniport_handles_send_and_receive,
    miniport_may_indicate_status,
    set_buffer_refusal,
    transition,
)
from stack.runtime._bus import Context, Envelope
from stack.runtime._messages import (
    NDIS_BIND_PARAMETERS,
    AdapterControl,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    RegistryRead,
    RegistryValues,
    RegistryWrite,
    Send,
    SendComplete,
    StatusIndication,
    WmiComplete,
    WmiRequest,
)
from stack.runtime._registry import Registry

NDIS = "ndis"

#: OIDs NDIS answers from its cache (query only).
_NDIS_ANSWERED_QUERIES = frozenset(
    {
        Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
        Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
        Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG,
        Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
    }
)
#: Set-only OIDs (their pages: "query is not supported").
_SET_ONLY = frozenset({Oid.OID_TCP_OFFLOAD_PARAMETERS})

#: WMI GUIDs NDIS maps (spec 6.1, header names of H-SDK/ndisguid.h).
WMI_QUERY_GUIDS: Mapping[str, Oid] = {
    "GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG": Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
    "GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES": Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    "GUID_NDIS_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG": (
        Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG
    ),
    "GUID_NDIS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES": (
        Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES
    ),
}
WMI_SET_GUIDS: Mapping[str, Oid] = {
    "GUID_NDIS_TCP_OFFLOAD_PARAMETERS": Oid.OID_TCP_OFFLOAD_PARAMETERS,
}


class EncapsulationMerge(enum.Enum):
    """How NDIS combines several opens' ``OID_OFFLOAD_ENCAPSULATION`` sets (spec A4)."""

    #: Forward the union: SET_ON if any open asked for it (ndis.sys keeps per-open and merged
    #: copies, IMPL hint in spec 5.3).
    UNION = "union"
    #: Forward each open's request as it is (the last set wins at the miniport).
    LAST_WINS = "last-wins"


@attrs.frozen(kw_only=True)
class NdisOptions:
    """Choices the docs leave open (spec 7.1), each named, with the documented default."""

    #: Status for a query of a set-only OID or a set of a query-only OID (spec 7.2 item 7).
    unsupported_request_status: NdisStatus = NdisStatus.NDIS_STATUS_NOT_SUPPORTED
    #: Roll the keywords back when the miniport fails a parameters set (spec A12: off).
    registry_rollback_on_failure: bool = False
    encapsulation_merge: EncapsulationMerge = EncapsulationMerge.UNION
    #: Answer to an ``OID_OFFLOAD_ENCAPSULATION`` query from an open that never set it
    #: (N/oid-offload-encapsulation.md forbids the query; the status is our choice).
    encapsulation_query_before_set_status: NdisStatus = NdisStatus.NDIS_STATUS_INVALID_STATE


@attrs.define(eq=False)
class _Pending:
    origin: str
    adapter: str
    request: NDIS_OID_REQUEST
    wmi: WmiRequest | None = None
    #: Keyword values before an OID_TCP_OFFLOAD_PARAMETERS write, for the rollback option.
    previous_keywords: dict[str, str | None] | None = None
    #: What this open asked in an OID_OFFLOAD_ENCAPSULATION set; it counts for the open (and in
    #: later merges) only once the miniport has succeeded it.
    asked_encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None = None


@attrs.define(eq=False)
class _Step:
    label: str
    start: Callable[[Context], set[str]]
    #: Extra condition to leave the step (e.g. "no OID outstanding"), checked with the waits.
    ready: Callable[[], bool] = lambda: True


@attrs.define(eq=False)
class AdapterRecord:
    """What NDIS knows about one miniport adapter."""

    name: str
    #: The actor that plays this adapter's miniport (a MUX plays several).
    miniport: str
    protocols: list[str]
    #: A virtual miniport (a MUX's, registered through NdisIMInitializeDeviceInstanceEx) has no
    #: hardware to pull; a physical one is a NIC.
    virtual: bool = False
    state: MiniportAdapterState = MiniportAdapterState.Halted
    surprise_removed: bool = False
    hardware: NDIS_OFFLOAD | None = None
    current: NDIS_OFFLOAD | None = None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    bindings: dict[str, ProtocolBindingState] = attrs.field(factory=dict)
    encapsulation_by_open: dict[str, NDIS_OFFLOAD_ENCAPSULATION] = attrs.field(factory=dict)
    queue: deque[_Pending] = attrs.field(factory=deque)
    outstanding: _Pending | None = None
    sends: dict[str, str] = attrs.field(factory=dict)
    plan: deque[_Step] = attrs.field(factory=deque)
    waiting: set[str] = attrs.field(factory=set)
    step: _Step | None = None


@attrs.define(eq=False)
class NdisLibrary:
    """The ``ndis`` actor.  It owns the registry: drivers see keywords only through it
    (NdisReadConfiguration at initialize, RegistryWrite messages)."""

    registry: Registry
    options: NdisOptions = attrs.field(factory=NdisOptions)
    name: str = NDIS
    adapters: dict[str, AdapterRecord] = attrs.field(factory=dict)
    #: Miniport actor -> the adapter it plays (the last one, for an actor that plays several):
    #: kept with ``adapters`` because monitors ask on every delivery.
    miniports: dict[str, str] = attrs.field(factory=dict)

    # -- registry ------------------------------------------------------------------------------

    def keywords(self, adapter: str) -> tuple[tuple[str, str], ...]:
        """Every named value of the adapter's class key that reads as text, in key order."""
        return tuple(self.registry.keywords(adapter))

    def write_keyword(self, adapter: str, keyword: str, value: str | None) -> None:
        self.registry.write(adapter, keyword, value)

    def _registry_values(self, message: RegistryRead) -> RegistryValues:
        store = self.registry.adapter(message.adapter)
        rows = []
        for name, value in self.registry.keywords(message.adapter):
            param = store.param(name)
            rows.append(
                (
                    name,
                    value,
                    param.ParamDesc if param is not None else None,
                    param.display(value) if param is not None else None,
                )
            )
        return RegistryValues(message.adapter, message.request_id, tuple(rows))

    # -- topology ------------------------------------------------------------------------------

    def add_adapter(
        self,
        adapter: str,
        *,
        miniport: str,
        protocols: Sequence[str] = (),
        virtual: bool = False,
    ) -> None:
        """Register an adapter played by the actor ``miniport``; ``virtual`` for a MUX's
        virtual miniport (it has no hardware that can be surprise-removed)."""
        self.adapters[adapter] = AdapterRecord(adapter, miniport, list(protocols), virtual=virtual)
        self.miniports = {r.miniport: r.name for r in self.adapters.values()}

    def bind_protocol(self, adapter: str, protocol: str) -> bool:
        """Make ``protocol`` one of the protocols NDIS binds to ``adapter`` at its next bring-up
        (in declaration order); False if it already was."""
        record = self.adapters[adapter]
        if protocol in record.protocols:
            return False
        record.protocols.append(protocol)
        return True

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        message = envelope.message
        src = envelope.src
        match message:
            case OidRequest():
                self._on_oid_request(src, message, ctx)
            case OidComplete():
                self._on_miniport_oid_complete(src, message, ctx)
            case OidCancel():
                self._on_cancel(src, message, ctx)
            case StatusIndication():
                self._on_status(src, message, ctx)
            case Pnp():
                self._on_pnp_complete(src, message, ctx)
            case Send():
                self._on_send(src, message, ctx)
            case SendComplete():
                self._on_send_complete(message, ctx)
            case Receive():
                self._on_receive(message, ctx)
            case WmiRequest():
                self._on_wmi(src, message, ctx)
            case RegistryWrite():
                self.write_keyword(message.adapter, message.keyword, message.value)
            case RegistryRead():
                ctx.post(src, self._registry_values(message))
            case AdapterControl():
                self._on_control(message, ctx)
            case _:
                ctx.fail("ndis-unexpected-message", f"ndis: {src} sent {message.KIND}")

    def _record(self, adapter: str, ctx: Context) -> AdapterRecord | None:
        record = self.adapters.get(adapter)
        if record is None:
            ctx.fail("ndis-unknown-adapter", f"ndis: no adapter named {adapter!r}")
        return record

    # -- OID requests from above ---------------------------------------------------------------

    def _on_oid_request(self, src: str, message: OidRequest, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        request = message.request
        binding = record.bindings.get(src)
        if binding is None or not binding_may_issue_oid_requests(binding):
            state = binding.value if binding else "Unbound"
            ctx.fail(
                "ndis-oid-on-closed-binding",
                f"{src}: NdisOidRequest({Oid(request.Oid).name}) on {record.name} in binding "
                f"state {state} (N/protocol-binding-states-and-operations.md)",
            )
            return
        self._route(_Pending(src, record.name, request), record, ctx)

    def _route(self, pending: _Pending, record: AdapterRecord, ctx: Context) -> None:
        request = pending.request
        oid = request.Oid
        is_query = request.RequestType in (
            NdisRequestType.NdisRequestQueryInformation,
            NdisRequestType.NdisRequestQueryStatistics,
        )
        if oid in _NDIS_ANSWERED_QUERIES or (oid == Oid.OID_OFFLOAD_ENCAPSULATION and is_query):
            if not is_query:
                self._complete(pending, self.options.unsupported_request_status, ctx)
            elif record.surprise_removed:
                self._complete(pending, NdisStatus.NDIS_STATUS_NOT_ACCEPTED, ctx)
            else:
                self._answer_query(pending, record, ctx)
            return
        if oid in _SET_ONLY and is_query:
            self._complete(pending, self.options.unsupported_request_status, ctx)
            return
        if oid == Oid.OID_TCP_OFFLOAD_PARAMETERS and self._refuse_set(pending, record, ctx):
            return
        if (
            oid == Oid.OID_OFFLOAD_ENCAPSULATION
            and request.RequestType == NdisRequestType.NdisRequestSetInformation
            and isinstance(request.InformationBuffer, NDIS_OFFLOAD_ENCAPSULATION)
        ):
            pending.asked_encapsulation = request.InformationBuffer
        record.queue.append(pending)
        ctx.note(
            "oid.queue",
            adapter=record.name,
            request_id=request.RequestId,
            origin=pending.origin,
            depth=len(record.queue),
        )
        self._dispatch(record, ctx)

    def _refuse_set(self, pending: _Pending, record: AdapterRecord, ctx: Context) -> bool:
        """Fail a set whose buffer breaks the header-versioning rules, before any member is used
        (so before a keyword is written): NDIS checks the header and fails a wrong revision
        (N/version-information-requirements-for-ndis.md); the statuses are
        ``set_buffer_refusal``'s."""
        refusal = set_buffer_refusal(pending.request)
        if refusal is None:
            return False
        ctx.note(
            "oid.refused",
            adapter=record.name,
            request_id=pending.request.RequestId,
            origin=pending.origin,
            status=refusal.status.name,
            reason=refusal.reason,
        )
        result = pending.request.completed(BytesNeeded=refusal.BytesNeeded)
        self._complete(pending, refusal.status, ctx, result if refusal.BytesNeeded else None)
        return True

    def _answer_query(self, pending: _Pending, record: AdapterRecord, ctx: Context) -> None:
        oid = pending.request.Oid
        buffer: Any
        if oid == Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG:
            buffer = record.current
        elif oid == Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
            buffer = record.hardware
        elif oid == Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG:
            buffer = record.connection_current
        elif oid == Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES:
            buffer = record.connection_hardware
        else:  # the OID_OFFLOAD_ENCAPSULATION query: each open's own last set (spec A4)
            buffer = record.encapsulation_by_open.get(pending.origin)
            if buffer is None:
                status = self.options.encapsulation_query_before_set_status
                self._complete(pending, status, ctx)
                return
        if buffer is None:
            # A miniport that registered no such attributes: nothing is supported (spec A6).
            self._complete(pending, NdisStatus.NDIS_STATUS_NOT_SUPPORTED, ctx)
            return
        # At the revision the caller's header and buffer allow; a buffer too short for any gets
        # BUFFER_TOO_SHORT (N/oid-tcp-offload-hardware-capabilities.md), every cached query alike.
        answer = answer_query(buffer, pending.request)
        written = answer.InformationBuffer
        result = attrs.evolve(
            pending.request,
            InformationBuffer=pending.request.InformationBuffer if written is None else written,
            BytesWritten=answer.BytesWritten,
            BytesNeeded=answer.BytesNeeded,
        )
        self._complete(pending, answer.status, ctx, result)

    def _write_keywords(self, pending: _Pending, record: AdapterRecord, ctx: Context) -> None:
        params = pending.request.InformationBuffer
        assert isinstance(params, NDIS_OFFLOAD_PARAMETERS)
        if params.Flags & NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE:
            ctx.note("registry.skip", adapter=record.name, request_id=pending.request.RequestId)
            return
        keywords = keywords_from_parameters(params)
        store = self.registry.adapter(record.name)  # keyword names are case-insensitive
        pending.previous_keywords = {k: store.get(k) for k in keywords}
        for keyword, value in keywords.items():
            self.write_keyword(record.name, keyword, str(value))
        if keywords:
            ctx.note(
                "registry.write",
                adapter=record.name,
                keywords={k: str(v) for k, v in keywords.items()},
            )

    def _merge_encapsulation(self, pending: _Pending, record: AdapterRecord) -> _Pending:
        """The request as it goes to the miniport: this open's set merged with what the other
        opens' successful sets left in force (spec A4).  Merged as it is handed on, like the
        keyword writes, so a set still queued or one that failed never counts."""
        asked = pending.asked_encapsulation
        if asked is None or self.options.encapsulation_merge is EncapsulationMerge.LAST_WINS:
            return pending
        in_force = {**record.encapsulation_by_open, pending.origin: asked}
        merged = attrs.evolve(
            asked,
            IPv4=_merge_block([e.IPv4 for e in in_force.values()], asked.IPv4),
            IPv6=_merge_block([e.IPv6 for e in in_force.values()], asked.IPv6),
        )
        request = attrs.evolve(pending.request, InformationBuffer=merged)
        return attrs.evolve(pending, request=request)

    def _dispatch(self, record: AdapterRecord, ctx: Context) -> None:
        """Hand the next queued request to the miniport, if it may take one now."""
        if record.outstanding is not None or not record.queue:
            return
        if not miniport_accepts_oid_requests(record.state):
            return
        pending = record.queue.popleft()
        record.outstanding = pending
        if pending.request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS:
            # Written as the request is handed on, not when it was queued: a set queued behind
            # another must not overwrite the keywords the earlier one is being applied with
            # (N/oid-tcp-offload-parameters.md, "before it passes the OID to the miniport").
            self._write_keywords(pending, record, ctx)
        pending = self._merge_encapsulation(pending, record)
        record.outstanding = pending
        removal = 0
        if not record.virtual and not record.surprise_removed:
            removal = ctx.decide("ndis.surprise_remove", 3)
        if removal == 2:
            self._surprise_remove(record, ctx)
        ctx.post(record.miniport, OidRequest(record.name, pending.request))
        if removal == 1:
            self._surprise_remove(record, ctx)
        elif (
            not removal
            and record.step is None
            and not record.plan
            and record.state is MiniportAdapterState.Running
            and not record.surprise_removed
            and ctx.decide("ndis.pause_during_oid", 2)
        ):
            self._pause_and_restart(record, ctx)

    # -- completions from the miniport ---------------------------------------------------------

    def _on_miniport_oid_complete(self, src: str, message: OidComplete, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        pending = record.outstanding
        if (
            pending is None
            or pending.request.RequestId != message.request.RequestId
            or (pending.request.RequestHandle != message.request.RequestHandle)
        ):
            ctx.fail(
                "ndis-oid-complete-unknown",
                f"{src}: NdisMOidRequestComplete for request {message.request.RequestId} that "
                f"{record.name} does not have outstanding "
                "(D/ndis/nf-ndis-ndismoidrequestcomplete.md)",
            )
            return
        if message.status == NdisStatus.NDIS_STATUS_PENDING:
            ctx.fail(
                "ndis-oid-complete-pending",
                f"{src}: completed request {message.request.RequestId} with NDIS_STATUS_PENDING",
            )
            return
        record.outstanding = None
        if (
            message.status != NdisStatus.NDIS_STATUS_SUCCESS
            and pending.previous_keywords is not None
            and self.options.registry_rollback_on_failure
        ):
            for keyword, value in pending.previous_keywords.items():
                self.write_keyword(record.name, keyword, value)
        result = message.request
        if pending.asked_encapsulation is not None:
            if message.status == NdisStatus.NDIS_STATUS_SUCCESS:
                record.encapsulation_by_open[pending.origin] = pending.asked_encapsulation
            # The originator gets back what it asked, not the merge NDIS handed on.
            result = attrs.evolve(result, InformationBuffer=pending.asked_encapsulation)
        self._complete(pending, message.status, ctx, result)
        self._dispatch(record, ctx)
        self._advance_plan(record, ctx)

    def _complete(
        self,
        pending: _Pending,
        status: int,
        ctx: Context,
        result: NDIS_OID_REQUEST | None = None,
    ) -> None:
        request = result if result is not None else pending.request
        if pending.wmi is not None:
            wmi = pending.wmi
            buffer = request.InformationBuffer if wmi.operation == "method" else None
            ctx.post(
                pending.origin,
                WmiComplete(
                    wmi.guid, wmi.adapter, wmi.request_id, status, buffer if status == 0 else None
                ),
            )
            return
        ctx.post(pending.origin, OidComplete(pending.adapter, request, status))

    # -- cancel --------------------------------------------------------------------------------

    def _on_cancel(self, src: str, message: OidCancel, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        for pending in list(record.queue):
            if pending.origin == src and pending.request.RequestId == message.request_id:
                record.queue.remove(pending)
                self._complete(pending, NdisStatus.NDIS_STATUS_REQUEST_ABORTED, ctx)
                self._advance_plan(record, ctx)
                return
        out = record.outstanding
        if out is not None and out.origin == src and out.request.RequestId == message.request_id:
            # D/ndis/nc-ndis-miniport_cancel_oid_request.md: NDIS calls MiniportCancelOidRequest
            # with the same RequestId; the miniport completes it with REQUEST_ABORTED.
            ctx.post(record.miniport, OidCancel(record.name, message.request_id, src))
            return
        ctx.note(
            "oid.cancel.unmatched", adapter=record.name, request_id=message.request_id, origin=src
        )

    # -- status indications --------------------------------------------------------------------

    def _on_status(self, src: str, message: StatusIndication, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        halting = record.step is not None and record.step.label == "halt" and src in record.waiting
        if not miniport_may_indicate_status(record.state) and not halting:
            # (Until MiniportHaltEx returns the miniport may still indicate: NDIS marks the
            # adapter Halted as it calls it, and the halt completes with HaltComplete.)
            ctx.fail(
                "ndis-indication-outside-window",
                f"{src}: NdisMIndicateStatusEx in adapter state {record.state.value} "
                f"(D/ndis/nf-ndis-ndismindicatestatusex.md)",
            )
            return
        indication = message.indication
        self._update_cache(record, indication)
        # A NULL DestinationHandle broadcasts to every bound protocol
        # (D/ndis/ns-ndis-_ndis_status_indication.md).
        targets = (
            self._bound(record)
            if not indication.DestinationHandle
            else [indication.DestinationHandle]
        )
        if len(targets) > 1:
            # Fault site: which protocol hears first is not NDIS's promise.
            first = ctx.decide("ndis.indicate.order", len(targets))
            targets = targets[first:] + targets[:first]
        for protocol in targets:
            ctx.post(protocol, StatusIndication(record.name, indication))

    def _update_cache(self, record: AdapterRecord, indication: NDIS_STATUS_INDICATION) -> None:
        code = indication.StatusCode
        buffer = indication.StatusBuffer
        if code == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG and isinstance(
            buffer, NDIS_OFFLOAD
        ):
            record.current = buffer
        elif code == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES and isinstance(
            buffer, NDIS_OFFLOAD
        ):
            record.hardware = buffer
        elif code == NdisStatus.NDIS_STATUS_OFFLOAD_RESUME and isinstance(
            buffer, NDIS_TCP_CONNECTION_OFFLOAD
        ):
            record.connection_current = buffer  # spec A16: accept the buffer, update the cache
        elif code == NdisStatus.NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES and (
            isinstance(buffer, NDIS_TCP_CONNECTION_OFFLOAD)
        ):
            record.connection_hardware = buffer

    def _bound(self, record: AdapterRecord) -> list[str]:
        """Protocols that receive indications: every open that is not Unbound."""
        return [
            p for p, state in record.bindings.items() if state is not ProtocolBindingState.Unbound
        ]

    # -- data path -----------------------------------------------------------------------------

    def _on_send(self, src: str, message: Send, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        binding = record.bindings.get(src)
        if record.surprise_removed:
            status = NdisStatus.NDIS_STATUS_NOT_ACCEPTED
        elif binding not in (ProtocolBindingState.Running, ProtocolBindingState.Pausing) or (
            not miniport_handles_send_and_receive(record.state)
        ):
            status = NdisStatus.NDIS_STATUS_PAUSED
        else:
            record.sends[message.nbl.Id] = src
            ctx.post(record.miniport, message)
            return
        ctx.post(src, SendComplete(record.name, message.nbl, status))

    def _on_send_complete(self, message: SendComplete, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        origin = record.sends.pop(message.nbl.Id, None)
        if origin is None:
            ctx.fail(
                "ndis-send-complete-unknown",
                f"{record.miniport}: completed NBL {message.nbl.Id} it was never sent",
            )
            return
        ctx.post(origin, message)
        self._advance_plan(record, ctx)

    def _on_receive(self, message: Receive, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        for protocol, state in record.bindings.items():
            if state in (ProtocolBindingState.Running, ProtocolBindingState.Pausing):
                ctx.post(protocol, message)

    # -- WMI -----------------------------------------------------------------------------------

    def _on_wmi(self, src: str, message: WmiRequest, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        if message.operation == "method" and message.guid in WMI_QUERY_GUIDS:
            request = NDIS_OID_REQUEST.query(
                WMI_QUERY_GUIDS[message.guid], RequestId=message.request_id, RequestHandle=src
            )
        elif message.operation == "set" and message.guid in WMI_SET_GUIDS:
            request = NDIS_OID_REQUEST.set(
                WMI_SET_GUIDS[message.guid],
                message.buffer,
                RequestId=message.request_id,
                RequestHandle=src,
            )
        else:
            ctx.post(
                src,
                WmiComplete(
                    message.guid,
                    message.adapter,
                    message.request_id,
                    NdisStatus.NDIS_STATUS_NOT_SUPPORTED,
                ),
            )
            return
        self._route(_Pending(src, record.name, request, wmi=message), record, ctx)

    # -- PnP plans -----------------------------------------------------------------------------

    def _on_control(self, message: AdapterControl, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        steps: list[_Step]
        if message.operation == "enable":
            steps = self._bring_up(record)
        elif message.operation == "disable":
            steps = self._tear_down(record)
        elif message.operation == "restart":
            steps = self._tear_down(record) + self._bring_up(record)
        elif message.operation == "surprise_remove":
            if record.surprise_removed:
                # Already pulled (the explorer's ndis.surprise_remove site got there first): a
                # device is removed once.
                ctx.note("ndis.already_removed", adapter=record.name)
            else:
                self._surprise_remove(record, ctx)
            return
        else:
            ctx.fail(
                "ndis-unknown-control", f"ndis: unknown adapter operation {message.operation!r}"
            )
            return
        record.plan.extend(steps)
        if record.step is None:
            self._advance_plan(record, ctx)

    def _surprise_remove(self, record: AdapterRecord, ctx: Context) -> None:
        """The NIC is pulled: flag it, tell the miniport, tear the stack down
        (N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md)."""
        record.surprise_removed = True
        self._adapter_event(record, MiniportAdapterEvent.NdisDevicePnPEventSurpriseRemoved, ctx)
        ctx.post(record.miniport, Pnp(PnpOp.SurpriseRemoved, record.name))
        # A pause-and-restart not started yet is moot: the stack is coming down.
        kept = [step for step in record.plan if not step.label.startswith("reconfigure-")]
        record.plan.clear()
        record.plan.extend(kept)
        record.plan.extend(self._tear_down(record))
        if record.step is None:
            self._advance_plan(record, ctx)

    def _pause_and_restart(self, record: AdapterRecord, ctx: Context) -> None:
        """Pause the adapter's stack and restart it, as NDIS does to reconfigure a running
        stack (N/restarting-a-driver-stack.md): protocols, then the miniport; then the miniport,
        then the protocols it paused."""

        def restart_bindings(ctx: Context) -> set[str]:
            paused = [p for p, s in record.bindings.items() if s is ProtocolBindingState.Paused]
            for protocol in paused:
                self._binding_event(record, protocol, ProtocolBindingEvent.NetEventRestart, ctx)
                ctx.post(protocol, Pnp(PnpOp.NetEventRestart, record.name))
            return set(paused)

        pause_bindings, pause = self._tear_down(record)[:2]
        restart = self._bring_up(record)[1]
        steps = [pause_bindings, pause, restart, _Step("restart-bindings", restart_bindings)]
        ctx.note("ndis.reconfigure", adapter=record.name)
        record.plan.extend(attrs.evolve(step, label=f"reconfigure-{step.label}") for step in steps)
        self._advance_plan(record, ctx)

    def _bring_up(self, record: AdapterRecord) -> list[_Step]:
        def initialize(ctx: Context) -> set[str]:
            record.surprise_removed = False
            self._adapter_event(record, MiniportAdapterEvent.MiniportInitializeEx, ctx)
            keywords = self.keywords(record.name)
            ctx.post(
                record.miniport, Pnp(PnpOp.MiniportInitializeEx, record.name, keywords=keywords)
            )
            return {record.miniport}

        def restart(ctx: Context) -> set[str]:
            self._adapter_event(record, MiniportAdapterEvent.MiniportRestart, ctx)
            ctx.post(record.miniport, Pnp(PnpOp.MiniportRestart, record.name))
            return {record.miniport}

        def bind(ctx: Context) -> set[str]:
            for protocol in record.protocols:
                self._binding_event(
                    record, protocol, ProtocolBindingEvent.ProtocolBindAdapterEx, ctx
                )
                assert record.current is not None
                bind = NDIS_BIND_PARAMETERS(
                    AdapterName=record.name,
                    DefaultOffloadConfiguration=record.current,
                    TcpConnectionOffloadCapabilities=record.connection_current,
                )
                ctx.post(protocol, Pnp(PnpOp.ProtocolBindAdapterEx, record.name, bind=bind))
            return set(record.protocols)

        def restart_bindings(ctx: Context) -> set[str]:
            for protocol in record.protocols:
                self._binding_event(record, protocol, ProtocolBindingEvent.NetEventRestart, ctx)
                ctx.post(protocol, Pnp(PnpOp.NetEventRestart, record.name))
            return set(record.protocols)

        return [
            _Step("initialize", initialize),
            _Step("restart", restart),
            _Step("bind", bind),
            _Step("restart-bindings", restart_bindings),
        ]

    def _tear_down(self, record: AdapterRecord) -> list[_Step]:
        def pause_bindings(ctx: Context) -> set[str]:
            targets = [p for p, s in record.bindings.items() if s is ProtocolBindingState.Running]
            for protocol in targets:
                self._binding_event(record, protocol, ProtocolBindingEvent.NetEventPause, ctx)
                ctx.post(protocol, Pnp(PnpOp.NetEventPause, record.name))
            return set(targets)

        def pause_miniport(ctx: Context) -> set[str]:
            if record.state is not MiniportAdapterState.Running:
                return set()
            self._adapter_event(record, MiniportAdapterEvent.MiniportPause, ctx)
            ctx.post(record.miniport, Pnp(PnpOp.MiniportPause, record.name))
            return {record.miniport}

        def unbind(ctx: Context) -> set[str]:
            targets = [p for p, s in record.bindings.items() if s is ProtocolBindingState.Paused]
            for protocol in targets:
                self._binding_event(
                    record, protocol, ProtocolBindingEvent.ProtocolUnbindAdapterEx, ctx
                )
                ctx.post(protocol, Pnp(PnpOp.ProtocolUnbindAdapterEx, record.name))
            return set(targets)

        def halt(ctx: Context) -> set[str]:
            if record.state is not MiniportAdapterState.Paused:
                return set()
            self._adapter_event(record, MiniportAdapterEvent.MiniportHaltEx, ctx)
            ctx.post(record.miniport, Pnp(PnpOp.MiniportHaltEx, record.name))
            return {record.miniport}

        def idle() -> bool:
            # NDIS does not halt a miniport with an OID outstanding or sends in flight.
            return record.outstanding is None and not record.queue and not record.sends

        return [
            _Step("pause-bindings", pause_bindings),
            _Step("pause", pause_miniport),
            _Step("unbind", unbind, ready=idle),
            _Step("halt", halt),
        ]

    def _advance_plan(self, record: AdapterRecord, ctx: Context) -> None:
        while True:
            if record.step is not None:
                if record.waiting or not record.step.ready():
                    return
                ctx.note("pnp.step.done", adapter=record.name, step=record.step.label)
                record.step = None
            if not record.plan:
                return
            record.step = record.plan.popleft()
            record.waiting = record.step.start(ctx)

    def _on_pnp_complete(self, src: str, message: Pnp, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        op = message.operation
        if op is PnpOp.InitializeComplete:
            if message.status == NdisStatus.NDIS_STATUS_SUCCESS and message.attributes:
                attributes = message.attributes
                record.current = attributes.DefaultOffloadConfiguration
                record.hardware = attributes.HardwareOffloadCapabilities
                record.connection_current = attributes.DefaultTcpConnectionOffloadConfiguration
                record.connection_hardware = attributes.TcpConnectionOffloadHardwareCapabilities
                self._adapter_event(record, MiniportAdapterEvent.InitializeComplete, ctx)
            else:
                self._adapter_event(record, MiniportAdapterEvent.InitializeFailed, ctx)
                record.plan.clear()
        elif op is PnpOp.RestartComplete:
            self._adapter_event(record, MiniportAdapterEvent.RestartComplete, ctx)
        elif op is PnpOp.PauseComplete:
            self._adapter_event(record, MiniportAdapterEvent.PauseComplete, ctx)
        elif op is PnpOp.HaltComplete:
            # The opens are gone; a new bring-up starts from no encapsulation request.
            record.encapsulation_by_open.clear()
        elif op is PnpOp.BindComplete:
            event = (
                ProtocolBindingEvent.BindComplete
                if message.status == 0
                else ProtocolBindingEvent.BindFailed
            )
            self._binding_event(record, src, event, ctx)
        elif op is PnpOp.NetEventRestartComplete:
            self._binding_event(record, src, ProtocolBindingEvent.RestartComplete, ctx)
        elif op is PnpOp.NetEventPauseComplete:
            self._binding_event(record, src, ProtocolBindingEvent.PauseComplete, ctx)
        elif op is PnpOp.UnbindComplete:
            self._binding_event(record, src, ProtocolBindingEvent.UnbindComplete, ctx)
            record.encapsulation_by_open.pop(src, None)
        else:
            ctx.fail("ndis-unexpected-pnp", f"{src}: unexpected {op.value}")
            return
        record.waiting.discard(src)
        self._dispatch(record, ctx)
        self._advance_plan(record, ctx)

    def _adapter_event(
        self, record: AdapterRecord, event: MiniportAdapterEvent, ctx: Context
    ) -> None:
        before = record.state
        record.state = transition(record.state, event)
        if record.state is not before:
            ctx.note(
                "state.adapter",
                adapter=record.name,
                event=event.value,
                before=before.value,
                after=record.state.value,
            )

    def _binding_event(
        self, record: AdapterRecord, protocol: str, event: ProtocolBindingEvent, ctx: Context
    ) -> None:
        before = record.bindings.get(protocol, ProtocolBindingState.Unbound)
        after = transition(before, event)
        record.bindings[protocol] = after
        ctx.note(
            "state.binding",
            adapter=record.name,
            protocol=protocol,
            event=event.value,
            before=before.value,
            after=after.value,
        )


def _merge_block(blocks: Iterable[Any], asked: Any) -> Any:
    """The merged IPv4 or IPv6 block: SET_ON if any open asked for it, else what was asked."""
    for block in blocks:
        if block.Enabled == NDIS_OFFLOAD_SET_ON:
            return block
    return asked
