"""Lightweight filter (LWF) drivers: the ``FilterDriver`` base, the ``FilterEdge`` it keeps per
filter module, and two shipped filters, ``PassthroughFilter`` and ``OffloadMaskingFilter``.

Theory of operation
-------------------
A filter driver is one actor; NDIS attaches one *filter module* of it to each adapter stack it is
added to (``Stack.add_filter``), between the miniport (or the filter module below) and the
protocols (or the filter module above).  Every message carries its adapter, so the module is known
from the message; the base keeps one ``FilterEdge`` per module with its state
(``stack.ndis.FilterModuleState``, over N/filter-module-states-and-operations.md), what NDIS told
it about the layer below, what it reported upward, the request NDIS handed it, the requests it
issued and the NBLs in its hands.

``handle`` does one ``match`` on the message and calls a method named after the NDIS callback,
``Callback(self, ctx, adapter, ...)``; the calls a filter makes into NDIS are methods named after
the NDIS function (``self.NdisFOidRequest(ctx, adapter, request)``).  Every default is what a
correct pass-through filter does (the WDK ndislwf sample,
microsoft/Windows-driver-samples network/ndis/filter), so a filter overrides only what it changes:

* ``FilterAttach`` returns the attach parameters with ``DefaultOffloadConfiguration`` as this
  filter reports it upward (``rewrite_offload``; D/ndis/ns-ndis-_ndis_filter_attach_parameters.md:
  "modify these attributes, if necessary"), or a failure status.  ``FilterDetach`` cannot fail.
* ``FilterPause`` completes (NdisFPauseComplete) once nothing of the module's own is outstanding:
  no NBL handed to it or sent down by it, no OID request it issued (N/pausing-a-filter-module.md:
  the pause is not complete until the sends it made have completed).
* ``FilterRestart`` re-indicates the module's current configuration if it reports one different
  from the layer below (the layers above may hold a view from before the module was inserted: the
  restart attributes carry no offload members, and N/restarting-a-binding.md warns that the stack
  may have been reconfigured while paused), then completes (NdisFRestartComplete).
* ``FilterOidRequest`` passes a clone down with the original RequestId and itself as
  RequestHandle (NdisFOidRequest; N/filtering-oid-requests-in-an-ndis-filter-driver.md);
  ``FilterOidRequestComplete`` completes the original with the clone's results
  (NdisFOidRequestComplete); ``FilterCancelOidRequest`` cancels the clone (NdisFCancelOidRequest,
  D/ndis/nf-ndis-ndisfcanceloidrequest.md).
* ``FilterStatus`` passes the indication on, with a current configuration rewritten by
  ``rewrite_offload`` (NdisFIndicateStatus; N/filter-module-status-indications.md).
* ``FilterSendNetBufferLists`` passes the NBL down (NdisFSendNetBufferLists), or completes it
  NDIS_STATUS_PAUSED while the module does not run (N/pausing-a-filter-module.md);
  ``FilterSendNetBufferListsComplete`` completes it upward; ``FilterReceiveNetBufferLists``
  indicates the receive up (NdisFIndicateReceiveNetBufferLists), dropping it while paused.

The command ``restart`` (``stack.command(filter, "restart", adapter=...)``) makes the filter call
NdisFRestartFilter, as ndislwf does from its control device.  The command ``send``
(``adapter=``, ``nbl=`` a ``NET_BUFFER_LIST`` template, ``count=``) makes it originate sends with
NdisFSendNetBufferLists, as npcap does for a capture handle's writes (pcap_sendpacket); a module
that is not running originates none (N/pausing-a-filter-module.md: it "must not originate new send
requests").  Its own NBLs count for the pause like the ones it passed down.

``OffloadMaskingFilter`` reports chosen offloads off (``masked``, by default LSO and checksum, what
npcap 0.93 forced off, nmap/npcap#409): at attach and in every CURRENT_CONFIG it passes up
(``stack.ndis.mask_offload``).  A send that still asks for a masked segmentation offload is failed
(NDIS_STATUS_FAILURE: the filter cannot segment); a masked checksum request is stripped (the
filter computes it in software), and receive checksum results are not passed up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Final

import attrs

from stack.drivers._base import DriverContext, command_args, enum_option, unhandled
from stack.errors import BadInput
from stack.ndis import (
    MASKABLE_FEATURES,
    NDIS_OFFLOAD,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    CacheSlot,
    FilterClass,
    FilterModuleEvent,
    FilterModuleState,
    IllegalTransition,
    NdisStatus,
    at_revision,
    filter_handles_send_and_receive,
    mask_offload,
    masked_features,
    ndis_version_revisions,
    status_row,
    transition,
)
from stack.runtime import (
    NDIS_FILTER_ATTACH_PARAMETERS,
    NDIS_FILTER_DRIVER_CHARACTERISTICS,
    NET_BUFFER_LIST,
    Command,
    Envelope,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    Send,
    SendComplete,
    StatusIndication,
)

__all__ = ["FilterDriver", "FilterEdge", "OffloadMaskingFilter", "PassthroughFilter"]

#: RequestIds of the requests a filter originates itself, far from the small ids protocols use,
#: so that a clone (which keeps its original's id) and an own request never share one.
OWN_REQUEST_BASE: Final = 0x4C570000


@attrs.define(eq=False)
class FilterEdge:
    """One filter module as its driver keeps it: the driver's side of NDIS's record."""

    adapter: str
    state: FilterModuleState = FilterModuleState.Detached
    #: What NDIS told the module about the layer below: the attach parameters, then every
    #: indication that reached FilterStatus.
    below_current: NDIS_OFFLOAD | None = None
    below_hardware: NDIS_OFFLOAD | None = None
    #: What the module reported upward: its attach parameters, then what it indicated.
    reported_current: NDIS_OFFLOAD | None = None
    #: The request NDIS handed to FilterOidRequest and not completed yet.
    upper: NDIS_OID_REQUEST | None = None
    #: Requests it issued with NdisFOidRequest (clones and its own) not completed, by RequestId.
    issued: dict[int, NDIS_OID_REQUEST] = attrs.field(factory=dict)
    #: NBLs NDIS handed to FilterSendNetBufferLists and not completed upward, by id.
    from_above: dict[str, NET_BUFFER_LIST] = attrs.field(factory=dict)
    #: NBLs it sent down with NdisFSendNetBufferLists and not completed back, by id.
    sent: dict[str, NET_BUFFER_LIST] = attrs.field(factory=dict)
    #: FilterPause was called and NdisFPauseComplete not yet.
    pause_waiting: bool = False

    @property
    def idle(self) -> bool:
        """Nothing of the module's own outstanding: no NBL in its hands, no request it issued."""
        return not self.issued and not self.from_above and not self.sent


