"""The MUX's pure rules: which members a virtual miniport aggregates, what it then advertises,
how an upper-level parameters set is fitted to one member, how fanned-out completions combine,
and how a send is fitted to the member that carries it.

Nothing here touches the bus; the driver (``_driver``) and the monitors (``_monitors``) both use
these functions, so the invariant a monitor checks is computed exactly the way the driver computes
what it advertises.

Theory of operation
-------------------
*Aggregation* (spec A11; N/ndis-status-task-offload-hardware-capabilities.md).  What a virtual
miniport advertises is a rule of its *aggregated* members (``aggregated_members``) chosen by the
``Advertises`` option; the default is ``LBFO``:

* ``Advertises.LBFO`` (the default, failover and team modes): what Windows' own NIC Teaming
  (LBFO, the "Microsoft Network Adapter Multiplexor") advertises over *every* joined member,
  per Microsoft's NIC Teaming guide ("Windows Server 2012 R2 NIC Teaming (LBFO) Deployment and
  Management", section 3.7 "Feature compatibilities"; summarised at aidanfinn.com/?p=14057 and in
  shared/spec/fidelity-review-2026-12.md, divergence 3): the transmit offloads -- checksum
  transmit, LSOv1/LSOv2, USO, IPsec v1/v2 -- only if every member supports them (the meet,
  ``stack.ndis.intersect_offloads``), the receive offloads -- receive checksum and RSC (TCP and
  UDP) -- if any member supports them (the join, ``lbfo_offloads``), and no TCP chimney (TCP
  connection offload) through a team at all.  A send may leave through any member after a
  failover, so what it may ask for must hold on all of them; a receive arrives through one
  member and says itself what that member did (N/offloading-checksum-tasks.md: the NBL's receive
  checksum info), so a member without the offload only hands up packets the host checks.  A
  failover between members therefore changes nothing the team advertises (the review's LBFO
  trace: no indication at a failover between members already met);
* ``Advertises.ACTIVE`` (failover mode): the active member alone -- the docs' own MUX model, "if
  a MUX switches to a different underlying adapter" its hardware capabilities change and it must
  say so (N/using-the-tcp-ip-offload-administrator-interface.md); it keeps a strong active NIC
  from being held back by a weak standby, and pays with a capability change at each failover,
  propagated (hardware, then current configuration) and covered in the short window by the send
  rules below.  In team mode it is the same as INTERSECTION (every member carries traffic);
* ``Advertises.INTERSECTION``: the strict member-wise meet of every joined member, transmit *and*
  receive, chimney included (what vendor teaming manuals describe: "all adapters on the team
  must support" a property, Broadcom BASP / HP NCU).

Linux bonding ORs checksum/GSO (``bond_compute_features``) and can afford it because
``validate_xmit_skb`` re-checks each packet at the device that sends it; NDIS has no such
per-packet fallback under the protocol, which is why no rule here ORs a transmit offload.

With no aggregated member the virtual miniport advertises nothing (an all-zero NDIS_OFFLOAD): an
adapter that registers no offload supports none (spec A6).

Connection (chimney) offload under INTERSECTION and ACTIVE is aggregated the same way with
``stack.ndis.intersect_connection_offloads``; a member without chimney hardware makes the whole set
chimney-less.  Under LBFO it is never advertised.

*Fitting an upper-level parameters set to a member* (``fit_parameters``).  The MUX validates an
``OID_TCP_OFFLOAD_PARAMETERS`` set against what it advertises (it is a miniport to NDIS and fails
out-of-range values itself, N/responding-to-sets-and-queries-in-an-intermediate-driver.md), then
hands each member a clone that asks only for what that member's hardware has: an enable the member
lacks becomes NO_CHANGE (a checksum TX_RX request keeps the direction the member has; an IPsec AH
and ESP request keeps the half the member has).  Otherwise a standby without LSO would fail a set
that the active member, and so the virtual miniport, legitimately accepted.

*Combining completions* (``aggregate_status``).  A fanned-out set completes upward once every clone
has completed; SUCCESS if every counted clone succeeded, otherwise the status of the first failing
member in team order.  Team order, not arrival order, so that the status does not depend on the
schedule (architecture rule 3); "all must succeed" because one NDIS status has to say whether the
team applied the request, and a partial application must not look complete.  Which clones count is
the driver's rule (members still in the team when the last clone completes).

*Fitting a send to a member* (``fit_send``).  Never hand a member an NBL larger than that member's
own MaxOffLoadSize (N/offloading-the-segmentation-of-large-tcp-packets.md;
N/udp-segmentation-offload-uso-.md): an LSO/USO send the member cannot take whole is segmented by
the MUX into large sends the member can take and, below MinSegmentCount or without that offload,
into MSS-sized packets; checksum requests the member has off (or before its encapsulation set) are
dropped, i.e. computed in software, as Linux's ``validate_xmit_skb`` does.  This covers the case
where the member's own configuration is behind the advertised one; sends beyond what the virtual
miniport itself advertises are failed by the driver (spec 5.1 "capability shrink").
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Sequence
from typing import Any, Final

import attrs

from stack.ndis import (
    NDIS_ENCAPSULATION_TYPE_GRE_MAC,
    NDIS_ENCAPSULATION_TYPE_VXLAN,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_AND_ESP_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_IPSECV1_ESP_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_NO_CHANGE,
    NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OFFLOAD_REVISION_1,
    NDIS_OFFLOAD_SET_ON,
    NDIS_TCP_CONNECTION_OFFLOAD,
    NDIS_TCP_CONNECTION_OFFLOAD_REVISION_1,
    PARAMETER_MEMBERS,
    HardwarePolicy,
    LeafKind,
    NdisStatus,
    apply_offload_parameters,
    intersect_connection_offloads,
    intersect_offloads,
    layout,
    leaf_kind,
)
from stack.runtime import NET_BUFFER_LIST

__all__ = [
    "EMPTY_OFFLOAD",
    "NO_CONNECTION_OFFLOAD",
    "RECEIVE_BLOCKS",
    "Advertises",
    "FailoverAdvertises",
    "MemberCapabilities",
    "MuxMode",
    "Publication",
    "PublishAction",
    "TeamCapabilities",
    "aggregate",
    "aggregate_status",
    "aggregated_members",
    "compose_parameters",
    "describe",
    "fit_parameters",
    "fit_send",
    "lbfo_offloads",
    "plan_publication",
    "send_exceeds",
]

_SUCCESS: Final = NdisStatus.NDIS_STATUS_SUCCESS
_NO_CHANGE: Final = NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
#: Every per-feature member's *_DISABLED value (TX_RX_DISABLED for the checksum members).
_DISABLED: Final = 1

#: What a virtual miniport with no aggregated member advertises: nothing (spec A6).
EMPTY_OFFLOAD: Final = NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(NDIS_OFFLOAD_REVISION_1))


class MuxMode(enum.Enum):
    """How a virtual miniport uses its members."""

    #: One active member carries all traffic; the others stand by.
    FAILOVER = "failover"
    #: Every joined member carries traffic (sends are spread over them).
    TEAM = "team"


class Advertises(enum.Enum):
    """What a virtual miniport advertises of its members (module docstring)."""

    #: Windows NIC Teaming: transmit offloads if every member has them, receive offloads if any
    #: member has them, no chimney (the default).
    LBFO = "lbfo"
    #: Failover: the active member alone (team mode: as INTERSECTION).
    ACTIVE = "active"
    #: The strict meet of every joined member, chimney included.
    INTERSECTION = "intersection"


#: The name the option had when it only concerned failover teams.
FailoverAdvertises = Advertises


@attrs.frozen(kw_only=True)
class MemberCapabilities:
    """What the MUX knows about one member: its hardware and current configuration."""

    adapter: str
    hardware: NDIS_OFFLOAD
    current: NDIS_OFFLOAD
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = None


@attrs.frozen(kw_only=True)
class TeamCapabilities:
    """What a virtual miniport advertises (its offload attributes, then its indications)."""

    hardware: NDIS_OFFLOAD = EMPTY_OFFLOAD
    current: NDIS_OFFLOAD = EMPTY_OFFLOAD
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = None


def aggregated_members(
    mode: MuxMode,
    advertises: Advertises,
    joined: Sequence[str],
    active: str | None,
) -> list[str]:
    """The members whose capabilities the virtual miniport advertises, in team order."""
    if mode is MuxMode.FAILOVER and advertises is Advertises.ACTIVE:
        return [active] if active is not None and active in joined else []
    return list(joined)


#: The receive blocks of NDIS_OFFLOAD that LBFO advertises if *any* member has them (module
#: docstring): receive checksum and receive segment coalescing, TCP and UDP.
RECEIVE_BLOCKS: Final = ("Checksum.IPv4Receive", "Checksum.IPv6Receive", "Rsc", "UdpRsc")


def _join_leaves(kind: LeafKind, values: Sequence[int]) -> int:
    if kind is LeafKind.SUPPORT:
        return 1 if any(v == 1 for v in values) else 0
    if kind is LeafKind.FLAG:
        return 1 if any(values) else 0
    if kind is LeafKind.MASK:
        out = 0
        for v in values:
            out |= v
        return out
    return values[0] if all(v == values[0] for v in values) else 0


def _join_struct(blocks: Sequence[Any], prefix: str) -> Any:
    """The member-wise join (OR) of receive blocks, by the leaf kinds of ``stack.ndis``."""
    kwargs: dict[str, Any] = {}
    for member in layout(type(blocks[0])):
        path = f"{prefix}.{member.name}"
        values = [getattr(b, member.name) for b in blocks]
        if member.field.kind == "struct":
            kwargs[member.name] = _join_struct(values, path)
        else:
            kwargs[member.name] = _join_leaves(leaf_kind(path, member.field), values)
    return type(blocks[0])(**kwargs)


def lbfo_offloads(offloads: Sequence[NDIS_OFFLOAD]) -> NDIS_OFFLOAD:
    """What an LBFO team advertises of these NDIS_OFFLOADs (hardware capabilities or current
    configurations alike): the meet of everything but ``RECEIVE_BLOCKS``, which are joined.

    The Header is the highest revision among the members: a receive offload one member has is
    advertised, so the team needs a revision that carries it (a member of a lower revision has
    zeros where it cannot speak, which the meet of the transmit blocks already honours).

    Raises:
        ValueError: ``offloads`` is empty.
    """
    if not offloads:
        msg = "lbfo_offloads() needs at least one NDIS_OFFLOAD"
        raise ValueError(msg)
    return _lbfo_offloads(tuple(offloads))


@functools.lru_cache(maxsize=1024)  # frozen, hashable values asked about over and over
def _lbfo_offloads(offloads: tuple[NDIS_OFFLOAD, ...]) -> NDIS_OFFLOAD:
    result = intersect_offloads(offloads)
    for path in RECEIVE_BLOCKS:
        result = _set(result, path, _join_struct([_get(o, path) for o in offloads], path))
    header = max((o.Header for o in offloads), key=lambda h: (h.Revision, h.Size))
    return attrs.evolve(result, Header=header)


def aggregate(
    members: Sequence[MemberCapabilities], advertises: Advertises = Advertises.INTERSECTION
) -> TeamCapabilities:
    """What a virtual miniport over ``members`` (its aggregated members) can advertise under
    rule ``advertises`` (module docstring); nothing for no member.  ACTIVE and INTERSECTION
    both take the meet of whatever members they are given (``aggregated_members`` chose them)."""
    if not members:
        return TeamCapabilities()
    if advertises is Advertises.LBFO:
        # No chimney through a team (the NIC Teaming guide).
        return TeamCapabilities(
            hardware=lbfo_offloads([m.hardware for m in members]),
            current=lbfo_offloads([m.current for m in members]),
        )
    hardware = intersect_offloads([m.hardware for m in members])
    current = intersect_offloads([m.current for m in members])
    connection_hw = [m.connection_hardware for m in members]
    connection_cur = [m.connection_current for m in members]
    return TeamCapabilities(
        hardware=hardware,
        current=current,
        connection_hardware=(
            intersect_connection_offloads([c for c in connection_hw if c is not None])
            if all(c is not None for c in connection_hw)
            else None
        ),
        connection_current=(
            intersect_connection_offloads([c for c in connection_cur if c is not None])
            if all(c is not None for c in connection_cur)
            else None
        ),
    )


#: What a connection-offload indication carries when the team has no chimney member.
NO_CONNECTION_OFFLOAD: Final = NDIS_TCP_CONNECTION_OFFLOAD(
    Header=NDIS_TCP_CONNECTION_OFFLOAD.header_for(NDIS_TCP_CONNECTION_OFFLOAD_REVISION_1)
)


class PublishAction(enum.Enum):
    """What a change of a virtual miniport's capabilities comes to (``plan_publication``)."""

    #: Nothing to indicate (no effective change, or one already suppressed).
    NOTHING = "nothing"
    #: Not indicated while initializing or halted; remembered for the replay (rule 1).
    SUPPRESS = "suppress"
    #: The echo of the MUX's own set in flight: indicated once, when the set completes (rule 2).
    DEFER = "defer"
    #: Indicate ``Publication.indications`` now.
    PUBLISH = "publish"


