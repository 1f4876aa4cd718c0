"""Invariant monitors: the rules of spec 7.2 this runtime can observe, checked on every delivery
and at quiescence.

Each monitor has a stable ``id``, the docs ``page`` it comes from and a one-line ``explanation``
(printed by ``run`` when it fires).  Monitors only watch: they read envelopes and the NDIS
library's records, and never post.  Predicates on structures come from ``stack.ndis``, the per-OID
and per-status facts from its table (``stack.ndis.OIDS``); what is here is the bookkeeping over
time (who was told what, before what).

With filter modules in a stack, a message between NDIS and a filter module is one hop of a longer
path, not "NDIS to the miniport" or "NDIS to a protocol": the monitors that watch the miniport's
edge recognise it by ``NdisLibrary.miniports``, and those that watch what the protocols are told
follow the view NDIS answers them from (``NdisLibrary.view_for``).  ``filter_monitors`` are the
filter layer's own; ``Stack.add_filter`` adds them to a run with its first filter.

Levels (``MonitorLevel``, issue 10 item 6).  Where the docs require something that Microsoft's own
drivers do not do, the check is *strict*: its violation is a ``StrictViolation``, which a run at
the default level ``practice`` reports as a warning, and a run at ``--level strict`` as a failure.
Two checks are strict today, both from the fidelity review (shared/spec/fidelity-review-2026-12.md
divergences 4 and 5):

* ``indication-after-change`` after an OID_OFFLOAD_ENCAPSULATION set: the docs owe CURRENT_CONFIG
  (N/ndis-status-task-offload-current-config.md), but NetAdapterCx (translator/nxoffload.cpp
  SetEncapsulation), FnMp (oid.c) and netkvm (ParaNdis6_Oid.cpp) complete it without indicating.
  After an OID_TCP_OFFLOAD_PARAMETERS set all three indicate, so that part stays a failure.
* ``INV-1-current-within-hardware`` seen right after a HARDWARE_CAPABILITIES indication:
  NetAdapterCx's PauseOffloadCapabilities indicates HARDWARE_CAPABILITIES = 0 and only then
  CURRENT_CONFIG = 0 (translator/nxoffload.cpp), so current exceeds hardware for one
  indication.  After a CURRENT_CONFIG indication, an initialization or at quiescence it is a
  failure at any level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import attrs

from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OID_REQUEST,
    WMI_GUIDS,
    Answer,
    FilterModuleState,
    HardwarePolicy,
    NdisRequestType,
    NdisStatus,
    Oid,
    apply_offload_parameters,
    at_revision,
    capability_excess,
    changed_members,
    config_invariants,
    current_config_from_keywords,
    encapsulation_result,
    is_all_no_change,
    keywords_from_parameters,
    oid_row,
    set_buffer_refusal,
    status_row,
)
from stack.runtime._bus import Bus, Envelope, MonitorLevel, StrictViolation
from stack.runtime._messages import (
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
    WmiComplete,
    WmiRequest,
)
from stack.runtime._ndis_library import NDIS, NdisLibrary

_SUCCESS = NdisStatus.NDIS_STATUS_SUCCESS
#: How this emulator reads virtual time: 1 tick = 10 ms.  The latencies of the presets and the
#: scenarios are a few ticks (tens of milliseconds); NDIS's own limits are in seconds.
TICKS_PER_SECOND = 100
#: Driver Verifier's NdisTimedOidComplete: a miniport completes an OID request within 12 s.
OID_TIMEOUT_TICKS = 12 * TICKS_PER_SECOND


def _changes_configuration(oid: int) -> bool:
    """A set of ``oid`` changes the offload configuration (and owes CURRENT_CONFIG)."""
    row = oid_row(oid)
    return row is not None and row.changes_configuration


def _cache_answered(oid: int) -> bool:
    """NDIS answers ``oid`` from its cache: no layer below may ever be handed it."""
    row = oid_row(oid)
    return row is not None and row.query is Answer.CACHE


#: ``Monitor.kinds``: the message KINDs a monitor reads, ``None`` for all of them.
Kinds = frozenset[str] | None


def _kinds(*messages: type[Any]) -> frozenset[str]:
    return frozenset(message.KIND for message in messages)


@attrs.define(eq=False)
class _MonitorBase:
    #: The message KINDs whose deliveries ``on_delivery`` reads (the bus skips the others;
    #: ``stack.runtime.Monitor``); ``None``: every delivery.
    kinds: ClassVar[Kinds] = None

    id: str
    page: str
    explanation: str
    ndis: NdisLibrary
    #: ``STRICT``: every violation of this monitor breaks only the docs' letter (module
    #: docstring); a monitor with some strict checks returns ``StrictViolation`` for those.
    level: MonitorLevel = attrs.field(default=MonitorLevel.PRACTICE, kw_only=True)

    def miniport_adapters(self) -> dict[str, str]:
        """Miniport actor name -> adapter name, for adapters played by one actor each."""
        return self.ndis.miniports

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        return None


@attrs.define(eq=False)
class ConfigPredicateMonitor(_MonitorBase):
    """A structure predicate over what NDIS caches (current and hardware) for each adapter,
    checked whenever an indication or initialization has changed the cache."""

    kinds: ClassVar[Kinds] = _kinds(StatusIndication, Pnp)

    predicate: Callable[[NDIS_OFFLOAD, NDIS_OFFLOAD | None], str | None] = attrs.field(kw_only=True)
    #: The level of a violation first seen right after a HARDWARE_CAPABILITIES indication, a
    #: transient a miniport may close with its next CURRENT_CONFIG (``STRICT`` for INV-1).
    transient_level: MonitorLevel = attrs.field(default=MonitorLevel.PRACTICE, kw_only=True)

    #: adapter -> the (current, hardware) pair last found fine: the caches change only on a few
    #: deliveries, and re-checking an unchanged pair is most of a monitor's cost.
    _fine: dict[str, tuple[Any, Any]] = attrs.field(factory=dict)

    def _check(self) -> str | None:
        for record in self.ndis.adapters.values():
            if record.current is None:
                continue
            pair = (record.current, record.hardware)
            last = self._fine.get(record.name)
            if last is not None and last[0] is pair[0] and last[1] is pair[1]:
                continue
            reason = self.predicate(record.current, record.hardware)
            if reason is not None:
                return f"{record.name}: {reason}"
            self._fine[record.name] = pair
        return None

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        if envelope.dst == NDIS and envelope.message.KIND in ("status.indicate", "pnp"):
            reason = self._check()
            if (
                reason is not None
                and self.transient_level is MonitorLevel.STRICT
                and isinstance(envelope.message, StatusIndication)
                and envelope.message.indication.StatusCode
                == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES
            ):
                return StrictViolation(reason)
            return reason
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        return self._check()


@attrs.define(eq=False)
class IndicationAfterChange(_MonitorBase):
    """7.2 item 3: after a successful parameters/encapsulation set, the miniport indicates
    CURRENT_CONFIG before it is handed its next OID.

    "Indicates" means the miniport *made* the call (posted it), before or after completing the
    set (spec A1 allows both); NDIS may receive it after handing the next OID only because it
    was still in flight.  Post order is the envelope ``seq``."""

    kinds: ClassVar[Kinds] = _kinds(StatusIndication, OidComplete, OidRequest)

    #: miniport -> bus post counter when its current request was handed to it
    _handed: dict[str, int] = attrs.field(factory=dict)
    #: miniport -> post seq of its latest CURRENT_CONFIG indication NDIS received
    _indicated: dict[str, int] = attrs.field(factory=dict)
    #: miniports whose latest successful set is not yet followed by an indication
    _owed: dict[str, int] = attrs.field(factory=dict)
    #: miniport -> the OID of that set (an encapsulation set's debt is strict-only)
    _owed_oid: dict[str, int] = attrs.field(factory=dict)

    def _reason(self, miniport: str, reason: str) -> str:
        if self._owed_oid.get(miniport) == Oid.OID_OFFLOAD_ENCAPSULATION:
            return StrictViolation(
                f"{reason} (OID_OFFLOAD_ENCAPSULATION: NetAdapterCx, FnMp and netkvm indicate "
                f"nothing after it)"
            )
        return reason

    def _indicated_since(self, bus: Bus, miniport: str, since: int) -> bool:
        if self._indicated.get(miniport, -1) >= since:
            return True
        return _indication_posted_since(bus, miniport, since - 1)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        miniports = self.miniport_adapters()
        if envelope.dst == NDIS and envelope.src in miniports:
            miniport = envelope.src
            if _is_config_report(envelope):
                self._indicated[miniport] = envelope.seq
                self._owed.pop(miniport, None)
            elif (
                isinstance(message, OidComplete)
                and message.status == _SUCCESS
                and _changes_configuration(message.request.Oid)
                and message.request.RequestType == NdisRequestType.NdisRequestSetInformation
            ):
                handed = self._handed.get(miniport, 0)
                if not self._indicated_since(bus, miniport, handed):
                    self._owed[miniport] = handed
                    self._owed_oid[miniport] = message.request.Oid
        elif isinstance(message, OidRequest) and envelope.dst in miniports:
            miniport = envelope.dst
            if miniport in self._owed:
                if not self._indicated_since(bus, miniport, self._owed[miniport]):
                    reason = self._reason(
                        miniport,
                        f"{miniport} was handed {Oid(message.request.Oid).name} before "
                        f"indicating NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG for its previous "
                        f"successful set",
                    )
                    # Reported once: the next request starts afresh (a warning at practice
                    # level must not turn every later OID into the same report).
                    self._owed.pop(miniport)
                    self._handed[miniport] = bus.delivery_mark
                    return reason
                self._owed.pop(miniport)
            self._handed[miniport] = bus.delivery_mark
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        if self._owed:
            miniport = next(iter(self._owed))
            reason = self._reason(
                miniport,
                f"{miniport} never indicated NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG after a set",
            )
            del self._owed[miniport]
            return reason
        return None


def _is_current_config(envelope: Envelope) -> bool:
    message = envelope.message
    return isinstance(message, StatusIndication) and (
        message.indication.StatusCode == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
    )


def _is_config_report(envelope: Envelope) -> bool:
    """CURRENT_CONFIG, or OFFLOAD_RESUME: the report for the connection-offload members of a
    parameters set (N/using-the-tcp-ip-offload-administrator-interface.md); the status table's
    current-configuration slots."""
    message = envelope.message
    if not isinstance(message, StatusIndication):
        return False
    row = status_row(message.indication.StatusCode)
    return row is not None and row.slot is not None and row.slot.is_current


def _indication_posted_since(bus: Bus, miniport: str, seq: int) -> bool:
    """An indication from ``miniport`` posted after ``seq`` and still in flight."""
    return any(
        e.src == miniport and e.dst == NDIS and e.seq > seq and _is_config_report(e)
        for e in bus.pending()
    )


@attrs.define(eq=False)
class IndicationBroadcast(_MonitorBase):
    """7.2 item 4: an indication NDIS received reaches every protocol bound at that moment.

    With filter modules, that is an indication from the top of the filter stack: what NDIS hands
    to a filter module's FilterStatus the module may legally rewrite or drop
    (N/filter-module-status-indications.md)."""

    kinds: ClassVar[Kinds] = _kinds(StatusIndication)

    _owed: dict[tuple[str, int], set[str]] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if not isinstance(message, StatusIndication):
            return None
        if envelope.dst == NDIS:
            record = self.ndis.adapters.get(message.adapter)
            if (
                record is not None
                and not message.indication.DestinationHandle
                and self.ndis.indicates_to_protocols(message.adapter, envelope.src)
            ):
                targets = set(self.ndis._bound(record))
                if targets:
                    self._owed[(message.adapter, envelope.seq)] = targets
        else:
            for key, targets in list(self._owed.items()):
                if key[0] == message.adapter and envelope.dst in targets:
                    targets.discard(envelope.dst)
                    if not targets:
                        del self._owed[key]
                    break
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        for (adapter, _), targets in self._owed.items():
            return f"an indication on {adapter} never reached {sorted(targets)}"
        return None


@attrs.define(eq=False)
class CacheCoherence(_MonitorBase):
    """7.2 item 5: NDIS answers the cached queries itself (no layer below sees them), and a
    CURRENT_CONFIG answer equals the latest configuration indicated to the requester's layer (the
    top view for a protocol, the view below a filter module for its own query; spec A15), at the
    older revision the caller's buffer asked for, if it did (``stack.ndis.answer_query``)."""

    kinds: ClassVar[Kinds] = _kinds(OidRequest, OidComplete)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if (
            isinstance(message, OidRequest)
            and envelope.src == NDIS
            and _cache_answered(message.request.Oid)
        ):
            return f"{envelope.dst} was handed {Oid(message.request.Oid).name}"
        if (
            isinstance(message, OidComplete)
            and envelope.src == NDIS
            and message.status == _SUCCESS
            and message.request.Oid == Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG
        ):
            view = self.ndis.view_for(message.adapter, envelope.dst)
            if not _is_copy_of(message.request.InformationBuffer, view.current):
                return f"OID_TCP_OFFLOAD_CURRENT_CONFIG on {message.adapter} returned a stale copy"
        return None


