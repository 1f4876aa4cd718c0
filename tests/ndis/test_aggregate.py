"""Capability intersection for a team of adapters (spec A11)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from offload_strategies import HARDWARE, hardware_offloads

from stack.ndis import _constants as c
from stack.ndis._aggregate import (
    LeafKind,
    capability_excess,
    intersect_connection_offloads,
    intersect_offloads,
    leaf_kind,
)
from stack.ndis._invariants import (
    check_current_within_hardware,
    check_ethernet_always,
    check_lso_capability_implies_tx_checksum,
)
from stack.ndis._layout import layout
from stack.ndis._structs import (
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2,
    NDIS_OFFLOAD,
    NDIS_TCP_CONNECTION_OFFLOAD,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4,
)

ETH = c.NDIS_ENCAPSULATION_IEEE_802_3
PQ = c.NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q


def _lso_v1(size: int, segments: int, encapsulation: int = ETH) -> NDIS_OFFLOAD:
    return attrs.evolve(
        HARDWARE,
        LsoV1=NDIS_TCP_LARGE_SEND_OFFLOAD_V1(
            IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4(
                Encapsulation=encapsulation,
                MaxOffLoadSize=size,
                MinSegmentCount=segments,
                TcpOptions=1,
                IpOptions=1,
            )
        ),
    )


def test_sizes_take_the_minimum_and_segment_counts_the_maximum() -> None:
    """N/offloading-the-segmentation-of-large-tcp-packets.md: no lower adapter may get a packet
    above its own MaxOffLoadSize, and every adapter's MinSegmentCount must be met."""
    met = intersect_offloads([_lso_v1(65536, 2, ETH | PQ), _lso_v1(32768, 4, ETH)])
    assert met.LsoV1.IPv4.MaxOffLoadSize == 32768
    assert met.LsoV1.IPv4.MinSegmentCount == 4
    assert met.LsoV1.IPv4.Encapsulation == ETH


def test_a_block_missing_on_one_member_is_missing_from_the_team() -> None:
    """A feature is advertised only if every lower adapter supports it (spec A11)."""
    without = attrs.evolve(HARDWARE, LsoV1=NDIS_TCP_LARGE_SEND_OFFLOAD_V1())
    met = intersect_offloads([HARDWARE, without])
    assert met.LsoV1 == NDIS_TCP_LARGE_SEND_OFFLOAD_V1()
    assert met.LsoV2 == HARDWARE.LsoV2


def test_support_bits_read_two_as_off() -> None:
    """Spec A3: SET_OFF (2) inside NDIS_OFFLOAD is off, and the meet writes 1/0 only."""
    two = attrs.evolve(
        HARDWARE,
        Checksum=attrs.evolve(
            HARDWARE.Checksum,
            IPv4Transmit=attrs.evolve(HARDWARE.Checksum.IPv4Transmit, UdpChecksum=2),
        ),
    )
    met = intersect_offloads([two, two])
    assert met.Checksum.IPv4Transmit.UdpChecksum == 0
    assert met.Checksum.IPv4Transmit.TcpChecksum == 1


def test_disagreeing_vxlan_ports_drop_vxlan_offload() -> None:
    """Members listening on different VXLAN ports cannot share one VXLAN offload."""

    def port(p: int) -> NDIS_OFFLOAD:
        vxlan = attrs.evolve(
            HARDWARE.EncapsulatedPacketTaskOffloadVxlan,
            EncapsulationProtocolInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo(
                VxlanInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo(
                    VxlanUDPPortNumber=p, VxlanUDPPortNumberConfigurable=1
                )
            ),
        )
        return attrs.evolve(HARDWARE, EncapsulatedPacketTaskOffloadVxlan=vxlan)

    same = intersect_offloads([port(4789), port(4789)])
    assert same.EncapsulatedPacketTaskOffloadVxlan == port(4789).EncapsulatedPacketTaskOffloadVxlan
    differ = intersect_offloads([port(4789), port(8472)])
    assert differ.EncapsulatedPacketTaskOffloadVxlan == NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2()
    assert differ.EncapsulationTypes == c.NDIS_ENCAPSULATION_TYPE_GRE_MAC