@attrs.frozen(kw_only=True)
class Publication:
    """The plan for one change: the action and, for PUBLISH, the indications in order."""

    action: PublishAction
    #: (status code, status buffer) in the order they are to be indicated.
    indications: tuple[tuple[int, object | None], ...] = ()
    #: The current configuration indicated first to withdraw what new hardware cannot do.
    withdrawn: NDIS_OFFLOAD | None = None
    hardware_changed: bool = False
    current_changed: bool = False


def plan_publication(
    advertised: TeamCapabilities | None,
    capabilities: TeamCapabilities,
    *,
    may_indicate: bool,
    started: bool,
    suppressed: bool,
    config_set_pending: bool,
    force_current: bool = False,
) -> Publication:
    """What the MUX indicates when what a virtual miniport can do may have changed, from what
    it last advertised (``advertised``; None before its initialization) and what its aggregated
    members can do now (the driver's module docstring, rules 1 and 2):

    * while it may not indicate (initializing, halted), a change is suppressed once -- but
      before the MUX started the virtual miniport there is nothing to suppress;
    * while a parameters or encapsulation set the MUX fanned out is in flight, a change of the
      current configuration alone is the set's echo: deferred to the set's completion;
    * otherwise every effective change is indicated: when the hardware changes, first a
      CURRENT_CONFIG that withdraws what the new hardware cannot do (if that differs from what
      was advertised), so NDIS never holds a current configuration beyond the hardware (spec 7.2
      item 1), then HARDWARE_CAPABILITIES; the chimney hardware and the chimney current
      configuration (PAUSE then RESUME,
      D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md); and last the new CURRENT_CONFIG
      (N/using-the-tcp-ip-offload-administrator-interface.md).  ``force_current`` indicates the
      current configuration even when it did not change (a set completed: rule 3).
    """
    if not may_indicate:
        if started and capabilities != advertised and not suppressed:
            return Publication(action=PublishAction.SUPPRESS)
        return Publication(action=PublishAction.NOTHING)
    before = advertised or TeamCapabilities()
    hw_changed = capabilities.hardware != before.hardware
    conn_hw_changed = capabilities.connection_hardware != before.connection_hardware
    conn_changed = capabilities.connection_current != before.connection_current
    current_changed = capabilities.current != before.current
    other = hw_changed or conn_hw_changed or conn_changed or force_current
    if config_set_pending and not other:
        action = PublishAction.DEFER if current_changed else PublishAction.NOTHING
        return Publication(action=action, current_changed=current_changed)
    if not (other or current_changed):
        return Publication(action=PublishAction.NOTHING)
    indications: list[tuple[int, object | None]] = []
    withdrawn = None
    if hw_changed:
        candidate = intersect_offloads([capabilities.current, before.hardware])
        if candidate != before.current:
            withdrawn = candidate
            indications.append((NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, withdrawn))
        indications.append(
            (NdisStatus.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES, capabilities.hardware)
        )
    if conn_hw_changed:
        indications.append(
            (
                NdisStatus.NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
                capabilities.connection_hardware or NO_CONNECTION_OFFLOAD,
            )
        )
    if conn_changed:
        indications.append((NdisStatus.NDIS_STATUS_OFFLOAD_PAUSE, None))
        indications.append(
            (
                NdisStatus.NDIS_STATUS_OFFLOAD_RESUME,
                capabilities.connection_current or NO_CONNECTION_OFFLOAD,
            )
        )
    indications.append((NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, capabilities.current))
    return Publication(
        action=PublishAction.PUBLISH,
        indications=tuple(indications),
        withdrawn=withdrawn,
        hardware_changed=hw_changed,
        current_changed=current_changed,
    )