def _is_copy_of(answer: Any, current: NDIS_OFFLOAD | None) -> bool:
    """``answer`` is ``current``, or ``current`` as a reader of an older revision sees it."""
    if answer == current:
        return True
    if not isinstance(answer, NDIS_OFFLOAD) or current is None:
        return False
    revision = answer.Header.Revision
    return bool(revision <= current.Header.Revision and answer == at_revision(current, revision))


@attrs.define(eq=False)
class RegistryBeforeMiniport(_MonitorBase):
    """7.2 item 8: when a parameters set reaches the miniport, the keywords already hold it."""

    kinds: ClassVar[Kinds] = _kinds(OidRequest)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if not (isinstance(message, OidRequest) and envelope.dst in self.miniport_adapters()):
            return None
        params = message.request.InformationBuffer
        if message.request.Oid != Oid.OID_TCP_OFFLOAD_PARAMETERS or not isinstance(
            params, NDIS_OFFLOAD_PARAMETERS
        ):
            return None
        if params.Flags & NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE:
            return None
        store = self.ndis.registry.adapter(message.adapter)
        for keyword, value in keywords_from_parameters(params).items():
            if store.get(keyword) != str(value):
                return (
                    f"{message.adapter}: {keyword} is {store.get(keyword)!r}, not {value}, when "
                    f"OID_TCP_OFFLOAD_PARAMETERS reached the miniport"
                )
        return None


@attrs.define(eq=False)
class NoKeywordsForRefusedSet(_MonitorBase):
    """NDIS writes no standardized keyword for an OID_TCP_OFFLOAD_PARAMETERS set it refuses.

    NDIS checks a structure's header before it uses a member and fails a wrong one
    (N/version-information-requirements-for-ndis.md), and it writes the keywords while it
    processes the OID, before handing it on (N/oid-tcp-offload-parameters.md): a set it refuses
    -- one it completes itself with a failure as it arrives, or one whose buffer breaks the
    header-versioning rules (``stack.ndis.set_buffer_refusal``), which it must refuse -- leaves
    the registry alone.  NDIS writes keywords only while it handles a delivery, so the monitor
    compares the registry's write counter across each delivery to NDIS and attributes the writes:
    to the sets NDIS handed to a miniport in that delivery if there are any, else to the set the
    delivery brought (an OID request or a WMI set)."""

    # No ``kinds``: the write counter is compared across consecutive deliveries, whatever their
    # kind, so that a write is attributed to the delivery in which it happened.

    #: ``Registry.change_count`` after the previous delivery
    _writes: int | None = None

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        count = self.ndis.registry.change_count
        before, self._writes = self._writes, count
        message = envelope.message
        if before is None or count == before or envelope.dst != NDIS:
            return None
        if isinstance(message, RegistryWrite):
            return None  # Set-NetAdapterAdvancedProperty, or a miniport's vendor keyword
        posted = [e for e in bus.just_posted if e.src == NDIS]
        handed = [
            e.message.request
            for e in posted
            if isinstance(e.message, OidRequest)
            and e.message.request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS
        ]
        for request in handed:
            refusal = set_buffer_refusal(request)
            if refusal is not None:
                return (
                    f"{message.adapter}: NDIS wrote keywords for request {request.RequestId} and "
                    f"handed it on, but must refuse it ({refusal.status.name}: {refusal.reason})"
                )
        brought = _parameters_set_brought(envelope)
        if handed or brought is None:
            return None
        refusal = set_buffer_refusal(brought)
        if refusal is not None:
            return (
                f"{message.adapter}: NDIS wrote keywords for request {brought.RequestId}, which "
                f"it must refuse ({refusal.status.name}: {refusal.reason})"
            )
        status = _refused_with(envelope, posted)
        if status is None:
            return None
        return (
            f"{message.adapter}: NDIS wrote keywords for request {brought.RequestId} and refused "
            f"it with {NdisStatus(status).name}"
        )