def _filter_class(value: FilterClass | str) -> FilterClass:
    return enum_option(FilterClass)(value)


def _with_results(original: NDIS_OID_REQUEST, done: NDIS_OID_REQUEST) -> NDIS_OID_REQUEST:
    """The request a filter was handed, carrying what its clone came back with."""
    return attrs.evolve(
        original,
        InformationBuffer=done.InformationBuffer,
        BytesWritten=done.BytesWritten,
        BytesRead=done.BytesRead,
        BytesNeeded=done.BytesNeeded,
        SupportedRevision=done.SupportedRevision,
    )


@attrs.define(eq=False)
class FilterDriver:
    """The base of a filter driver model (module docstring); ``name`` is its actor, and
    ``filter_class`` its INF FilterClass, which places its modules in each stack."""

    name: str
    filter_class: FilterClass = attrs.field(default=FilterClass.custom, converter=_filter_class)
    #: The NDIS library actor.
    ndis: str = "ndis"

    #: The optional handlers this driver registers (NDIS passes by a module for the others).
    CHARACTERISTICS: ClassVar[NDIS_FILTER_DRIVER_CHARACTERISTICS] = (
        NDIS_FILTER_DRIVER_CHARACTERISTICS()
    )

    _edges: dict[str, FilterEdge] = attrs.field(init=False, factory=dict)
    _next_own_id: int = attrs.field(init=False, default=OWN_REQUEST_BASE)
    _next_nbl: int = attrs.field(init=False, default=1)

    # -- what the driver is ------------------------------------------------------------------

    def characteristics(self) -> NDIS_FILTER_DRIVER_CHARACTERISTICS:
        """NDIS_FILTER_DRIVER_CHARACTERISTICS as NdisFRegisterFilterDriver registers them."""
        return self.CHARACTERISTICS

    def rewrite_offload(self, adapter: str, offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
        """The current configuration this filter reports upward for ``offload`` below it (its
        attach parameters and the CURRENT_CONFIG indications it passes on).  The identity for a
        pass-through filter; the ``filter-view-converges`` monitor holds every filter to it."""
        return offload

    # -- inspection ----------------------------------------------------------------------------

    @property
    def adapters(self) -> list[str]:
        """Adapters this driver has (or had) a module on, in attach order."""
        return list(self._edges)

    def edge(self, adapter: str) -> FilterEdge:
        """The module on ``adapter`` (its state, views and what it holds)."""
        edge = self._edges.get(adapter)
        if edge is None:
            raise BadInput(f"{self.name} has no filter module on {adapter!r}")
        return edge

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, envelope: Envelope, ctx: DriverContext) -> None:
        message = envelope.message
        match message:
            case Pnp():
                self._on_pnp(envelope, message, ctx)
            case OidRequest():
                edge = self._module(envelope, message.adapter, ctx)
                if edge is not None:
                    edge.upper = message.request
                    self.FilterOidRequest(ctx, message.adapter, message.request)
            case OidComplete():
                edge = self._module(envelope, message.adapter, ctx)
                if edge is None:
                    return
                if edge.issued.pop(message.request.RequestId, None) is None:
                    ctx.fail(
                        "filter-oid-complete-unknown",
                        f"{self.name}: FilterOidRequestComplete for request "
                        f"{message.request.RequestId} on {message.adapter} it did not issue",
                    )
                    return
                self.FilterOidRequestComplete(ctx, message.adapter, message.request,
                                              message.status)  # fmt: skip
                self._settle(ctx, edge)
            case OidCancel():
                if self._module(envelope, message.adapter, ctx) is not None:
                    self.FilterCancelOidRequest(ctx, message.adapter, message.request_id)
            case StatusIndication():
                edge = self._module(envelope, message.adapter, ctx)
                if edge is not None:
                    _heard(edge, message.indication)
                    self.FilterStatus(ctx, message.adapter, message.indication)
            case Send():
                edge = self._module(envelope, message.adapter, ctx)
                if edge is not None:
                    edge.from_above[message.nbl.Id] = message.nbl
                    self.FilterSendNetBufferLists(ctx, message.adapter, message.nbl)
            case SendComplete():
                edge = self._module(envelope, message.adapter, ctx)
                if edge is None:
                    return
                if edge.sent.pop(message.nbl.Id, None) is None:
                    ctx.fail(
                        "filter-send-complete-unknown",
                        f"{self.name}: FilterSendNetBufferListsComplete for {message.nbl.Id} on "
                        f"{message.adapter} that it did not send",
                    )
                    return
                self.FilterSendNetBufferListsComplete(ctx, message.adapter, message.nbl,
                                                      message.status)  # fmt: skip
                self._settle(ctx, edge)
            case Receive():
                if self._module(envelope, message.adapter, ctx) is not None:
                    self.FilterReceiveNetBufferLists(ctx, message.adapter, message)
            case Command():
                self.on_command(ctx, message, envelope.src)
            case _:
                unhandled(self.name, "any", envelope, ctx)

    def on_command(self, ctx: DriverContext, command: Command, src: str) -> None:
        """A scenario command (or a timer this driver posted to itself, ``src == self.name``).
        The base knows ``restart``: call NdisFRestartFilter for ``adapter``."""
        if command.name == "restart":
            args = command_args(self.name, command, ("adapter",), ("adapter",))
            self.edge(str(args["adapter"]))
            self.NdisFRestartFilter(ctx, str(args["adapter"]))
            return
        if command.name == "send":
            self._originate_sends(ctx, command)
            return
        raise BadInput(f"{self.name}: unknown command {command.name!r} (known: restart, send)")

    def _originate_sends(self, ctx: DriverContext, command: Command) -> None:
        """The ``send`` command: NBLs of the filter's own, ``count`` copies of ``nbl``."""
        args = command_args(self.name, command, ("adapter", "nbl", "count"), ("adapter", "nbl"))
        adapter = str(args["adapter"])
        template = args["nbl"]
        if not isinstance(template, NET_BUFFER_LIST):
            raise BadInput(f"{self.name}: send needs nbl= a NET_BUFFER_LIST")
        edge = self.edge(adapter)
        if not filter_handles_send_and_receive(edge.state) or edge.pause_waiting:
            ctx.note("filter.send.not_running", adapter=adapter, state=edge.state.value)
            return
        for _ in range(int(args.get("count", 1))):
            nbl = attrs.evolve(template, Id=f"{self.name}#{self._next_nbl}")
            self._next_nbl += 1
            self.NdisFSendNetBufferLists(ctx, adapter, nbl)

    def _module(self, envelope: Envelope, adapter: str, ctx: DriverContext) -> FilterEdge | None:
        edge = self._edges.get(adapter)
        if edge is None:
            kind = envelope.message.KIND
            ctx.fail("filter-unknown-module",
                     f"{self.name}: {kind} for {adapter!r}, where it has no module")  # fmt: skip
        return edge

    def _event(self, edge: FilterEdge, event: FilterModuleEvent, ctx: DriverContext) -> bool:
        try:
            edge.state = transition(edge.state, event)
        except IllegalTransition as exc:
            ctx.fail("filter-illegal-pnp", f"{self.name} on {edge.adapter}: {exc}")
            return False
        return True

    def _on_pnp(self, envelope: Envelope, message: Pnp, ctx: DriverContext) -> None:
        op = message.operation
        adapter = message.adapter
        if op is PnpOp.FilterAttach:
            edge = self._edges.get(adapter)
            if edge is None or edge.state is FilterModuleState.Detached:
                edge = self._edges[adapter] = FilterEdge(adapter)
            if not self._event(edge, FilterModuleEvent.FilterAttach, ctx):
                return
            params = message.attach or NDIS_FILTER_ATTACH_PARAMETERS(BaseMiniportName=adapter)
            edge.below_current = params.DefaultOffloadConfiguration
            result = self.FilterAttach(ctx, adapter, params)
            if isinstance(result, NDIS_FILTER_ATTACH_PARAMETERS):
                self._event(edge, FilterModuleEvent.AttachComplete, ctx)
                edge.reported_current = result.DefaultOffloadConfiguration
                ctx.post(self.ndis, Pnp(PnpOp.FilterAttachComplete, adapter, attach=result))
            else:
                self._event(edge, FilterModuleEvent.AttachFailed, ctx)
                ctx.post(self.ndis, Pnp(PnpOp.FilterAttachComplete, adapter, status=int(result)))
            return
        edge = self._module(envelope, adapter, ctx)
        if edge is None:
            return
        if op is PnpOp.FilterDetach:
            if self._event(edge, FilterModuleEvent.FilterDetach, ctx):
                self.FilterDetach(ctx, adapter)
                ctx.post(self.ndis, Pnp(PnpOp.FilterDetachComplete, adapter))
        elif op is PnpOp.FilterPause:
            if self._event(edge, FilterModuleEvent.FilterPause, ctx):
                self.FilterPause(ctx, adapter)
        elif op is PnpOp.FilterRestart:
            if self._event(edge, FilterModuleEvent.FilterRestart, ctx):
                self.FilterRestart(ctx, adapter)
        else:
            unhandled(self.name, edge.state.value, envelope, ctx)

    def _settle(self, ctx: DriverContext, edge: FilterEdge) -> None:
        """Complete a waiting pause once nothing of the module's own is outstanding."""
        if edge.pause_waiting and edge.idle:
            self.NdisFPauseComplete(ctx, edge.adapter)

    # -- callbacks NDIS makes (override what the filter changes) -------------------------------

    def FilterAttach(
        self, ctx: DriverContext, adapter: str, params: NDIS_FILTER_ATTACH_PARAMETERS
    ) -> NDIS_FILTER_ATTACH_PARAMETERS | int:
        """Return the attach parameters as this filter reports them upward, or a failure
        status to fail the attach."""
        offload = params.DefaultOffloadConfiguration
        if offload is None:
            return params
        rewritten = self.rewrite_offload(adapter, offload)
        return attrs.evolve(params, DefaultOffloadConfiguration=rewritten)

    def FilterDetach(self, ctx: DriverContext, adapter: str) -> None:
        """Free the module (it cannot fail, and it may not issue OID requests any more)."""

    def FilterPause(self, ctx: DriverContext, adapter: str) -> None:
        """Stop sending; the pause completes once the module's own sends and requests did."""
        edge = self.edge(adapter)
        edge.pause_waiting = True
        self._settle(ctx, edge)

    def FilterRestart(self, ctx: DriverContext, adapter: str) -> None:
        """Republish a rewritten configuration for the layers above, then run."""
        edge = self.edge(adapter)
        reported = edge.reported_current
        if reported is not None and reported != edge.below_current:
            indication = NDIS_STATUS_INDICATION.indicate(
                self.name, NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, reported
            )
            self.NdisFIndicateStatus(ctx, adapter, indication)
        self.NdisFRestartComplete(ctx, adapter)

    def FilterOidRequest(self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST) -> None:
        """Pass a clone down: the original RequestId, this filter as RequestHandle."""
        self.NdisFOidRequest(ctx, adapter, attrs.evolve(request, RequestHandle=self.name))

    def FilterOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        """A request this filter issued completed: complete the original it cloned."""
        upper = self.edge(adapter).upper
        if (
            upper is not None
            and request.RequestId == upper.RequestId
            and request.RequestHandle == self.name
        ):
            self.NdisFOidRequestComplete(ctx, adapter, _with_results(upper, request), status)

    def FilterCancelOidRequest(self, ctx: DriverContext, adapter: str, request_id: int) -> None:
        """Cancel the clone of the request (it carries the same RequestId)."""
        if request_id in self.edge(adapter).issued:
            self.NdisFCancelOidRequest(ctx, adapter, request_id)

    def FilterStatus(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        """Pass the indication on, its current configuration as this filter reports it."""
        buffer = indication.StatusBuffer
        row = status_row(indication.StatusCode)
        if row is not None and row.slot is CacheSlot.CURRENT and isinstance(buffer, NDIS_OFFLOAD):
            rewritten = self.rewrite_offload(adapter, buffer)
            if rewritten != buffer:
                indication = attrs.evolve(indication, StatusBuffer=rewritten)
        self.NdisFIndicateStatus(ctx, adapter, indication)

    def FilterSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        """Pass the NBL down, or complete it PAUSED while the module does not run."""
        if not filter_handles_send_and_receive(self.edge(adapter).state):
            self.NdisFSendNetBufferListsComplete(ctx, adapter, nbl, NdisStatus.NDIS_STATUS_PAUSED)
            return
        self.NdisFSendNetBufferLists(ctx, adapter, nbl)

    def FilterSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        """An NBL it sent down came back: complete the one it was handed from above."""
        original = self.edge(adapter).from_above.get(nbl.Id)
        if original is not None:
            self.NdisFSendNetBufferListsComplete(ctx, adapter, original, status)

    def FilterReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        """Indicate the receive up (returned at once while paused)."""
        if not filter_handles_send_and_receive(self.edge(adapter).state):
            ctx.note("filter.receive.dropped", adapter=adapter, nbl=receive.nbl_id)
            return
        self.NdisFIndicateReceiveNetBufferLists(ctx, adapter, receive)

    # -- calls into NDIS -----------------------------------------------------------------------

    def NdisFOidRequest(self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST) -> None:
        """Pass a request down (a clone, or the filter's own: see ``own_request``)."""
        self.edge(adapter).issued[request.RequestId] = request
        ctx.post(self.ndis, OidRequest(adapter, request))

    def own_request(self, request: NDIS_OID_REQUEST) -> NDIS_OID_REQUEST:
        """``request`` as this filter's own: its RequestHandle and a fresh RequestId."""
        own = attrs.evolve(request, RequestHandle=self.name, RequestId=self._next_own_id)
        self._next_own_id += 1
        return own

    def NdisFOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        """Complete the request NDIS handed to FilterOidRequest."""
        self.edge(adapter).upper = None
        ctx.post(self.ndis, OidComplete(adapter, request, status))

    def NdisFCancelOidRequest(self, ctx: DriverContext, adapter: str, request_id: int) -> None:
        ctx.post(self.ndis, OidCancel(adapter, request_id, self.name))

    def NdisFIndicateStatus(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        """Indicate upward (passed on, rewritten, or the filter's own)."""
        row = status_row(indication.StatusCode)
        if (
            row is not None
            and row.slot is CacheSlot.CURRENT
            and isinstance(indication.StatusBuffer, NDIS_OFFLOAD)
        ):
            self.edge(adapter).reported_current = indication.StatusBuffer
        ctx.post(self.ndis, StatusIndication(adapter, indication))

    def NdisFSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        self.edge(adapter).sent[nbl.Id] = nbl
        ctx.post(self.ndis, Send(adapter, nbl))

    def NdisFSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        """Complete upward an NBL NDIS handed to FilterSendNetBufferLists."""
        edge = self.edge(adapter)
        edge.from_above.pop(nbl.Id, None)
        ctx.post(self.ndis, SendComplete(adapter, nbl, status))
        self._settle(ctx, edge)

    def NdisFIndicateReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        ctx.post(self.ndis, receive)

    def NdisFPauseComplete(self, ctx: DriverContext, adapter: str) -> None:
        edge = self.edge(adapter)
        edge.pause_waiting = False
        self._event(edge, FilterModuleEvent.PauseComplete, ctx)
        ctx.post(self.ndis, Pnp(PnpOp.FilterPauseComplete, adapter))

    def NdisFRestartComplete(
        self, ctx: DriverContext, adapter: str, status: int = NdisStatus.NDIS_STATUS_SUCCESS
    ) -> None:
        edge = self.edge(adapter)
        ok = status == NdisStatus.NDIS_STATUS_SUCCESS
        event = FilterModuleEvent.RestartComplete if ok else FilterModuleEvent.RestartFailed
        self._event(edge, event, ctx)
        ctx.post(self.ndis, Pnp(PnpOp.FilterRestartComplete, adapter, status=status))

    def NdisFRestartFilter(self, ctx: DriverContext, adapter: str) -> None:
        """Ask NDIS to pause and restart the stack from this module up."""
        ctx.post(self.ndis, Pnp(PnpOp.NdisFRestartFilter, adapter))


def _heard(edge: FilterEdge, indication: NDIS_STATUS_INDICATION) -> None:
    """Track what NDIS tells the module about the layer below."""
    row = status_row(indication.StatusCode)
    buffer = indication.StatusBuffer
    if row is None or not isinstance(buffer, NDIS_OFFLOAD):
        return
    if row.slot is CacheSlot.CURRENT:
        edge.below_current = buffer
    elif row.slot is CacheSlot.HARDWARE:
        edge.below_hardware = buffer


@attrs.define(eq=False)
class PassthroughFilter(FilterDriver):
    """A correct pass-through filter (the ndislwf sample): every default of ``FilterDriver``."""


def _features(value: Iterable[str]) -> frozenset[str]:
    features = frozenset([value] if isinstance(value, str) else value)
    unknown = sorted(features - MASKABLE_FEATURES)
    if unknown:
        raise BadInput(f"OffloadMaskingFilter: cannot mask {unknown[0]!r} (known: "
                       f"{', '.join(sorted(MASKABLE_FEATURES))})")  # fmt: skip
    return features


@attrs.define(eq=False)
class OffloadMaskingFilter(FilterDriver):
    """A filter that reports ``masked`` offloads off to the layers above (module docstring)."""

    masked: frozenset[str] = attrs.field(
        default=frozenset({"lso", "checksum"}), converter=_features
    )
    #: The NDIS version it was built for: it rebuilds the NDIS_OFFLOAD it reports at that
    #: version's revision (N/version-information-requirements-for-ndis-drivers.md), so members a
    #: newer revision added (RSC, USO ...) vanish for the layers above, as they do when an old
    #: LWF copies the structure it knows.  None: it keeps the revision below.  (A pass-through
    #: filter forwards the buffer as it is, so its version changes nothing.)
    ndis_version: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.ndis_version is not None:
            try:
                ndis_version_revisions(self.ndis_version)
            except ValueError as error:
                raise BadInput(f"{self.name}: {error}") from None

    def rewrite_offload(self, adapter: str, offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
        masked = mask_offload(offload, self.masked)
        if self.ndis_version is not None:
            revision = ndis_version_revisions(self.ndis_version).offload
            if masked.Header.Revision > revision:
                masked = at_revision(masked, revision)
        return masked

    def FilterSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        """Fail a send asking for a masked segmentation offload; strip masked checksums."""
        if not filter_handles_send_and_receive(self.edge(adapter).state):
            super().FilterSendNetBufferLists(ctx, adapter, nbl)
            return
        masked = masked_features(self.masked)
        if (nbl.LsoMss and "lso" in masked) or (nbl.UsoMss and "uso" in masked):
            ctx.note("filter.send.refused", adapter=adapter, nbl=nbl.Id, offloads=nbl.offloads())
            self.NdisFSendNetBufferListsComplete(ctx, adapter, nbl, NdisStatus.NDIS_STATUS_FAILURE)
            return
        checksums: dict[str, Any] = {}
        if "checksum" in masked:
            checksums = {
                flag: False
                for flag in ("IpHeaderChecksum", "TcpChecksum", "UdpChecksum")
                if getattr(nbl, flag)
            }
        self.NdisFSendNetBufferLists(ctx, adapter, attrs.evolve(nbl, **checksums))

    def FilterReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        if "checksum" in self.masked and receive.rx_checksum_offloaded:
            receive = attrs.evolve(receive, rx_checksum_offloaded=False)
        super().FilterReceiveNetBufferLists(ctx, adapter, receive)
