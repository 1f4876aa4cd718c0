"""Capability intersection for a team of adapters (spec A11), and the capability order behind it.

Theory of operation
-------------------
Nothing in the docs says how a MUX virtual miniport derives its offload attributes from several
lower adapters (spec A11).  The conservative model advertises what *every* lower adapter can do:
the meet of their NDIS_OFFLOAD structures in a capability order.  The same order gives invariant
7.2 item 1 ("current within hardware", ``capability_excess``): current <= hardware member by member.

Every integer member of NDIS_OFFLOAD (and NDIS_TCP_CONNECTION_OFFLOAD) falls in one ``LeafKind``,
decided by its C member name and width; the rule for each kind, and why:

* SUPPORT (2-bit NOT_SUPPORTED/SUPPORTED fields such as TcpChecksum, IpOptions, Md5): on only if
  on everywhere.  1 is on, 0 and 2 are off (spec A3), and we write 1/0.
* FLAG (BOOLEANs such as IPsecV2.Ah, Rsc.IPv4.Enabled; 1-bit fields such as
  SubMssFinalSegmentSupported; the ULONG booleans of IPsecV1.Supported): logical AND.
* MASK (Encapsulation, the 4-bit INNER/OUTER_IPV4/IPV6 fields of the encapsulated-packet blocks,
  UdpEsp, AuthenticationAlgorithms, EncryptionAlgorithms, EncapsulationTypes, Flags): bitwise AND,
  since a flag is usable only if every member supports it.  NDIS_OFFLOAD.Flags holds the IPsec /
  checksum coexistence flags, which hold for the team only if they hold for each member.
* UPPER (MaxOffLoadSize, SaOffloadCapacity, MaxHeaderSizeSupported, TcpConnectionOffloadCapacity):
  MIN.  A MUX must never pass a lower adapter a packet larger than that adapter's own
  MaxOffLoadSize (N/offloading-the-segmentation-of-large-tcp-packets.md); capacities are as large
  as the smallest member's.
* LOWER (MinSegmentCount): MAX.  The transport offloads only packets that yield at least
  MinSegmentCount segments (N/offloading-the-segmentation-of-large-tcp-packets.md), so the team
  needs the strictest member's count.
* XLAT (Rfc6877Xlat.XlatOffload, an enum NOT_SUPPORTED < DISABLED < ENABLED < ON_DEMAND): MIN.
* SAME (CongestionAlgorithm, reserved; the VXLAN UDP port): kept when every member agrees.  For
  the VXLAN port, members that disagree cannot share one VXLAN offload, so the whole
  EncapsulatedPacketTaskOffloadVxlan block is dropped.
* SKIP (Reserved fields, the union's raw ``Value``, Rfc6877Xlat.Flags "always 0"): zero.

Then a block whose features all went off is zeroed (its Encapsulation, sizes and qualifiers
mean nothing without a feature), EncapsulationTypes keeps only the types whose block survived,
and the Header is the lowest revision among the members (the team can claim only members every
member's revision carries).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeVar

import attrs

from stack.ndis._layout import CField, layout
from stack.ndis._rules import _CHECKSUM_FEATURES, _ENCAP_TASK_FIELDS, _IPSEC_V1_AH, _IPSEC_V1_ESP
from stack.ndis._structs import NDIS_OFFLOAD, NDIS_TCP_CONNECTION_OFFLOAD

__all__ = [  # re-exported by stack.ndis
    "LeafKind",
    "capability_excess",
    "intersect_connection_offloads",
    "intersect_offloads",
    "leaf_kind",
]


class LeafKind(enum.Enum):
    """How one integer member takes part in the capability order (module docstring)."""

    SUPPORT = "support"
    FLAG = "flag"
    MASK = "mask"
    UPPER = "upper"
    LOWER = "lower"
    XLAT = "xlat"
    SAME = "same"
    SKIP = "skip"


_UPPER: Final = frozenset(
    {
        "MaxOffLoadSize",
        "SaOffloadCapacity",
        "MaxHeaderSizeSupported",
        "TcpConnectionOffloadCapacity",
    }
)
_MASKS: Final = frozenset(
    {
        "Encapsulation",
        "UdpEsp",
        "AuthenticationAlgorithms",
        "EncryptionAlgorithms",
        "EncapsulationTypes",
        "Flags",
        *_ENCAP_TASK_FIELDS,
    }
)
_SKIP: Final = frozenset({"Reserved", "Reserved1", "Reserved2", "Value"})


@functools.cache  # a few hundred (path, field) pairs exist in all
def leaf_kind(path: str, field: CField) -> LeafKind:
    """The ``LeafKind`` of the integer member at dotted ``path`` (module docstring)."""
    name = path.rpartition(".")[2]
    if path.startswith("Header.") or name in _SKIP or path == "Rfc6877Xlat.Flags":
        return LeafKind.SKIP
    if name in _UPPER:
        return LeafKind.UPPER
    if name == "MinSegmentCount":
        return LeafKind.LOWER
    if name == "XlatOffload":
        return LeafKind.XLAT
    if name in ("CongestionAlgorithm", "VxlanUDPPortNumber"):
        return LeafKind.SAME
    if name in _MASKS:
        return LeafKind.MASK
    if field.kind == "bits" and field.width == 2:
        return LeafKind.SUPPORT
    return LeafKind.FLAG


def _leaves(obj: object, prefix: str = "") -> Iterator[tuple[str, CField, int]]:
    for member in layout(type(obj)):
        value = getattr(obj, member.name)
        path = f"{prefix}{member.name}"
        if member.field.kind == "struct":
            yield from _leaves(value, path + ".")
        else:
            yield path, member.field, value


def capability_excess(current: Any, hardware: Any) -> Iterator[tuple[str, int, int]]:
    """Every member where ``current`` claims more than ``hardware``: (path, current, hardware).

    Both are NDIS_OFFLOAD (or both NDIS_TCP_CONNECTION_OFFLOAD).  The VXLAN UDP port is not a
    capability (a parameters set may change it) and is not compared.
    """
    yield from _capability_excess(current, hardware)


# The structures are frozen and hashable, and the MUX and the monitors ask the same questions
# about the same few configurations over and over: memoising is what keeps exploration fast.
@functools.lru_cache(maxsize=1024)
def _capability_excess(current: Any, hardware: Any) -> tuple[tuple[str, int, int], ...]:
    hw = {path: value for path, _, value in _leaves(hardware)}
    excess = []
    for path, field, cur in _leaves(current):
        kind = leaf_kind(path, field)
        limit = hw[path]
        bad = {
            LeafKind.SUPPORT: cur == 1 and limit != 1,
            LeafKind.FLAG: bool(cur) and not limit,
            LeafKind.MASK: bool(cur & ~limit),
            LeafKind.UPPER: cur > limit,
            LeafKind.LOWER: cur != 0 and cur < limit,
            LeafKind.XLAT: limit == 0 and cur != 0,
            LeafKind.SAME: path.endswith("CongestionAlgorithm") and cur not in (0, limit),
            LeafKind.SKIP: False,
        }[kind]
        if bad:
            excess.append((path, cur, limit))
    return tuple(excess)


def _meet(kind: LeafKind, values: Sequence[int]) -> int:
    if kind is LeafKind.SUPPORT:
        return 1 if all(v == 1 for v in values) else 0
    if kind is LeafKind.FLAG:
        return 1 if all(values) else 0
    if kind is LeafKind.MASK:
        out = values[0]
        for v in values[1:]:
            out &= v
        return out
    if kind in (LeafKind.UPPER, LeafKind.XLAT):
        return min(values)
    if kind is LeafKind.LOWER:
        return max(values)
    if kind is LeafKind.SAME:
        return values[0] if all(v == values[0] for v in values) else 0
    return 0


_S = TypeVar("_S")


def _meet_struct(objs: Sequence[_S], prefix: str = "") -> _S:
    cls = type(objs[0])
    kwargs: dict[str, Any] = {}
    members = layout(cls)
    # A union (EncapsulationProtocolInfo) is built from its named view only; Value follows.
    union = any(m.name == "Value" for m in members) and len(members) > 1
    for member in members:
        path = f"{prefix}{member.name}"
        values = [getattr(o, member.name) for o in objs]
        if member.field.kind == "struct":
            kwargs[member.name] = _meet_struct(values, path + ".")
        elif not (union and member.name == "Value"):
            kwargs[member.name] = _meet(leaf_kind(path, member.field), values)
    return cls(**kwargs)


def _zero_unless(offload: NDIS_OFFLOAD, path: str, keep: bool) -> NDIS_OFFLOAD:
    if keep:
        return offload
    head, _, rest = path.partition(".")
    block = getattr(offload, head)
    if not rest:
        return attrs.evolve(offload, **{head: type(block)()})
    inner = getattr(block, rest)
    return attrs.evolve(offload, **{head: attrs.evolve(block, **{rest: type(inner)()})})


def _normalize(offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
    """Zero every block whose features are all off; keep EncapsulationTypes consistent."""
    checksum = offload.Checksum
    for name, features in _CHECKSUM_FEATURES.items():
        block = getattr(checksum, name)
        if not any(getattr(block, f) == 1 for f in features):
            checksum = attrs.evolve(checksum, **{name: type(block)()})
    offload = attrs.evolve(offload, Checksum=checksum)
    for path in ("LsoV1.IPv4", "LsoV2.IPv4", "LsoV2.IPv6", "UdpSegmentation.IPv4",
                 "UdpSegmentation.IPv6"):  # fmt: skip
        head, _, rest = path.partition(".")
        offload = _zero_unless(
            offload, path, bool(getattr(getattr(offload, head), rest).Encapsulation)
        )
    v1 = offload.IPsecV1
    ah = any(getattr(v1.IPv4AH, f) == 1 for f in _IPSEC_V1_AH)
    esp = any(getattr(v1.IPv4ESP, f) == 1 for f in _IPSEC_V1_ESP)
    offload = _zero_unless(offload, "IPsecV1.IPv4AH", ah)
    offload = _zero_unless(offload, "IPsecV1.IPv4ESP", esp)
    offload = _zero_unless(offload, "IPsecV1", ah or esp)
    offload = _zero_unless(offload, "IPsecV2", bool(offload.IPsecV2.Ah or offload.IPsecV2.Esp))
    gre = any(getattr(offload.EncapsulatedPacketTaskOffloadGre, f) for f in _ENCAP_TASK_FIELDS)
    vxlan = any(getattr(offload.EncapsulatedPacketTaskOffloadVxlan, f) for f in _ENCAP_TASK_FIELDS)
    offload = _zero_unless(offload, "EncapsulatedPacketTaskOffloadGre", gre)
    offload = _zero_unless(offload, "EncapsulatedPacketTaskOffloadVxlan", vxlan)
    types = offload.EncapsulationTypes & ((1 if gre else 0) | (2 if vxlan else 0))
    return attrs.evolve(offload, EncapsulationTypes=types)


def _lowest_header(objs: Sequence[Any]) -> Any:
    return min((o.Header for o in objs), key=lambda h: (h.Revision, h.Size))


def intersect_offloads(offloads: Sequence[NDIS_OFFLOAD]) -> NDIS_OFFLOAD:
    """What a team of adapters can all do: the member-wise meet of their NDIS_OFFLOADs.

    Rules per member in the module docstring.  Works for hardware capabilities and for current
    configurations alike (spec A11 advertises the intersection of the lower adapters' current
    configurations).  ``intersect_offloads([current, hardware])`` also clamps a configuration to
    capabilities that have shrunk.

    Raises:
        ValueError: ``offloads`` is empty (a team with no member has no capabilities to meet).
    """
    if not offloads:
        msg = "intersect_offloads() needs at least one NDIS_OFFLOAD"
        raise ValueError(msg)
    return _intersect_offloads(tuple(offloads))


@functools.lru_cache(maxsize=1024)
def _intersect_offloads(offloads: tuple[NDIS_OFFLOAD, ...]) -> NDIS_OFFLOAD:
    ports = {
        o.EncapsulatedPacketTaskOffloadVxlan.EncapsulationProtocolInfo.VxlanInfo.VxlanUDPPortNumber
        for o in offloads
    }
    met = _meet_struct(offloads)
    if len(ports) > 1:
        met = _zero_unless(met, "EncapsulatedPacketTaskOffloadVxlan", False)
    return attrs.evolve(_normalize(met), Header=_lowest_header(offloads))


def intersect_connection_offloads(
    offloads: Sequence[NDIS_TCP_CONNECTION_OFFLOAD],
) -> NDIS_TCP_CONNECTION_OFFLOAD:
    """The meet of several NDIS_TCP_CONNECTION_OFFLOAD (chimney) capabilities.

    Encapsulation: bitwise AND; SupportIPv4/IPv6/IPv6ExtensionHeaders/Sack: on only if on
    everywhere; TcpConnectionOffloadCapacity: MIN; CongestionAlgorithm (reserved): kept if equal;
    Flags (reserved): AND.  Header: lowest revision.  If neither IPv4 nor IPv6 survives, the
    result supports no connection offload at all (a target "must support IPv4 or IPv6",
    D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md), so everything is zeroed.

    Raises:
        ValueError: ``offloads`` is empty.
    """
    if not offloads:
        msg = "intersect_connection_offloads() needs at least one NDIS_TCP_CONNECTION_OFFLOAD"
        raise ValueError(msg)
    met = _meet_struct(offloads)
    header = _lowest_header(offloads)
    if met.SupportIPv4 != 1 and met.SupportIPv6 != 1:
        return NDIS_TCP_CONNECTION_OFFLOAD(Header=header)
    return attrs.evolve(met, Header=header)