def _parameters_set_brought(envelope: Envelope) -> NDIS_OID_REQUEST | None:
    """The OID_TCP_OFFLOAD_PARAMETERS set an envelope to NDIS brings, as NDIS routes it."""
    message = envelope.message
    if isinstance(message, OidRequest):
        request = message.request
        if request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS and not request.is_query:
            return request
    elif (
        isinstance(message, WmiRequest)
        and message.operation == "set"
        and (row := WMI_GUIDS.get(message.guid)) is not None
        and row.oid == Oid.OID_TCP_OFFLOAD_PARAMETERS
    ):
        return NDIS_OID_REQUEST.set(
            Oid.OID_TCP_OFFLOAD_PARAMETERS, message.buffer, RequestId=message.request_id
        )
    return None


def _refused_with(envelope: Envelope, posted: list[Envelope]) -> int | None:
    """The failure status NDIS completed the request of ``envelope`` with, while handling it."""
    message = envelope.message
    for reply in posted:
        answer = reply.message
        if reply.dst != envelope.src:
            continue
        if (
            isinstance(answer, OidComplete)
            and isinstance(message, OidRequest)
            and answer.request.RequestId == message.request.RequestId
            and answer.status != _SUCCESS
        ) or (
            isinstance(answer, WmiComplete)
            and isinstance(message, WmiRequest)
            and answer.request_id == message.request_id
            and answer.status != _SUCCESS
        ):
            return answer.status
    return None


def _task_parameters(params: NDIS_OFFLOAD_PARAMETERS) -> bool:
    """The set asks for a task-offload change (not only connection offload, which is reported
    with NDIS_STATUS_OFFLOAD_RESUME)."""
    return not is_all_no_change(attrs.evolve(params, TcpConnectionIPv4=0, TcpConnectionIPv6=0))


def reflects_parameters(
    offload: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None, params: NDIS_OFFLOAD_PARAMETERS
) -> tuple[str, ...]:
    """The NDIS_OFFLOAD members ``offload`` has otherwise than the set ``params`` asks, narrowed
    by ``hardware`` (an empty tuple: it reflects the set).  Applying the set to a configuration
    that already reflects it changes nothing: the same pure rule a miniport applies the set with
    (``stack.ndis.apply_offload_parameters``), with the hardware narrowing it (CLAMP)."""
    result = apply_offload_parameters(
        offload, hardware if hardware is not None else offload, params, HardwarePolicy.CLAMP
    )
    return result.changed


@attrs.define(eq=False)
class ParametersSetReflected(_MonitorBase):
    """After a miniport -- a physical one or a MUX's virtual one -- completes an
    OID_TCP_OFFLOAD_PARAMETERS set successfully, the configuration it indicates for that set
    reflects the set, narrowed by its hardware capabilities, and so does what NDIS caches from
    that indication (N/oid-tcp-offload-parameters.md: the miniport "must" indicate
    NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG with the new configuration;
    N/ndis-status-task-offload-current-config.md).

    The indication "for that set" is the last CURRENT_CONFIG the miniport posted while handling
    the delivery in which it completed the set (spec A1: indicate then complete, or complete then
    indicate, from one call); if it posted none there (a deferred indication), the next one it
    posts -- which an earlier set's deferred indication, made first, does not count as.  Every
    indication is judged as the miniport posts it.  The other monitors only ask that an
    indication is made (``indication-after-change``, physical miniports) or that it is within the
    hardware (INV-*)."""

    #: adapter -> (the set's parameters, its RequestId) whose indication is still to come (None
    #: for an OID_OFFLOAD_ENCAPSULATION set, whose report is owed too but not judged here)
    _owed: dict[str, tuple[NDIS_OFFLOAD_PARAMETERS | None, int]] = attrs.field(factory=dict)
    #: what the miniport being handled has posted and NDIS has not received yet, in post order
    _in_flight: list[Envelope] = attrs.field(factory=list)
    #: adapter -> (post seq of the report judged, the set) to check NDIS's cache against
    _cache_check: dict[str, tuple[int, NDIS_OFFLOAD_PARAMETERS, int]] = attrs.field(factory=dict)

    # No ``kinds``: a miniport's handler may indicate or complete a set while handling a message
    # of any kind (a timer's work, a send, a MUX member's indication ...).

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if envelope.dst == NDIS:
            if _is_current_config(envelope):
                return self._delivered_report(envelope)
            if isinstance(message, Pnp) and message.operation is PnpOp.InitializeComplete:
                self._owed.pop(message.adapter, None)
            return None
        if envelope.dst not in self.miniport_adapters():
            return None
        # What the miniport's handler just posted, in post order: the indications it made (an
        # earlier set's deferred one first claims what it is owed) and the sets it completed --
        # the only posts the two loops below read (``Bus.just_posted``: no scan of everything in
        # flight unless it posted one of them, which most handlers do not).
        miniport = envelope.dst
        posted = [
            e for e in bus.just_posted if e.src == miniport and _may_report_or_complete_set(e)
        ]
        if not posted:
            return None
        # (its hardware indications still in flight narrow what it may report: ``mine``)
        mine = sorted((e for e in bus.pending() if e.src == miniport), key=_seq)
        self._in_flight = mine
        unclaimed: dict[str, list[Envelope]] = {}
        for e in posted:
            if not _is_current_config(e):
                continue
            adapter = e.message.adapter
            owed = self._owed.pop(adapter, None)
            if owed is None:
                unclaimed.setdefault(adapter, []).append(e)
                continue
            if owed[0] is None:
                continue  # the report an encapsulation set owed: not this monitor's to judge
            reason = self._judge_report(adapter, e, posted, owed[0], owed[1])
            if reason is not None:
                return reason
        for e in posted:
            done = _successful_parameters_set(e)
            if done is None:
                continue
            adapter, params, request_id = done
            record = self.ndis.adapters.get(adapter)
            if record is None or record.miniport != e.src:
                continue
            reports = unclaimed.pop(adapter, [])
            if not reports:
                self._owed[adapter] = (params, request_id)
                continue
            if params is None:
                continue
            reason = self._judge_report(adapter, reports[-1], posted, params, request_id)
            if reason is not None:
                return reason
        return None

    def _judge_report(
        self,
        adapter: str,
        report: Envelope,
        posted: list[Envelope],
        params: NDIS_OFFLOAD_PARAMETERS,
        request_id: int,
    ) -> str | None:
        hardware = self._hardware_before(adapter, self._in_flight, report.seq)
        buffer = report.message.indication.StatusBuffer
        reason = self._judge(adapter, buffer, hardware, params, request_id)
        if reason is None:
            self._cache_check[adapter] = (report.seq, params, request_id)
        return reason

    def _hardware_before(self, adapter: str, posted: list[Envelope], seq: int) -> Any:
        for e in reversed(posted):
            message = e.message
            if (
                e.seq < seq
                and isinstance(message, StatusIndication)
                and message.adapter == adapter
                and message.indication.StatusCode
                == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES
            ):
                return message.indication.StatusBuffer
        record = self.ndis.adapters.get(adapter)
        return record.hardware if record is not None else None

    def _judge(
        self,
        adapter: str,
        offload: Any,
        hardware: Any,
        params: NDIS_OFFLOAD_PARAMETERS,
        request_id: int,
        what: str = "indicated",
    ) -> str | None:
        if not isinstance(offload, NDIS_OFFLOAD):
            return None
        differs = reflects_parameters(offload, hardware, params)
        if not differs:
            return None
        return (
            f"{adapter} {what} a current configuration that does not reflect its successful "
            f"OID_TCP_OFFLOAD_PARAMETERS set (request {request_id}): {', '.join(differs[:3])}"
        )

    def _delivered_report(self, envelope: Envelope) -> str | None:
        message = envelope.message
        adapter = message.adapter
        record = self.ndis.adapters.get(adapter)
        if record is None or envelope.src != record.miniport:
            return None
        check = self._cache_check.pop(adapter, None)
        if check is not None and check[0] == envelope.seq and record.current is not None:
            reason = self._judge(adapter, record.current, record.hardware, check[1], check[2],
                                 what="is cached by NDIS with")  # fmt: skip
            if reason is not None:
                return reason
        return None


