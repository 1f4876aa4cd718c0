"""The NDIS library as an actor: the source of truth for what overlying drivers see.

It keeps, per miniport adapter, what ndis.sys keeps (spec 5.3): the hardware capabilities and
current configuration, updated only from the initialization attributes and from status
indications; the connection-offload pair; each open's encapsulation request; the adapter and
binding states; the queue of OID requests waiting for the miniport; and (through the registry) the
standardized keywords.

The stack of layers (N/starting-a-driver-stack.md): an adapter is its miniport, zero or more filter
modules (``stack.runtime._layers.FilterModule``, ordered by FilterClass then installation,
``stack.ndis.filter_stack_key``) and the protocols bound on top; a MUX is a protocol of its members
and the miniport of its teams, so filters sit above a member (below the MUX's binding) or above a
team the same way.  Every layer edge is one record: the miniport's on ``AdapterRecord``, one
``FilterModule`` per filter module, one binding state per protocol.  Each layer reports a view
upward (the miniport's is the cache below; a filter module's is its attach parameters as it
returned them, then what it indicated); a layer sees the view of the nearest attached layer below
it, and the protocols see the top one.

OID routing (spec 1, 5.7; the per-OID facts are ``stack.ndis.OIDS``):

* NDIS answers the cached queries (``Answer.CACHE``: OID_TCP_OFFLOAD_CURRENT_CONFIG ...) from the
  view below the requester -- the top view for a protocol, the view below a filter module for its
  own NdisFOidRequest (spec A15) -- and the ``OID_OFFLOAD_ENCAPSULATION`` query from the open's own
  set; the layers below never see them (N/oid-tcp-offload-current-config.md,
  N/oid-tcp-offload-hardware-capabilities.md, N/oid-offload-encapsulation.md).
* Everything else goes down one layer at a time, one non-direct request per filter module and per
  miniport; the rest wait in a FIFO queue (N/miniport-adapter-oid-request-serialization.md,
  N/filtering-oid-requests-in-an-ndis-filter-driver.md).  A filter module that registered no OID
  handler is passed by.  A filter module completes the request itself or passes a clone down with
  NdisFOidRequest (the original RequestId); NDIS hands the clone to the next layer and the
  clone's completion back to the module (FilterOidRequestComplete), which then completes the
  original (NdisFOidRequestComplete).
* Before an ``OID_TCP_OFFLOAD_PARAMETERS`` set is handed to the miniport, NDIS writes the
  standardized keywords unless ``NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE`` is set
  (N/oid-tcp-offload-parameters.md, N/udp-rsc-offload.md).  A set whose header or
  InformationBufferLength breaks the header-versioning rules is refused as it arrives, before any
  keyword is written (``stack.ndis.set_buffer_refusal``;
  N/version-information-requirements-for-ndis.md).
* The cached queries are answered at the revision the caller's header and buffer allow
  (``stack.ndis.answer_query``).
* The opens' ``OID_OFFLOAD_ENCAPSULATION`` sets are merged as NDIS hands one to the first layer
  below the protocols, and count for the open once it completed with success (spec A4).
* After a surprise removal, every request is completed with ``NDIS_STATUS_NOT_ACCEPTED`` -- by the
  miniport for what reaches it (D/ndis/nc-ndis-miniport_oid_request.md) and by NDIS for what it
  answers itself.
* A filter module may issue OID requests and indications only once attached and until FilterDetach
  (N/attaching-a-filter-module.md, N/generating-oid-requests-from-an-ndis-filter-driver.md,
  D/ndis/nf-ndis-ndisfindicatestatus.md); NDIS completes a request from outside that window with
  ``NdisOptions.filter_oid_refused_status`` and drops such an indication (xdp-for-windows#212:
  "by the time the detach handler is invoked, the LWF cannot send OIDs down the stack").

Indications go up the same way: NDIS updates the cache of the layer that indicated (the slot
``stack.ndis.STATUSES`` gives), calls FilterStatus of the next filter module above with a status
handler (passing by, and copying into, modules without one), and fans out to the protocols from the
top.  A filter module passes the indication on, rewrites it or drops it with NdisFIndicateStatus
(N/filter-module-status-indications.md).  An indication that meets a module in the Attaching state
waits there and is handed to it (FilterStatus, Paused) once its attach completes, to the layer
above it if the attach failed: the docs call no filter from Attaching
(N/attaching-a-filter-module.md) and say nothing of what NDIS does meanwhile; holding it keeps the
attach parameters, built before the change, from standing as the module's view (the attach-time
race of xdp-for-windows#56), which is what a filter developer expects.  Sends go down through
FilterSendNetBufferLists and receives up through FilterReceiveNetBufferLists the same way.

Bring-up and teardown are *plans*: ordered steps, each posting to one or more drivers and waiting
for all their completions before the next step starts. Bring-up, on first start and on every
restart: MiniportInitializeEx (the adapter is then Paused), FilterAttach bottom-up (each module
Paused), ProtocolBindAdapterEx while every layer below is Paused, the bind window (below), then the
stack is restarted bottom-up: MiniportRestart, FilterRestart bottom-up, NetEventRestart
(N/starting-a-driver-stack.md steps 3-8, N/restarting-a-driver-stack.md). Teardown: NetEventPause,
FilterPause top-down, MiniportPause, unbind, FilterDetach top-down, MiniportHaltEx
(N/pausing-a-driver-stack.md, N/restarting-a-driver-stack.md). Inserting or removing a filter
module in a running stack pauses the stack, attaches or detaches the module and restarts it;
NdisFRestartFilter pauses and restarts the stack from that module up
(D/ndis/nf-ndis-ndisfrestartfilter.md).

The bind window: a binding is Paused from its bind's completion until NDIS restarts the stack,
and on Windows the restart runs on NDIS's PnP thread while the miniport indicates and completes
on its own threads, so an indication or a completion may reach the Paused binding first.  When
the bind step (or a filter attach into a running stack) has completed, NDIS posts a
``PnpWorkItem`` to itself and starts the restart only when the bus delivers it; the bus, not this
library, decides what else is delivered before (FIFO: what was posted before the item).

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
* ``ndis.filter.reattach`` (1 + the attached filter modules), asked where
  ``ndis.pause_during_oid`` is when the adapter has attached filter modules and that site did not
  fire: option k detaches the k-th module (from the bottom) and attaches it again, pausing and
  restarting the stack around it, while the request is outstanding at the miniport.  NDIS "reserves
  the right to detach LWFs at any time" (nmap/npcap#250); the module's attach parameters then
  carry the view below it at that moment, which the indication the request owes may still change
  (the attach-time snapshot race of xdp-for-windows#56).
* ``ndis.indicate.order`` (as many options as bound protocols), asked when NDIS fans a status
  indication out to more than one protocol: option k starts the fan-out at the k-th protocol.
  NDIS does not promise which protocol hears first (D/ndis/nf-ndis-ndismindicatestatusex.md
  describes the indication, not an order).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import attrs

from stack.errors import BadInput
from stack.ndis import (
    NDIS_LINK_STATE,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    WMI_GUIDS,
    Answer,
    FilterClass,
    FilterModuleEvent,
    FilterModuleState,
    MiniportAdapterEvent,
    MiniportAdapterState,
    NdisStatus,
    Oid,
    ProtocolBindingEvent,
    ProtocolBindingState,
    answer_query,
    binding_may_issue_oid_requests,
    filter_accepts_oid_requests,
    filter_handles_send_and_receive,
    filter_may_indicate_status,
    filter_stack_key,
    keywords_from_parameters,
    miniport_accepts_oid_requests,
    miniport_handles_send_and_receive,
    miniport_may_indicate_status,
    oid_row,
    set_buffer_refusal,
    status_row,
    transition,
)
from stack.runtime._bus import Context, Envelope
from stack.runtime._layers import FilterModule, LayerView, OffloadView
from stack.runtime._messages import (
    NDIS_BIND_PARAMETERS,
    NDIS_FILTER_ATTACH_PARAMETERS,
    NDIS_FILTER_DRIVER_CHARACTERISTICS,
    AdapterControl,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    PnpWorkItem,
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

#: Plan steps NDIS adds to reconfigure a running stack (a pause and restart, a filter inserted or
#: removed); a surprise removal drops those not started yet.
_RECONFIGURE = "reconfigure-"


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
    #: What NdisFOidRequest returns to a filter module that is not attached (from FilterAttach
    #: before it returned, from FilterDetach or after it): the docs forbid the call
    #: (N/attaching-a-filter-module.md, xdp-for-windows#212) without naming a status;
    #: NDIS_STATUS_CLOSING is NdisOidRequest's "a close operation is in progress"
    #: (D/ndis/nf-ndis-ndisoidrequest.md).
    filter_oid_refused_status: NdisStatus = NdisStatus.NDIS_STATUS_CLOSING


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


#: The public name of a request NDIS holds (for replacement libraries' override points).
PendingOid = _Pending


@attrs.define(eq=False)
class _Step:
    label: str
    start: Callable[[Context], set[str]]
    #: Extra condition to leave the step (e.g. "no OID outstanding"), checked with the waits.
    ready: Callable[[], bool] = lambda: True


class _View(Protocol):
    """A layer's four offload caches (``AdapterRecord`` for the miniport, ``FilterModule``)."""

    current: NDIS_OFFLOAD | None
    hardware: NDIS_OFFLOAD | None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None


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
    #: The MediaConnectState of the miniport's last NDIS_STATUS_LINK_STATE (0: Unknown), given to
    #: protocols in NDIS_BIND_PARAMETERS (D/ndis/ns-ndis-_ndis_bind_parameters.md).
    media_connect_state: int = 0
    bindings: dict[str, ProtocolBindingState] = attrs.field(factory=dict)
    encapsulation_by_open: dict[str, NDIS_OFFLOAD_ENCAPSULATION] = attrs.field(factory=dict)
    queue: deque[_Pending] = attrs.field(factory=deque)
    outstanding: _Pending | None = None
    sends: dict[str, str] = attrs.field(factory=dict)
    plan: deque[_Step] = attrs.field(factory=deque)
    waiting: set[str] = attrs.field(factory=set)
    step: _Step | None = None
    #: The filter modules of this adapter's stack, from the miniport up.
    filters: list[FilterModule] = attrs.field(factory=list)


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
    #: Filter driver -> its installation order (first registration), the same on every adapter.
    _installed: dict[str, int] = attrs.field(factory=dict)

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

    def add_filter(
        self,
        adapter: str,
        filter: str,
        *,
        filter_class: FilterClass = FilterClass.custom,
        characteristics: NDIS_FILTER_DRIVER_CHARACTERISTICS | None = None,
    ) -> bool:
        """Make the filter driver ``filter`` one of the filter modules of ``adapter``'s stack, at
        its place by ``filter_class`` and installation order (the driver's first registration);
        False if it already was.  NDIS attaches it at the adapter's next bring-up; to insert it
        into a running stack, post ``AdapterControl(adapter, "attach_filter", filter=...)``."""
        record = self.adapters[adapter]
        if self._filter(record, filter) is not None:
            return False
        if filter == record.miniport or filter in record.protocols:
            raise BadInput(f"ndis: {filter!r} already plays another layer of {adapter}")
        installed = self._installed.setdefault(filter, len(self._installed))
        module = FilterModule(
            name=filter,
            adapter=adapter,
            filter_class=filter_class,
            characteristics=characteristics or NDIS_FILTER_DRIVER_CHARACTERISTICS(),
            installed=installed,
        )
        record.filters.append(module)
        record.filters.sort(key=lambda m: filter_stack_key(m.filter_class, m.installed))
        return True

    # -- layers and views (for the monitors, the scenario and the views) ------------------------

    def filter_modules(self, adapter: str) -> list[FilterModule]:
        """The filter modules of ``adapter``'s stack from the miniport up (attached or not)."""
        record = self.adapters.get(adapter)
        return list(record.filters) if record is not None else []

    def filter_module(self, adapter: str, name: str) -> FilterModule | None:
        """NDIS's record of filter driver ``name``'s module on ``adapter``, if it has one."""
        record = self.adapters.get(adapter)
        return self._filter(record, name) if record is not None else None

    def layers(self, adapter: str) -> tuple[LayerView, ...]:
        """Every layer of ``adapter``'s stack below the protocols, from the miniport up, with what
        each reports upward."""
        record = self.adapters[adapter]
        views = [
            LayerView(
                name=record.miniport,
                kind="miniport",
                state=record.state.value,
                filter_class=None,
                view=_snapshot(record),
            )
        ]
        views += [
            LayerView(
                name=m.name,
                kind="filter",
                state=m.state.value,
                filter_class=m.filter_class.value,
                view=m.view() if m.attached else OffloadView(),
            )
            for m in record.filters
        ]
        return tuple(views)

    def top_view(self, adapter: str) -> OffloadView:
        """What the protocols bound to ``adapter`` see: the view of the top attached layer."""
        return _snapshot(self._view_below(self.adapters[adapter], None))

    def view_for(self, adapter: str, requester: str) -> OffloadView:
        """The view NDIS answers ``requester``'s cached queries from: the view below it if it is
        one of the adapter's filter modules, else (a protocol, the administrator) the top view."""
        record = self.adapters[adapter]
        return _snapshot(self._view_below(record, self._filter(record, requester)))

    def indicates_to_protocols(self, adapter: str, src: str) -> bool:
        """Whether an indication ``src`` (the miniport or a filter module) makes on ``adapter`` is
        fanned out to the protocols next, rather than handed to a filter module above it."""
        record = self.adapters.get(adapter)
        if record is None:
            return False
        below = self._filter(record, src)
        if self._next_up(record, below, "StatusHandler") is None:
            start = 0 if below is None else record.filters.index(below) + 1
            # Held by a module being attached (``_indicate_up``) is not fanned out yet.
            return not any(m.state is FilterModuleState.Attaching for m in record.filters[start:])
        return False

    def outstanding_sends_of(self, adapter: str, name: str) -> list[str]:
        """NBLs filter module ``name`` holds: handed to it and not completed upward, or sent down
        by it and not completed back to it."""
        record = self.adapters.get(adapter)
        module = self._filter(record, name) if record is not None else None
        if record is None or module is None:
            return []
        held = list(module.sends)
        held += [nbl for nbl, sender in record.sends.items() if sender == name]
        for other in record.filters:
            held += [nbl for nbl, sender in other.sends.items() if sender == name]
        return held

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        message = envelope.message
        src = envelope.src
        match message:
            case OidRequest():
                self._on_oid_request(src, message, ctx)
            case OidComplete():
                self._on_oid_complete(src, message, ctx)
            case OidCancel():
                self._on_cancel(src, message, ctx)
            case StatusIndication():
                self._on_status(src, message, ctx)
            case Pnp():
                self._on_pnp_complete(src, message, ctx)
            case PnpWorkItem() if src == self.name:
                self._on_work_item(message, ctx)
            case Send():
                self._on_send(src, message, ctx)
            case SendComplete():
                self._on_send_complete(src, message, ctx)
            case Receive():
                self._on_receive(src, message, ctx)
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

    # -- the layers of one stack ---------------------------------------------------------------

    @staticmethod
    def _filter(record: AdapterRecord, name: str) -> FilterModule | None:
        for module in record.filters:
            if module.name == name:
                return module
        return None

    @staticmethod
    def _attached_below(record: AdapterRecord, module: FilterModule | None) -> list[FilterModule]:
        """Attached modules below ``module`` (below the protocols for None), nearest first."""
        modules = (
            record.filters if module is None else record.filters[: record.filters.index(module)]
        )
        return [m for m in reversed(modules) if m.attached]

    @staticmethod
    def _attached_above(record: AdapterRecord, module: FilterModule | None) -> list[FilterModule]:
        """Attached modules above ``module`` (above the miniport for None), nearest first."""
        start = 0 if module is None else record.filters.index(module) + 1
        return [m for m in record.filters[start:] if m.attached]

    def _view_below(self, record: AdapterRecord, module: FilterModule | None) -> _View:
        below = self._attached_below(record, module)
        return below[0] if below else record

    def _next_down(
        self, record: AdapterRecord, module: FilterModule | None, handler: str
    ) -> FilterModule | None:
        """The next module below ``module`` that registered ``handler``; None: the miniport."""
        for below in self._attached_below(record, module):
            if getattr(below.characteristics, handler):
                return below
        return None

    def _next_up(
        self, record: AdapterRecord, module: FilterModule | None, handler: str
    ) -> FilterModule | None:
        """The next module above ``module`` that registered ``handler``; None: the protocols."""
        for above in self._attached_above(record, module):
            if getattr(above.characteristics, handler):
                return above
        return None

    # -- OID requests from above ---------------------------------------------------------------

    def _on_oid_request(self, src: str, message: OidRequest, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        request = message.request
        module = self._filter(record, src)
        if module is not None:
            self._on_filter_oid_request(record, module, request, ctx)
            return
        binding = record.bindings.get(src)
        if binding is None or not binding_may_issue_oid_requests(binding):
            state = binding.value if binding else "Unbound"
            ctx.fail(
                "ndis-oid-on-closed-binding",
                f"{src}: NdisOidRequest({Oid(request.Oid).name}) on {record.name} in binding "
                f"state {state} (N/protocol-binding-states-and-operations.md)",
            )
            return
        self.route_oid_request(_Pending(src, record.name, request), record, ctx)

    # Override points for a replacement library (Stack.configure_ndis(library=...)): where an
    # accepted request goes, and the keyword write of an OID_TCP_OFFLOAD_PARAMETERS set.
    def route_oid_request(self, pending: PendingOid, record: AdapterRecord, ctx: Context) -> None:
        """Route a request NDIS accepted (from a protocol or WMI): answer it from the cache,
        refuse it, or queue it for the miniport."""
        self._route(pending, record, ctx)

    def write_offload_keywords(
        self, pending: PendingOid, record: AdapterRecord, ctx: Context
    ) -> None:
        """Write the standardized keywords of a parameters set (as it is handed on)."""
        self._write_keywords(pending, record, ctx)

    def _on_filter_oid_request(
        self, record: AdapterRecord, module: FilterModule, request: NDIS_OID_REQUEST, ctx: Context
    ) -> None:
        """NdisFOidRequest: a clone of the request the module was handed, or its own."""
        if not filter_accepts_oid_requests(module.state):
            # N/attaching-a-filter-module.md: no OID requests from Attaching; none from FilterDetach
            # or after it either (xdp-for-windows#212).  The filter-oid-window monitor reports it.
            status = self.options.filter_oid_refused_status
            ctx.note("ndis.filter.oid_refused", adapter=record.name, filter=module.name,
                     request_id=request.RequestId, state=module.state.value)  # fmt: skip
            ctx.post(module.name, OidComplete(record.name, request, status))
            return
        if request.RequestId in module.issued:
            ctx.fail(
                "ndis-filter-request-twice",
                f"{module.name}: NdisFOidRequest with RequestId {request.RequestId} on "
                f"{record.name} while its request {request.RequestId} is outstanding",
            )
            return
        pending = _Pending(module.name, record.name, request)
        module.issued[request.RequestId] = pending
        self._route_below(pending, record, module, ctx)
        self._advance_plan(record, ctx)

    def _route(self, pending: _Pending, record: AdapterRecord, ctx: Context) -> None:
        """Route a request entering the stack from the top (a protocol's, or the WMI mapping's)."""
        self._route_below(pending, record, None, ctx)

    def _route_below(
        self,
        pending: _Pending,
        record: AdapterRecord,
        above: FilterModule | None,
        ctx: Context,
    ) -> None:
        """Route a request issued above ``above`` (the protocols for None): NDIS answers it or
        queues it at the next layer down."""
        request = pending.request
        row = oid_row(request.Oid)
        if row is not None:
            answer = row.answer(request.is_query)
            if answer is None:
                # A query of a set-only OID or a set of a query-only one (spec 7.2 item 7).
                self._complete(pending, self.options.unsupported_request_status, ctx)
                return
            if answer is not Answer.DRIVER:
                if record.surprise_removed:
                    self._complete(pending, NdisStatus.NDIS_STATUS_NOT_ACCEPTED, ctx)
                else:
                    self._answer_query(pending, record, ctx, self._view_below(record, above))
                return
            buffer = request.InformationBuffer
            if row.writes_keywords and self._refuse_set(pending, record, ctx):
                # NDIS reads the buffer to write the keywords (N/oid-tcp-offload-parameters.md):
                # a wrong structure, header or length is refused before any keyword is written.
                return
            if (
                row.merged_across_opens
                and above is None
                and not request.is_query
                and isinstance(buffer, NDIS_OFFLOAD_ENCAPSULATION)
            ):
                pending.asked_encapsulation = buffer
        target = self._next_down(record, above, "OidRequestHandler")
        queue = record.queue if target is None else target.queue
        queue.append(pending)
        layer = {} if target is None else {"layer": target.name}
        ctx.note(
            "oid.queue",
            adapter=record.name,
            request_id=request.RequestId,
            origin=pending.origin,
            depth=len(queue),
            **layer,
        )
        if target is None:
            self._dispatch(record, ctx)
        else:
            self._dispatch_filter(record, target, ctx)

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

    def _answer_query(
        self,
        pending: _Pending,
        record: AdapterRecord,
        ctx: Context,
        view: _View | None = None,
    ) -> None:
        """A cached query: from ``view`` (the layer below the requester), or the open's own set."""
        request = pending.request
        row = oid_row(request.Oid)
        assert row is not None
        buffer: Any
        if row.query is Answer.OPEN:
            # The OID_OFFLOAD_ENCAPSULATION query: each open's own last set (spec A4).
            buffer = record.encapsulation_by_open.get(pending.origin)
            if buffer is None:
                status = self.options.encapsulation_query_before_set_status
                self._complete(pending, status, ctx)
                return
        else:
            assert row.slot is not None
            buffer = getattr(view if view is not None else record, row.slot.value)
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
        """The request as it goes down: this open's set merged with what the other opens'
        successful sets left in force (spec A4).  Merged as it is handed to the first layer below
        the protocols, like the keyword writes, so a set still queued or one that failed never
        counts."""
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

    def _dispatch_filter(self, record: AdapterRecord, module: FilterModule, ctx: Context) -> None:
        """Hand the module's next queued request to FilterOidRequest, if it may take one now."""
        if module.outstanding is not None or not module.queue or module.detaching:
            return
        if not filter_accepts_oid_requests(module.state):
            return
        pending = self._merge_encapsulation(module.queue.popleft(), record)
        module.outstanding = pending
        ctx.post(module.name, OidRequest(record.name, pending.request))

    def _dispatch(self, record: AdapterRecord, ctx: Context) -> None:
        """Hand the next queued request to the miniport, if it may take one now."""
        if record.outstanding is not None or not record.queue:
            return
        if not miniport_accepts_oid_requests(record.state):
            return
        pending = record.queue.popleft()
        record.outstanding = pending
        row = oid_row(pending.request.Oid)
        if row is not None and row.writes_keywords:
            # Written as the request is handed on, not when it was queued: a set queued behind
            # another must not overwrite the keywords the earlier one is being applied with
            # (N/oid-tcp-offload-parameters.md, "before it passes the OID to the miniport").
            self.write_offload_keywords(pending, record, ctx)
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
        ):
            if ctx.decide("ndis.pause_during_oid", 2):
                self._pause_and_restart(record, ctx)
                return
            attached = [m for m in record.filters if m.attached]
            if attached:
                chosen = ctx.decide("ndis.filter.reattach", 1 + len(attached))
                if chosen:
                    self._reattach(record, attached[chosen - 1], ctx)

    # -- completions from below ----------------------------------------------------------------

    def _on_oid_complete(self, src: str, message: OidComplete, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        module = self._filter(record, src)
        if module is not None:
            self._on_filter_oid_complete(record, module, message, ctx)
        else:
            self._on_miniport_oid_complete(src, message, ctx)

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
        result = self._result(pending, record, message.status, message.request)
        self._complete(pending, message.status, ctx, result)
        self._dispatch(record, ctx)
        self._advance_plan(record, ctx)

    def _on_filter_oid_complete(
        self, record: AdapterRecord, module: FilterModule, message: OidComplete, ctx: Context
    ) -> None:
        """NdisFOidRequestComplete: the module completes the request it was handed."""
        pending = module.outstanding
        if (
            pending is None
            or pending.request.RequestId != message.request.RequestId
            or pending.request.RequestHandle != message.request.RequestHandle
        ):
            ctx.fail(
                "ndis-oid-complete-unknown",
                f"{module.name}: NdisFOidRequestComplete for request "
                f"{message.request.RequestId} that it was not handed on {record.name} "
                "(D/ndis/nf-ndis-ndisfoidrequestcomplete.md)",
            )
            return
        if message.status == NdisStatus.NDIS_STATUS_PENDING:
            ctx.fail(
                "ndis-oid-complete-pending",
                f"{module.name}: completed request {message.request.RequestId} with "
                "NDIS_STATUS_PENDING",
            )
            return
        module.outstanding = None
        result = self._result(pending, record, message.status, message.request)
        self._complete(pending, message.status, ctx, result)
        self._dispatch_filter(record, module, ctx)
        self._advance_plan(record, ctx)

    def _result(
        self, pending: _Pending, record: AdapterRecord, status: int, result: NDIS_OID_REQUEST
    ) -> NDIS_OID_REQUEST:
        """The request as the originator gets it back; an open's encapsulation set counts for it
        once it succeeded."""
        if pending.asked_encapsulation is not None:
            if status == NdisStatus.NDIS_STATUS_SUCCESS:
                record.encapsulation_by_open[pending.origin] = pending.asked_encapsulation
            # The originator gets back what it asked, not the merge NDIS handed on.
            result = attrs.evolve(result, InformationBuffer=pending.asked_encapsulation)
        return result

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
        record = self.adapters.get(pending.adapter)
        module = self._filter(record, pending.origin) if record is not None else None
        if module is not None and module.issued.get(pending.request.RequestId) is pending:
            del module.issued[pending.request.RequestId]
        ctx.post(pending.origin, OidComplete(pending.adapter, request, status))

    # -- cancel --------------------------------------------------------------------------------

    def _on_cancel(self, src: str, message: OidCancel, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        self._cancel(record, src, message.request_id, ctx)

    def _cancel(self, record: AdapterRecord, origin: str, request_id: int, ctx: Context) -> None:
        """NdisCancelOidRequest / NdisFCancelOidRequest of ``origin``'s request ``request_id``."""
        queues = [record.queue, *(m.queue for m in record.filters)]
        for queue in queues:
            for pending in list(queue):
                if pending.origin == origin and pending.request.RequestId == request_id:
                    queue.remove(pending)
                    self._complete(pending, NdisStatus.NDIS_STATUS_REQUEST_ABORTED, ctx)
                    self._advance_plan(record, ctx)
                    return
        out = record.outstanding
        if out is not None and out.origin == origin and out.request.RequestId == request_id:
            # D/ndis/nc-ndis-miniport_cancel_oid_request.md: NDIS calls MiniportCancelOidRequest
            # with the same RequestId; the miniport completes it with REQUEST_ABORTED.
            ctx.post(record.miniport, OidCancel(record.name, request_id, origin))
            return
        for module in record.filters:
            out = module.outstanding
            if out is None or out.origin != origin or out.request.RequestId != request_id:
                continue
            if module.characteristics.CancelOidRequestHandler:
                # FilterCancelOidRequest: the module cancels its clone
                # (N/filtering-oid-requests-in-an-ndis-filter-driver.md).
                ctx.post(module.name, OidCancel(record.name, request_id, origin))
            elif request_id in module.issued:
                # A module without a cancel handler: NDIS cancels the clone it passed down, which
                # carries the original RequestId (behaviours-and-bugs.md 21).
                self._cancel(record, module.name, request_id, ctx)
            return
        ctx.note("oid.cancel.unmatched", adapter=record.name, request_id=request_id, origin=origin)

    # -- status indications --------------------------------------------------------------------

    def _on_status(self, src: str, message: StatusIndication, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        module = self._filter(record, src)
        if module is not None:
            if not (filter_may_indicate_status(module.state) or module.in_detach):
                # Not from Attaching (N/attaching-a-filter-module.md), not after FilterDetach
                # returned (D/ndis/nf-ndis-ndisfindicatestatus.md).  Dropped; the
                # filter-call-window monitor reports it.
                ctx.note("ndis.filter.indication_dropped", adapter=record.name,
                         filter=module.name, state=module.state.value)  # fmt: skip
                return
            self._update_cache(module, message.indication)
            self._indicate_up(record, module, message.indication, ctx)
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
        self._update_cache(record, message.indication)
        buffer = message.indication.StatusBuffer
        if message.indication.StatusCode == NdisStatus.NDIS_STATUS_LINK_STATE and isinstance(
            buffer, NDIS_LINK_STATE
        ):
            record.media_connect_state = buffer.MediaConnectState
        self._indicate_up(record, None, message.indication, ctx)

    def _indicate_up(
        self,
        record: AdapterRecord,
        below: FilterModule | None,
        indication: NDIS_STATUS_INDICATION,
        ctx: Context,
    ) -> None:
        """Hand an indication made at ``below`` (the miniport for None) to the next layer up."""
        start = 0 if below is None else record.filters.index(below) + 1
        for module in record.filters[start:]:
            if module.state is FilterModuleState.Attaching:
                # A module being attached is handed what changed below it once its attach
                # completes, so the view it returned in its attach parameters (built before the
                # change) is never left standing (the attach-time race of xdp-for-windows#56; a
                # filter is not called from the Attaching state, N/attaching-a-filter-module.md).
                module.held_status.append(indication)
                ctx.note("ndis.filter.status_held", adapter=record.name, filter=module.name,
                         status=indication.StatusCode)  # fmt: skip
                return
            if not module.attached:
                continue
            if module.characteristics.StatusHandler:
                ctx.post(module.name, StatusIndication(record.name, indication))
                return
            # No FilterStatus: the module is passed by, and what passes it unchanged is what the
            # layer above it sees.
            self._update_cache(module, indication)
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

    def _release_held_status(
        self, record: AdapterRecord, module: FilterModule, ctx: Context
    ) -> None:
        """Hand the indications held while ``module`` was Attaching to it (now Paused: NDIS
        calls FilterStatus), or, if its attach failed, to the layer above it."""
        held = list(module.held_status)
        module.held_status.clear()
        for indication in held:
            if module.attached and module.characteristics.StatusHandler:
                ctx.post(module.name, StatusIndication(record.name, indication))
            else:
                if module.attached:
                    self._update_cache(module, indication)
                self._indicate_up(record, module, indication, ctx)

    @staticmethod
    def _update_cache(view: _View, indication: NDIS_STATUS_INDICATION) -> None:
        """Update the cache slot the status table names, if the buffer is the right structure."""
        row = status_row(indication.StatusCode)
        if row is not None and row.slot is not None and row.buffer is not None:
            buffer = indication.StatusBuffer
            if isinstance(buffer, row.buffer):
                setattr(view, row.slot.value, buffer)  # spec A16 for OFFLOAD_RESUME's buffer

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
        module = self._filter(record, src)
        if module is not None:
            # NdisFSendNetBufferLists: only while the module runs (Running, Pausing).
            if not filter_handles_send_and_receive(module.state):
                ctx.post(src, SendComplete(record.name, message.nbl, NdisStatus.NDIS_STATUS_PAUSED))
                return
            self._send_down(record, module, src, message, ctx)
            return
        binding = record.bindings.get(src)
        if record.surprise_removed:
            status = NdisStatus.NDIS_STATUS_NOT_ACCEPTED
        elif binding not in (ProtocolBindingState.Running, ProtocolBindingState.Pausing) or (
            not miniport_handles_send_and_receive(record.state)
        ):
            status = NdisStatus.NDIS_STATUS_PAUSED
        else:
            self._send_down(record, None, src, message, ctx)
            return
        ctx.post(src, SendComplete(record.name, message.nbl, status))

    def _send_down(
        self,
        record: AdapterRecord,
        above: FilterModule | None,
        src: str,
        message: Send,
        ctx: Context,
    ) -> None:
        target = self._next_down(record, above, "SendNetBufferListsHandler")
        if target is None:
            record.sends[message.nbl.Id] = src
            ctx.post(record.miniport, message)
        elif not filter_handles_send_and_receive(target.state):
            ctx.post(src, SendComplete(record.name, message.nbl, NdisStatus.NDIS_STATUS_PAUSED))
        else:
            target.sends[message.nbl.Id] = src
            ctx.post(target.name, message)

    def _on_send_complete(self, src: str, message: SendComplete, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        module = self._filter(record, src)
        sends = module.sends if module is not None else record.sends
        origin = sends.pop(message.nbl.Id, None)
        if origin is None:
            who = module.name if module is not None else record.miniport
            ctx.fail(
                "ndis-send-complete-unknown",
                f"{who}: completed NBL {message.nbl.Id} it was never sent",
            )
            return
        ctx.post(origin, message)
        self._advance_plan(record, ctx)

    def _on_receive(self, src: str, message: Receive, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        below = self._filter(record, src)
        if below is not None and not filter_handles_send_and_receive(below.state):
            ctx.note("ndis.receive.dropped", adapter=record.name, layer=below.name,
                     nbl=message.nbl_id)  # fmt: skip
            return
        target = self._next_up(record, below, "ReceiveNetBufferListsHandler")
        if target is not None:
            if filter_handles_send_and_receive(target.state):
                ctx.post(target.name, message)
            else:
                ctx.note("ndis.receive.dropped", adapter=record.name, layer=target.name,
                         nbl=message.nbl_id)  # fmt: skip
            return
        for protocol, state in record.bindings.items():
            if state in (ProtocolBindingState.Running, ProtocolBindingState.Pausing):
                ctx.post(protocol, message)

    # -- WMI -----------------------------------------------------------------------------------

    def _on_wmi(self, src: str, message: WmiRequest, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        row = WMI_GUIDS.get(message.guid)
        if row is not None and message.operation == row.wmi_operation == "method":
            request = NDIS_OID_REQUEST.query(
                row.oid, RequestId=message.request_id, RequestHandle=src
            )
        elif row is not None and message.operation == row.wmi_operation == "set":
            request = NDIS_OID_REQUEST.set(
                row.oid,
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
        self.route_oid_request(_Pending(src, record.name, request, wmi=message), record, ctx)

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
        elif message.operation in ("attach_filter", "detach_filter"):
            self._filter_control(record, message, ctx)
            return
        else:
            ctx.fail(
                "ndis-unknown-control", f"ndis: unknown adapter operation {message.operation!r}"
            )
            return
        record.plan.extend(steps)
        if record.step is None:
            self._advance_plan(record, ctx)

    def _filter_control(self, record: AdapterRecord, message: AdapterControl, ctx: Context) -> None:
        """Insert a registered filter module into the running stack, or take one out."""
        module = self._filter(record, message.filter)
        if module is None:
            ctx.fail("ndis-unknown-filter",
                     f"ndis: {record.name} has no filter module {message.filter!r}")  # fmt: skip
            return
        halted = (
            record.state is MiniportAdapterState.Halted and record.step is None and not record.plan
        )
        if message.operation == "attach_filter":
            module.removing = False
            if halted or module.state is not FilterModuleState.Detached:
                return  # attached at the next bring-up, or already in the stack
            if record.surprise_removed:
                # The pulled NIC's stack is coming down: no pause-and-restart after its halt; the
                # module is attached at the next bring-up like one added to a halted adapter.
                ctx.note("ndis.filter.attach_deferred", adapter=record.name, filter=module.name)
                return
            steps = self._reconfigure(record, attach=module)
        else:
            module.removing = True
            if halted and module.state is FilterModuleState.Detached:
                record.filters.remove(module)
                return
            if record.surprise_removed:
                # The teardown detaches it (and FilterDetachComplete then removes it).
                if module.state is FilterModuleState.Detached:
                    record.filters.remove(module)
                return
            steps = self._reconfigure(record, detach=module)
        ctx.note(f"ndis.filter.{message.operation.split('_')[0]}", adapter=record.name,
                 filter=module.name)  # fmt: skip
        self._start_reconfigure(record, steps, ctx)

    def _start_reconfigure(self, record: AdapterRecord, steps: list[_Step], ctx: Context) -> None:
        record.plan.extend(
            attrs.evolve(step, label=f"{_RECONFIGURE}{step.label}") for step in steps
        )
        if record.step is None:
            self._advance_plan(record, ctx)

    def _surprise_remove(self, record: AdapterRecord, ctx: Context) -> None:
        """The NIC is pulled: flag it, tell the miniport, tear the stack down
        (N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md)."""
        record.surprise_removed = True
        self._adapter_event(record, MiniportAdapterEvent.NdisDevicePnPEventSurpriseRemoved, ctx)
        ctx.post(record.miniport, Pnp(PnpOp.SurpriseRemoved, record.name))
        # A pause-and-restart not started yet is moot: the stack is coming down.
        kept = [step for step in record.plan if not step.label.startswith(_RECONFIGURE)]
        record.plan.clear()
        record.plan.extend(kept)
        record.plan.extend(self._tear_down(record))
        if record.step is None:
            self._advance_plan(record, ctx)

    def _pause_and_restart(self, record: AdapterRecord, ctx: Context) -> None:
        """Pause the adapter's stack and restart it, as NDIS does to reconfigure a running
        stack (N/restarting-a-driver-stack.md): protocols, filters top-down, then the miniport;
        then the miniport, the filters bottom-up, then the protocols it paused."""
        steps = self._reconfigure(record)
        ctx.note("ndis.reconfigure", adapter=record.name)
        self._start_reconfigure(record, steps, ctx)

    def _reattach(self, record: AdapterRecord, module: FilterModule, ctx: Context) -> None:
        """Fault site ``ndis.filter.reattach``: detach ``module`` and attach it again."""
        steps = self._reconfigure(record, detach=module, attach=module)
        ctx.note("ndis.filter.reattach", adapter=record.name, filter=module.name)
        self._start_reconfigure(record, steps, ctx)

    def _restart_filter(self, record: AdapterRecord, module: FilterModule, ctx: Context) -> None:
        """NdisFRestartFilter: pause the stack from the protocols down to ``module`` and restart
        it back up, so the module can republish its attributes
        (D/ndis/nf-ndis-ndisfrestartfilter.md)."""
        index = record.filters.index(module)
        upper = record.filters[index:]
        steps = [self._step_pause_bindings(record)]
        steps += [self._step_pause_filter(record, m) for m in reversed(upper)]
        steps += [self._step_restart_filter(record, m) for m in upper]
        steps.append(self._step_restart_bindings(record, paused_only=True))
        ctx.note("ndis.filter.restart", adapter=record.name, filter=module.name)
        self._start_reconfigure(record, steps, ctx)

    def _reconfigure(
        self,
        record: AdapterRecord,
        *,
        detach: FilterModule | None = None,
        attach: FilterModule | None = None,
    ) -> list[_Step]:
        """Pause the whole stack, take ``detach`` out and put ``attach`` in, restart it."""
        steps = [self._step_pause_bindings(record)]
        steps += [self._step_pause_filter(record, m) for m in reversed(record.filters)]
        steps.append(self._step_pause_miniport(record))
        if detach is not None:
            steps.append(self._step_drain(record, detach))
            steps.append(self._step_detach(record, detach))
        if attach is not None:
            steps.append(self._step_attach(record, attach))
            steps.append(self._step_window(record, f"attach-filter:{attach.name}"))
        steps.append(self._step_restart_miniport(record))
        steps += [self._step_restart_filter(record, m) for m in record.filters]
        steps.append(self._step_restart_bindings(record, paused_only=True))
        return steps

    def _bring_up(self, record: AdapterRecord) -> list[_Step]:
        """N/starting-a-driver-stack.md steps 3-8: initialize (the adapter is Paused), attach
        the filter modules bottom-up (each Paused), bind the protocols while every layer below
        is Paused ("After all the underlying drivers are in the Paused state, NDIS calls the
        protocol driver's ProtocolBindAdapterEx function"), then restart the stack bottom-up
        (N/restarting-a-driver-stack.md): the miniport, the filter modules, the bindings."""
        steps = [self._step_initialize(record)]
        steps += [self._step_attach(record, m) for m in record.filters]
        steps.append(self._step_bind(record))
        steps.append(self._step_window(record, "bind"))
        steps.append(self._step_restart_miniport(record))
        steps += [self._step_restart_filter(record, m) for m in record.filters]
        steps.append(self._step_restart_bindings(record, paused_only=False))
        return steps

    def _tear_down(self, record: AdapterRecord) -> list[_Step]:
        steps = [self._step_pause_bindings(record)]
        steps += [self._step_pause_filter(record, m) for m in reversed(record.filters)]
        steps.append(self._step_pause_miniport(record))
        steps.append(self._step_unbind(record))
        steps += [self._step_detach(record, m) for m in reversed(record.filters)]
        steps.append(self._step_halt(record))
        return steps

    # -- plan steps ----------------------------------------------------------------------------

    def _step_initialize(self, record: AdapterRecord) -> _Step:
        def initialize(ctx: Context) -> set[str]:
            record.surprise_removed = False
            self._adapter_event(record, MiniportAdapterEvent.MiniportInitializeEx, ctx)
            keywords = self.keywords(record.name)
            ctx.post(
                record.miniport, Pnp(PnpOp.MiniportInitializeEx, record.name, keywords=keywords)
            )
            return {record.miniport}

        return _Step("initialize", initialize)

    def _step_window(self, record: AdapterRecord, after: str) -> _Step:
        """The bind window: NDIS queues the restart that follows a bind or an attach for its
        PnP thread (a ``PnpWorkItem`` to itself) instead of starting it in the handler of the
        last completion, so the bus decides what else happens first: an indication or an OID
        completion reaching the Paused bindings and filter modules, another adapter's PnP
        event.  Under FIFO the item comes after everything already posted and before
        everything posted later, which is the order the plan had before."""

        def window(ctx: Context) -> set[str]:
            ctx.post(self.name, PnpWorkItem(record.name, after))
            return {self.name}

        return _Step(f"window:{after}", window)

    def _on_work_item(self, message: PnpWorkItem, ctx: Context) -> None:
        record = self._record(message.adapter, ctx)
        if record is None:
            return
        record.waiting.discard(self.name)
        self._advance_plan(record, ctx)

    def _step_restart_miniport(self, record: AdapterRecord) -> _Step:
        def restart(ctx: Context) -> set[str]:
            self._adapter_event(record, MiniportAdapterEvent.MiniportRestart, ctx)
            ctx.post(record.miniport, Pnp(PnpOp.MiniportRestart, record.name))
            return {record.miniport}

        return _Step("restart", restart)

    def _step_bind(self, record: AdapterRecord) -> _Step:
        def bind(ctx: Context) -> set[str]:
            top = self._view_below(record, None)
            for protocol in record.protocols:
                self._binding_event(
                    record, protocol, ProtocolBindingEvent.ProtocolBindAdapterEx, ctx
                )
                assert top.current is not None
                bind = NDIS_BIND_PARAMETERS(
                    AdapterName=record.name,
                    DefaultOffloadConfiguration=top.current,
                    TcpConnectionOffloadCapabilities=top.connection_current,
                    MediaConnectState=record.media_connect_state,
                )
                ctx.post(protocol, Pnp(PnpOp.ProtocolBindAdapterEx, record.name, bind=bind))
            return set(record.protocols)

        return _Step("bind", bind)

    def _step_restart_bindings(self, record: AdapterRecord, *, paused_only: bool) -> _Step:
        def restart_bindings(ctx: Context) -> set[str]:
            targets = (
                [p for p, s in record.bindings.items() if s is ProtocolBindingState.Paused]
                if paused_only
                else list(record.protocols)
            )
            for protocol in targets:
                self._binding_event(record, protocol, ProtocolBindingEvent.NetEventRestart, ctx)
                ctx.post(protocol, Pnp(PnpOp.NetEventRestart, record.name))
            return set(targets)

        return _Step("restart-bindings", restart_bindings)

    def _step_pause_bindings(self, record: AdapterRecord) -> _Step:
        def pause_bindings(ctx: Context) -> set[str]:
            targets = [p for p, s in record.bindings.items() if s is ProtocolBindingState.Running]
            for protocol in targets:
                self._binding_event(record, protocol, ProtocolBindingEvent.NetEventPause, ctx)
                ctx.post(protocol, Pnp(PnpOp.NetEventPause, record.name))
            return set(targets)

        return _Step("pause-bindings", pause_bindings)

    def _step_pause_miniport(self, record: AdapterRecord) -> _Step:
        def pause_miniport(ctx: Context) -> set[str]:
            if record.state is not MiniportAdapterState.Running:
                return set()
            self._adapter_event(record, MiniportAdapterEvent.MiniportPause, ctx)
            ctx.post(record.miniport, Pnp(PnpOp.MiniportPause, record.name))
            return {record.miniport}

        return _Step("pause", pause_miniport)

    def _step_unbind(self, record: AdapterRecord) -> _Step:
        def unbind(ctx: Context) -> set[str]:
            targets = [p for p, s in record.bindings.items() if s is ProtocolBindingState.Paused]
            for protocol in targets:
                self._binding_event(
                    record, protocol, ProtocolBindingEvent.ProtocolUnbindAdapterEx, ctx
                )
                ctx.post(protocol, Pnp(PnpOp.ProtocolUnbindAdapterEx, record.name))
            return set(targets)

        def idle() -> bool:
            # NDIS does not halt a miniport (nor detach a filter module) with an OID outstanding
            # or sends in flight.
            return (
                record.outstanding is None
                and not record.queue
                and not record.sends
                and all(not m.queue and self._module_idle(m) for m in record.filters)
            )

        return _Step("unbind", unbind, ready=idle)

    def _step_halt(self, record: AdapterRecord) -> _Step:
        def halt(ctx: Context) -> set[str]:
            if record.state is not MiniportAdapterState.Paused:
                return set()
            self._adapter_event(record, MiniportAdapterEvent.MiniportHaltEx, ctx)
            ctx.post(record.miniport, Pnp(PnpOp.MiniportHaltEx, record.name))
            return {record.miniport}

        return _Step("halt", halt)

    def _step_attach(self, record: AdapterRecord, module: FilterModule) -> _Step:
        def attach(ctx: Context) -> set[str]:
            if module.state is not FilterModuleState.Detached or module.removing:
                return set()
            if record.state not in (MiniportAdapterState.Paused, MiniportAdapterState.Restarting):
                return set()  # the miniport did not initialize: nothing to attach to
            below = self._view_below(record, module)
            self._filter_event(record, module, FilterModuleEvent.FilterAttach, ctx)
            params = NDIS_FILTER_ATTACH_PARAMETERS(
                BaseMiniportName=record.name, DefaultOffloadConfiguration=below.current
            )
            ctx.post(module.name, Pnp(PnpOp.FilterAttach, record.name, attach=params))
            return {module.name}

        return _Step(f"attach-filter:{module.name}", attach)

    def _step_restart_filter(self, record: AdapterRecord, module: FilterModule) -> _Step:
        def restart(ctx: Context) -> set[str]:
            if module.state is not FilterModuleState.Paused:
                return set()
            self._filter_event(record, module, FilterModuleEvent.FilterRestart, ctx)
            ctx.post(module.name, Pnp(PnpOp.FilterRestart, record.name))
            return {module.name}

        return _Step(f"restart-filter:{module.name}", restart)

    def _step_pause_filter(self, record: AdapterRecord, module: FilterModule) -> _Step:
        def pause(ctx: Context) -> set[str]:
            if module.state is not FilterModuleState.Running:
                return set()
            self._filter_event(record, module, FilterModuleEvent.FilterPause, ctx)
            ctx.post(module.name, Pnp(PnpOp.FilterPause, record.name))
            return {module.name}

        return _Step(f"pause-filter:{module.name}", pause)

    def _step_drain(self, record: AdapterRecord, module: FilterModule) -> _Step:
        """Stop handing the module new requests and wait until nothing is in its hands."""

        def drain(ctx: Context) -> set[str]:
            module.detaching = True
            return set()

        return _Step(f"drain-filter:{module.name}", drain, ready=lambda: self._module_idle(module))

    def _step_detach(self, record: AdapterRecord, module: FilterModule) -> _Step:
        def detach(ctx: Context) -> set[str]:
            if module.state is not FilterModuleState.Paused:
                return set()
            module.detaching = True
            module.in_detach = True
            # Detached from the start of FilterDetach (N/detaching-a-filter-module.md).
            self._filter_event(record, module, FilterModuleEvent.FilterDetach, ctx)
            ctx.post(module.name, Pnp(PnpOp.FilterDetach, record.name))
            return {module.name}

        return _Step(
            f"detach-filter:{module.name}", detach, ready=lambda: self._module_idle(module)
        )

    def _module_idle(self, module: FilterModule) -> bool:
        """Nothing in the module's hands: no request handed to it or issued by it, no NBL."""
        return (
            module.outstanding is None
            and not module.issued
            and not self.outstanding_sends_of(module.adapter, module.name)
        )

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
        module = self._filter(record, src)
        if module is not None:
            if not self._on_filter_pnp(record, module, message, ctx):
                return
        else:
            if not self._on_layer_pnp(record, src, message, ctx):
                return
        record.waiting.discard(src)
        self._dispatch(record, ctx)
        for other in record.filters:
            self._dispatch_filter(record, other, ctx)
        self._advance_plan(record, ctx)

    def _on_layer_pnp(self, record: AdapterRecord, src: str, message: Pnp, ctx: Context) -> bool:
        """A completion from the miniport or a protocol; False if it was not one."""
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
            return False
        return True

    def _on_filter_pnp(
        self, record: AdapterRecord, module: FilterModule, message: Pnp, ctx: Context
    ) -> bool:
        """A filter module's completion (or its NdisFRestartFilter); False if it was none."""
        op = message.operation
        ok = message.status == NdisStatus.NDIS_STATUS_SUCCESS
        if op is PnpOp.FilterAttachComplete:
            if ok:
                below = self._view_below(record, module)
                offered = message.attach.DefaultOffloadConfiguration if message.attach else None
                # What the filter returned in its attach parameters is what the layers above see
                # (D/ndis/ns-ndis-_ndis_filter_attach_parameters.md); the members the structure
                # does not carry pass through unchanged.
                module.current = offered if offered is not None else below.current
                module.hardware = below.hardware
                module.connection_current = below.connection_current
                module.connection_hardware = below.connection_hardware
                module.detaching = False
                self._filter_event(record, module, FilterModuleEvent.AttachComplete, ctx)
            else:
                # Every filter is optional here (stack.ndis._filters): the stack runs without it.
                self._filter_event(record, module, FilterModuleEvent.AttachFailed, ctx)
            self._release_held_status(record, module, ctx)
        elif op is PnpOp.FilterDetachComplete:
            module.in_detach = False
            module.current = module.hardware = None
            module.connection_current = module.connection_hardware = None
            if module.removing:
                self._remove_filter(record, module, ctx)
        elif op is PnpOp.FilterPauseComplete:
            self._filter_event(record, module, FilterModuleEvent.PauseComplete, ctx)
        elif op is PnpOp.FilterRestartComplete:
            event = FilterModuleEvent.RestartComplete if ok else FilterModuleEvent.RestartFailed
            self._filter_event(record, module, event, ctx)
        elif op is PnpOp.NdisFRestartFilter:
            if module.attached and not record.surprise_removed:
                self._restart_filter(record, module, ctx)
            else:
                ctx.note("ndis.filter.restart_refused", adapter=record.name, filter=module.name,
                         state=module.state.value)  # fmt: skip
            return False
        else:
            ctx.fail("ndis-unexpected-pnp", f"{module.name}: unexpected {op.value}")
            return False
        return True

    def _remove_filter(self, record: AdapterRecord, module: FilterModule, ctx: Context) -> None:
        """Unregister a detached module; what waits in its queue goes to the layer below it."""
        waiting = list(module.queue)
        module.queue.clear()
        for pending in waiting:
            self._route_below(pending, record, module, ctx)
        record.filters.remove(module)

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

    def _filter_event(
        self, record: AdapterRecord, module: FilterModule, event: FilterModuleEvent, ctx: Context
    ) -> None:
        before = module.state
        module.state = transition(module.state, event)
        ctx.note(
            "state.filter",
            adapter=record.name,
            filter=module.name,
            event=event.value,
            before=before.value,
            after=module.state.value,
        )


def _snapshot(view: _View) -> OffloadView:
    return OffloadView(
        current=view.current,
        hardware=view.hardware,
        connection_current=view.connection_current,
        connection_hardware=view.connection_hardware,
    )


def _merge_block(blocks: Iterable[Any], asked: Any) -> Any:
    """The merged IPv4 or IPv6 block: SET_ON if any open asked for it, else what was asked."""
    for block in blocks:
        if block.Enabled == NDIS_OFFLOAD_SET_ON:
            return block
    return asked
