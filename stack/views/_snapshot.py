"""A frozen picture of a stack at one moment, taken from a run's live objects.

Every view (PowerShell tables, ethtool lines, the binding topology) renders a ``StackSnapshot``;
nothing in the renderers touches a live driver.  The snapshot reads only public inspection
surfaces: NDIS's adapter records (``stack.ndis.adapters``), the registry, the miniports'
``current`` and ``receive_offloads()``, and each protocol's ``view(adapter)``.

Membership.  For ``stack.drivers.mux.Mux`` the MUX says it (``Mux.team``: the configured members
in team order, which are joined, which one is active, and each member's role).  For any other
actor that plays a miniport it is derived from the topology NDIS holds: an actor that plays the
miniport of adapter V and is bound as a protocol to adapters X and Y makes V a *virtual* adapter
whose members are X and Y (in declaration order), all of them in use.

Operational state, per feature (``stack.views._features``):

* off unless the adapter handles sends and receives (Running or Pausing, not surprise removed);
* a receive feature of a physical miniport runs when ``receive_offloads()`` lists it: the receive
  gate of OID_OFFLOAD_ENCAPSULATION (N/oid-offload-encapsulation.md) and the
  EncapsulatedPacketTaskOffload SET_ON rule (N/querying-and-changing-nvgre-task-offload-state.md);
* a receive feature of a virtual adapter runs when its own configuration has it and at least one
  of its members runs it (receives reach the virtual miniport through a member);
* LSO on NVGRE/VXLAN packets (``Feature.gated_by``) runs when configured and its task offload's
  gate is open, the same rule as the receive side;
* any other transmit feature runs as the miniport's own current configuration says (a MUX
  covers its members' gaps in software, so the virtual adapter's configuration is what it
  runs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from stack.drivers import Miniport
from stack.drivers.mux import Mux, MuxMode
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    FilterModuleState,
    MiniportAdapterState,
    ProtocolBindingState,
    current_config_from_keywords,
    filter_accepts_oid_requests,
    miniport_handles_send_and_receive,
)
from stack.runtime import NdiParam
from stack.scenario import Failure, RunResult
from stack.views._features import FEATURES, feature_states

__all__ = [
    "TOP_LAYER",
    "AdapterSnapshot",
    "AtPoint",
    "FeatureState",
    "LayerSnapshot",
    "ProtocolView",
    "StackSnapshot",
    "at_layer",
    "snapshot",
]


@attrs.frozen(kw_only=True)
class FeatureState:
    """One feature of one adapter, from every source (``stack.views._features``)."""

    hardware: bool
    requested: bool
    current: bool
    miniport: bool
    operational: bool


@attrs.frozen(kw_only=True)
class ProtocolView:
    """One binding of one protocol to one adapter, and what the protocol believes."""

    protocol: str
    #: The driver's class (``TcpIpProtocol``), for the topology views.
    driver: str
    binding: ProtocolBindingState
    #: Whether the protocol keeps an offload view at all (ndisprot keeps none).
    keeps_view: bool
    current: NDIS_OFFLOAD | None
    #: This open's last successful OID_OFFLOAD_ENCAPSULATION set, as NDIS keeps it.
    encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None


@attrs.frozen(kw_only=True)
class LayerSnapshot:
    """One layer of an adapter's stack below the protocols (``Stack.layers``): the miniport or
    a filter module, and what it reports to the layer above it (a filter's attach parameters as
    it returned them, then its indications; N/filter-module-states-of-a-filter-driver.md)."""

    #: The actor playing it: the miniport (a MUX for its virtual adapters) or the filter driver.
    name: str
    #: ``miniport`` or ``filter``.
    kind: str
    #: The driver's class (``PassthroughFilter``), for the topology views.
    driver: str
    #: MiniportAdapterState or FilterModuleState, by value.
    state: str
    #: The filter module's INF FilterClass; None for the miniport.
    filter_class: str | None
    current: NDIS_OFFLOAD | None
    hardware: NDIS_OFFLOAD | None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None


@attrs.frozen(kw_only=True)
class AdapterSnapshot:
    name: str
    #: The actor that plays this adapter's miniport (a MUX plays its virtual adapters).
    miniport: str
    #: ``physical`` (a NIC) or ``virtual`` (a MUX's virtual miniport), as NDIS registered it.
    kind: str
    description: str
    state: MiniportAdapterState
    surprise_removed: bool
    #: For a virtual adapter: its members (team order); ``active_members`` the ones that carry
    #: traffic now (the active one of a failover team, the joined ones of a team); each member's
    #: role as the MUX sees it (``active``, ``standby``, ``member``, ``joining``, ``out``).
    members: tuple[str, ...]
    active_members: tuple[str, ...]
    member_roles: Mapping[str, str]
    #: The virtual adapters this adapter is a member of.
    member_of: tuple[str, ...]
    hardware: NDIS_OFFLOAD | None
    current: NDIS_OFFLOAD | None
    miniport_current: NDIS_OFFLOAD | None
    requested: NDIS_OFFLOAD | None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None
    keywords: tuple[tuple[str, str], ...]
    params: tuple[NdiParam, ...]
    #: The receive offloads that run (member paths), when the miniport reports them.
    receive_gate: frozenset[str] | None
    #: The miniport's effective encapsulation after the last successful set, if it reports it.
    encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None
    protocols: tuple[ProtocolView, ...]
    features: Mapping[str, FeatureState]
    #: The stack below the protocols, from the miniport up (the miniport, then each filter
    #: module in its place, attached or not).
    layers: tuple[LayerSnapshot, ...] = ()
    #: The layer whose view ``hardware``/``current`` are (``at_layer``); "" for NDIS's record of
    #: the miniport edge, which is what the cmdlets read.
    layer: str = ""

    @property
    def filters(self) -> tuple[LayerSnapshot, ...]:
        """The filter modules of the stack, from the miniport up."""
        return tuple(layer for layer in self.layers if layer.kind == "filter")

    @property
    def running(self) -> bool:
        return miniport_handles_send_and_receive(self.state) and not self.surprise_removed

    def param(self, keyword: str) -> NdiParam | None:
        folded = keyword.casefold()
        return next((p for p in self.params if p.keyword.casefold() == folded), None)


#: ``at_layer`` name for the top of the stack: the view NDIS gives the protocols.
TOP_LAYER = "top"


def at_layer(adapter: AdapterSnapshot, name: str) -> AdapterSnapshot | None:
    """``adapter`` as the layer above layer ``name`` sees it: hardware capabilities and current
    configuration from what ``name`` reports upward (``top``: the top attached layer's, which
    the protocols see); the registry, the miniport's own configuration and what runs stay.
    None if ``name`` is not a layer of ``adapter``'s stack."""
    if name == TOP_LAYER:
        attached = [
            layer
            for layer in adapter.layers
            if layer.kind == "miniport"
            or filter_accepts_oid_requests(FilterModuleState(layer.state))
        ]
        chosen = attached[-1] if attached else None
    else:
        chosen = next((layer for layer in adapter.layers if layer.name == name), None)
    if chosen is None:
        return None
    hardware_on = feature_states(chosen.hardware)
    current_on = feature_states(chosen.current)
    features = {
        key: attrs.evolve(state, hardware=hardware_on[key], current=current_on[key])
        for key, state in adapter.features.items()
    }
    return attrs.evolve(
        adapter,
        hardware=chosen.hardware,
        current=chosen.current,
        connection_hardware=chosen.connection_hardware,
        connection_current=chosen.connection_current,
        features=features,
        layer=chosen.name if name != TOP_LAYER else TOP_LAYER,
    )