def _seq(envelope: Envelope) -> int:
    return envelope.seq


def _may_report_or_complete_set(envelope: Envelope) -> bool:
    """What ``ParametersSetReflected`` reads of a miniport's posts: CURRENT_CONFIG indications
    (``_is_current_config``) and completions to NDIS (``_successful_parameters_set``)."""
    return _is_current_config(envelope) or (
        isinstance(envelope.message, OidComplete) and envelope.dst == NDIS
    )


def _successful_parameters_set(
    envelope: Envelope,
) -> tuple[str, NDIS_OFFLOAD_PARAMETERS | None, int] | None:
    """(adapter, parameters, RequestId) of a successful task-offload parameters set a miniport
    completes to NDIS in ``envelope``; parameters None for a successful OID_OFFLOAD_ENCAPSULATION
    set (it owes a CURRENT_CONFIG too)."""
    message = envelope.message
    if not (isinstance(message, OidComplete) and envelope.dst == NDIS):
        return None
    request = message.request
    params = request.InformationBuffer
    if (
        message.status == _SUCCESS
        and request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION
        and request.RequestType == NdisRequestType.NdisRequestSetInformation
    ):
        return message.adapter, None, request.RequestId
    if (
        message.status != _SUCCESS
        or request.Oid != Oid.OID_TCP_OFFLOAD_PARAMETERS
        or request.RequestType != NdisRequestType.NdisRequestSetInformation
        or not isinstance(params, NDIS_OFFLOAD_PARAMETERS)
        or not _task_parameters(params)
    ):
        return None
    return message.adapter, params, request.RequestId


@attrs.define(eq=False)
class ReceiveGate(_MonitorBase):
    """7.2 item 9: no receive checksum result before a successful OID_OFFLOAD_ENCAPSULATION set,
    and none after a SET_OFF one.  The gate is the miniport's: its completions open and close it,
    its receive indications are checked (a filter module passes results on or strips them)."""

    kinds: ClassVar[Kinds] = _kinds(OidComplete, Receive)

    _open: dict[str, bool] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if envelope.src not in self.miniport_adapters():
            return None
        if isinstance(message, OidComplete) and envelope.dst == NDIS:
            request = message.request
            buffer = request.InformationBuffer
            if (
                request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION
                and request.RequestType == NdisRequestType.NdisRequestSetInformation
                and message.status == _SUCCESS
                and isinstance(buffer, NDIS_OFFLOAD_ENCAPSULATION)
            ):
                self._open[message.adapter] = 1 in (buffer.IPv4.Enabled, buffer.IPv6.Enabled)
        elif (
            isinstance(message, Receive)
            and envelope.dst == NDIS
            and message.rx_checksum_offloaded
            and not self._open.get(message.adapter, False)
        ):
            return f"{message.adapter} indicated a receive checksum result with the gate closed"
        return None


@attrs.define(eq=False)
class EncapsulationResult(_MonitorBase):
    """7.2 item 10: an OID_OFFLOAD_ENCAPSULATION set succeeds iff a supported offload lists the
    encapsulation.  The driver decides with the configuration it has at some moment while the
    set is in its hands, and a virtual miniport's configuration can change meanwhile (a MUX
    member joins or leaves): the rule is judged against every configuration NDIS held or was
    being told (an indication already made and still in flight) from the hand-off to the
    completion."""

    kinds: ClassVar[Kinds] = _kinds(OidRequest, StatusIndication, OidComplete)

    #: adapter -> the configurations seen since its encapsulation set was handed on
    _seen: dict[str, list[NDIS_OFFLOAD | None]] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if (
            isinstance(message, OidRequest)
            and envelope.src == NDIS
            and message.request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION
        ):
            record = self.ndis.adapters.get(message.adapter)
            if record is not None and envelope.dst == record.miniport:
                in_flight = [
                    e.message.indication.StatusBuffer
                    for e in bus.pending()
                    if e.src == record.miniport
                    and e.dst == NDIS
                    and _is_current_config(e)
                    and e.message.adapter == message.adapter
                ]
                self._seen[message.adapter] = [record.current, *in_flight]
            return None
        if envelope.dst == NDIS and _is_current_config(envelope):
            seen = self._seen.get(message.adapter)
            if seen is not None:
                seen.append(message.indication.StatusBuffer)
            return None
        if not (isinstance(message, OidComplete) and envelope.dst == NDIS):
            return None
        request = message.request
        buffer = request.InformationBuffer
        if request.Oid != Oid.OID_OFFLOAD_ENCAPSULATION or not isinstance(
            buffer, NDIS_OFFLOAD_ENCAPSULATION
        ):
            return None
        record = self.ndis.adapters.get(message.adapter)
        if record is not None and envelope.src != record.miniport:
            return None  # a filter module completing upward what the miniport decided
        seen = self._seen.pop(message.adapter, [])
        if (
            record is None
            or record.current is None
            or message.status
            not in (
                _SUCCESS,
                NdisStatus.NDIS_STATUS_INVALID_PARAMETER,
            )
        ):
            return None
        expected = encapsulation_result(record.current, buffer)
        if any(
            encapsulation_result(config, buffer) == message.status
            for config in seen
            if isinstance(config, NDIS_OFFLOAD)
        ):
            return None
        if expected != message.status:
            return (
                f"{message.adapter}: OID_OFFLOAD_ENCAPSULATION completed "
                f"{NdisStatus(message.status).name}, the rule gives {NdisStatus(expected).name}"
            )
        return None


@attrs.define(eq=False)
class OidSerialization(_MonitorBase):
    """7.2 item 16: at most one non-direct OID outstanding per miniport adapter, and per filter
    module (N/filtering-oid-requests-in-an-ndis-filter-driver.md: NDIS serializes requests to a
    filter module as to a miniport)."""

    kinds: ClassVar[Kinds] = _kinds(OidRequest, OidComplete)

    _outstanding: dict[str, int] = attrs.field(factory=dict)

    def _layer(self, actor: str, adapter: str) -> bool:
        return (
            actor in self.miniport_adapters() or self.ndis.filter_module(adapter, actor) is not None
        )

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if (
            isinstance(message, OidRequest)
            and envelope.src == NDIS
            and self._layer(envelope.dst, message.adapter)
        ):
            key = f"{envelope.dst}:{message.adapter}"
            if key in self._outstanding:
                who = message.adapter
                if envelope.dst not in self.miniport_adapters():
                    who = f"filter module {envelope.dst} on {message.adapter}"
                return f"{who} was handed a second OID while one was outstanding"
            self._outstanding[key] = message.request.RequestId
        elif (
            isinstance(message, OidComplete)
            and envelope.dst == NDIS
            and self._layer(envelope.src, message.adapter)
        ):
            self._outstanding.pop(f"{envelope.src}:{message.adapter}", None)
        return None