def aggregate_status(results: Sequence[int]) -> int:
    """The upward status of a fanned-out request from its counted clones, in team order:
    SUCCESS if all succeeded (or none counts), else the first failure."""
    for status in results:
        if status != _SUCCESS:
            return status
    return _SUCCESS


# -- parameters ----------------------------------------------------------------------------------


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _set(obj: Any, path: str, value: Any) -> Any:
    head, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{head: value})
    return attrs.evolve(obj, **{head: _set(getattr(obj, head), rest, value)})


_CHECKSUM_MEMBERS: Final = frozenset(
    {"IPv4Checksum", "TCPIPv4Checksum", "UDPIPv4Checksum", "TCPIPv6Checksum", "UDPIPv6Checksum"}
)
_IPSEC_MEMBERS: Final = frozenset({"IPsecV1", "IPsecV2", "IPsecV2IPv4"})
_CONNECTION_MEMBERS: Final = {
    "TcpConnectionIPv4": "SupportIPv4",
    "TcpConnectionIPv6": "SupportIPv6",
}


def _fallbacks(member: str, value: int) -> tuple[int, ...]:
    """Weaker values to try, in order, when ``value`` asks for more than the hardware has."""
    if member in _CHECKSUM_MEMBERS and value == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED:
        return (
            NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
            NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED,
            _NO_CHANGE,
        )
    if member in _IPSEC_MEMBERS and value == NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_AND_ESP_ENABLED:
        # The IPsecV1 and IPsecV2 AH/ESP values are the same numbers (2, 3, 4).
        return (
            NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_ENABLED,
            NDIS_OFFLOAD_PARAMETERS_IPSECV1_ESP_ENABLED,
            _NO_CHANGE,
        )
    return (_NO_CHANGE,)