@attrs.frozen(kw_only=True)
class AtPoint:
    """Where a snapshot was taken: after trace line ``seq``, the delivery ``delivery``."""

    seq: int
    delivery: Mapping[str, Any]


@attrs.frozen(kw_only=True)
class StackSnapshot:
    scenario: str
    seed: int
    strategy: str
    #: None: the end of the run.
    at: AtPoint | None
    #: The run's failure, if it failed before the snapshot point.
    failure: Failure | None
    #: Trace lines written up to the snapshot.
    trace_lines: int
    ticks: int
    adapters: tuple[AdapterSnapshot, ...]
    #: For a state replayed from a tape: where the replay stopped matching it ("" if never).
    divergence: str = ""

    def adapter(self, name: str) -> AdapterSnapshot:
        for adapter in self.adapters:
            if adapter.name == name:
                return adapter
        known = ", ".join(a.name for a in self.adapters) or "none"
        raise BadInput(f"no adapter named {name!r} in scenario {self.scenario} (adapters: {known})")


@attrs.frozen
class _Team:
    members: tuple[str, ...]
    active: tuple[str, ...]
    roles: Mapping[str, str]
    current: NDIS_OFFLOAD | None
    encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None


def _mux_team(mux: Mux, adapter: str) -> _Team | None:
    if adapter not in mux.teams:
        return None
    team = mux.team(adapter)
    active: tuple[str, ...]
    if team.mode is MuxMode.FAILOVER:
        active = (team.active,) if team.active else ()
    else:
        active = team.joined
    roles = {}
    for member in team.members:
        try:
            roles[member] = getattr(mux.view(member), "role", "")
        except BadInput:
            roles[member] = "out"
    return _Team(team.members, active, roles, team.current, team.upper_encapsulation)


