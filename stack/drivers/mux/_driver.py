"""A MUX intermediate driver: teams and failover over several NICs (spec 5.5, issue 4).

Theory of operation
-------------------
One actor plays both edges of the driver, as the WDK MUX sample's one driver does
(microsoft/Windows-driver-samples network/ndis/mux/driver/60: ``protocol.c`` is the lower edge,
``miniport.c`` the upper one, ``mux.h`` the ADAPT/VELAN records):

* its **protocol edge** binds to the member adapters (``nic0``, ``nic1`` ...), one ``_Member``
  per lower binding (the sample's ADAPT), with the binding state machine of ``BindingTable``;
* its **virtual miniports** (``team0`` ...) are miniports to NDIS, with their own offload
  attributes, to which protocols bind (one ``_Team`` each, the sample's VELAN, but 1:n).

Every message carries its adapter, so the edge is known from the message: a ``Pnp`` for a team is
the miniport edge (MiniportInitializeEx ...), for a member the protocol edge
(ProtocolBindAdapterEx ...); an ``OidRequest``/``Send`` from NDIS is always for a team, an
``OidComplete``/``StatusIndication``/``SendComplete``/``Receive`` always from a member.

Membership. A team is configured with an ordered member list (team order = rank). A configured
member *joins* when its binding is Running, its hardware capabilities are known and the upper-level
configuration has been re-applied to it (below); it *leaves* when its binding is paused (a surprise
removal, a disable, a restart: NDIS pauses the binding first) or when the administrator removes or
replaces it (``replace-member`` is make before break: the new member takes the old one's rank and
role in the step it joins, so the capabilities change once). In failover mode one joined member is
active: the first in team order (with link) until the virtual miniport starts, then whatever an
administrative swap chose; when it leaves or loses its link (rule 9), the next joined member in
team order with link takes over, and a member that comes back stands by unless ``failback``. The
MUX asks NDIS to initialize a virtual miniport (NdisIMInitializeDeviceInstanceEx,
D/ndis/nf-ndis-ndisiminitializedeviceinstanceex.md; here an ``AdapterControl(team, "enable")``)
once every member it was configured with has joined, as the sample does from its bind handler
(``PtBootStrapVElans``). A team that loses its last member stays up and advertises nothing (an LBFO
team without members): calling NdisIMDeInitializeDeviceInstance on unbind is optional
(N/intermediate-driver-unbinding-operations.md), and keeping the miniport lets a later member bring
the protocols' bindings back to life without a rebind.

What a virtual miniport advertises: ``_rules`` (by default LBFO over every joined member: transmit
offloads if all have them, receive offloads if any has, no chimney; ``advertises="active"`` the
active member, ``"intersection"`` the strict meet).  Every change of the aggregated members is
*published*: NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES when the hardware capabilities change
(and NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES when the chimney ones do), then
NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG with the new current configuration.  When the hardware
shrinks, the offloads it loses are first withdrawn with a CURRENT_CONFIG (the old configuration met
with the new hardware), so that NDIS never holds a current configuration beyond the hardware
capabilities (spec 7.2 item 1) between the two indications
(N/using-the-tcp-ip-offload-administrator-interface.md,
N/ndis-status-task-offload-hardware-capabilities.md,
N/ndis-status-tcp-connection-offload-hardware-capabilities.md); a change of the
chimney current configuration goes as NDIS_STATUS_OFFLOAD_PAUSE ... NDIS_STATUS_OFFLOAD_RESUME
(D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md).

Rules this driver keeps, each decided here and cited where it is implemented:

1. *No indication while initializing or halted; replay the latest state.*  Between
   MiniportInitializeEx and its completion, and after MiniportHaltEx, a change is not indicated
   (the sample's ``PtStatus`` skips a VELAN with ``MiniportInitPending`` or ``MiniportHalting``);
   it is remembered (``suppressed``) and the initialization attributes are computed when the
   initialization completes, so they carry the latest state (the replay; behaviour 16, bug class
   2 is the sample snapshotting too early).
2. *Only effective changes, no ping-pong.*  A member's indication updates what the MUX knows and
   the aggregate is compared with what was last indicated; only a difference is indicated.  The
   MUX never sends an OID down in reaction to an indication from below (the Linux bond/team
   recursion of bug class 7), and while a set it sent down is in flight, the echoes of that set
   only update the members' records: the virtual miniport's current configuration is indicated
   once, when the set completes (a hardware change is still indicated at once).  ``_publishing``
   is the re-entrancy guard.
3. *OIDs at the virtual miniport* (spec 5.5,
   N/responding-to-sets-and-queries-in-an-intermediate-driver.md): the query OIDs are NDIS's;
   ``OID_TCP_OFFLOAD_PARAMETERS`` and ``OID_OFFLOAD_ENCAPSULATION`` sets are validated against what
   the virtual miniport advertises, recorded as the upper-level configuration, and fanned out as
   clones (the original RequestId, the MUX as RequestHandle) to every member, each narrowed to that
   member's hardware (``_rules.fit_parameters``); any other OID goes as a clone to the active
   member (team: the first joined member). A fanned-out set completes upward when every clone has
   completed *and* the member has indicated the change the set requires
   (N/oid-tcp-offload-parameters.md), with ``_rules.aggregate_status`` over the clones of the
   members still in the team at that moment (a member that left no longer speaks for the team; its
   clone is still awaited, because its binding cannot close before it completes). Then the new
   current configuration is indicated and the request completed (A1 order; the other legal order is
   the fault site ``mux.complete.order``).
4. *Cancel* by the original RequestId: ``MiniportCancelOidRequest`` on the virtual miniport becomes
   ``NdisCancelOidRequest(member, RequestId)`` for every clone still pending
   (D/ndis/nc-ndis-miniport_cancel_oid_request.md; behaviour 21, bug class 5).
5. *Nothing completes after its member was unbound*: a member's unbind waits for the MUX's
   outstanding requests on it (``BindingTable``, behaviour 19), so every clone's completion
   arrives while the binding is open; an upper request is completed only from those completions.
6. *A forwarded OID still pending at swap time* is resolved the same way every time: it stays with
   the members it was forwarded to (a swap moves the data path and the advertised capabilities,
   never a request in flight); it completes by rule 3, and the configuration it leaves behind is
   published by rule 2, so the outcome does not depend on whether the swap or a clone's completion
   came first.  The upper-level configuration records the set when the MUX accepts it, so a member
   that joins meanwhile is given it too.
7. *Re-apply to a member that joins later*: the recorded upper-level parameters (narrowed to its
   hardware) and encapsulation are set on it before it joins, when they would change it
   (spec A11; Linux ``netdev_sync_lower_features`` pushes the upper device's disables down the
   same way).
8. *Sends*: a send asking for segmentation beyond what the virtual miniport last indicated is
   failed (spec 5.1 "capability shrink", spec 7.2 item 14: after the change the driver fails
   such sends, and the transport re-sends under the new configuration), and so is one a member
   completes after the virtual miniport withdrew the offload it asks for; otherwise it goes to
   the active member (team: round robin in team order) fitted by ``_rules.fit_send`` (cut into
   what the member can take, checksums the member has off done in software), so no member is ever
   handed more than its own MaxOffLoadSize or an offload it has off
   (N/offloading-the-segmentation-of-large-tcp-packets.md).  Decision: fail at the virtual
   miniport's level, segment at the member's level -- the first is the documented miniport
   behaviour the team owes the protocols above, the second a fallback they never see.  With no
   member to carry it a send fails (NDIS_STATUS_FAILURE).  Receives go up from the active member
   (team: every joined member), their checksum result only once a protocol has activated it on
   the virtual miniport (N/oid-offload-encapsulation.md).
9. *Link state* (N/ndis-status-link-state.md; the WDK sample's ``PtStatus`` handles exactly
   NDIS_STATUS_LINK_STATE).  A member's link is the MediaConnectState of its bind parameters,
   then of its NDIS_STATUS_LINK_STATE indications (Unknown counts as link).  A member without
   link stays joined -- its capabilities still count, as an LBFO team member's do -- but carries
   no traffic: a failover team whose active member loses its link fails over to the first joined
   member in team order that has link (none: the role stays and sends fail), a team spreads its
   sends over the members with link only.  ``failback`` (default False, the role is sticky)
   gives the role back to a member earlier in team order when it regains link or rejoins.  The
   virtual miniport has link while any joined member has, and indicates NDIS_STATUS_LINK_STATE
   up on a change (not while it may not indicate, rule 1).
10. *A member whose capabilities could not be read does not join.*  When the
    OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES query at bind fails (NDIS_STATUS_NOT_ACCEPTED: the NIC
    is being surprise-removed, N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-
    versions-.md), the member stays out: joining with no hardware capabilities would advertise
    its current configuration beyond the hardware (spec 7.2 item 1).  The WDK MUX sample closes a
    binding it cannot set its VELANs up on (``PtBindAdapter``: "the driver cannot create velan for
    the binding ... Close the binding").  Here the binding stays open (NDIS unbinds a removed NIC
    next); a later NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES indication, or the query asked
    again at the member's next NetEventRestart, lets it join.

Fault-injection sites (``ctx.decide``; 0 is always the plain behaviour): ``mux.swap.delay``
(an administrative swap happens now, or 1-2 ticks later), ``mux.init.delay`` (the virtual
miniport's initialization completes at once or 1-2 ticks later, widening the window of rule 1),
``mux.complete.order`` (rule 3: indicate then complete, or complete then indicate).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final, Protocol

import attrs

from stack.drivers._base import (
    DriverContext,
    command_args,
    enum_option,
    hardware_policy_option,
)
from stack.drivers._edges import Binding, MiniportEdge
from stack.drivers.mux._base import MuxDriver
from stack.drivers.mux._rules import (
    EMPTY_OFFLOAD,
    Advertises,
    MemberCapabilities,
    MuxMode,
    PublishAction,
    TeamCapabilities,
    aggregate,
    aggregate_status,
    aggregated_members,
    compose_parameters,
    describe,
    fit_parameters,
    fit_send,
    plan_publication,
    send_exceeds,
)
from stack.errors import BadInput
from stack.ndis import (
    NDIS_LINK_STATE,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_NO_CHANGE,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    Answer,
    HardwarePolicy,
    MiniportAdapterState,
    MiniportAdapterStatus,
    NdisRequestType,
    NdisStatus,
    Oid,
    ProtocolBindingState,
    apply_offload_parameters,
    binding_handles_send_and_receive,
    binding_may_issue_oid_requests,
    cache_slot_of,
    encapsulation_result,
    is_all_no_change,
    link_state,
    merge_encapsulation,
    miniport_handles_send_and_receive,
    oid_row,
    parameters_from_keywords,
)
from stack.runtime import (
    NDIS_BIND_PARAMETERS,
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    NET_BUFFER_LIST,
    Command,
    PnpOp,
    Receive,
)

__all__ = ["MemberView", "Mux", "MuxContext", "MuxStats", "OwnRequest", "TeamView"]

_S: Final = NdisStatus
#: RequestIds of the requests the MUX originates itself (capability queries, re-application),
#: far from the small ids protocols and the administrator use, so that a clone (which keeps its
#: originator's id) and an own request never share an id on one binding.
_OWN_REQUEST_BASE: Final = 0x4D550000
_CONNECTION_MEMBERS: Final = ("TcpConnectionIPv4", "TcpConnectionIPv6")
_CONNECTION_ENABLED: Final = NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_ENABLED


class MuxContext(DriverContext, Protocol):
    """Kept for older driver models: the MUX's handlers take a plain ``DriverContext``, which
    has ``decide`` (0 is always the plain behaviour)."""

    def decide(self, site: str, count: int) -> int: ...


class OwnRequest(enum.Enum):
    """Why the MUX issued a request of its own on a member binding (``Mux.issue_own``); the
    completion is handled by purpose."""

    #: OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES at bind (NDIS_BIND_PARAMETERS does not carry it).
    HARDWARE = "hardware"
    #: OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES at bind.
    CONNECTION_HARDWARE = "connection-hardware"
    #: The team's parameters set on a member (rule 7); a failure is noted.
    REAPPLY_PARAMETERS = "reapply-parameters"
    #: The team's encapsulation set on a member (rule 7).
    REAPPLY_ENCAPSULATION = "reapply-encapsulation"


# -- inspection values ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MuxStats:
    """Counters over the whole driver (``Mux.stats()``)."""

    sends_forwarded: int
    #: Upper sends the MUX had to cut or strip for the member that carried them.
    sends_fitted: int
    #: Upper sends failed because they asked for more than the virtual miniport advertised.
    sends_refused: int
    #: Upper sends failed because the team had no member to carry them.
    sends_without_member: int
    #: Upper sends a member completed after the virtual miniport withdrew the offload they ask
    #: for, reported failed (rule 8 at completion).
    sends_withdrawn: int
    indications: int
    indications_suppressed: int


@attrs.frozen(kw_only=True)
class TeamView:
    """One virtual miniport as the MUX sees it."""

    adapter: str
    mode: MuxMode
    state: MiniportAdapterState
    #: Configured members, in team order.
    members: tuple[str, ...]
    joined: tuple[str, ...]
    active: str | None
    #: The members whose capabilities are advertised (``_rules.aggregated_members``).
    aggregated: tuple[str, ...]
    #: What the virtual miniport last advertised (attributes or indications); None before init.
    advertised: TeamCapabilities | None
    #: What its aggregated members can do now (differs from ``advertised`` only while a change
    #: is suppressed or deferred).
    capabilities: TeamCapabilities
    upper_parameters: NDIS_OFFLOAD_PARAMETERS
    upper_encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None
    request_pending: bool
    sends_in_flight: int
    #: The link state the virtual miniport last indicated: connected while any joined member has
    #: link.
    link_up: bool = True

    @property
    def hardware(self) -> NDIS_OFFLOAD | None:
        return self.advertised.hardware if self.advertised else None

    @property
    def current(self) -> NDIS_OFFLOAD | None:
        return self.advertised.current if self.advertised else None


@attrs.frozen(kw_only=True)
class MemberView:
    """One lower binding as the MUX sees it (``current`` is what NDIS told the MUX)."""

    adapter: str
    team: str | None
    binding: ProtocolBindingState
    #: ``active``, ``standby``, ``member`` (team mode), ``joining``, ``out`` (configured, not
    #: usable now) or ``spare`` (bound, in no team).
    role: str
    hardware: NDIS_OFFLOAD | None
    current: NDIS_OFFLOAD | None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None
    encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None
    sends: int
    #: The member's link as the MUX last heard it.
    link_up: bool = True


# -- live records --------------------------------------------------------------------------------


@attrs.define(eq=False)
class _Member:
    adapter: str
    team: str | None = None
    bound: bool = False
    #: NetEventPause (or unbind) seen since the last NetEventRestart: not usable.
    out: bool = True
    joined: bool = False
    hardware: NDIS_OFFLOAD | None = None
    current: NDIS_OFFLOAD | None = None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    #: The effective OID_OFFLOAD_ENCAPSULATION after the MUX's successful sets on this binding.
    encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None = None
    #: Own requests outstanding on this binding: RequestId -> purpose.
    own: dict[int, str] = attrs.field(factory=dict)
    #: Re-application in progress: the indication its parameters set requires, if still owed.
    echo_owed: int | None = None
    #: Its hardware capabilities could not be read (rule 10): it does not join until they are.
    unreadable: bool = False
    #: Set by ``replace-member``: the member this one takes the place of when it joins.
    replaces: str | None = None
    sends: int = 0
    #: The member's link (NDIS_STATUS_LINK_STATE; MediaConnectState at bind): a member without
    #: link stays in the team but carries no traffic.
    link_up: bool = True

    @property
    def known(self) -> bool:
        """Both capability sets are known (the queries at bind have completed)."""
        return (
            self.hardware is not None
            and self.current is not None
            and not {"hardware", "connection-hardware"} & set(self.own.values())
        )

    def capabilities(self) -> MemberCapabilities:
        assert self.hardware is not None and self.current is not None
        return MemberCapabilities(
            adapter=self.adapter,
            hardware=self.hardware,
            current=self.current,
            connection_hardware=self.connection_hardware,
            connection_current=self.connection_current,
        )

    def offload_usable(self, ip: int) -> NDIS_OFFLOAD | None:
        """The configuration sends may use: none before the encapsulation set turned it on for
        that IP version (N/oid-offload-encapsulation.md)."""
        enc = self.encapsulation
        if enc is None or self.current is None:
            return None
        block = enc.IPv6 if ip == 6 else enc.IPv4
        return self.current if block.Enabled == NDIS_OFFLOAD_SET_ON else None


@attrs.define(eq=False)
class _Clone:
    member: str
    request: NDIS_OID_REQUEST
    status: int | None = None
    result: NDIS_OID_REQUEST | None = None
    #: The indication the member owes for this set before it counts as done (None: nothing).
    echo: int | None = None


@attrs.define(eq=False)
class _Forward:
    """One upper request in flight below (the sample's MUX_NDIS_REQUEST, refcounted by clones)."""

    request: NDIS_OID_REQUEST
    config: bool
    clones: dict[str, _Clone] = attrs.field(factory=dict)
    cancelled: bool = False

    def done(self) -> bool:
        return all(c.status is not None and c.echo is None for c in self.clones.values())


@attrs.define(eq=False)
class _UpperSend:
    nbl: NET_BUFFER_LIST
    member: str
    pieces: set[str]
    status: int = _S.NDIS_STATUS_SUCCESS


@attrs.define(eq=False)
class _Team:
    adapter: str
    mode: MuxMode
    members: list[str]
    #: The virtual miniport's edge (``MuxDriver.miniport_edges``).
    edge: MiniportEdge
    started: bool = False
    init_pending: bool = False
    #: The ``init-done`` timer is still running (``init_latency`` / ``mux.init.delay``).
    init_timer: bool = False
    active: str | None = None
    advertised: TeamCapabilities | None = None
    suppressed: bool = False
    upper_params: NDIS_OFFLOAD_PARAMETERS = attrs.field(factory=NDIS_OFFLOAD_PARAMETERS)
    upper_encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None = None
    rx_gate: bool = False
    forward: _Forward | None = None
    sends: dict[str, _UpperSend] = attrs.field(factory=dict)
    round_robin: int = 0
    #: The link state the virtual miniport last indicated (connected until it says otherwise).
    link_up: bool = True

    @property
    def status(self) -> MiniportAdapterStatus:
        return self.edge.status


def _not_for_the_driver(oid: int, *, is_query: bool) -> bool:
    """Whether the OID table says no driver answers this direction of ``oid`` (NDIS does, or
    nobody): a virtual miniport handed one completes it NOT_SUPPORTED (spec 7.2 item 7); an OID
    outside the table goes on to a member."""
    row = oid_row(oid)
    return row is not None and row.answer(is_query) is not Answer.DRIVER


def _status_name(status: int) -> str:
    try:
        return NdisStatus(status).name
    except ValueError:
        return f"0x{status:08X}"


# -- the driver ----------------------------------------------------------------------------------


# Named converters (the attrs mypy plugin accepts only named functions as converters).
def _advertises(value: Advertises | str) -> Advertises:
    return enum_option(Advertises)(value)


# Options are converted and validated as the scenario passes them (``__init__``); the driver's
# own state changes on every message, and attrs' per-assignment hook would cost each of them.
@attrs.define(eq=False, on_setattr=attrs.setters.NO_OP)
class Mux(MuxDriver):
    """The MUX intermediate driver actor, on ``MuxDriver``.  Add virtual miniports with
    ``add_team`` before the stack starts (``Stack.add_mux`` / ``Stack.mux`` do it and wire NDIS).

    Besides the NDIS callbacks, a model of a MUX that does one thing differently may override
    ``initialization_capabilities`` (what a virtual miniport reports when its initialization
    completes), ``indication_answers_set`` (which member indication a set it passed down waits
    for) and ``forward_completed`` (a request it passed down has completed upward), and
    use ``issue_own`` (a request of the MUX's own on a member binding), ``member``/``team``
    (views) and ``forwarded_set_pending``.
    """

    name: str = "mux"
    #: What a virtual miniport advertises of its members (``_rules`` docstring): ``lbfo`` (the
    #: default, Windows NIC Teaming), ``active`` (failover: the active member) or
    #: ``intersection`` (the strict meet).
    advertises: Advertises = attrs.field(default=Advertises.LBFO, converter=_advertises)
    #: Failover: a member that regains link (or rejoins) and comes before the active member in
    #: team order takes the active role back.  Default False: the role is sticky, as HP NCU's
    #: default "Fail on Fault" switchover mode (its "Preferred Primary" mode is failback=True, and
    #: so is an LBFO team whose other member is an administrative Standby adapter).
    failback: bool = False
    #: How the virtual miniport answers a parameters set beyond what it advertises (spec A2).
    hardware_policy: HardwarePolicy = attrs.field(
        default=HardwarePolicy.INVALID_DATA, converter=hardware_policy_option
    )
    #: Ticks between MiniportInitializeEx and its completion for a virtual miniport.
    init_latency: int = 0

    _teams: dict[str, _Team] = attrs.field(init=False, factory=dict)
    _members: dict[str, _Member] = attrs.field(init=False, factory=dict)
    #: Lower NBL id -> upper (team, NBL id).
    _pieces: dict[str, tuple[str, str]] = attrs.field(init=False, factory=dict)
    _next_own_id: int = attrs.field(init=False, default=_OWN_REQUEST_BASE)
    _publishing: bool = attrs.field(init=False, default=False)
    _counters: dict[str, int] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.init_latency < 0:
            raise BadInput(f"{self.name}: init_latency must be >= 0, not {self.init_latency}")

    # -- topology ------------------------------------------------------------------------------

    def add_team(
        self, adapter: str, *, members: Iterable[str], mode: MuxMode | str = MuxMode.FAILOVER
    ) -> None:
        """Declare virtual miniport ``adapter`` over ``members`` (team order)."""
        team_mode = enum_option(MuxMode)(mode)
        members = list(members)
        if adapter in self._teams or adapter in self._members:
            raise BadInput(f"{self.name}: {adapter!r} is already a team or a member")
        if len(set(members)) != len(members):
            raise BadInput(f"{self.name}: team {adapter!r} lists a member twice")
        for member in members:
            self._configure(member, adapter)
        super().add_team(adapter, members=members, mode=team_mode)
        self._teams[adapter] = _Team(adapter, team_mode, members, self.miniport_edges[adapter])

    def _configure(self, member: str, team: str) -> _Member:
        if member in self._teams:
            raise BadInput(f"{self.name}: team {member!r} cannot be a member")
        record = self._members.setdefault(member, _Member(member))
        if record.team is not None and record.team != team:
            raise BadInput(f"{self.name}: {member!r} is already a member of {record.team!r}")
        record.team = team
        return record

    # -- inspection ----------------------------------------------------------------------------

    def team(self, adapter: str) -> TeamView:
        team = self._teams.get(adapter)
        if team is None:
            raise BadInput(f"{self.name} has no virtual miniport {adapter!r}")
        return TeamView(
            adapter=adapter,
            mode=team.mode,
            state=team.status.state,
            members=tuple(team.members),
            joined=tuple(self._joined(team)),
            active=team.active,
            aggregated=tuple(self._aggregated(team)),
            advertised=team.advertised,
            capabilities=self._capabilities(team),
            upper_parameters=team.upper_params,
            upper_encapsulation=team.upper_encapsulation,
            request_pending=team.forward is not None,
            sends_in_flight=len(team.sends),
            link_up=team.link_up,
        )

    def view(self, adapter: str) -> TeamView | MemberView:
        """A team's ``TeamView`` or a lower binding's ``MemberView`` (the run summary reads
        ``.current`` of either)."""
        if adapter in self._teams:
            return self.team(adapter)
        return self.member(adapter)

    def member(self, adapter: str) -> MemberView:
        """A lower binding as the MUX sees it."""
        member = self._members.get(adapter)
        binding = self.binding(adapter)
        if member is None:
            raise BadInput(f"{self.name} has never been bound to {adapter!r}")
        return MemberView(
            adapter=adapter,
            team=member.team,
            binding=binding.state if binding else ProtocolBindingState.Unbound,
            role=self._role(member),
            hardware=member.hardware,
            current=member.current,
            connection_hardware=member.connection_hardware,
            connection_current=member.connection_current,
            encapsulation=member.encapsulation,
            sends=member.sends,
            link_up=member.link_up,
        )

    def stats(self) -> MuxStats:
        c = self._counters
        return MuxStats(
            sends_forwarded=c.get("sends_forwarded", 0),
            sends_fitted=c.get("sends_fitted", 0),
            sends_refused=c.get("sends_refused", 0),
            sends_without_member=c.get("sends_without_member", 0),
            sends_withdrawn=c.get("sends_withdrawn", 0),
            indications=c.get("indications", 0),
            indications_suppressed=c.get("indications_suppressed", 0),
        )

    def _count(self, key: str) -> None:
        self._counters[key] = self._counters.get(key, 0) + 1

    def _role(self, member: _Member) -> str:
        if member.team is None:
            return "spare"
        team = self._teams[member.team]
        if member.joined:
            if team.mode is MuxMode.TEAM:
                return "member"
            return "active" if team.active == member.adapter else "standby"
        return "joining" if member.own and not member.out else "out"

    def _joined(self, team: _Team) -> list[str]:
        return [m for m in team.members if self._members[m].joined]

    def _aggregated(self, team: _Team) -> list[str]:
        return aggregated_members(team.mode, self.advertises, self._joined(team),
                                  team.active)  # fmt: skip

    def _capabilities(self, team: _Team) -> TeamCapabilities:
        members = [self._members[m].capabilities() for m in self._aggregated(team)]
        return aggregate(members, self.advertises)

    # -- what the MUX monitors and zoo models read ---------------------------------------------

    def aggregated(self, adapter: str) -> tuple[str, ...]:
        """The members whose capabilities the virtual miniport advertises
        (``_rules.aggregated_members``)."""
        return tuple(self._aggregated(self._team(adapter)))

    def capabilities(self, adapter: str) -> TeamCapabilities:
        """What the aggregated members can do now (``_rules.aggregate``)."""
        return self._capabilities(self._team(adapter))

    def advertising(self, adapter: str) -> Advertises:
        """The rule the virtual miniport advertises its aggregated members by."""
        self._team(adapter)
        return self.advertises

    def initialization_capabilities(self, adapter: str) -> TeamCapabilities:
        """What the virtual miniport reports in its initialization attributes, computed when the
        initialization completes so that they carry the latest state (rule 1)."""
        return self.capabilities(adapter)

    def forwarded_set_pending(self, adapter: str) -> bool:
        """A parameters or encapsulation set the MUX fanned out for this team is in flight
        (rule 3)."""
        forward = self._team(adapter).forward
        return forward is not None and forward.config

    @property
    def next_own_request_id(self) -> int:
        """The RequestId the MUX's next request of its own will carry."""
        return self._next_own_id

    def _team(self, adapter: str) -> _Team:
        team = self._teams.get(adapter)
        if team is None:
            raise BadInput(f"{self.name} has no virtual miniport {adapter!r}")
        return team

    # -- timers and commands -------------------------------------------------------------------

    def on_timer(self, ctx: DriverContext, timer: Command) -> None:
        if timer.name == "init-done":
            self._on_init_timer(self._teams[timer.arg("team")], ctx)
        elif timer.name == "swap-now":
            self._swap(self._teams[timer.arg("team")], timer.arg("to"), ctx)
        else:
            super().on_timer(ctx, timer)

    def on_command(self, ctx: DriverContext, command: Command) -> None:
        self._on_command(command, ctx)

    # -- commands (the administrator's team management, driven by the scenario) ----------------

    def _on_command(self, command: Command, ctx: DriverContext) -> None:
        known = ("add-member", "remove-member", "swap", "replace-member")
        if command.name not in known:
            raise BadInput(f"{self.name}: unknown command {command.name!r} "
                           f"(known: {', '.join(known)})")  # fmt: skip
        if command.name == "replace-member":
            args = command_args(self.name, command, ("team", "old", "new"), ("team", "old", "new"))
        elif command.name == "swap":
            args = command_args(self.name, command, ("team", "to"), ("team", "to"))
        else:
            args = command_args(self.name, command, ("team", "member"), ("team", "member"))
        team = self._teams.get(args["team"])
        if team is None:
            raise BadInput(f"{self.name}: {command.name}: no team {args['team']!r}")
        ctx.note("mux.command", command=command.name, team=team.adapter,
                 **{k: v for k, v in args.items() if k != "team"})  # fmt: skip
        if command.name == "add-member":
            self._add_member(team, args["member"], ctx)
        elif command.name == "remove-member":
            self._remove_member(team, args["member"], ctx)
        elif command.name == "replace-member":
            self._replace_member(team, args["old"], args["new"], ctx)
        else:
            self._request_swap(team, args["to"], ctx)

    def _add_member(self, team: _Team, adapter: str, ctx: DriverContext) -> None:
        if adapter in team.members:
            raise BadInput(f"{self.name}: {adapter!r} is already a member of {team.adapter!r}")
        member = self._configure(adapter, team.adapter)
        team.members.append(adapter)
        self._try_join(member, ctx)

    def _remove_member(self, team: _Team, adapter: str, ctx: DriverContext) -> None:
        if adapter not in team.members:
            raise BadInput(f"{self.name}: {adapter!r} is not a member of {team.adapter!r}")
        member = self._members[adapter]
        self._leave(member, "removed", ctx)
        team.members.remove(adapter)
        member.team = None
        member.replaces = None
        self._publish(team, ctx)

    def _replace_member(self, team: _Team, old: str, new: str, ctx: DriverContext) -> None:
        if old not in team.members:
            raise BadInput(f"{self.name}: {old!r} is not a member of {team.adapter!r}")
        if new in team.members:
            raise BadInput(f"{self.name}: {new!r} is already a member of {team.adapter!r}")
        member = self._configure(new, team.adapter)
        # Make before break: the new member takes the old one's place (rank, and the active role)
        # when it joins, so the capabilities change once (``_join``).
        team.members.insert(team.members.index(old) + 1, new)
        member.replaces = old
        self._try_join(member, ctx)

    def _request_swap(self, team: _Team, to: str, ctx: DriverContext) -> None:
        if team.mode is not MuxMode.FAILOVER:
            raise BadInput(f"{self.name}: swap needs a failover team; {team.adapter!r} is a team")
        if to not in team.members:
            raise BadInput(f"{self.name}: {to!r} is not a member of {team.adapter!r}")
        # Fault site: when the administrator's swap lands relative to traffic and requests.
        delay = ctx.decide("mux.swap.delay", 3)
        if delay:
            self.set_timer(ctx, delay, "swap-now", team=team.adapter, to=to)
            return
        self._swap(team, to, ctx)

    def _swap(self, team: _Team, to: str, ctx: DriverContext) -> None:
        member = self._members.get(to)
        if member is None or not member.joined or member.team != team.adapter:
            ctx.note("mux.swap.refused", team=team.adapter, to=to, reason="not a joined member")
            return
        if team.active == to:
            return
        ctx.note("mux.swap", team=team.adapter, previous=team.active, active=to,
                 request_pending=team.forward is not None)  # fmt: skip
        team.active = to
        self._publish(team, ctx)

    # -- membership ----------------------------------------------------------------------------

    def _try_join(self, member: _Member, ctx: DriverContext) -> None:
        """Join ``member`` to its team once it is usable, re-applying the upper-level
        configuration first when that would change it (rule 7)."""
        if member.team is None or member.joined or member.out or member.own:
            return
        if member.echo_owed is not None:
            return
        binding = self.binding(member.adapter)
        if binding is None or binding.state is not ProtocolBindingState.Running:
            return
        if not member.known:
            return
        team = self._teams[member.team]
        if self._reapply(team, member, binding, ctx):
            return
        self._join(team, member, ctx)

    def _reapply(self, team: _Team, member: _Member, binding: Binding, ctx: DriverContext) -> bool:
        assert member.hardware is not None and member.current is not None
        issued = False
        predicted = member.current
        params = fit_parameters(team.upper_params, member.hardware, member.connection_hardware)
        if not is_all_no_change(params) or _connection_asked(params):
            result = apply_offload_parameters(member.current, member.hardware, params,
                                              HardwarePolicy.CLAMP)  # fmt: skip
            if result.offload != member.current or _connection_asked(params):
                ctx.note("mux.reapply", team=team.adapter, member=member.adapter,
                         oid="OID_TCP_OFFLOAD_PARAMETERS",
                         changes=list(result.changed))  # fmt: skip
                request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params)
                self.issue_own(ctx, member.adapter, OwnRequest.REAPPLY_PARAMETERS, request)
                member.echo_owed = _echo_for(params)
                predicted = result.offload
                issued = True
        asked = team.upper_encapsulation
        if asked is not None and merge_encapsulation(member.encapsulation, asked) != (
            member.encapsulation
        ):
            if encapsulation_result(predicted, asked) == _S.NDIS_STATUS_SUCCESS:
                ctx.note("mux.reapply", team=team.adapter, member=member.adapter,
                         oid="OID_OFFLOAD_ENCAPSULATION", changes=[])  # fmt: skip
                request = NDIS_OID_REQUEST.set(Oid.OID_OFFLOAD_ENCAPSULATION, asked)
                self.issue_own(ctx, member.adapter, OwnRequest.REAPPLY_ENCAPSULATION, request)
                issued = True
            else:
                ctx.note("mux.reapply.skipped", team=team.adapter, member=member.adapter,
                         oid="OID_OFFLOAD_ENCAPSULATION", reason="no offload of this member "
                         "supports the encapsulation")  # fmt: skip
        return issued

    def _join(self, team: _Team, member: _Member, ctx: DriverContext) -> None:
        member.joined = True
        failover = team.mode is MuxMode.FAILOVER
        role_before = team.active
        old = self._members.get(member.replaces) if member.replaces else None
        member.replaces = None
        if old is not None and old.team == team.adapter:
            # Make before break: the new member takes the old one's role in the same step.
            if failover and team.active == old.adapter:
                team.active = member.adapter
            self._leave(old, "replaced", ctx, publish=False)
            team.members.remove(old.adapter)
            old.team = None
        if failover and (team.active is None or not team.started):
            # Before the virtual miniport exists, the active member is the first joined one in
            # team order (with link, if any has), whatever order the bindings came in; after that
            # the role is sticky unless ``failback`` (``_reselect``).
            team.active = self._preferred(team)
        elif failover:
            before = team.active
            self._reselect(team, "joined", ctx, publish=False)
            if team.active != before:
                role_before = team.active  # ``_reselect`` noted the failover
        ctx.note("mux.member.join", team=team.adapter, member=member.adapter,
                 role=self._role(member), hardware=describe(member.hardware),
                 current=describe(member.current))  # fmt: skip
        if failover and role_before is not None and team.active != role_before:
            ctx.note("mux.failover", team=team.adapter, previous=role_before, active=team.active,
                     reason="replaced" if old is not None else "team order")  # fmt: skip
        self._publish(team, ctx)
        self._maybe_start(team, ctx)
        self._indicate_team_link(team, ctx)

    def _leave(
        self, member: _Member, reason: str, ctx: DriverContext, *, publish: bool = True
    ) -> None:
        team = self._teams.get(member.team) if member.team else None
        if team is not None and team.forward is not None:
            clone = team.forward.clones.get(member.adapter)
            if clone is not None:
                clone.echo = None  # a member that left owes the team no indication
        member.echo_owed = None
        if not member.joined or team is None:
            return
        member.joined = False
        ctx.note("mux.member.leave", team=team.adapter, member=member.adapter, reason=reason)
        if team.active == member.adapter:
            team.active = self._preferred(team)
            ctx.note("mux.failover", team=team.adapter, previous=member.adapter,
                     active=team.active, reason=reason)  # fmt: skip
        if publish:
            self._publish(team, ctx)
        self._indicate_team_link(team, ctx)
        if team.forward is not None:
            self._maybe_finish_forward(team, ctx)

    def _maybe_start(self, team: _Team, ctx: DriverContext) -> None:
        """NdisIMInitializeDeviceInstanceEx once every configured member has joined."""
        if team.started or not all(self._members[m].joined for m in team.members):
            return
        team.started = True
        ctx.note("mux.start", team=team.adapter, call="NdisIMInitializeDeviceInstanceEx",
                 members=list(team.members))  # fmt: skip
        self.NdisIMInitializeDeviceInstanceEx(ctx, team.adapter)

    # -- link state ----------------------------------------------------------------------------

    def _preferred(self, team: _Team) -> str | None:
        """The member a failover team would make active from scratch: the first joined member in
        team order that has link, else the first joined one (None without a joined member)."""
        joined = self._joined(team)
        with_link = [m for m in joined if self._members[m].link_up]
        if with_link:
            return with_link[0]
        return joined[0] if joined else None

    def _reselect(
        self, team: _Team, reason: str, ctx: DriverContext, *, publish: bool = True
    ) -> None:
        """Failover on link (rule 9): an active member without link hands the role to the first
        joined member with link; with ``failback`` a member with link that comes before the
        active one in team order takes it back.  No member with link: the role stays."""
        if team.mode is not MuxMode.FAILOVER:
            return
        if not team.started:
            team.active = self._preferred(team)  # the rule of ``_join`` before the start
            return
        previous = team.active
        preferred = self._preferred(team)
        if preferred is None or not self._members[preferred].link_up:
            return
        current = self._members[previous] if previous is not None else None
        if current is None or not current.joined or not current.link_up:
            target = preferred
        elif self.failback and team.members.index(preferred) < team.members.index(previous or ""):
            target = preferred
            reason = "failback"
        else:
            return
        if target == previous:
            return
        team.active = target
        ctx.note("mux.failover", team=team.adapter, previous=previous, active=target,
                 reason=reason)  # fmt: skip
        if publish:
            self._publish(team, ctx)

    def _on_link(self, member: _Member, connected: bool, ctx: DriverContext) -> None:
        if member.link_up == connected:
            return
        member.link_up = connected
        team = self._teams.get(member.team) if member.team else None
        ctx.note("mux.member.link", member=member.adapter,
                 team=team.adapter if team else None,
                 state="up" if connected else "down")  # fmt: skip
        if team is None or not member.joined:
            return
        self._reselect(team, "link-up" if connected else "link-down", ctx)
        self._indicate_team_link(team, ctx)

    def _indicate_team_link(self, team: _Team, ctx: DriverContext) -> None:
        """The virtual miniport has link while any joined member has (an LBFO team interface is
        disconnected only when every member is): NDIS_STATUS_LINK_STATE on a change, like the
        WDK MUX sample's ``PtStatus`` passing LINK_STATE up (N/ndis-status-link-state.md).  Only
        once the virtual miniport may indicate (rule 1); before that it starts connected.  A team
        left with no joined member keeps what it last indicated: its members left (paused,
        removed), they did not report a link loss, and a member that joins re-decides."""
        if not team.started or not self._may_indicate(team) or not self._joined(team):
            return
        connected = any(self._members[m].link_up for m in self._joined(team))
        if connected == team.link_up:
            return
        team.link_up = connected
        self._indicate(team, _S.NDIS_STATUS_LINK_STATE, link_state(connected), ctx)

    # -- publishing what a virtual miniport can do (rules 1 and 2) -----------------------------

    def _may_indicate(self, team: _Team) -> bool:
        """Rule 1: not while initializing, not once halted (the sample's PtStatus checks)."""
        return not team.init_pending and team.status.state not in (
            MiniportAdapterState.Halted,
            MiniportAdapterState.Initializing,
            MiniportAdapterState.Shutdown,
        )

    def _publish(self, team: _Team, ctx: DriverContext, *, force_current: bool = False) -> None:
        if self._publishing:
            # Re-entrancy guard (rule 2): a publication never triggers another one.
            ctx.note("mux.publish.reentered", team=team.adapter)
            return
        self._publishing = True
        try:
            self._publish_once(team, ctx, force_current=force_current)
        finally:
            self._publishing = False

    def _publish_once(self, team: _Team, ctx: DriverContext, *, force_current: bool) -> None:
        caps = self._capabilities(team)
        forward = team.forward
        plan = plan_publication(
            team.advertised,
            caps,
            may_indicate=self._may_indicate(team),
            started=team.started,
            suppressed=team.suppressed,
            config_set_pending=forward is not None and forward.config,
            force_current=force_current,
        )
        if plan.action is PublishAction.SUPPRESS:
            team.suppressed = True
            self._count("indications_suppressed")
            ctx.note("mux.indicate.suppressed", team=team.adapter,
                     state=team.status.state.value, hardware=describe(caps.hardware),
                     current=describe(caps.current))  # fmt: skip
        elif plan.action is PublishAction.DEFER:
            assert forward is not None
            # Rule 2: the echo of our own set; indicated once when the set completes.
            ctx.note("mux.indicate.deferred", team=team.adapter,
                     request_id=forward.request.RequestId)  # fmt: skip
        elif plan.action is PublishAction.PUBLISH:
            ctx.note("mux.publish", team=team.adapter, members=self._aggregated(team),
                     hardware=describe(caps.hardware), current=describe(caps.current),
                     hardware_changed=plan.hardware_changed,
                     current_changed=plan.current_changed, replay=team.suppressed)  # fmt: skip
            team.suppressed = False
            team.advertised = caps
            if plan.withdrawn is not None:
                ctx.note("mux.withdraw", team=team.adapter, current=describe(plan.withdrawn))
            for code, buffer in plan.indications:
                self._indicate(team, code, buffer, ctx)

    def _indicate(self, team: _Team, code: int, buffer: object | None, ctx: DriverContext) -> None:
        self._count("indications")
        indication = NDIS_STATUS_INDICATION.indicate(team.adapter, code, buffer)
        self.NdisMIndicateStatusEx(ctx, team.adapter, indication)

    # -- the virtual miniport: PnP -------------------------------------------------------------

    def MiniportInitializeEx(
        self, ctx: DriverContext, adapter: str, keywords: Mapping[str, str]
    ) -> None:
        self._initialize(self._teams[adapter], keywords, ctx)

    def MiniportHaltEx(self, ctx: DriverContext, adapter: str) -> None:
        team = self._teams[adapter]
        team.rx_gate = False
        team.upper_encapsulation = None

    def _initialize(self, team: _Team, keywords: Mapping[str, str], ctx: DriverContext) -> None:
        team.init_pending = True
        # The team's own keywords are its persisted upper-level configuration: NDIS wrote them on
        # every parameters set it handed us (N/oid-tcp-offload-parameters.md), and a miniport
        # reads keywords at initialization (spec A13).
        team.upper_params = parameters_from_keywords(dict(keywords))
        team.upper_encapsulation = None
        team.rx_gate = False
        for adapter in self._joined(team):
            member = self._members[adapter]
            binding = self.binding(adapter)
            if binding is not None and not member.own:
                self._reapply(team, member, binding, ctx)
        # Fault site: how long MiniportInitializeEx takes (the window of rule 1).
        delay = self.init_latency + ctx.decide("mux.init.delay", 3)
        if delay:
            team.init_timer = True
            self.set_timer(ctx, delay, "init-done", team=team.adapter)
            return
        self._finish_initialize(team, ctx)

    def _on_init_timer(self, team: _Team, ctx: DriverContext) -> None:
        team.init_timer = False
        self._finish_initialize(team, ctx)

    def _finish_initialize(self, team: _Team, ctx: DriverContext) -> None:
        if not team.init_pending or team.init_timer:
            return
        if any(self._members[m].own for m in self._joined(team)):
            return  # finished by the last re-application's completion
        caps = self.initialization_capabilities(team.adapter)
        team.init_pending = False
        if team.suppressed:
            ctx.note("mux.replay", team=team.adapter, hardware=describe(caps.hardware),
                     current=describe(caps.current), via="initialization attributes")  # fmt: skip
        team.suppressed = False
        team.advertised = caps
        ctx.note("mux.initialized", team=team.adapter, members=self._aggregated(team),
                 hardware=describe(caps.hardware), current=describe(caps.current))  # fmt: skip
        attributes = NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES(
            DefaultOffloadConfiguration=caps.current,
            HardwareOffloadCapabilities=caps.hardware,
            DefaultTcpConnectionOffloadConfiguration=caps.connection_current,
            TcpConnectionOffloadHardwareCapabilities=caps.connection_hardware,
        )
        self.NdisMSetMiniportAttributes(ctx, team.adapter, attributes)
        # A link change the initialization window kept back (rule 1).
        self._indicate_team_link(team, ctx)

    # -- the virtual miniport: OIDs (rules 3, 4, 6) --------------------------------------------

    def _complete_upper(
        self, team: _Team, request: NDIS_OID_REQUEST, status: int, ctx: DriverContext
    ) -> None:
        self.NdisMOidRequestComplete(ctx, team.adapter, request, status)

    def MiniportOidRequest(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST
    ) -> None:
        # The edge has admitted it: state, serialization and the surprise-removal refusal.
        team = self._teams[adapter]
        is_set = request.RequestType == NdisRequestType.NdisRequestSetInformation
        if is_set and request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS:
            self._set_parameters(team, request, ctx)
        elif is_set and request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION:
            self._set_encapsulation(team, request, ctx)
        elif _not_for_the_driver(request.Oid, is_query=not is_set):
            # NDIS answers these itself (its cache, the open's own set); the rest is a set of a
            # query-only OID or a query of a set-only one (spec 7.2 item 7).
            self._complete_upper(team, request, _S.NDIS_STATUS_NOT_SUPPORTED, ctx)
        else:
            self._forward_to_primary(team, request, ctx)

    def _set_parameters(self, team: _Team, request: NDIS_OID_REQUEST, ctx: DriverContext) -> None:
        params = request.InformationBuffer
        if request.InformationBufferLength < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1:
            short = request.completed(BytesNeeded=NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1)
            self._complete_upper(team, short, _S.NDIS_STATUS_INVALID_LENGTH, ctx)
            return
        if not isinstance(params, NDIS_OFFLOAD_PARAMETERS):
            self._complete_upper(team, request, _S.NDIS_STATUS_INVALID_DATA, ctx)
            return
        caps = self._capabilities(team)
        # Validate against what the virtual miniport advertises: it is a miniport to NDIS
        # (N/responding-to-sets-and-queries-in-an-intermediate-driver.md).
        result = apply_offload_parameters(caps.current, caps.hardware, params, self.hardware_policy)
        status = result.status
        if result.succeeded and self.hardware_policy is not HardwarePolicy.CLAMP:
            for member_name, field in zip(_CONNECTION_MEMBERS, ("SupportIPv4", "SupportIPv6"),
                                          strict=True):  # fmt: skip
                if getattr(params, member_name) == _CONNECTION_ENABLED and not (
                    caps.connection_hardware and getattr(caps.connection_hardware, field)
                ):
                    status = (_S.NDIS_STATUS_INVALID_DATA
                              if self.hardware_policy is HardwarePolicy.INVALID_DATA
                              else _S.NDIS_STATUS_NOT_SUPPORTED)  # fmt: skip
        if status != _S.NDIS_STATUS_SUCCESS:
            ctx.note("mux.oid.rejected", team=team.adapter, request_id=request.RequestId,
                     status=_status_name(status), unsupported=list(result.unsupported),
                     invalid=list(result.invalid))  # fmt: skip
            self._complete_upper(team, request, status, ctx)
            return
        # Rule 6: the upper-level configuration records the set as soon as it is accepted.
        team.upper_params = compose_parameters(team.upper_params, params)
        forward = _Forward(request, config=True)
        for adapter, _, member in self._fan_out_targets(team):
            assert member.hardware is not None
            fitted = fit_parameters(params, member.hardware, member.connection_hardware)
            if is_all_no_change(fitted) and not _connection_asked(fitted):
                ctx.note("mux.forward.skipped", team=team.adapter, member=adapter,
                         request_id=request.RequestId,
                         reason="nothing this member's hardware can change")  # fmt: skip
                continue
            clone = attrs.evolve(request, RequestHandle=self.name, InformationBuffer=fitted)
            forward.clones[adapter] = _Clone(adapter, clone, echo=_echo_for(fitted))
        self._start_forward(team, forward, ctx)

    def _set_encapsulation(
        self, team: _Team, request: NDIS_OID_REQUEST, ctx: DriverContext
    ) -> None:
        asked = request.InformationBuffer
        if not isinstance(asked, NDIS_OFFLOAD_ENCAPSULATION):
            self._complete_upper(team, request, _S.NDIS_STATUS_INVALID_DATA, ctx)
            return
        caps = self._capabilities(team)
        status = encapsulation_result(caps.current, asked)
        if status != _S.NDIS_STATUS_SUCCESS:
            self._complete_upper(team, request, status, ctx)
            return
        team.upper_encapsulation = merge_encapsulation(team.upper_encapsulation, asked)
        forward = _Forward(request, config=True)
        for adapter, _, member in self._fan_out_targets(team):
            assert member.current is not None
            if encapsulation_result(member.current, asked) != _S.NDIS_STATUS_SUCCESS:
                ctx.note("mux.forward.skipped", team=team.adapter, member=adapter,
                         request_id=request.RequestId,
                         reason="no offload of this member supports the encapsulation")  # fmt: skip
                continue
            clone = attrs.evolve(request, RequestHandle=self.name)
            forward.clones[adapter] = _Clone(
                adapter, clone, echo=_S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
            )
        self._start_forward(team, forward, ctx)

    def _fan_out_targets(self, team: _Team) -> list[tuple[str, Binding, _Member]]:
        """Every configured member the MUX may ask now, in team order: bound, capabilities known,
        not paused out.  Members that join later get the request by re-application."""
        targets = []
        for adapter in team.members:
            member = self._members[adapter]
            binding = self.binding(adapter)
            if (
                binding is not None
                and member.bound
                and not member.out
                and member.known
                and binding_may_issue_oid_requests(binding.state)
            ):
                targets.append((adapter, binding, member))
        return targets

    def _forward_to_primary(
        self, team: _Team, request: NDIS_OID_REQUEST, ctx: DriverContext
    ) -> None:
        joined = self._joined(team)
        primary = team.active if team.mode is MuxMode.FAILOVER else (joined[0] if joined else None)
        if primary is None:
            self._complete_upper(team, request, _S.NDIS_STATUS_NOT_SUPPORTED, ctx)
            return
        forward = _Forward(request, config=False)
        forward.clones[primary] = _Clone(primary, attrs.evolve(request, RequestHandle=self.name))
        self._start_forward(team, forward, ctx)

    def _start_forward(self, team: _Team, forward: _Forward, ctx: DriverContext) -> None:
        team.forward = forward
        ctx.note("mux.forward", team=team.adapter, request_id=forward.request.RequestId,
                 oid=_oid_name(forward.request.Oid), members=list(forward.clones))  # fmt: skip
        for adapter, clone in forward.clones.items():
            self.NdisOidRequest(ctx, adapter, clone.request)
        self._maybe_finish_forward(team, ctx)

    def _maybe_finish_forward(self, team: _Team, ctx: DriverContext) -> None:
        forward = team.forward
        if forward is None or not forward.done():
            return
        team.forward = None
        counted = [
            forward.clones[m]
            for m in team.members
            if m in forward.clones and self._in_team(self._members[m], team)
        ]
        statuses = [c.status for c in counted if c.status is not None]
        status = aggregate_status(statuses)
        request = forward.request
        if forward.config:
            result = request
            if status == _S.NDIS_STATUS_SUCCESS:
                # The revision the team honoured is the lowest any member honoured
                # (N/generating-oid-requests-from-an-ndis-protocol-driver.md: the originator
                # reads SupportedRevision to learn what the lower driver understood).
                header = getattr(request.InformationBuffer, "Header", None)
                revisions = [header.Revision if header is not None else 0] + [
                    c.result.SupportedRevision
                    for c in counted
                    if c.result is not None and c.result.SupportedRevision
                ]
                result = request.completed(SupportedRevision=min(revisions))
            if status == _S.NDIS_STATUS_SUCCESS and request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION:
                buffer = request.InformationBuffer
                team.rx_gate = NDIS_OFFLOAD_SET_ON in (buffer.IPv4.Enabled, buffer.IPv6.Enabled)
        else:
            clone = next(iter(forward.clones.values()))
            answer = clone.result if clone.result is not None else clone.request
            result = attrs.evolve(
                request,
                InformationBuffer=answer.InformationBuffer,
                BytesWritten=answer.BytesWritten,
                BytesRead=answer.BytesRead,
                BytesNeeded=answer.BytesNeeded,
                SupportedRevision=answer.SupportedRevision,
            )
            # Forwarded to one member: its status is the answer, whatever happened since.
            status = clone.status if clone.status is not None else status
        ctx.note("mux.forward.complete", team=team.adapter, request_id=request.RequestId,
                 status=_status_name(status),
                 members={c.member: _status_name(c.status or 0) for c in forward.clones.values()},
                 counted=[c.member for c in counted])  # fmt: skip
        # A1: indicate the configuration the set left, then complete (or the other legal order).
        complete_first = forward.config and ctx.decide("mux.complete.order", 2) == 1
        if complete_first:
            self._complete_upper(team, result, status, ctx)
        self._publish(team, ctx, force_current=forward.config and status == _S.NDIS_STATUS_SUCCESS)
        if not complete_first:
            self._complete_upper(team, result, status, ctx)
        self.forward_completed(ctx, team.adapter, result, status)

    def forward_completed(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        """A request the MUX passed down for virtual miniport ``adapter`` has completed upward
        (rule 3), after its completion and the indications it required.  The default does
        nothing more."""

    def indication_answers_set(self, adapter: str, request: NDIS_OID_REQUEST) -> bool:
        """Whether member ``adapter``'s CURRENT_CONFIG just received (already recorded as its
        current configuration) is the one the set ``request`` the MUX passed down owes (rule 3):
        it reflects the set's parameters, narrowed by the member's hardware (applying them again
        changes nothing).  An older indication the member deferred and made only as it took the
        clone (A1 allows a work item) does not answer it, or the team would indicate a
        configuration without the set for the set it completes (issue 14,
        ``parameters-set-reflected``)."""
        member = self._members[adapter]
        params = request.InformationBuffer
        if not isinstance(params, NDIS_OFFLOAD_PARAMETERS) or member.current is None:
            return True
        hardware = member.hardware if member.hardware is not None else member.current
        result = apply_offload_parameters(member.current, hardware, params, HardwarePolicy.CLAMP)
        return not result.changed

    def _in_team(self, member: _Member, team: _Team) -> bool:
        """Whether a member still speaks for the team (rule 3)."""
        return member.team == team.adapter and member.bound and not member.out

    def MiniportCancelOidRequest(
        self, ctx: DriverContext, adapter: str, request_id: int, origin: str
    ) -> None:
        team = self._teams[adapter]
        forward = team.forward
        if forward is None or forward.request.RequestId != request_id:
            super().MiniportCancelOidRequest(ctx, adapter, request_id, origin)  # late: legal
            return
        forward.cancelled = True
        pending = [m for m, c in forward.clones.items() if c.status is None]
        ctx.note("mux.cancel", team=team.adapter, request_id=request_id, members=pending)
        for member in pending:
            # NdisCancelOidRequest with the original RequestId (behaviour 21).
            self.NdisCancelOidRequest(ctx, member, request_id)

    # -- the protocol edge: PnP ----------------------------------------------------------------

    def ProtocolBindAdapterEx(
        self, ctx: DriverContext, adapter: str, bind: NDIS_BIND_PARAMETERS | None
    ) -> None:
        member = self._members.get(adapter)
        if member is None:
            member = self._members[adapter] = _Member(adapter)
        self._bind(member, bind, ctx)

    def ProtocolUnbindAdapterEx(self, ctx: DriverContext, adapter: str) -> None:
        # Leave before the unbind completes: nothing new goes to the binding from here on.
        member = self._members[adapter]
        member.out = True
        self._leave(member, "unbound", ctx)
        member.bound = False
        member.encapsulation = None

    def ProtocolNetPnPEvent(self, ctx: DriverContext, adapter: str, event: PnpOp) -> None:
        member = self._members[adapter]
        if event is PnpOp.NetEventPause:
            # Leave before the pause completes: nothing new goes to the binding from here on.
            member.out = True
            self._leave(member, "paused", ctx)
        elif event is PnpOp.NetEventRestart:
            member.out = False
            if member.unreadable and member.bound and "hardware" not in member.own.values():
                # Rule 10: ask again for capabilities that could not be read at bind.
                query = NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES)
                self.issue_own(ctx, member.adapter, OwnRequest.HARDWARE, query)
            self._try_join(member, ctx)

    def _bind(self, member: _Member, bind: NDIS_BIND_PARAMETERS | None, ctx: DriverContext) -> None:
        member.bound = True
        member.out = True
        member.joined = False
        member.hardware = None
        member.unreadable = False
        member.connection_hardware = None
        member.encapsulation = None
        member.current = bind.DefaultOffloadConfiguration if bind else None
        member.connection_current = bind.TcpConnectionOffloadCapabilities if bind else None
        # The link NDIS last heard of (Unknown counts as link, NDIS_LINK_STATE.connected).
        member.link_up = NDIS_LINK_STATE(
            MediaConnectState=bind.MediaConnectState if bind else 0
        ).connected
        # NDIS_BIND_PARAMETERS carries only the current configuration (spec A5): ask NDIS for the
        # hardware capabilities, which it answers from its cache
        # (N/oid-tcp-offload-hardware-capabilities.md).
        query = NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES)
        self.issue_own(ctx, member.adapter, OwnRequest.HARDWARE, query)
        if member.connection_current is not None:
            self.issue_own(ctx, member.adapter, OwnRequest.CONNECTION_HARDWARE,
                           NDIS_OID_REQUEST.query(
                               Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES))  # fmt: skip

    def issue_own(
        self, ctx: DriverContext, adapter: str, purpose: OwnRequest, request: NDIS_OID_REQUEST
    ) -> None:
        """NdisOidRequest of the MUX's own on member ``adapter`` (RequestHandle the MUX,
        RequestId from its own range); the completion is handled by ``purpose``."""
        request = attrs.evolve(request, RequestHandle=self.name, RequestId=self._next_own_id)
        self._next_own_id += 1
        self._members[adapter].own[request.RequestId] = purpose.value
        self.NdisOidRequest(ctx, adapter, request)

    # -- the protocol edge: completions, indications, data -------------------------------------

    def ProtocolOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        member = self._members[adapter]
        purpose = member.own.pop(request.RequestId, None)
        if purpose is not None:
            self._own_completed(member, purpose, request, status, ctx)
        else:
            self._clone_completed(member, request, status, ctx)

    def _own_completed(
        self,
        member: _Member,
        purpose: str,
        request: NDIS_OID_REQUEST,
        status: int,
        ctx: DriverContext,
    ) -> None:
        ok = status == _S.NDIS_STATUS_SUCCESS
        buffer = request.InformationBuffer
        if purpose == "hardware":
            if ok and isinstance(buffer, NDIS_OFFLOAD):
                member.hardware = buffer
                member.unreadable = False
            else:
                # Rule 10: a member whose hardware capabilities could not be read does not join.
                member.hardware = None
                member.unreadable = True
                ctx.note("mux.member.unreadable", member=member.adapter,
                         oid="OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES",
                         status=_status_name(status))  # fmt: skip
        elif purpose == "connection-hardware":
            member.connection_hardware = (
                buffer if ok and isinstance(buffer, NDIS_TCP_CONNECTION_OFFLOAD) else None
            )
        elif purpose == "reapply-parameters":
            if not ok:
                member.echo_owed = None
                ctx.note("mux.reapply.failed", member=member.adapter,
                         status=_status_name(status))  # fmt: skip
        elif purpose == "reapply-encapsulation":
            if ok and isinstance(buffer, NDIS_OFFLOAD_ENCAPSULATION):
                member.encapsulation = merge_encapsulation(member.encapsulation, buffer)
            elif not ok:
                ctx.note("mux.reapply.failed", member=member.adapter,
                         status=_status_name(status))  # fmt: skip
        self._after_own(member, ctx)

    def _after_own(self, member: _Member, ctx: DriverContext) -> None:
        if member.own or member.echo_owed is not None:
            return
        if member.team is None:
            return
        team = self._teams[member.team]
        if member.joined:
            # A re-application at the virtual miniport's initialization (``_initialize``).
            self._publish(team, ctx)
            self._finish_initialize(team, ctx)
        else:
            self._try_join(member, ctx)

    def _clone_completed(
        self, member: _Member, request: NDIS_OID_REQUEST, status: int, ctx: DriverContext
    ) -> None:
        # The team's forward holding a pending clone for this member: the member may have been
        # removed from that team since (rule 3 still awaits the clone).
        for team in self._teams.values():
            forward = team.forward
            clone = forward.clones.get(member.adapter) if forward else None
            if (
                clone is not None
                and clone.status is None
                and clone.request.RequestId == request.RequestId
            ):
                break
        else:
            ctx.fail("mux-unknown-completion",
                     f"{self.name}: completion of request {request.RequestId} on "
                     f"{member.adapter} that it did not forward")  # fmt: skip
            return
        assert team is not None and clone is not None
        clone.status = status
        clone.result = request
        if status != _S.NDIS_STATUS_SUCCESS or not self._in_team(member, team):
            clone.echo = None
        elif request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION:
            buffer = request.InformationBuffer
            if isinstance(buffer, NDIS_OFFLOAD_ENCAPSULATION):
                member.encapsulation = merge_encapsulation(member.encapsulation, buffer)
        self._maybe_finish_forward(team, ctx)

    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        member = self._members[adapter]
        code = indication.StatusCode
        buffer = indication.StatusBuffer
        if code == _S.NDIS_STATUS_LINK_STATE and isinstance(buffer, NDIS_LINK_STATE):
            # Rule 9: fail over on link, not only on removal.
            self._on_link(member, buffer.connected, ctx)
            return
        slot = cache_slot_of(code, buffer)
        if slot is not None:
            # The member's copy of what NDIS caches for it: the same slot from the same status
            # (stack.ndis OID table); _Member's fields are named as the slots.
            setattr(member, slot.value, buffer)
            if slot.value == "hardware" and member.unreadable:
                member.unreadable = False
                self._try_join(member, ctx)  # rule 10: now it can
        elif code != _S.NDIS_STATUS_OFFLOAD_PAUSE:
            # Like the sample's PtStatus, only selected codes matter to the virtual miniports.
            ctx.note("mux.status.ignored", member=member.adapter, status=_status_name(code))
            return
        ctx.note("mux.member.status", member=member.adapter, status=_status_name(code),
                 current=describe(member.current))  # fmt: skip
        # The indication a set we sent requires (rule 3's "and has indicated the change").
        if member.echo_owed == code:
            member.echo_owed = None
            self._after_own(member, ctx)
        team = self._teams.get(member.team) if member.team else None
        if team is None:
            return
        clone = team.forward.clones.get(member.adapter) if team.forward else None
        if (
            clone is not None
            and clone.echo == code
            and self.indication_answers_set(member.adapter, clone.request)
        ):
            clone.echo = None
        if member.joined:
            self._publish(team, ctx)  # rule 2: compared, indicated only if it changed
        if team.forward is not None:
            self._maybe_finish_forward(team, ctx)

    def MiniportSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        # The edge has admitted it (state, surprise-removal refusal).
        team = self._teams[adapter]
        advertised = team.advertised.current if team.advertised else EMPTY_OFFLOAD
        refused = send_exceeds(nbl, advertised)
        if refused is not None:
            # Rule 8: built against capabilities the virtual miniport has since withdrawn.
            self._count("sends_refused")
            ctx.note("mux.send.refused", team=team.adapter, nbl=nbl.Id, reason=refused)
            self.NdisMSendNetBufferListsComplete(ctx, team.adapter, nbl, _S.NDIS_STATUS_FAILURE)
            return
        member = self._pick(team)
        binding = self.binding(member.adapter) if member else None
        if member is None or binding is None or not binding_handles_send_and_receive(binding.state):
            self._count("sends_without_member")
            ctx.note("mux.send.no_member", team=team.adapter, nbl=nbl.Id)
            self.NdisMSendNetBufferListsComplete(ctx, team.adapter, nbl, _S.NDIS_STATUS_FAILURE)
            return
        pieces, why = fit_send(nbl, member.offload_usable(nbl.IpVersion))
        if why is not None:
            self._count("sends_fitted")
            ctx.note("mux.send.fitted", team=team.adapter, member=member.adapter, nbl=nbl.Id,
                     reason=why, pieces=len(pieces))  # fmt: skip
        self._count("sends_forwarded")
        team.sends[nbl.Id] = _UpperSend(nbl, member.adapter, {p.Id for p in pieces})
        for piece in pieces:
            self._pieces[piece.Id] = (team.adapter, nbl.Id)
            member.sends += 1
            self.NdisSendNetBufferLists(ctx, member.adapter, piece)

    def _pick(self, team: _Team) -> _Member | None:
        if team.mode is MuxMode.FAILOVER:
            active = self._members[team.active] if team.active else None
            # No member has link (the active one would have failed over): nothing carries it.
            return active if active is not None and active.link_up else None
        joined = [m for m in self._joined(team) if self._members[m].link_up]
        if not joined:
            return None
        choice = joined[team.round_robin % len(joined)]
        team.round_robin += 1
        return self._members[choice]

    def ProtocolSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        owner = self._pieces.pop(nbl.Id, None)
        if owner is None:
            ctx.fail("mux-unknown-send-complete",
                     f"{self.name}: completion of {nbl.Id} it never forwarded")  # fmt: skip
            return
        team = self._teams[owner[0]]
        upper = team.sends[owner[1]]
        upper.pieces.discard(nbl.Id)
        if status != _S.NDIS_STATUS_SUCCESS and upper.status == _S.NDIS_STATUS_SUCCESS:
            upper.status = status
        if not upper.pieces:
            del team.sends[owner[1]]
            result = upper.status
            advertised = team.advertised.current if team.advertised else EMPTY_OFFLOAD
            if result == _S.NDIS_STATUS_SUCCESS and send_exceeds(upper.nbl, advertised):
                # Rule 8 at completion: the virtual miniport withdrew the offload while this send
                # was in flight; report it failed so the transport re-sends it under the new
                # configuration (spec 7.2 item 14).
                result = _S.NDIS_STATUS_FAILURE
                self._count("sends_withdrawn")
                ctx.note("mux.send.withdrawn", team=team.adapter, nbl=upper.nbl.Id)
            # A waiting pause of the virtual miniport completes with its last send.
            self.NdisMSendNetBufferListsComplete(ctx, team.adapter, upper.nbl, result)

    def ProtocolReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        member = self._members[adapter]
        team = self._teams.get(member.team) if member.team else None
        if (
            team is None
            or not member.joined
            or (team.mode is MuxMode.FAILOVER and team.active != member.adapter)
            or not miniport_handles_send_and_receive(team.status.state)
        ):
            ctx.note("mux.receive.dropped", member=member.adapter, nbl=receive.nbl_id)
            return
        # The receive checksum result goes up only once a protocol above has activated it on the
        # virtual miniport (N/oid-offload-encapsulation.md).
        self.NdisMIndicateReceiveNetBufferLists(
            ctx, team.adapter, receive.nbl_id,
            rx_checksum_offloaded=receive.rx_checksum_offloaded and team.rx_gate,
            rsc_coalesced=receive.rsc_coalesced,
        )  # fmt: skip


def _connection_asked(params: NDIS_OFFLOAD_PARAMETERS) -> bool:
    return any(getattr(params, m) != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE for m in _CONNECTION_MEMBERS)


def _echo_for(params: NDIS_OFFLOAD_PARAMETERS) -> int:
    """The indication a miniport owes after a successful parameters set: the task-offload current
    configuration, or NDIS_STATUS_OFFLOAD_RESUME when only connection members were set
    (N/using-the-tcp-ip-offload-administrator-interface.md)."""
    task = is_all_no_change(params) or not is_all_no_change(
        attrs.evolve(params, TcpConnectionIPv4=0, TcpConnectionIPv6=0)
    )
    if task:
        return _S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
    return _S.NDIS_STATUS_OFFLOAD_RESUME


def _oid_name(oid: int) -> str:
    try:
        return Oid(oid).name
    except ValueError:
        return f"0x{oid:08X}"
