"""The MUX invariants as bus monitors, shaped like ``stack.runtime._monitors``: a stable ``id``,
the docs ``page``, a one-line ``explanation``, ``on_delivery`` and ``at_quiescence``.

They only watch: they read envelopes, the NDIS library's records (what NDIS, and so every
protocol, has been told) and what any ``MuxDriver`` says of its virtual miniports (``teams``,
``team_state``, ``aggregated``, ``capabilities``), and never post.
What the members can do is computed with the same pure rule the driver uses
(``_rules.aggregate``), from what NDIS shows the MUX of each member: the top view of the member's
stack (``NdisLibrary.top_view``), which differs from the member miniport's own when a filter module
sits between the member and the MUX's binding.

Register them with ``bus.monitors.extend(mux_monitors(ndis, lambda: [the MUX actors]))``;
``Stack.add_mux`` does it when a scenario adds a MUX.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import attrs

from stack.drivers.mux._base import MuxDriver
from stack.drivers.mux._rules import (
    MemberCapabilities,
    aggregate,
    compose_parameters,
    describe,
    fit_parameters,
)
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    HardwarePolicy,
    MiniportAdapterState,
    NdisRequestType,
    NdisStatus,
    Oid,
    apply_offload_parameters,
    capability_excess,
    parameters_from_keywords,
)
from stack.runtime import (
    Bus,
    Envelope,
    NdisLibrary,
    OidComplete,
    Pnp,
    PnpOp,
    Send,
    StatusIndication,
)

__all__ = [
    "AdvertisedWithinMembers",
    "HardwareChangeBeforeSend",
    "MemberRespectsTeam",
    "NoCompletionAfterClose",
    "mux_monitors",
]

_NDIS = "ndis"
_HW = NdisStatus.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES
_LIVE = (
    MiniportAdapterState.Paused,
    MiniportAdapterState.Restarting,
    MiniportAdapterState.Running,
    MiniportAdapterState.Pausing,
)


@attrs.define(eq=False)
class _MuxMonitor:
    #: The message KINDs ``on_delivery`` reads; the bus calls it for those only (``None``: all;
    #: ``stack.runtime.Monitor``).
    kinds: ClassVar[frozenset[str] | None] = None

    id: str
    page: str
    explanation: str
    ndis: NdisLibrary
    #: The MUX actors of the run (a callable, so MUXes added after the monitors are seen too).
    muxes: Callable[[], Sequence[MuxDriver]]

    def teams(self) -> list[tuple[MuxDriver, str]]:
        return [(mux, team) for mux in self.muxes() for team in mux.teams]

    def team_of(self, adapter: str) -> MuxDriver | None:
        for mux in self.muxes():
            if mux.is_team(adapter):
                return mux
        return None

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        return None


@attrs.define(eq=False)
class AdvertisedWithinMembers(_MuxMonitor):
    """Once a change has been indicated (checked whenever the run is quiet, i.e. nothing is in
    flight), what NDIS holds for a virtual miniport -- its attributes and every indication since
    -- claims nothing beyond the meet of what NDIS holds for the members it aggregates."""

    kinds: ClassVar[frozenset[str] | None] = frozenset()

    def at_quiescence(self, bus: Bus) -> str | None:
        for mux, adapter in self.teams():
            record = self.ndis.adapters.get(adapter)
            if record is None or record.state not in _LIVE or record.hardware is None:
                continue
            members = []
            for name in mux.aggregated(adapter):
                member = self.ndis.top_view(name) if name in self.ndis.adapters else None
                if member is None or member.hardware is None or member.current is None:
                    return f"{adapter} aggregates {name}, which NDIS knows no capabilities of"
                members.append(
                    MemberCapabilities(
                        adapter=name,
                        hardware=member.hardware,
                        current=member.current,
                        connection_hardware=member.connection_hardware,
                        connection_current=member.connection_current,
                    )
                )
            can = aggregate(members, mux.advertising(adapter))
            for label, advertised, limit in (
                ("hardware capabilities", record.hardware, can.hardware),
                ("current configuration", record.current, can.current),
            ):
                if advertised is None:
                    continue
                excess = list(capability_excess(advertised, limit))
                if excess:
                    path, claimed, allowed = excess[0]
                    return (
                        f"{adapter} advertises {label} {describe(advertised)} beyond its members "
                        f"{[m.adapter for m in members]}: {path} = {claimed}, they can {allowed}"
                    )
            connection = record.connection_hardware
            if connection is not None and connection.Encapsulation:
                if can.connection_hardware is None:
                    return f"{adapter} advertises connection offload none of its members has"
                excess = list(capability_excess(connection, can.connection_hardware))
                if excess:
                    path, claimed, allowed = excess[0]
                    return f"{adapter} advertises connection offload {path} = {claimed} > {allowed}"
        return None


def _hardware_indication_pending(bus: Bus, src: str, dst: str, adapter: str) -> bool:
    return any(
        e.src == src
        and e.dst == dst
        and isinstance(e.message, StatusIndication)
        and e.message.adapter == adapter
        and e.message.indication.StatusCode == _HW
        for e in bus.pending()
    )


@attrs.define(eq=False)
class HardwareChangeBeforeSend(_MuxMonitor):
    """When a MUX's hardware capabilities for a virtual miniport change (a member added,
    removed, swapped or replaced), NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES is on its way
    before NDIS accepts another send from a protocol above, and it reaches that protocol before
    any later send of that protocol is accepted."""

    kinds: ClassVar[frozenset[str] | None] = frozenset({StatusIndication.KIND, Send.KIND})

    #: (protocol, adapter) pairs owed a hardware-capabilities indication NDIS has received.
    _owed: set[tuple[str, str]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message = envelope.message
        if isinstance(message, StatusIndication) and message.indication.StatusCode == _HW:
            adapter = message.adapter
            if (
                envelope.dst == _NDIS
                and self.team_of(adapter) is not None
                and self.ndis.indicates_to_protocols(adapter, envelope.src)
            ):
                # From the top of the team's stack (a filter module above the team may rewrite
                # or drop what the MUX indicated).
                record = self.ndis.adapters[adapter]
                self._owed |= {(p, adapter) for p in self.ndis._bound(record)}
            elif envelope.src == _NDIS:
                self._owed.discard((envelope.dst, adapter))
            return None
        if not (isinstance(message, Send) and envelope.dst == _NDIS):
            return None
        mux = self.team_of(message.adapter)
        if mux is None:
            return None
        adapter = message.adapter
        record = self.ndis.adapters[adapter]
        can = mux.capabilities(adapter)
        if (
            can is not None
            and mux.team_state(adapter) in _LIVE
            and can.hardware != record.hardware
            and not _hardware_indication_pending(bus, mux.name, _NDIS, adapter)
        ):
            return (
                f"{envelope.src} sent NBL {message.nbl.Id} on {adapter}, whose hardware "
                f"capabilities changed to {describe(can.hardware)} without "
                "NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES"
            )
        if (envelope.src, adapter) in self._owed and not _hardware_indication_pending(
            bus, _NDIS, envelope.src, adapter
        ):
            return (
                f"NDIS accepted NBL {message.nbl.Id} from {envelope.src} on {adapter} before "
                "giving it NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES"
            )
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        for mux, adapter in self.teams():
            record = self.ndis.adapters.get(adapter)
            if record is None or mux.team_state(adapter) not in _LIVE or record.state not in _LIVE:
                continue
            can = mux.capabilities(adapter)
            if can is not None and can.hardware != record.hardware:
                return (
                    f"{adapter}: the MUX can do {describe(can.hardware)} but never "
                    f"indicated it (NDIS holds {describe(record.hardware)})"
                )
        return None


@attrs.define(eq=False)
class NoCompletionAfterClose(_MuxMonitor):
    """No OID completes to a protocol (the MUX's protocol edge included) whose binding has
    closed, and no miniport (a virtual one included) completes an OID once halted.

    "Closed" and "halted" follow the deliveries (UnbindComplete reached NDIS, MiniportHaltEx
    reached the miniport), not NDIS's records, which the very delivery being checked may move.
    """

    kinds: ClassVar[frozenset[str] | None] = frozenset({Pnp.KIND, OidComplete.KIND})

    #: (protocol, adapter) whose UnbindComplete NDIS has received (until the next bind).
    _closed: set[tuple[str, str]] = attrs.field(factory=set)
    #: (miniport, adapter) that MiniportHaltEx was delivered to (until the next initialize).
    _halted: set[tuple[str, str]] = attrs.field(factory=set)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message: Any = envelope.message
        if isinstance(message, Pnp):
            op = message.operation
            if op is PnpOp.UnbindComplete and envelope.dst == _NDIS:
                self._closed.add((envelope.src, message.adapter))
            elif op is PnpOp.ProtocolBindAdapterEx:
                self._closed.discard((envelope.dst, message.adapter))
            elif op is PnpOp.MiniportHaltEx:
                self._halted.add((envelope.dst, message.adapter))
            elif op is PnpOp.MiniportInitializeEx:
                self._halted.discard((envelope.dst, message.adapter))
            return None
        if not isinstance(message, OidComplete):
            return None
        request_id = message.request.RequestId
        if envelope.src == _NDIS and (envelope.dst, message.adapter) in self._closed:
            return (
                f"request {request_id} completed to {envelope.dst} on {message.adapter} "
                "after its binding closed"
            )
        if envelope.dst == _NDIS and (envelope.src, message.adapter) in self._halted:
            return (
                f"{envelope.src} completed request {request_id} on {message.adapter} after "
                "MiniportHaltEx"
            )
        return None


@attrs.define(eq=False)
class MemberRespectsTeam(_MuxMonitor):
    """Once a member has joined a team (checked when the run is quiet), its current
    configuration, as NDIS shows it to the MUX, reflects the team's parameters narrowed by the
    member's hardware: a MUX re-applies the team's configuration to a member that joins later
    (N/using-the-tcp-ip-offload-administrator-interface.md: the administrator configures the
    team; spec A11; Linux ``netdev_sync_lower_features``).

    The team's parameters are NDIS's facts, not the MUX's bookkeeping: the keywords the virtual
    miniport was initialized with (``parameters_from_keywords``), composed with every
    OID_TCP_OFFLOAD_PARAMETERS set it completed successfully (``compose_parameters``).  After a
    failed set the members' configurations are whatever the clones left (the set failed), so the
    team is not judged until its next successful set or initialization.  A member is judged
    once, at the first quiet point after it joined: a later direct change of a member (by a
    protocol bound to it) is legal."""

    kinds: ClassVar[frozenset[str] | None] = frozenset({Pnp.KIND, OidComplete.KIND})

    #: team -> its parameters, None while undefined (after a failed set)
    _params: dict[str, NDIS_OFFLOAD_PARAMETERS | None] = attrs.field(factory=dict)
    #: team -> the members already judged since they joined
    _judged: dict[str, set[str]] = attrs.field(factory=dict)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        message: Any = envelope.message
        if isinstance(message, Pnp):
            if message.operation is PnpOp.MiniportInitializeEx and self.team_of(message.adapter):
                self._params[message.adapter] = parameters_from_keywords(dict(message.keywords))
            return None
        if not (isinstance(message, OidComplete) and envelope.dst == _NDIS):
            return None
        request = message.request
        team = message.adapter
        mux = self.team_of(team)
        if (
            mux is None
            or envelope.src != mux.name
            or request.Oid != Oid.OID_TCP_OFFLOAD_PARAMETERS
            or request.RequestType != NdisRequestType.NdisRequestSetInformation
            or not isinstance(request.InformationBuffer, NDIS_OFFLOAD_PARAMETERS)
        ):
            return None
        before = self._params.get(team)
        if message.status != NdisStatus.NDIS_STATUS_SUCCESS:
            self._params[team] = None
        elif before is not None:
            self._params[team] = compose_parameters(before, request.InformationBuffer)
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        for mux, team in self.teams():
            record = self.ndis.adapters.get(team)
            judged = self._judged.setdefault(team, set())
            members = set(mux.aggregated(team)) if record is not None else set()
            judged &= members  # one that left is judged again when it rejoins
            params = self._params.get(team)
            if params is None or record is None or record.state not in _LIVE:
                continue
            for name in sorted(members - judged):
                judged.add(name)
                view = self.ndis.top_view(name) if name in self.ndis.adapters else None
                if view is None or view.current is None or view.hardware is None:
                    continue
                fitted = fit_parameters(params, view.hardware, view.connection_hardware)
                result = apply_offload_parameters(
                    view.current, view.hardware, fitted, HardwarePolicy.CLAMP
                )
                if result.changed:
                    return (
                        f"{name} joined {team} with a current configuration that does not "
                        f"reflect the team's parameters: {', '.join(result.changed[:3])}"
                    )
        return None


def mux_monitors(ndis: NdisLibrary, muxes: Callable[[], Sequence[MuxDriver]]) -> list[Any]:
    """The MUX monitors, in a fixed order."""
    return [
        AdvertisedWithinMembers(
            "mux-advertised-within-members",
            "N/ndis-status-task-offload-hardware-capabilities.md",
            "once indicated, what a MUX virtual miniport advertises never exceeds what the "
            "members it aggregates can do",
            ndis,
            muxes,
        ),
        HardwareChangeBeforeSend(
            "mux-hardware-change-before-send",
            "N/using-the-tcp-ip-offload-administrator-interface.md",
            "a MUX reports NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES when its adapters "
            "change, and each protocol above gets it before it sends again",
            ndis,
            muxes,
        ),
        NoCompletionAfterClose(
            "no-oid-completion-after-close",
            "N/intermediate-driver-unbinding-operations.md",
            "no OID completes after its binding closed or its miniport halted",
            ndis,
            muxes,
        ),
        MemberRespectsTeam(
            "mux-member-respects-team",
            "N/using-the-tcp-ip-offload-administrator-interface.md",
            "a member that joined a team has the team's parameters, narrowed by its hardware",
            ndis,
            muxes,
        ),
    ]