def _protocol_views(result: RunResult, record: Any) -> tuple[ProtocolView, ...]:
    names = list(record.protocols) + [p for p in record.bindings if p not in record.protocols]
    views = []
    for protocol in names:
        driver = result.stack.drivers.get(protocol)
        view_of = getattr(driver, "view", None)
        current: NDIS_OFFLOAD | None = None
        if callable(view_of):
            try:
                view = view_of(record.name)
            except (BadInput, KeyError, LookupError):
                view = None
            maybe = getattr(view, "current", None)
            current = maybe if isinstance(maybe, NDIS_OFFLOAD) else None
        views.append(
            ProtocolView(
                protocol=protocol,
                driver=type(driver).__name__ if driver is not None else "?",
                binding=record.bindings.get(protocol, ProtocolBindingState.Unbound),
                keeps_view=callable(view_of),
                current=current,
                encapsulation=record.encapsulation_by_open.get(protocol),
            )
        )
    return tuple(views)


def _keywords(
    result: RunResult, adapter: str
) -> tuple[tuple[tuple[str, str], ...], tuple[Any, ...]]:
    try:
        keys = result.stack.registry.adapter(adapter)
    except (BadInput, KeyError):
        return (), ()
    return keys.keywords(), keys.params()


def snapshot(
    result: RunResult, *, at: AtPoint | None = None, failure: Failure | None = None
) -> StackSnapshot:
    """The state of ``result``'s stack now (after the run, or where it was stopped)."""
    stack = result.stack
    records = stack.ndis.adapters
    bound_to: dict[str, list[str]] = {}
    for record in records.values():
        for protocol in record.protocols:
            bound_to.setdefault(protocol, []).append(record.name)

    teams: dict[str, _Team] = {}
    for record in records.values():
        driver = stack.drivers.get(record.miniport)
        if not record.virtual:
            continue
        team = _mux_team(driver, record.name) if isinstance(driver, Mux) else None
        if team is None:
            found = tuple(bound_to.get(record.miniport, ()))
            team = _Team(found, found, {}, None, None)
        teams[record.name] = team
    members = {name: team.members for name, team in teams.items()}
    active = {name: team.active for name, team in teams.items()}
    member_of: dict[str, list[str]] = {}
    for virtual, names in members.items():
        for name in names:
            member_of.setdefault(name, []).append(virtual)

    built: dict[str, AdapterSnapshot] = {}

    def build(name: str, seen: frozenset[str]) -> AdapterSnapshot:
        if name in built:
            return built[name]
        record = records[name]
        driver = stack.drivers.get(record.miniport)
        # NDIS's record says which adapters are NICs (a MUX's are registered virtual).
        physical = not record.virtual
        keywords, params = _keywords(result, name)
        requested = (
            current_config_from_keywords(record.hardware, dict(keywords))
            if record.hardware is not None
            else None
        )
        gate: frozenset[str] | None = None
        if isinstance(driver, Miniport):
            miniport_current = driver.current
            gate = driver.receive_offloads()
            encapsulation = driver.encapsulation
            description = driver.profile.name
        elif physical:
            # Another miniport model: only what NDIS knows of it.
            miniport_current = record.current
            encapsulation = None
            description = f"miniport ({type(driver).__name__})"
        else:
            team = teams[name]
            miniport_current = team.current if team.current is not None else record.current
            encapsulation = team.encapsulation
            description = f"virtual miniport ({type(driver).__name__} {record.miniport})"
        member_snaps = [
            build(m, seen | {name})
            for m in active.get(name, ())
            if m in records and m not in seen and m != name
        ]
        running = miniport_handles_send_and_receive(record.state) and not record.surprise_removed
        hardware_on = feature_states(record.hardware)
        requested_on = feature_states(requested)
        current_on = feature_states(record.current)
        miniport_on = feature_states(miniport_current)
        features = {}
        for feature in FEATURES:
            key = feature.id
            if not running:
                operational = False
            elif feature.gate_path is not None and gate is not None:
                operational = feature.gate_path in gate and (
                    feature.gated_by is None or miniport_on[key]
                )
            elif feature.gate_path is not None and not physical and member_snaps:
                operational = miniport_on[key] and any(
                    m.features[key].operational for m in member_snaps
                )
            else:
                operational = miniport_on[key]
            features[key] = FeatureState(
                hardware=hardware_on[key],
                requested=requested_on[key],
                current=current_on[key],
                miniport=miniport_on[key],
                operational=operational,
            )
        layers = tuple(
            LayerSnapshot(
                name=layer.name,
                kind=layer.kind,
                driver=type(stack.drivers.get(layer.name)).__name__,
                state=layer.state,
                filter_class=layer.filter_class,
                current=layer.view.current,
                hardware=layer.view.hardware,
                connection_current=layer.view.connection_current,
                connection_hardware=layer.view.connection_hardware,
            )
            for layer in stack.layers(name)
        )
        snap = AdapterSnapshot(
            name=name,
            miniport=record.miniport,
            kind="physical" if physical else "virtual",
            description=description,
            state=record.state,
            surprise_removed=record.surprise_removed,
            members=members.get(name, ()),
            active_members=active.get(name, ()),
            member_roles=teams[name].roles if name in teams else {},
            member_of=tuple(member_of.get(name, ())),
            hardware=record.hardware,
            current=record.current,
            miniport_current=miniport_current,
            requested=requested,
            connection_hardware=record.connection_hardware,
            connection_current=record.connection_current,
            keywords=keywords,
            params=params,
            receive_gate=gate,
            encapsulation=encapsulation,
            protocols=_protocol_views(result, record),
            features=features,
            layers=layers,
        )
        built[name] = snap
        return snap

    for name in records:
        build(name, frozenset())
    return StackSnapshot(
        scenario=result.scenario.name,
        seed=result.seed,
        strategy=result.strategy,
        at=at,
        failure=failure,
        trace_lines=len(result.trace.records),
        ticks=stack.bus.now,
        adapters=tuple(_ordered(built, members, list(records))),
    )


def _ordered(
    built: Mapping[str, AdapterSnapshot],
    members: Mapping[str, Sequence[str]],
    declared: Sequence[str],
) -> list[AdapterSnapshot]:
    """Virtual adapters first, each followed by its members; then the rest, as declared.

    Users compare a team adapter with its members row by row (Get-NetAdapter* on an LBFO team).
    """
    order: list[str] = []
    for name in declared:
        if members.get(name):
            for item in (name, *members[name]):
                if item not in order and item in built:
                    order.append(item)
    order += [name for name in declared if name not in order]
    return [built[name] for name in order]