def _enables(member: str) -> tuple[int, ...]:
    """The values of ``member`` that turn something on."""
    if member in _CHECKSUM_MEMBERS or member in _IPSEC_MEMBERS:
        return (2, 3, 4)  # TX/RX (checksum) or AH/ESP (IPsec) combinations
    return (2,)  # every other member's *_ENABLED


def _hardware_allows(hardware: NDIS_OFFLOAD, member: str, value: int) -> bool:
    single = _set(NDIS_OFFLOAD_PARAMETERS(), member, value)
    result = apply_offload_parameters(hardware, hardware, single, HardwarePolicy.INVALID_DATA)
    return result.succeeded


def fit_parameters(
    params: NDIS_OFFLOAD_PARAMETERS,
    hardware: NDIS_OFFLOAD,
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None,
) -> NDIS_OFFLOAD_PARAMETERS:
    """``params`` narrowed to what ``hardware`` can do (module docstring).

    NO_CHANGE is kept; a disable is kept if the hardware has the feature at all (otherwise it
    changes nothing and becomes NO_CHANGE); an enable the hardware lacks becomes the strongest
    weaker value it has (finally NO_CHANGE).  EncapsulationTypes keeps only the types the hardware
    offloads (SET_ON with none left becomes NO_CHANGE); a VXLAN port the hardware cannot configure
    is dropped.  Header and Flags are kept.
    """
    fitted = params
    for member in PARAMETER_MEMBERS:
        value = _get(params, member)
        if value == _NO_CHANGE or member == "EncapsulatedPacketTaskOffload":
            continue
        if member in _CONNECTION_MEMBERS:
            if connection_hardware is None or not getattr(
                connection_hardware, _CONNECTION_MEMBERS[member]
            ):
                fitted = _set(fitted, member, _NO_CHANGE)
            continue
        if value == _DISABLED:
            # Turning off what the hardware does not have changes nothing: not asked.
            if not any(_hardware_allows(hardware, member, v) for v in _enables(member)):
                fitted = _set(fitted, member, _NO_CHANGE)
            continue
        if _hardware_allows(hardware, member, value):
            continue
        for weaker in _fallbacks(member, value):
            if weaker == _NO_CHANGE or _hardware_allows(hardware, member, weaker):
                fitted = _set(fitted, member, weaker)
                break
    if params.EncapsulatedPacketTaskOffload and not _encapsulation_types(hardware):
        fitted = attrs.evolve(
            fitted, EncapsulatedPacketTaskOffload=_NO_CHANGE, EncapsulationTypes=0
        )
    elif params.EncapsulatedPacketTaskOffload == NDIS_OFFLOAD_SET_ON:
        available = _encapsulation_types(hardware)
        types = (params.EncapsulationTypes or available) & available
        if not types:
            fitted = attrs.evolve(fitted, EncapsulatedPacketTaskOffload=_NO_CHANGE,
                                  EncapsulationTypes=0)  # fmt: skip
        elif params.EncapsulationTypes:
            fitted = attrs.evolve(fitted, EncapsulationTypes=types)
    port_path = "EncapsulationProtocolParameters.VxlanParameters.VxlanUDPPortNumber"
    if _get(params, port_path):
        info = hardware.EncapsulatedPacketTaskOffloadVxlan.EncapsulationProtocolInfo.VxlanInfo
        if not info.VxlanUDPPortNumberConfigurable:
            fitted = _set(fitted, port_path, 0)
    return fitted


