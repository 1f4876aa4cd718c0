"""Hypothesis strategies for NDIS_OFFLOAD capabilities and NDIS_OFFLOAD_PARAMETERS sets.

Shared by test_rules, test_keywords, test_aggregate and test_invariants.  Generated hardware
capabilities are well formed the way the docs require of a miniport: every supported offload lists
NDIS_ENCAPSULATION_IEEE_802_3 (N/oid-tcp-offload-current-config.md), an LSO-capable adapter also
supports IPv4/TCP transmit checksum and LSOv1's MaxOffLoadSize is at most 64K
(N/combining-types-of-task-offloads.md).
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

from stack.ndis import _constants as c
from stack.ndis._keywords import current_config_from_keywords
from stack.ndis._rules import PARAMETER_MEMBERS, HardwarePolicy, _set, apply_offload_parameters
from stack.ndis._structs import (
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2,
    NDIS_IPSEC_OFFLOAD_V1,
    NDIS_IPSEC_OFFLOAD_V2,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V2,
    NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD,
    NDIS_UDP_RSC_OFFLOAD,
    NDIS_UDP_SEGMENTATION_OFFLOAD,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo,
    NDIS_IPSEC_OFFLOAD_V1_IPv4AH,
    NDIS_IPSEC_OFFLOAD_V1_IPv4ESP,
    NDIS_IPSEC_OFFLOAD_V1_Supported,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6,
    NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4,
    NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6,
    NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4,
    NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6,
)

ETH = c.NDIS_ENCAPSULATION_IEEE_802_3
_EXTRA_ENCAP = st.sampled_from(
    [
        0,
        c.NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q,
        c.NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q_IN_OOB,
        c.NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED,
        c.NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q | c.NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED,
    ]
)
_BIT = st.integers(0, 1)


@st.composite
def _encap(draw: st.DrawFn) -> int:
    return ETH | draw(_EXTRA_ENCAP)


@st.composite
def _checksum_block(
    draw: st.DrawFn, cls: type, features: tuple[str, ...], quals: tuple[str, ...]
) -> Any:
    values = {f: draw(_BIT) for f in features}
    if not any(values.values()):
        return cls()
    values.update({q: draw(_BIT) for q in quals})
    return cls(Encapsulation=draw(_encap()), **values)


@st.composite
def hardware_offloads(draw: st.DrawFn) -> NDIS_OFFLOAD:
    """Well-formed hardware capabilities (see the module docstring)."""
    v4f, v4q = (
        ("IpChecksum", "TcpChecksum", "UdpChecksum"),
        ("IpOptionsSupported", "TcpOptionsSupported"),
    )
    v6f, v6q = (
        ("TcpChecksum", "UdpChecksum"),
        ("IpExtensionHeadersSupported", "TcpOptionsSupported"),
    )
    checksum = NDIS_TCP_IP_CHECKSUM_OFFLOAD(
        IPv4Transmit=draw(_checksum_block(NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit, v4f, v4q)),
        IPv4Receive=draw(_checksum_block(NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive, v4f, v4q)),
        IPv6Transmit=draw(_checksum_block(NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit, v6f, v6q)),
        IPv6Receive=draw(_checksum_block(NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive, v6f, v6q)),
    )
    tx4 = checksum.IPv4Transmit
    tx6 = checksum.IPv6Transmit
    lso4_ok = tx4.IpChecksum == 1 and tx4.TcpChecksum == 1
    lso6_ok = tx6.TcpChecksum == 1
    offload = NDIS_OFFLOAD(Checksum=checksum)
    if lso4_ok and draw(st.booleans()):
        offload = attrs.evolve(
            offload,
            LsoV1=NDIS_TCP_LARGE_SEND_OFFLOAD_V1(
                IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4(
                    Encapsulation=draw(_encap()),
                    MaxOffLoadSize=draw(st.integers(1, 65536)),
                    MinSegmentCount=draw(st.integers(1, 8)),
                    TcpOptions=1,
                    IpOptions=1,
                )
            ),
        )
    lso2_v4 = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4()
    lso2_v6 = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6()
    if lso4_ok and draw(st.booleans()):
        lso2_v4 = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4(
            Encapsulation=draw(_encap()),
            MaxOffLoadSize=draw(st.integers(1, 1 << 20)),
            MinSegmentCount=draw(st.integers(1, 8)),
        )
    if lso6_ok and draw(st.booleans()):
        lso2_v6 = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6(
            Encapsulation=draw(_encap()),
            MaxOffLoadSize=draw(st.integers(1, 1 << 20)),
            MinSegmentCount=draw(st.integers(1, 8)),
            IpExtensionHeadersSupported=draw(_BIT),
            TcpOptionsSupported=draw(_BIT),
        )
    offload = attrs.evolve(
        offload, LsoV2=NDIS_TCP_LARGE_SEND_OFFLOAD_V2(IPv4=lso2_v4, IPv6=lso2_v6)
    )
    ah, esp = draw(_BIT), draw(_BIT)
    if ah or esp:
        offload = attrs.evolve(
            offload,
            IPsecV1=NDIS_IPSEC_OFFLOAD_V1(
                Supported=NDIS_IPSEC_OFFLOAD_V1_Supported(Encapsulation=draw(_encap())),
                IPv4AH=NDIS_IPSEC_OFFLOAD_V1_IPv4AH(Md5=1, Send=1, Receive=1)
                if ah
                else NDIS_IPSEC_OFFLOAD_V1_IPv4AH(),
                IPv4ESP=NDIS_IPSEC_OFFLOAD_V1_IPv4ESP(Des=1, Send=1, Receive=1)
                if esp
                else NDIS_IPSEC_OFFLOAD_V1_IPv4ESP(),
            ),
        )
    ah2, esp2 = draw(_BIT), draw(_BIT)
    if ah2 or esp2:
        offload = attrs.evolve(
            offload,
            IPsecV2=NDIS_IPSEC_OFFLOAD_V2(
                Encapsulation=draw(_encap()),
                IPv6Supported=draw(_BIT),
                Ah=ah2,
                Esp=esp2,
                AhEspCombined=int(ah2 and esp2 and draw(st.booleans())),
                Transport=1,
                Tunnel=1,
                LsoSupported=draw(_BIT),
                AuthenticationAlgorithms=draw(st.integers(1, 0x3F)),
                EncryptionAlgorithms=draw(st.integers(1, 0x1FF)),
                SaOffloadCapacity=draw(st.integers(1, 1024)),
            ),
        )
    offload = attrs.evolve(
        offload,
        Rsc=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD(
            IPv4=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4(Enabled=draw(_BIT)),
            IPv6=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6(Enabled=draw(_BIT)),
        ),
        UdpRsc=NDIS_UDP_RSC_OFFLOAD(Enabled=draw(_BIT)),
    )
    if draw(st.booleans()):
        offload = attrs.evolve(
            offload,
            EncapsulatedPacketTaskOffloadGre=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD(
                TransmitChecksumOffloadSupported=draw(st.integers(1, 15)),
                ReceiveChecksumOffloadSupported=draw(st.integers(0, 15)),
                MaxHeaderSizeSupported=256,
            ),
        )
    if draw(st.booleans()):
        offload = attrs.evolve(
            offload,
            EncapsulatedPacketTaskOffloadVxlan=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2(
                TransmitChecksumOffloadSupported=draw(st.integers(1, 15)),
                ReceiveChecksumOffloadSupported=draw(st.integers(0, 15)),
                MaxHeaderSizeSupported=256,
            ),
        )
    uso = {}
    for version, cls in (
        ("IPv4", NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4),
        ("IPv6", NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6),
    ):
        if draw(st.booleans()):
            uso[version] = cls(
                Encapsulation=draw(_encap()),
                MaxOffLoadSize=draw(st.integers(1, 1 << 16)),
                MinSegmentCount=draw(st.integers(1, 63)),
            )
    offload = attrs.evolve(offload, UdpSegmentation=NDIS_UDP_SEGMENTATION_OFFLOAD(**uso))
    gre = offload.EncapsulatedPacketTaskOffloadGre != NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD()
    vxlan = offload.EncapsulatedPacketTaskOffloadVxlan != NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2()
    types = (c.NDIS_ENCAPSULATION_TYPE_GRE_MAC if gre else 0) | (
        c.NDIS_ENCAPSULATION_TYPE_VXLAN if vxlan else 0
    )
    return attrs.evolve(offload, EncapsulationTypes=types)


_MAX = {
    "IPv4Checksum": 4, "TCPIPv4Checksum": 4, "UDPIPv4Checksum": 4, "TCPIPv6Checksum": 4,
    "UDPIPv6Checksum": 4, "LsoV1": 2, "IPsecV1": 4, "LsoV2IPv4": 2, "LsoV2IPv6": 2,
    "TcpConnectionIPv4": 2, "TcpConnectionIPv6": 2, "IPsecV2": 4, "IPsecV2IPv4": 4, "RscIPv4": 2,
    "RscIPv6": 2, "EncapsulatedPacketTaskOffload": 2, "UdpSegmentation.IPv4": 2,
    "UdpSegmentation.IPv6": 2, "UdpRsc.Enabled": 2,
}  # fmt: skip
assert set(_MAX) == set(PARAMETER_MEMBERS)


@st.composite
def offload_parameters(
    draw: st.DrawFn, *, no_change_weight: bool = True
) -> NDIS_OFFLOAD_PARAMETERS:
    """Valid NDIS_OFFLOAD_PARAMETERS (every member within its documented values)."""
    params = NDIS_OFFLOAD_PARAMETERS()
    for member, top in _MAX.items():
        values = (
            st.one_of(st.just(0), st.integers(1, top)) if no_change_weight else st.integers(1, top)
        )
        value = draw(values)
        params = _set(params, member, value)
    if params.EncapsulatedPacketTaskOffload == c.NDIS_OFFLOAD_SET_ON:
        params = attrs.evolve(params, EncapsulationTypes=draw(st.integers(0, 3)))
    return attrs.evolve(params, Flags=draw(_BIT))


@st.composite
def hardware_and_current(draw: st.DrawFn) -> tuple[NDIS_OFFLOAD, NDIS_OFFLOAD]:
    """Hardware capabilities and a current configuration: the keyword defaults at
    initialization, then up to two clamped parameters sets."""
    hardware = draw(hardware_offloads())
    current = current_config_from_keywords(hardware, {})
    for params in draw(st.lists(offload_parameters(), max_size=2)):
        current = apply_offload_parameters(current, hardware, params, HardwarePolicy.CLAMP).offload
    return hardware, current


# A concrete NIC for example-based tests.
V4 = dict(Encapsulation=ETH, IpOptionsSupported=1, TcpOptionsSupported=1, TcpChecksum=1,
          UdpChecksum=1, IpChecksum=1)  # fmt: skip
V6 = dict(Encapsulation=ETH, IpExtensionHeadersSupported=1, TcpOptionsSupported=1,
          TcpChecksum=1, UdpChecksum=1)  # fmt: skip

# A NIC with full checksum offload, LSOv1 and LSOv2 over IPv4, IPsec v1 and v2, RSC IPv4, URO,
# NVGRE and a configurable VXLAN port, but no USO and no LSOv2 over IPv6.
HARDWARE = NDIS_OFFLOAD(
    Checksum=NDIS_TCP_IP_CHECKSUM_OFFLOAD(
        IPv4Transmit=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit(**V4),
        IPv4Receive=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive(**V4),
        IPv6Transmit=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit(**V6),
        IPv6Receive=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive(**V6),
    ),
    LsoV1=NDIS_TCP_LARGE_SEND_OFFLOAD_V1(
        IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4(
            Encapsulation=ETH, MaxOffLoadSize=65536, MinSegmentCount=2, TcpOptions=1, IpOptions=1
        )
    ),
    LsoV2=NDIS_TCP_LARGE_SEND_OFFLOAD_V2(
        IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4(
            Encapsulation=ETH, MaxOffLoadSize=262144, MinSegmentCount=2
        )
    ),
    IPsecV1=NDIS_IPSEC_OFFLOAD_V1(
        Supported=NDIS_IPSEC_OFFLOAD_V1_Supported(Encapsulation=ETH),
        IPv4AH=NDIS_IPSEC_OFFLOAD_V1_IPv4AH(Md5=1, Send=1, Receive=1),
    ),
    IPsecV2=NDIS_IPSEC_OFFLOAD_V2(
        Encapsulation=ETH, IPv6Supported=1, Ah=1, Esp=1, AhEspCombined=1, Transport=1, Tunnel=1
    ),
    Rsc=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD(IPv4=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4(Enabled=1)),
    EncapsulatedPacketTaskOffloadGre=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD(
        TransmitChecksumOffloadSupported=3,
        ReceiveChecksumOffloadSupported=3,
        MaxHeaderSizeSupported=256,
    ),
    EncapsulatedPacketTaskOffloadVxlan=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2(
        TransmitChecksumOffloadSupported=3,
        MaxHeaderSizeSupported=256,
        EncapsulationProtocolInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo(
            VxlanInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo(
                VxlanUDPPortNumber=4789, VxlanUDPPortNumberConfigurable=1
            )
        ),
    ),
    EncapsulationTypes=c.NDIS_ENCAPSULATION_TYPE_GRE_MAC | c.NDIS_ENCAPSULATION_TYPE_VXLAN,
    UdpRsc=NDIS_UDP_RSC_OFFLOAD(Enabled=1),
)