def test_header_is_the_lowest_member_revision() -> None:
    """The team can claim only members that every member's revision carries."""
    old = attrs.evolve(HARDWARE, Header=NDIS_OFFLOAD.header_for(c.NDIS_OFFLOAD_REVISION_3))
    assert intersect_offloads([HARDWARE, old]).Header == old.Header


def test_a_single_member_is_its_own_intersection() -> None:
    """Meet of one element is that element (for a well-formed structure)."""
    assert intersect_offloads([HARDWARE]) == HARDWARE


def test_an_empty_team_is_an_error() -> None:
    """There is nothing to intersect; the caller decides what a memberless MUX advertises."""
    with pytest.raises(ValueError, match="at least one"):
        intersect_offloads([])
    with pytest.raises(ValueError, match="at least one"):
        intersect_connection_offloads([])


def test_every_ndis_offload_member_has_a_deliberate_kind() -> None:
    """Every integer member is classified; 2-bit fields are SUPPORT, sizes UPPER, and so on."""

    def walk(cls: type, prefix: str = "") -> dict[str, LeafKind]:
        out: dict[str, LeafKind] = {}
        for m in layout(cls):
            if m.field.kind == "struct":
                assert m.field.struct is not None
                out.update(walk(m.field.struct, f"{prefix}{m.name}."))
            else:
                out[prefix + m.name] = leaf_kind(prefix + m.name, m.field)
        return out

    kinds = walk(NDIS_OFFLOAD)
    assert kinds["Checksum.IPv4Transmit.TcpChecksum"] is LeafKind.SUPPORT
    assert kinds["LsoV2.IPv6.MaxOffLoadSize"] is LeafKind.UPPER
    assert kinds["UdpSegmentation.IPv4.MinSegmentCount"] is LeafKind.LOWER
    assert kinds["IPsecV2.AuthenticationAlgorithms"] is LeafKind.MASK
    assert kinds["EncapsulatedPacketTaskOffloadGre.LsoV2Supported"] is LeafKind.MASK
    assert kinds["IPsecV2.LsoSupported"] is LeafKind.FLAG
    assert kinds["Rfc6877Xlat.XlatOffload"] is LeafKind.XLAT
    assert kinds["Header.Size"] is LeafKind.SKIP
    assert kinds["IPsecV1.IPv4ESP.Reserved"] is LeafKind.SKIP


def _connection(**kw: int) -> NDIS_TCP_CONNECTION_OFFLOAD:
    return NDIS_TCP_CONNECTION_OFFLOAD(Encapsulation=ETH, **kw)


def test_connection_offload_meet() -> None:
    """D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md: capacity MIN, support bits AND."""
    a = _connection(SupportIPv4=1, SupportIPv6=1, SupportSack=1, TcpConnectionOffloadCapacity=900)
    b = _connection(SupportIPv4=1, SupportSack=0, TcpConnectionOffloadCapacity=300)
    met = intersect_connection_offloads([a, b])
    assert (met.SupportIPv4, met.SupportIPv6, met.SupportSack) == (1, 0, 0)
    assert met.TcpConnectionOffloadCapacity == 300
    assert met.Encapsulation == ETH


def test_connection_offload_without_a_common_ip_version_is_nothing() -> None:
    """A target "must support IPv4 or IPv6"; with neither in common the team offloads nothing."""
    a = _connection(SupportIPv4=1, TcpConnectionOffloadCapacity=10)
    b = _connection(SupportIPv6=1, TcpConnectionOffloadCapacity=10)
    met = intersect_connection_offloads([a, b])
    assert met == NDIS_TCP_CONNECTION_OFFLOAD(Header=a.Header)


@given(st.lists(hardware_offloads(), min_size=1, max_size=3))
@settings(max_examples=80, deadline=None)
def test_property_the_meet_is_within_every_member_and_well_formed(
    team: list[NDIS_OFFLOAD],
) -> None:
    """Spec A11: the intersection never exceeds any member, keeps Ethernet and the LSO/checksum
    capability rule (N/combining-types-of-task-offloads.md), and is order independent."""
    met = intersect_offloads(team)
    for member in team:
        assert list(capability_excess(met, member)) == []
        assert check_current_within_hardware(met, member) is None
    assert check_ethernet_always(met) is None
    assert check_lso_capability_implies_tx_checksum(met, met) is None
    assert intersect_offloads(list(reversed(team))) == met
    assert intersect_offloads([met, *team]) == met