def _encapsulation_types(hardware: NDIS_OFFLOAD) -> int:
    fields = ("TransmitChecksumOffloadSupported", "ReceiveChecksumOffloadSupported",
              "LsoV2Supported", "RssSupported", "VmqSupported")  # fmt: skip
    gre = any(getattr(hardware.EncapsulatedPacketTaskOffloadGre, f) for f in fields)
    vxlan = any(getattr(hardware.EncapsulatedPacketTaskOffloadVxlan, f) for f in fields)
    return (NDIS_ENCAPSULATION_TYPE_GRE_MAC if gre else 0) | (
        NDIS_ENCAPSULATION_TYPE_VXLAN if vxlan else 0
    )


def compose_parameters(
    earlier: NDIS_OFFLOAD_PARAMETERS, later: NDIS_OFFLOAD_PARAMETERS
) -> NDIS_OFFLOAD_PARAMETERS:
    """The upper-level request after ``later`` was accepted on top of ``earlier``: every member
    ``later`` sets overrides, the rest keeps ``earlier``'s value (the MUX's "wanted" set, like
    Linux's ``wanted_features``).  Flags are ``later``'s; the header is the higher revision's."""
    composed = earlier
    for member in PARAMETER_MEMBERS:
        value = _get(later, member)
        if value != _NO_CHANGE:
            composed = _set(composed, member, value)
            if member == "EncapsulatedPacketTaskOffload":
                composed = attrs.evolve(composed, EncapsulationTypes=later.EncapsulationTypes)
    port = later.EncapsulationProtocolParameters
    if port.VxlanParameters.VxlanUDPPortNumber:
        composed = attrs.evolve(composed, EncapsulationProtocolParameters=port)
    header = max(earlier.Header, later.Header, key=lambda h: (h.Revision, h.Size))
    return attrs.evolve(composed, Flags=later.Flags, Header=header)