@attrs.define(eq=False)
class CompletionHygiene(_MonitorBase):
    """7.2 item 17 and behaviour 19: each request is completed to its originator exactly once,
    never with PENDING, and never after the originator's binding closed."""

    kinds: ClassVar[Kinds] = _kinds(OidRequest, OidComplete)

    _issued: set[tuple[str, str, int]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if isinstance(message, OidRequest) and envelope.dst == NDIS:
            self._issued.add((envelope.src, message.adapter, message.request.RequestId))
        elif isinstance(message, OidComplete) and envelope.src == NDIS:
            key = (envelope.dst, message.adapter, message.request.RequestId)
            if key not in self._issued:
                return (
                    f"{envelope.dst} got a completion for request {message.request.RequestId} on "
                    f"{message.adapter} it has no outstanding (completed twice?)"
                )
            self._issued.discard(key)
            if message.status == NdisStatus.NDIS_STATUS_PENDING:
                return f"request {message.request.RequestId} completed with NDIS_STATUS_PENDING"
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        if self._issued:
            origin, adapter, request_id = sorted(self._issued)[0]
            return f"{origin}'s request {request_id} on {adapter} was never completed"
        return None


@attrs.define(eq=False)
class _ToldConfigs:
    """What NDIS last gave each (driver, adapter): the DefaultOffloadConfiguration of its bind
    parameters, then every NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG delivered to it, each with the
    bus's delivery mark at the time, so a request or send posted before the news arrived is
    judged by what its driver had (behaviour 6)."""

    _told: dict[tuple[str, str], tuple[int, NDIS_OFFLOAD]] = attrs.field(factory=dict)

    def observe(self, envelope: Envelope, bus: Bus) -> bool:
        """Record ``envelope`` if NDIS is giving a driver a configuration; True if it was one."""
        message = envelope.message
        if envelope.src != NDIS:
            return False
        if _is_current_config(envelope):
            buffer = message.indication.StatusBuffer
            if isinstance(buffer, NDIS_OFFLOAD):
                self._told[(envelope.dst, message.adapter)] = (bus.delivery_mark, buffer)
            return True
        if message.KIND == "pnp" and message.bind is not None:
            config = message.bind.DefaultOffloadConfiguration
            self._told[(envelope.dst, message.adapter)] = (bus.delivery_mark, config)
            return True
        return False

    def since(self, driver: str, adapter: str, seq: int) -> NDIS_OFFLOAD | None:
        """What ``driver`` had been given for ``adapter`` when it posted message ``seq`` (None:
        nothing yet, or only news newer than that message)."""
        told = self._told.get((driver, adapter))
        if told is None or seq < told[0]:
            return None
        return told[1]


@attrs.define(eq=False)
class NoStaleOffloadSend(_MonitorBase):
    """A protocol never asks for an offload that the last configuration NDIS gave it has off
    (N/determining-task-offload-capabilities.md: protocols must handle capability changes).
    Sends posted before the protocol received the change are allowed: they were built against the
    old configuration (behaviour 6)."""

    kinds: ClassVar[Kinds] = _kinds(StatusIndication, Pnp, Send)

    _told: _ToldConfigs = attrs.field(factory=_ToldConfigs)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if self._told.observe(envelope, bus):
            return None
        if isinstance(message, Send) and envelope.dst == NDIS:
            if self.ndis.filter_module(message.adapter, envelope.src) is not None:
                # A filter module passes down NBLs the protocols built (their staleness is
                # judged where they were built); what a filter itself must refuse is its own rule.
                return None
            told = self._told.since(envelope.src, message.adapter, envelope.seq)
            if told is None:
                return None
            reason = _offload_off_reason(message.nbl, told)
            if reason is not None:
                return f"{envelope.src} sent NBL {message.nbl.Id} asking {reason}"
        return None


@attrs.define(eq=False)
class EncapsulationWithinSupport(_MonitorBase):
    """A protocol asks OID_OFFLOAD_ENCAPSULATION only for an encapsulation that some offload in
    the last configuration NDIS gave it supports ("check support first ... and request an
    encapsulation at least one offload service supports": N/oid-offload-encapsulation.md,
    N/enabling-and-disabling-task-offload-services.md; spec 3.2).  What NDIS gave it is its bind
    parameters, then every NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG delivered to it, in any binding
    state (a Paused binding hears them too).  A request posted before the protocol received the
    latest configuration is judged against nothing newer than what it had.  A driver that only
    hands on its user-mode client's requests (``PASSES_USER_REQUESTS``, ndisprot) is not judged:
    the client chose the request, and the miniport's INVALID_PARAMETER is its answer."""

    kinds: ClassVar[Kinds] = _kinds(StatusIndication, Pnp, OidRequest)

    _told: _ToldConfigs = attrs.field(factory=_ToldConfigs)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if self._told.observe(envelope, bus):
            return None
        if (
            isinstance(message, OidRequest)
            and envelope.dst == NDIS
            and message.request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION
            and not message.request.is_query
            and isinstance(message.request.InformationBuffer, NDIS_OFFLOAD_ENCAPSULATION)
            and self.ndis.filter_module(message.adapter, envelope.src) is None
        ):
            if getattr(bus.actor(envelope.src), "PASSES_USER_REQUESTS", False):
                return None  # an ndisprot-like driver: its user-mode client chose the request
            told = self._told.since(envelope.src, message.adapter, envelope.seq)
            if told is None:
                return None
            asked = message.request.InformationBuffer
            status = encapsulation_result(told, asked)
            if status == NdisStatus.NDIS_STATUS_INVALID_PARAMETER:
                return (
                    f"{envelope.src} asked OID_OFFLOAD_ENCAPSULATION {message.request.RequestId} "
                    f"on {message.adapter} for an encapsulation no offload supports in the "
                    f"configuration NDIS last gave it"
                )
        return None


def _offload_off_reason(nbl: Any, config: NDIS_OFFLOAD) -> str | None:
    """Why an LSO send asks for segmentation ``config`` has off or below its size."""
    if nbl.LsoMss:
        if nbl.LsoVersion == 1:
            block: Any = config.LsoV1.IPv4
        else:
            block = config.LsoV2.IPv4 if nbl.IpVersion == 4 else config.LsoV2.IPv6
        if not block.Encapsulation:
            return f"LSOv{nbl.LsoVersion} that its configuration has off"
        if nbl.DataLength > block.MaxOffLoadSize:
            return f"LSO of {nbl.DataLength} bytes above MaxOffLoadSize {block.MaxOffLoadSize}"
    return None


def _segmentation_off_reason(nbl: Any, config: NDIS_OFFLOAD) -> str | None:
    """Why a large send (LSO or USO) asks for segmentation ``config`` has off or below its size."""
    if nbl.UsoMss:
        block = config.UdpSegmentation.IPv6 if nbl.IpVersion == 6 else config.UdpSegmentation.IPv4
        if not block.Encapsulation:
            return "USO that its configuration has off"
        if nbl.DataLength > block.MaxOffLoadSize:
            return f"USO of {nbl.DataLength} bytes above MaxOffLoadSize {block.MaxOffLoadSize}"
        return None
    return _offload_off_reason(nbl, config)


@attrs.define(eq=False)
class NoSendBeyondMiniportConfig(_MonitorBase):
    """No send NDIS hands to a miniport -- a physical one or a MUX's virtual one -- asks for a
    segmentation offload (LSO, USO, or a size beyond MaxOffLoadSize) that the miniport's own
    configuration has off, once the driver that sent it had been told so
    (N/offloading-the-segmentation-of-large-tcp-packets.md: after the miniport reports the
    offload off, "the miniport driver ... must not" be asked for it;
    N/determining-task-offload-capabilities.md).

    ``no-stale-offload-send`` judges a sender by what it was told, LSO only; this one judges what
    reaches each miniport, by what that miniport itself reported (NDIS's cache of its layer), so
    an intermediate driver's lower sends and USO are covered, and a filter hiding an offload the
    miniport still has on is not blamed.  A send built before its sender was told may still
    arrive (behaviour 6): the miniport fails it (``post-disable-drops``)."""

    #: sends, and what ``_ToldConfigs`` records (indications and binds)
    kinds: ClassVar[Kinds] = _kinds(StatusIndication, Pnp, Send)

    _told: _ToldConfigs = attrs.field(factory=_ToldConfigs)
    #: NBL id -> (its sender, the post seq of its Send to NDIS)
    _sent: dict[str, tuple[str, int]] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if envelope.src == NDIS:
            if not self._told.observe(envelope, bus) and isinstance(message, Send):
                return self._handed(envelope, message)
        elif (
            envelope.dst == NDIS
            and isinstance(message, Send)
            and (message.nbl.LsoMss or message.nbl.UsoMss)
            and self.ndis.filter_module(message.adapter, envelope.src) is None
        ):
            self._sent[message.nbl.Id] = (envelope.src, envelope.seq)
        return None

    def _handed(self, envelope: Envelope, message: Send) -> str | None:
        record = self.ndis.adapters.get(message.adapter)
        if record is None or envelope.dst != record.miniport:
            return None  # a filter module's hop
        sent = self._sent.pop(message.nbl.Id, None)
        if sent is None or record.current is None:
            return None
        sender, seq = sent
        told = self._told.since(sender, message.adapter, seq)
        if told is None:
            return None  # built before its sender was told anything newer
        if _segmentation_off_reason(message.nbl, told) is None:
            return None  # what it was told allows it: the news had not reached it
        reason = _segmentation_off_reason(message.nbl, record.current)
        if reason is None:
            return None
        kind = "virtual miniport" if record.virtual else "miniport"
        return (
            f"{message.adapter} ({kind}) was handed NBL {message.nbl.Id} from {sender} asking "
            f"{reason}"
        )


@attrs.define(eq=False)
class KeywordsAtInitialization(_MonitorBase):
    """An adapter's configuration after MiniportInitializeEx agrees with its standardized
    keywords: a miniport reads them there and enables no offload a keyword turns off
    (N/using-registry-values-to-enable-and-disable-task-offloading.md; the rule is
    ``stack.ndis.current_config_from_keywords``).  A driver may enable less (a vendor keyword, a
    policy of its own), never more, so the check is "within": the reported configuration against
    what the keywords allow of the hardware it reports.  The keywords are those NDIS handed the
    miniport with MiniportInitializeEx (``Pnp.keywords``), so a registry write during the
    initialization does not count against it.  Physical miniports only: a MUX's virtual miniport
    is judged by ``mux-member-respects-team`` and ``mux-advertised-within-members``."""

    kinds: ClassVar[Kinds] = _kinds(Pnp)

    #: (miniport actor, adapter) -> the keywords of its pending MiniportInitializeEx
    _handed: dict[tuple[str, str], tuple[tuple[str, str], ...]] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if not isinstance(message, Pnp):
            return None
        miniports = self.miniport_adapters()
        if message.operation is PnpOp.MiniportInitializeEx and envelope.dst in miniports:
            self._handed[(envelope.dst, message.adapter)] = message.keywords
            return None
        if (
            message.operation is not PnpOp.InitializeComplete
            or envelope.dst != NDIS
            or envelope.src not in miniports
        ):
            return None
        keywords = self._handed.pop((envelope.src, message.adapter), None)
        attributes = message.attributes
        if keywords is None or attributes is None or message.status != _SUCCESS:
            return None
        hardware = attributes.HardwareOffloadCapabilities
        allowed = current_config_from_keywords(hardware, dict(keywords))
        reported = attributes.DefaultOffloadConfiguration
        if reported.Header.Revision < allowed.Header.Revision:
            allowed = at_revision(allowed, reported.Header.Revision)
        for path, value, limit in capability_excess(reported, allowed):
            return (
                f"{message.adapter}: initialized with {path} = {value} where its keywords allow "
                f"{limit}"
            )
        return None


@attrs.define(eq=False)
class PostDisableDrops(_MonitorBase):
    """7.2 item 14: once a disable of LSO has taken effect, the miniport fails LSO sends.

    "Taken effect" is the miniport's own report: a send it was handed *after* it posted the
    CURRENT_CONFIG that turned the offload off must not complete successfully.  A send already in
    its hands when the configuration shrank may still finish the old way
    (N/offloading-the-segmentation-of-large-tcp-packets.md allows that window)."""

    kinds: ClassVar[Kinds] = _kinds(Send, StatusIndication, SendComplete)

    #: (miniport, NBL id) -> bus post counter when the send was handed to the miniport
    _handed: dict[tuple[str, str], int] = attrs.field(factory=dict)
    #: miniport -> (post seq of its latest CURRENT_CONFIG, that configuration)
    _reported: dict[str, tuple[int, NDIS_OFFLOAD]] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        miniports = self.miniport_adapters()
        if isinstance(message, Send) and envelope.dst in miniports:
            self._handed[(envelope.dst, message.nbl.Id)] = bus.delivery_mark
        elif envelope.dst == NDIS and envelope.src in miniports and _is_current_config(envelope):
            buffer = message.indication.StatusBuffer
            if isinstance(buffer, NDIS_OFFLOAD):
                self._reported[envelope.src] = (envelope.seq, buffer)
        elif isinstance(message, SendComplete) and envelope.dst == NDIS:
            handed = self._handed.pop((envelope.src, message.nbl.Id), None)
            reported = self._reported.get(envelope.src)
            if (
                handed is None
                or reported is None
                or message.status != _SUCCESS
                or not message.nbl.LsoMss
                or reported[0] >= handed  # reported after it already had the send
            ):
                return None
            reason = _offload_off_reason(message.nbl, reported[1])
            if reason is not None:
                return (
                    f"{envelope.src} completed NBL {message.nbl.Id} successfully, asking {reason} "
                    f"after it had reported the offload off"
                )
        return None


@attrs.define(eq=False)
class ChimneyPauseResume(_MonitorBase):
    """7.2 item 20: NDIS_STATUS_OFFLOAD_RESUME only after NDIS_STATUS_OFFLOAD_PAUSE, from each
    layer that indicates (a filter module passes both on, in order)."""

    kinds: ClassVar[Kinds] = _kinds(StatusIndication)

    _paused: set[tuple[str, str]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if not (isinstance(message, StatusIndication) and envelope.dst == NDIS):
            return None
        code = message.indication.StatusCode
        key = (envelope.src, message.adapter)
        if code == NdisStatus.NDIS_STATUS_OFFLOAD_PAUSE:
            self._paused.add(key)
        elif code == NdisStatus.NDIS_STATUS_OFFLOAD_RESUME:
            if key not in self._paused:
                who = message.adapter
                if self.ndis.filter_module(message.adapter, envelope.src) is not None:
                    who = f"filter module {envelope.src} on {message.adapter}"
                return f"{who} indicated NDIS_STATUS_OFFLOAD_RESUME without a PAUSE"
            self._paused.discard(key)
        return None


@attrs.define(eq=False)
class OidTimedComplete(_MonitorBase):
    """Behaviour 2: a miniport (a virtual one too) completes every OID request within 12 s of
    being handed it (Driver Verifier rule NdisTimedOidComplete).  Checked on every delivery, so
    the first delivery after the deadline (or the late completion itself) reports it."""

    # No ``kinds``: the deadline is checked on every delivery (which delivery reports a late
    # request is in the trace); without a request outstanding a delivery costs one test.

    limit: int = attrs.field(default=OID_TIMEOUT_TICKS, kw_only=True)
    #: adapter -> (RequestId, tick it was handed to the miniport)
    _handed: dict[str, tuple[int, int]] = attrs.field(factory=dict)

    def _late(self, bus: Bus) -> str | None:
        for adapter, (request_id, tick) in self._handed.items():
            if bus.now - tick > self.limit:
                record = self.ndis.adapters.get(adapter)
                who = record.miniport if record is not None else adapter
                return (
                    f"{who} has held request {request_id} on {adapter} for "
                    f"{bus.now - tick} ticks (> {self.limit}, 12 s)"
                )
        return None

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if isinstance(message, OidRequest | OidComplete):
            record = self.ndis.adapters.get(message.adapter)
            if record is not None and isinstance(message, OidRequest):
                if envelope.src == NDIS and envelope.dst == record.miniport:
                    self._handed[message.adapter] = (message.request.RequestId, bus.now)
            elif record is not None and envelope.src == record.miniport and envelope.dst == NDIS:
                late = self._late(bus)
                self._handed.pop(message.adapter, None)
                return late
        return self._late(bus) if self._handed else None

    def at_quiescence(self, bus: Bus) -> str | None:
        return self._late(bus)


@attrs.define(eq=False)
class CancelForwarded(_MonitorBase):
    """Behaviour 21 and bug class 5: when a request an intermediate driver passed down (a clone
    with the original RequestId, which it issued on a lower binding while its own request was
    outstanding) is still outstanding as its own request is cancelled, the driver cancels the
    clone with NdisCancelOidRequest and that RequestId before the clone completes to it
    (D/ndis/nc-ndis-miniport_cancel_oid_request.md: the intermediate driver calls
    NdisCancelOidRequest with the request it sent to the underlying driver)."""

    kinds: ClassVar[Kinds] = _kinds(OidRequest, OidComplete, OidCancel)

    #: (actor, adapter, RequestId) of requests handed to a miniport actor and outstanding ->
    #: the bus post counter when it was handed over.  One actor may play several virtual
    #: miniports whose requests share a RequestId, so a clone is matched to the request whose
    #: handler could have posted it: the latest one handed over before the clone was posted.
    _upper: dict[tuple[str, str, int], int] = attrs.field(factory=dict)
    #: (actor, lower adapter, RequestId) of clones outstanding -> the upper adapter
    _clones: dict[tuple[str, str, int], str] = attrs.field(factory=dict)
    #: clones whose upper request was cancelled and that are owed a cancel
    _owed: set[tuple[str, str, int]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        src, dst = envelope.src, envelope.dst
        adapter = getattr(message, "adapter", "")
        if self.ndis.filter_module(adapter, dst if src == NDIS else src) is not None:
            return None  # a filter module's clones: filter-cancel-reaches-clone
        if isinstance(message, OidRequest):
            request_id = message.request.RequestId
            if src == NDIS:
                self._upper[(dst, message.adapter, request_id)] = bus.delivery_mark
            elif dst == NDIS:
                uppers = [
                    (mark, key)
                    for key, mark in self._upper.items()
                    if key[0] == src and key[2] == request_id and mark <= envelope.seq
                ]
                if uppers:
                    self._clones[(src, message.adapter, request_id)] = max(uppers)[1][1]
        elif isinstance(message, OidComplete):
            request_id = message.request.RequestId
            if dst == NDIS:
                self._upper.pop((src, message.adapter, request_id), None)
            elif src == NDIS:
                key = (dst, message.adapter, request_id)
                self._clones.pop(key, None)
                if key in self._owed:
                    self._owed.discard(key)
                    return (
                        f"{dst} never passed the cancel of request {request_id} down to its "
                        f"clone on {message.adapter}, which ran to completion"
                    )
        elif isinstance(message, OidCancel):
            if src == NDIS and (dst, message.adapter, message.request_id) in self._upper:
                for (actor, lower, request_id), upper in self._clones.items():
                    if (
                        actor == dst
                        and upper == message.adapter
                        and request_id == message.request_id
                    ):
                        self._owed.add((actor, lower, request_id))
                # Forwarded from the same handler: already posted.
                for pending in bus.pending():
                    self._discharge(pending)
            elif dst == NDIS:
                self._discharge(envelope)
        return None

    def _discharge(self, envelope: Envelope) -> None:
        message = envelope.message
        if isinstance(message, OidCancel) and envelope.dst == NDIS:
            self._owed.discard((envelope.src, message.adapter, message.request_id))

    def at_quiescence(self, bus: Bus) -> str | None:
        if self._owed:
            actor, lower, request_id = sorted(self._owed)[0]
            return f"{actor} never passed the cancel of request {request_id} down to {lower}"
        return None


# -- the filter layer ----------------------------------------------------------------------------


@attrs.define(eq=False)
class FilterCallWindow(_MonitorBase):
    """A filter module calls NdisFOidRequest and NdisFIndicateStatus only once attached: "a
    filter driver cannot ... make OID requests, or make status indications from the Attaching
    state" (N/attaching-a-filter-module.md).  It issues no OID request from FilterDetach or after
    it (by the time FilterDetach runs a filter cannot send OIDs down, xdp-for-windows#212) and no
    indication after FilterDetach returned (D/ndis/nf-ndis-ndisfindicatestatus.md).  NDIS refuses
    such a request and drops such an indication; this monitor reports that a filter made one.

    "From FilterDetach" is judged by when the filter posted the call (an envelope's ``seq``
    against the moment FilterDetach was delivered to it), not by when NDIS received it: a call the
    filter made while handling an earlier FilterStatus may reach NDIS after NDIS called
    FilterDetach, and is legal."""

    kinds: ClassVar[Kinds] = _kinds(Pnp, OidRequest, StatusIndication)

    #: (filter, adapter) -> bus post counter when FilterDetach was delivered to it.
    _detached_at: dict[tuple[str, str], int] = attrs.field(factory=dict)
    #: (filter, adapter) that FilterAttach was ever delivered to.
    _attached: set[tuple[str, str]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if isinstance(message, Pnp) and envelope.src == NDIS:
            key = (envelope.dst, message.adapter)
            if message.operation is PnpOp.FilterDetach:
                self._detached_at[key] = bus.delivery_mark
            elif message.operation is PnpOp.FilterAttach:
                self._detached_at.pop(key, None)
                self._attached.add(key)
            return None
        if envelope.dst != NDIS or not isinstance(message, OidRequest | StatusIndication):
            return None
        module = self.ndis.filter_module(message.adapter, envelope.src)
        if module is None or module.attached:
            return None
        key = (envelope.src, message.adapter)
        if module.state is FilterModuleState.Attaching:
            when = "before FilterAttach returned"
        elif key not in self._attached:
            when = "before NDIS attached it"
        elif isinstance(message, OidRequest):
            detached_at = self._detached_at.get(key)
            if detached_at is None or envelope.seq < detached_at:
                return None  # made before FilterDetach reached it: NDIS refused it, legally
            when = "from FilterDetach or after it"
        elif module.in_detach:
            return None  # indications are allowed until FilterDetach returns
        else:
            when = "after FilterDetach returned"
        call = "NdisFOidRequest" if isinstance(message, OidRequest) else "NdisFIndicateStatus"
        return f"{envelope.src} called {call} on {message.adapter} {when}"


def _identity_rewrite(filter_name: str, adapter: str, offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
    return offload


@attrs.define(eq=False)
class FilterViewConverges(_MonitorBase):
    """Once every indication has been delivered (checked whenever the run is quiet), what each
    attached filter module reports upward is its own rewriting of the current configuration below
    it: a filter that rewrites or drops indications must still end up reporting what it would
    report for the configuration it now sits on (N/filter-module-status-indications.md;
    D/ndis/ns-ndis-_ndis_filter_attach_parameters.md for the attach-time view it starts from).
    ``rewrite(filter, adapter, offload)`` is the filter driver's own declaration
    (``FilterDriver.rewrite_offload``); the identity for a pass-through filter."""

    kinds: ClassVar[Kinds] = frozenset()

    rewrite: Callable[[str, str, NDIS_OFFLOAD], NDIS_OFFLOAD] = attrs.field(
        default=_identity_rewrite, kw_only=True
    )

    def at_quiescence(self, bus: Bus) -> str | None:
        for adapter, record in self.ndis.adapters.items():
            for module in record.filters:
                if not module.attached:
                    continue
                below = self.ndis.view_for(adapter, module.name).current
                if below is None:
                    continue
                expected = self.rewrite(module.name, adapter, below)
                if module.current != expected:
                    differs = changed_members(expected, module.current) if module.current else ()
                    what = ", ".join(differs[:3]) or "everything"
                    return (
                        f"filter module {module.name} on {adapter} reports a current "
                        f"configuration that is not its rewriting of the one below it "
                        f"(differs in {what})"
                    )
        return None


@attrs.define(eq=False)
class FilterPauseIdle(_MonitorBase):
    """A filter module completes its pause only with nothing of its own outstanding: no NBL
    handed to it and not completed, none it sent down and not completed back, no OID request it
    issued (N/pausing-a-filter-module.md: "the pause operation is not complete until NDIS calls
    FilterSendNetBufferListsComplete for all such outstanding send requests"; npcap#390)."""

    kinds: ClassVar[Kinds] = _kinds(Pnp)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if not (
            isinstance(message, Pnp)
            and message.operation is PnpOp.FilterPauseComplete
            and envelope.dst == NDIS
        ):
            return None
        module = self.ndis.filter_module(message.adapter, envelope.src)
        if module is None:
            return None
        held = self.ndis.outstanding_sends_of(message.adapter, envelope.src)
        if held:
            return (
                f"{envelope.src} completed FilterPause on {message.adapter} holding NBL(s) "
                f"{', '.join(sorted(held))}"
            )
        if module.issued:
            ids = ", ".join(str(i) for i in sorted(module.issued))
            return (
                f"{envelope.src} completed FilterPause on {message.adapter} with its OID "
                f"request(s) {ids} outstanding"
            )
        return None


@attrs.define(eq=False)
class FilterCancelReachesClone(_MonitorBase):
    """When NDIS cancels a request a filter module passed down (FilterCancelOidRequest while the
    clone, which carries the same RequestId, is outstanding), the module cancels the clone with
    NdisFCancelOidRequest before the clone completes (N/filtering-oid-requests-in-an-ndis-filter-
    driver.md: "the filter driver should try to call NdisFCancelOidRequest as soon as possible";
    D/ndis/nf-ndis-ndisfcanceloidrequest.md).  A module without a cancel handler is never asked:
    NDIS cancels its clone itself."""

    kinds: ClassVar[Kinds] = _kinds(OidCancel, OidComplete)

    #: (filter, adapter, RequestId) of clones owed a cancel.
    _owed: set[tuple[str, str, int]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if isinstance(message, OidCancel):
            if envelope.src == NDIS:
                module = self.ndis.filter_module(message.adapter, envelope.dst)
                if module is not None and message.request_id in module.issued:
                    self._owed.add((envelope.dst, message.adapter, message.request_id))
                    # Forwarded from the same handler: already posted.
                    for pending in bus.pending():
                        self._discharge(pending)
            elif envelope.dst == NDIS:
                self._discharge(envelope)
        elif isinstance(message, OidComplete) and envelope.src == NDIS:
            key = (envelope.dst, message.adapter, message.request.RequestId)
            if key in self._owed:
                self._owed.discard(key)
                return (
                    f"{envelope.dst} never passed the cancel of request "
                    f"{message.request.RequestId} on {message.adapter} down to its clone, which "
                    "ran to completion"
                )
        return None

    def _discharge(self, envelope: Envelope) -> None:
        message = envelope.message
        if isinstance(message, OidCancel) and envelope.dst == NDIS:
            self._owed.discard((envelope.src, message.adapter, message.request_id))

    def at_quiescence(self, bus: Bus) -> str | None:
        if self._owed:
            name, adapter, request_id = sorted(self._owed)[0]
            return f"{name} never passed the cancel of request {request_id} on {adapter} down"
        return None


def filter_monitors(
    ndis: NdisLibrary,
    rewrite: Callable[[str, str, NDIS_OFFLOAD], NDIS_OFFLOAD] = _identity_rewrite,
) -> list[Any]:
    """The filter layer's monitors, in a fixed order; ``rewrite(filter, adapter, offload)`` is
    what each filter driver declares it reports upward for ``offload``."""
    return [
        FilterCallWindow(
            "filter-call-window",
            "N/attaching-a-filter-module.md",
            "a filter module makes OID requests and status indications only once attached and "
            "until FilterDetach",
            ndis,
        ),
        FilterViewConverges(
            "filter-view-converges",
            "N/filter-module-status-indications.md",
            "once indications are delivered, each filter module reports its own rewriting of "
            "the configuration below it",
            ndis,
            rewrite=rewrite,
        ),
        FilterPauseIdle(
            "filter-pause-idle",
            "N/pausing-a-filter-module.md",
            "a filter module completes its pause only with no NBL and no OID request of its own "
            "outstanding",
            ndis,
        ),
        FilterCancelReachesClone(
            "filter-cancel-reaches-clone",
            "D/ndis/nf-ndis-ndisfcanceloidrequest.md",
            "a filter module whose request is cancelled cancels the clone it passed down before "
            "the clone completes",
            ndis,
        ),
    ]


def default_monitors(ndis: NdisLibrary) -> list[Any]:
    """Every monitor, in a fixed order (the order they are checked and listed)."""
    monitors: list[Any] = [
        ConfigPredicateMonitor(
            inv.id,
            inv.page,
            inv.explanation,
            ndis,
            predicate=inv.check,
            # NetAdapterCx's pause order (module docstring, Levels).
            transient_level=(
                MonitorLevel.STRICT
                if inv.id == "INV-1-current-within-hardware"
                else MonitorLevel.PRACTICE
            ),
        )
        for inv in config_invariants()
    ]
    monitors += [
        IndicationAfterChange(
            "indication-after-change",
            "N/ndis-status-task-offload-current-config.md",
            "a successful parameters or encapsulation set is followed by "
            "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG before the miniport's next OID",
            ndis,
        ),
        IndicationBroadcast(
            "indication-broadcast",
            "D/ndis/ns-ndis-_ndis_status_indication.md",
            "an indication with a NULL DestinationHandle reaches every bound protocol",
            ndis,
        ),
        CacheCoherence(
            "cache-coherence",
            "N/oid-tcp-offload-current-config.md",
            "NDIS answers the offload queries from its cache, which follows the indications",
            ndis,
        ),
        RegistryBeforeMiniport(
            "registry-before-miniport",
            "N/oid-tcp-offload-parameters.md",
            "NDIS writes the standardized keywords before the miniport sees the parameters set",
            ndis,
        ),
        NoKeywordsForRefusedSet(
            "no-keywords-for-refused-set",
            "N/version-information-requirements-for-ndis.md",
            "NDIS writes no standardized keyword for an OID_TCP_OFFLOAD_PARAMETERS set it "
            "refuses: it checks the header and the buffer length first",
            ndis,
        ),
        ReceiveGate(
            "receive-gate",
            "N/oid-offload-encapsulation.md",
            "no receive checksum offload before a successful OID_OFFLOAD_ENCAPSULATION set",
            ndis,
        ),
        EncapsulationResult(
            "encapsulation-result",
            "N/oid-offload-encapsulation.md",
            "the encapsulation set succeeds iff some supported offload lists the encapsulation",
            ndis,
        ),
        OidSerialization(
            "oid-serialization",
            "N/miniport-adapter-oid-request-serialization.md",
            "at most one non-direct OID outstanding per miniport adapter",
            ndis,
        ),
        CompletionHygiene(
            "completion-once",
            "D/ndis/nf-ndis-ndismoidrequestcomplete.md",
            "every request is completed to its originator exactly once, never PENDING",
            ndis,
        ),
        NoStaleOffloadSend(
            "no-stale-offload-send",
            "N/determining-task-offload-capabilities.md",
            "a protocol stops asking for an offload once NDIS told it the offload is off",
            ndis,
        ),
        EncapsulationWithinSupport(
            "encapsulation-within-support",
            "N/oid-offload-encapsulation.md",
            "a protocol asks only for an encapsulation some offload it was told of supports",
            ndis,
        ),
        PostDisableDrops(
            "post-disable-drops",
            "N/offloading-the-segmentation-of-large-tcp-packets.md",
            "after LSO is disabled the miniport fails sends that still ask for it",
            ndis,
        ),
        ChimneyPauseResume(
            "chimney-pause-resume",
            "D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md",
            "connection-offload capabilities change only through OFFLOAD_PAUSE ... OFFLOAD_RESUME",
            ndis,
        ),
        OidTimedComplete(
            "oid-timed-complete",
            "devtest/ndis-ndistimedoidcomplete.md",
            "a miniport completes every OID request within 12 s of being handed it "
            "(Driver Verifier NdisTimedOidComplete)",
            ndis,
        ),
        CancelForwarded(
            "im-cancel-forwarded",
            "D/ndis/nc-ndis-miniport_cancel_oid_request.md",
            "an intermediate driver whose request is cancelled cancels the request it passed "
            "down, with the same RequestId, before that one completes",
            ndis,
        ),
        ParametersSetReflected(
            "parameters-set-reflected",
            "N/oid-tcp-offload-parameters.md",
            "after a successful OID_TCP_OFFLOAD_PARAMETERS set, the configuration a miniport "
            "(a virtual one too) indicates, and NDIS caches, reflects the set within its hardware",
            ndis,
        ),
        NoSendBeyondMiniportConfig(
            "no-send-beyond-miniport-config",
            "N/offloading-the-segmentation-of-large-tcp-packets.md",
            "no send reaching a miniport (a virtual one too) asks for segmentation the "
            "miniport has off, once its sender was told",
            ndis,
        ),
        KeywordsAtInitialization(
            "keywords-at-initialization",
            "N/using-registry-values-to-enable-and-disable-task-offloading.md",
            "a miniport initializes with no offload on that its standardized keywords turn off",
            ndis,
        ),
    ]
    return monitors