# -- sends ---------------------------------------------------------------------------------------


def _segmentation_block(offload: NDIS_OFFLOAD, nbl: NET_BUFFER_LIST) -> Any:
    """The LSO/USO block a large send needs, or None (LSOv1 is IPv4 only)."""
    ip = "IPv6" if nbl.IpVersion == 6 else "IPv4"
    if nbl.UsoMss:
        return getattr(offload.UdpSegmentation, ip)
    if nbl.LsoVersion == 1:
        return offload.LsoV1.IPv4 if ip == "IPv4" else None
    if nbl.LsoVersion == 2:
        return getattr(offload.LsoV2, ip)
    return None


def send_exceeds(nbl: NET_BUFFER_LIST, offload: NDIS_OFFLOAD) -> str | None:
    """Why a large send asks for more segmentation than ``offload`` has, or None."""
    mss = nbl.LsoMss or nbl.UsoMss
    if not mss:
        return None
    kind = "uso" if nbl.UsoMss else f"lsov{nbl.LsoVersion}"
    block = _segmentation_block(offload, nbl)
    if block is None or not block.Encapsulation:
        return f"{kind}-off"
    if nbl.DataLength > block.MaxOffLoadSize:
        return f"{kind}-too-large"
    return None


def _checksum_flags(nbl: NET_BUFFER_LIST, offload: NDIS_OFFLOAD | None) -> dict[str, Any]:
    """The transmit checksum requests of ``nbl`` that ``offload`` has on (the rest is done in
    software).  A large send implies IP (IPv4) and TCP/UDP checksums for every segment."""
    wants_ip = nbl.IpHeaderChecksum or bool(nbl.LsoMss and nbl.IpVersion == 4)
    wants_tcp = nbl.TcpChecksum or bool(nbl.LsoMss)
    wants_udp = nbl.UdpChecksum or bool(nbl.UsoMss)
    if offload is None:
        return {"IpHeaderChecksum": False, "TcpChecksum": False, "UdpChecksum": False}
    block = getattr(offload.Checksum, f"IPv{6 if nbl.IpVersion == 6 else 4}Transmit")
    return {
        "IpHeaderChecksum": wants_ip and nbl.IpVersion == 4 and block.IpChecksum == 1,
        "TcpChecksum": wants_tcp and block.TcpChecksum == 1,
        "UdpChecksum": wants_udp and block.UdpChecksum == 1,
    }


def fit_send(
    nbl: NET_BUFFER_LIST, offload: NDIS_OFFLOAD | None
) -> tuple[list[NET_BUFFER_LIST], str | None]:
    """The NBLs to hand a member whose usable configuration is ``offload`` (None: no offload
    usable, e.g. before the member's OID_OFFLOAD_ENCAPSULATION set), and why the send was
    changed (None when ``nbl`` goes as it is)."""
    checksum = _checksum_flags(nbl, offload)
    mss = nbl.LsoMss or nbl.UsoMss
    if not mss:
        asked = {
            "IpHeaderChecksum": nbl.IpHeaderChecksum,
            "TcpChecksum": nbl.TcpChecksum,
            "UdpChecksum": nbl.UdpChecksum,
        }
        if asked == checksum:
            return [nbl], None
        return [attrs.evolve(nbl, **checksum)], "checksum-in-software"
    reason = send_exceeds(nbl, offload) if offload is not None else "offload-unusable"
    if reason is None:
        # A large send that fits: the hardware checksums the segments it cuts (an LSO-capable
        # NIC must, N/offloading-the-segmentation-of-large-tcp-packets.md).
        return [nbl], None
    block = _segmentation_block(offload, nbl) if offload is not None else None
    return list(_segments(nbl, block, mss, checksum)), reason


def _segments(
    nbl: NET_BUFFER_LIST, block: Any, mss: int, checksum: dict[str, Any]
) -> Iterator[NET_BUFFER_LIST]:
    remaining = nbl.DataLength
    index = 0
    plain: dict[str, Any] = {"LsoVersion": 0, "LsoMss": 0, "UsoMss": 0}
    if block is not None and block.Encapsulation and block.MaxOffLoadSize:
        floor = mss * max(block.MinSegmentCount, 2)
        while remaining >= floor:
            chunk = min(remaining, block.MaxOffLoadSize)
            index += 1
            yield attrs.evolve(nbl, Id=f"{nbl.Id}/{index}", DataLength=chunk)
            remaining -= chunk
    while remaining > 0:
        chunk = min(remaining, mss)
        index += 1
        yield attrs.evolve(nbl, Id=f"{nbl.Id}/{index}", DataLength=chunk, **plain, **checksum)
        remaining -= chunk


# -- trace digests -------------------------------------------------------------------------------


def describe(offload: NDIS_OFFLOAD | None) -> list[str]:
    """A short, JSON-able digest of what is on (for trace notes): ``["csum4", "csum6",
    "lsov1:65536", "lsov2:262144/262144", "uso", "rsc", "ipsec"]``."""
    if offload is None:
        return []
    on: list[str] = []
    checksum = offload.Checksum
    if any(getattr(checksum.IPv4Transmit, f) == 1 for f in ("IpChecksum", "TcpChecksum")):
        on.append("csum4")
    if checksum.IPv6Transmit.TcpChecksum == 1:
        on.append("csum6")
    if offload.LsoV1.IPv4.Encapsulation:
        on.append(f"lsov1:{offload.LsoV1.IPv4.MaxOffLoadSize}")
    v2 = offload.LsoV2
    if v2.IPv4.Encapsulation or v2.IPv6.Encapsulation:
        sizes = [str(b.MaxOffLoadSize if b.Encapsulation else 0) for b in (v2.IPv4, v2.IPv6)]
        on.append("lsov2:" + "/".join(sizes))
    uso = offload.UdpSegmentation
    if uso.IPv4.Encapsulation or uso.IPv6.Encapsulation:
        on.append("uso")
    if offload.Rsc.IPv4.Enabled or offload.Rsc.IPv6.Enabled:
        on.append("rsc")
    if offload.IPsecV2.Ah or offload.IPsecV2.Esp or offload.IPsecV1.Supported.Encapsulation:
        on.append("ipsec")
    return on
