"""Golden byte images, written by hand from the documented layouts (spec 3.2/3.3, H-SDK/ntddndis.h).

Every image below is literal hex assembled member by member, with the offset and the reasoning in
the comment; none is produced by our encoder. Values are chosen so that every bitfield holds a
distinctive value at its documented bit position. Each image must encode from the object and
decode back to it.
"""

from __future__ import annotations

import attrs
import pytest

from stack import ndis
from stack.ndis import (
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2,
    NDIS_IPSEC_OFFLOAD_V1,
    NDIS_IPSEC_OFFLOAD_V2,
    NDIS_OBJECT_HEADER,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_RFC6877_464XLAT_OFFLOAD,
    NDIS_TCP_CONNECTION_OFFLOAD,
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
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters,
    NDIS_OFFLOAD_PARAMETERS_UdpRsc,
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation,
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
    decode,
    encode,
)


def h(*parts: str) -> bytes:
    """Join hex fragments (spaces ignored) into bytes."""
    return bytes.fromhex("".join(parts).replace(" ", ""))


# ---------------------------------------------------------------------------------------------
# Sub-structures, each as a standalone image (also reused inside NDIS_OFFLOAD below).

CHECKSUM = NDIS_TCP_IP_CHECKSUM_OFFLOAD(
    IPv4Transmit=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit(
        Encapsulation=0x02,
        IpOptionsSupported=1,
        TcpOptionsSupported=2,
        TcpChecksum=3,
        UdpChecksum=1,
        IpChecksum=2,
    ),
    IPv4Receive=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive(
        Encapsulation=0x06,
        IpOptionsSupported=3,
        TcpOptionsSupported=1,
        TcpChecksum=1,
        UdpChecksum=1,
        IpChecksum=1,
    ),
    IPv6Transmit=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit(
        Encapsulation=0x02,
        IpExtensionHeadersSupported=1,
        TcpOptionsSupported=1,
        TcpChecksum=1,
        UdpChecksum=1,
    ),
    IPv6Receive=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive(
        Encapsulation=0x12, IpExtensionHeadersSupported=2, TcpChecksum=2, UdpChecksum=3
    ),
)
CHECKSUM_HEX = (
    # IPv4Transmit: Encapsulation = IEEE_802_3 (2)
    "02000000"
    # bits: IpOptions 1<<0 | TcpOptions 2<<2 | TcpChecksum 3<<4 | UdpChecksum 1<<6 | IpChecksum 2<<8
    #     = 0x001 + 0x008 + 0x030 + 0x040 + 0x200 = 0x279
    "79020000"
    # IPv4Receive: Encapsulation = 802_3 | P_AND_Q (6)
    "06000000"
    # bits: 3<<0 | 1<<2 | 1<<4 | 1<<6 | 1<<8 = 0x3 + 0x4 + 0x10 + 0x40 + 0x100 = 0x157
    "57010000"
    # IPv6Transmit: Encapsulation 2; bits 1<<0 | 1<<2 | 1<<4 | 1<<6 = 0x55
    "02000000 55000000"
    # IPv6Receive: Encapsulation 802_3 | LLC_SNAP_ROUTED (0x12);
    # bits 2<<0 | 0<<2 | 2<<4 | 3<<6 = 0xE2
    "12000000 e2000000"
)

LSOV1 = NDIS_TCP_LARGE_SEND_OFFLOAD_V1(
    IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4(
        Encapsulation=2, MaxOffLoadSize=65536, MinSegmentCount=2, TcpOptions=1, IpOptions=2
    )
)
# Encapsulation 2; MaxOffLoadSize 0x10000; MinSegmentCount 2; bits TcpOptions 1<<0 | IpOptions 2<<2
LSOV1_HEX = "02000000 00000100 02000000 09000000"

IPSECV1 = NDIS_IPSEC_OFFLOAD_V1(
    Supported=NDIS_IPSEC_OFFLOAD_V1_Supported(
        Encapsulation=2, AhEspCombined=1, TransportTunnelCombined=3, IPv4Options=1, Flags=4
    ),
    IPv4AH=NDIS_IPSEC_OFFLOAD_V1_IPv4AH(Md5=1, Sha_1=1, Transport=1, Tunnel=0, Send=1, Receive=2),
    IPv4ESP=NDIS_IPSEC_OFFLOAD_V1_IPv4ESP(
        Des=1, TripleDes=1, NullEsp=1, Transport=1, Tunnel=1, Send=1, Receive=3
    ),
)
IPSECV1_HEX = (
    # Supported: five ULONGs
    "02000000 01000000 03000000 01000000 04000000"
    # IPv4AH: Md5 1<<0 | Sha_1 1<<2 | Transport 1<<4 | Send 1<<8 | Receive 2<<10 = 0x915
    "15090000"
    # IPv4ESP: Des 1<<0 | TripleDes 1<<4 | NullEsp 1<<6 | Transport 1<<8 | Tunnel 1<<10
    #          | Send 1<<12 | Receive 3<<14 = 0x1 + 0x10 + 0x40 + 0x100 + 0x400 + 0x1000 + 0xC000
    "51d50000"
)

LSOV2 = NDIS_TCP_LARGE_SEND_OFFLOAD_V2(
    IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4(
        Encapsulation=2, MaxOffLoadSize=0x40000, MinSegmentCount=2
    ),
    IPv6=NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6(
        Encapsulation=2,
        MaxOffLoadSize=0x40000,
        MinSegmentCount=3,
        IpExtensionHeadersSupported=1,
        TcpOptionsSupported=1,
    ),
)
# IPv4 {2, 0x40000, 2}; IPv6 {2, 0x40000, 3, bits 1<<0 | 1<<2 = 5}
LSOV2_HEX = "02000000 00000400 0200000002000000 00000400 03000000 05000000"

IPSECV2 = NDIS_IPSEC_OFFLOAD_V2(
    Encapsulation=2,
    IPv6Supported=1,
    IPv6NonIPsecExtensionHeaders=1,
    Ah=1,
    Esp=1,
    Transport=1,
    Tunnel=1,
    LsoSupported=1,
    UdpEsp=1,
    AuthenticationAlgorithms=0x06,
    EncryptionAlgorithms=0x48,
    SaOffloadCapacity=1024,
)
IPSECV2_HEX = (
    "02000000"
    # BOOLEANs @4..14: IPv6Supported, IPv4Options, IPv6NonIPsecExtensionHeaders, Ah, Esp,
    # AhEspCombined, Transport, Tunnel, TransportTunnelCombined, LsoSupported,
    # ExtendedSequenceNumbers; then one pad byte @15
    "01 00 01 01 01 00 01 01 00 01 00 00"
    # UdpEsp 1; Authentication SHA_1|SHA_256 = 6; Encryption AES_GCM_128|AES_CBC_128 = 0x48;
    # SaOffloadCapacity 1024
    "01000000 06000000 48000000 00040000"
)

RSC = NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD(
    IPv4=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4(Enabled=1),
    IPv6=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6(Enabled=0),
)
RSC_HEX = "01 00"

GRE = NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD(
    TransmitChecksumOffloadSupported=0x3,
    ReceiveChecksumOffloadSupported=0x5,
    LsoV2Supported=0xF,
    RssSupported=0x1,
    VmqSupported=0x2,
    UsoSupported=0x4,
    MaxHeaderSizeSupported=256,
)
# 4-bit fields: 0x3<<0 | 0x5<<4 | 0xF<<8 | 0x1<<12 | 0x2<<16 | 0x4<<20 = 0x421F53; then 256
GRE_HEX = "531f4200 00010000"
# The same without UsoSupported (bits 20-23 were Reserved before NDIS_OFFLOAD_REVISION_7)
GRE_HEX_PRE7 = "531f0200 00010000"

VXLAN = NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2(
    TransmitChecksumOffloadSupported=1,
    ReceiveChecksumOffloadSupported=1,
    LsoV2Supported=1,
    RssSupported=1,
    UsoSupported=1,
    MaxHeaderSizeSupported=0x80,
    EncapsulationProtocolInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo(
        VxlanInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo(
            VxlanUDPPortNumber=4789, VxlanUDPPortNumberConfigurable=1
        )
    ),
)
VXLAN_HEX = (
    # bits 1<<0 | 1<<4 | 1<<8 | 1<<12 | Uso 1<<20 = 0x101111; MaxHeaderSizeSupported 0x80
    "11111000 80000000"
    # EncapsulationProtocolInfo: USHORT port 4789 = 0x12B5; USHORT bitfield Configurable:1 = 1
    "b512 0100"
    # Reserved1, Reserved2
    "00000000 00000000"
)
VXLAN_HEX_PRE7 = "11110000 80000000 b512 0100 00000000 00000000"

XLAT = NDIS_RFC6877_464XLAT_OFFLOAD(XlatOffload=3)  # NDIS_RFC6877_464XLAT_OFFLOAD_ON_DEMAND
XLAT_HEX = "03000000 00000000"

USO = NDIS_UDP_SEGMENTATION_OFFLOAD(
    IPv4=NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4(
        Encapsulation=2, MaxOffLoadSize=0xFF00, MinSegmentCount=2, SubMssFinalSegmentSupported=1
    ),
    IPv6=NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6(
        Encapsulation=2,
        MaxOffLoadSize=0xFF00,
        MinSegmentCount=63,
        SubMssFinalSegmentSupported=1,
        Reserved1=1,
        IpExtensionHeadersSupported=1,
    ),
)
USO_HEX = (
    # IPv4: Encapsulation 2; MaxOffLoadSize 0xFF00; bits MinSegmentCount 2<<0 | SubMss 1<<6 = 0x42
    "02000000 00ff0000 42000000"
    # IPv6: ...; bits 63<<0 | 1<<6 | Reserved1 1<<7 = 0xFF; second ULONG IpExtensionHeaders 1<<0
    "02000000 00ff0000 ff000000 01000000"
)

SUBSTRUCTURES = [
    (CHECKSUM, CHECKSUM_HEX),
    (LSOV1, LSOV1_HEX),
    (IPSECV1, IPSECV1_HEX),
    (LSOV2, LSOV2_HEX),
    (IPSECV2, IPSECV2_HEX),
    (RSC, RSC_HEX),
    (GRE, GRE_HEX),
    (VXLAN, VXLAN_HEX),
    (XLAT, XLAT_HEX),
    (USO, USO_HEX),
    (NDIS_UDP_RSC_OFFLOAD(Enabled=1), "01"),
    (NDIS_OBJECT_HEADER(Type=0xA7, Revision=7, Size=216), "a7 07 d800"),
]


@pytest.mark.parametrize(
    ("obj", "hexed"), SUBSTRUCTURES, ids=[type(o).__name__ for o, _ in SUBSTRUCTURES]
)
def test_each_substructure_has_its_documented_byte_image(obj: object, hexed: str) -> None:
    assert encode(obj) == h(hexed)
    assert decode(type(obj), h(hexed)) == obj


# ---------------------------------------------------------------------------------------------
# NDIS_OFFLOAD, every revision. Offsets (spec 3.3): Header 0, Checksum 4, LsoV1 36, IPsecV1 52,
# LsoV2 80, Flags 108, IPsecV2 112, Rsc 144, Gre 148, Vxlan 156, EncapsulationTypes 176,
# Rfc6877Xlat 180, UdpSegmentation 188; sizes 112/144/156/177/188/216/216.

OFFLOAD_FULL = NDIS_OFFLOAD(
    Checksum=CHECKSUM,
    LsoV1=LSOV1,
    IPsecV1=IPSECV1,
    LsoV2=LSOV2,
    Flags=0x2,  # IPSEC_OFFLOAD_V2_AND_TCP_CHECKSUM_COEXISTENCE
    IPsecV2=IPSECV2,
    Rsc=RSC,
    EncapsulatedPacketTaskOffloadGre=GRE,
    EncapsulatedPacketTaskOffloadVxlan=VXLAN,
    EncapsulationTypes=0x3,  # GRE_MAC | VXLAN
    Rfc6877Xlat=XLAT,
    UdpSegmentation=USO,
)

# Members each revision adds, to zero them in the expected objects of older revisions.
ADDED_BY = {
    2: ("IPsecV2",),
    3: ("Rsc", "EncapsulatedPacketTaskOffloadGre"),
    4: ("EncapsulatedPacketTaskOffloadVxlan", "EncapsulationTypes"),
    5: ("Rfc6877Xlat",),
    6: ("UdpSegmentation",),
}


def offload_image(revision: int) -> bytes:
    """NDIS_OFFLOAD of ``revision`` as literal hex fragments, member after member."""
    header = {
        1: "a7 01 7000",  # Size 112
        2: "a7 02 9000",  # 144
        3: "a7 03 9c00",  # 156
        4: "a7 04 b100",  # 177
        5: "a7 05 bc00",  # 188
        6: "a7 06 d800",  # 216
        7: "a7 07 d800",  # 216
    }[revision]
    parts = [header, CHECKSUM_HEX, LSOV1_HEX, IPSECV1_HEX, LSOV2_HEX, "02000000"]  # Flags @108
    if revision >= 2:
        parts.append(IPSECV2_HEX)  # @112
    if revision >= 3:
        gre = GRE_HEX if revision >= 7 else GRE_HEX_PRE7
        parts += [RSC_HEX, "0000", gre]  # Rsc @144, pad 146-147, Gre @148
    if revision >= 4:
        vxlan = VXLAN_HEX if revision >= 7 else VXLAN_HEX_PRE7
        parts += [vxlan, "03"]  # Vxlan @156, EncapsulationTypes @176
    if revision >= 5:
        parts += ["000000", XLAT_HEX]  # pad 177-179, Rfc6877Xlat @180
    if revision >= 6:
        parts.append(USO_HEX)  # UdpSegmentation @188
    return h(*parts)


def offload_expected(revision: int) -> NDIS_OFFLOAD:
    obj = attrs.evolve(OFFLOAD_FULL, Header=NDIS_OFFLOAD.header_for(revision))
    for rev, names in ADDED_BY.items():
        if revision < rev:
            obj = attrs.evolve(obj, **{n: type(getattr(obj, n))() for n in names})
    if revision < 7:
        obj = attrs.evolve(
            obj,
            EncapsulatedPacketTaskOffloadGre=attrs.evolve(
                obj.EncapsulatedPacketTaskOffloadGre, UsoSupported=0
            ),
            EncapsulatedPacketTaskOffloadVxlan=attrs.evolve(
                obj.EncapsulatedPacketTaskOffloadVxlan, UsoSupported=0
            ),
        )
    return obj


@pytest.mark.parametrize("revision", range(1, 8))
def test_ndis_offload_has_its_documented_image_at_every_revision(revision: int) -> None:
    image = offload_image(revision)
    assert len(image) == NDIS_OFFLOAD.size_for(revision)
    # encoding the full object at revision n writes exactly what revision n holds ...
    full = attrs.evolve(OFFLOAD_FULL, Header=NDIS_OFFLOAD.header_for(revision))
    assert encode(full) == image
    # ... and decoding gives back those members, later ones zero
    assert decode(NDIS_OFFLOAD, image) == offload_expected(revision)


# ---------------------------------------------------------------------------------------------
# NDIS_OFFLOAD_PARAMETERS, every revision (spec 3.2 offsets).

PARAMETERS_FULL = NDIS_OFFLOAD_PARAMETERS(
    IPv4Checksum=4,  # TX_RX_ENABLED
    TCPIPv4Checksum=3,
    UDPIPv4Checksum=2,
    TCPIPv6Checksum=1,
    UDPIPv6Checksum=0,
    LsoV1=2,
    IPsecV1=4,
    LsoV2IPv4=2,
    LsoV2IPv6=1,
    TcpConnectionIPv4=1,
    TcpConnectionIPv6=2,
    Flags=1,  # SKIP_REGISTRY_UPDATE
    IPsecV2=3,
    IPsecV2IPv4=1,
    RscIPv4=2,
    RscIPv6=1,
    EncapsulatedPacketTaskOffload=1,  # NDIS_OFFLOAD_SET_ON
    EncapsulationTypes=3,
    EncapsulationProtocolParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(
        VxlanParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters(
            VxlanUDPPortNumber=4789
        )
    ),
    UdpSegmentation=NDIS_OFFLOAD_PARAMETERS_UdpSegmentation(IPv4=2, IPv6=1),
    UdpRsc=NDIS_OFFLOAD_PARAMETERS_UdpRsc(Enabled=1),
)

PARAMETERS_IMAGES = {
    # Header (Type DEFAULT 0x80, Revision, Size); per-feature UCHARs @4..14; pad @15; Flags @16
    1: "80 01 1400  04 03 02 01 00 02 04 02 01 01 02  00  01000000",
    # + IPsecV2 @20, IPsecV2IPv4 @21
    2: "80 02 1600  04 03 02 01 00 02 04 02 01 01 02  00  01000000  03 01",
    # + RscIPv4 @22, RscIPv6 @23, EncapsulatedPacketTaskOffload @24, EncapsulationTypes @25
    3: "80 03 1a00  04 03 02 01 00 02 04 02 01 01 02  00  01000000  03 01  02 01 01 03",
    # + pad @26-27, EncapsulationProtocolParameters @28 (VxlanUDPPortNumber 4789 = 0x12B5)
    4: "80 04 2000  04 03 02 01 00 02 04 02 01 01 02  00  01000000  03 01  02 01 01 03"
    "  0000  b5120000",
    # + UdpSegmentation.IPv4 @32, .IPv6 @33
    5: "80 05 2200  04 03 02 01 00 02 04 02 01 01 02  00  01000000  03 01  02 01 01 03"
    "  0000  b5120000  02 01",
    # + UdpRsc.Enabled @34
    6: "80 06 2300  04 03 02 01 00 02 04 02 01 01 02  00  01000000  03 01  02 01 01 03"
    "  0000  b5120000  02 01  01",
}

PARAMETERS_ADDED_BY = {
    2: ("IPsecV2", "IPsecV2IPv4"),
    3: ("RscIPv4", "RscIPv6", "EncapsulatedPacketTaskOffload", "EncapsulationTypes"),
    4: ("EncapsulationProtocolParameters",),
    5: ("UdpSegmentation",),
    6: ("UdpRsc",),
}


@pytest.mark.parametrize("revision", range(1, 7))
def test_ndis_offload_parameters_has_its_documented_image_at_every_revision(
    revision: int,
) -> None:
    image = h(PARAMETERS_IMAGES[revision])
    assert len(image) == NDIS_OFFLOAD_PARAMETERS.size_for(revision)
    full = attrs.evolve(PARAMETERS_FULL, Header=NDIS_OFFLOAD_PARAMETERS.header_for(revision))
    assert encode(full) == image
    expected = full
    for rev, names in PARAMETERS_ADDED_BY.items():
        if revision < rev:
            expected = attrs.evolve(
                expected,
                **{
                    n: (
                        0 if isinstance(getattr(expected, n), int) else type(getattr(expected, n))()
                    )
                    for n in names
                },
            )
    assert decode(NDIS_OFFLOAD_PARAMETERS, image) == expected


# ---------------------------------------------------------------------------------------------
# NDIS_TCP_CONNECTION_OFFLOAD (spec 3.4) and NDIS_OFFLOAD_ENCAPSULATION (spec 3.6)

CONNECTION = NDIS_TCP_CONNECTION_OFFLOAD(
    Encapsulation=0x12,
    SupportIPv4=1,
    SupportIPv6=2,
    SupportIPv6ExtensionHeaders=1,
    SupportSack=3,
    CongestionAlgorithm=5,
    TcpConnectionOffloadCapacity=1000,
)


def test_tcp_connection_offload_revision_2_carries_congestion_algorithm_bits() -> None:
    # Header DEFAULT/2/20; Encapsulation 0x12; bits 1<<0 | 2<<2 | 1<<4 | 3<<6 | 5<<8 = 0x5D9;
    # TcpConnectionOffloadCapacity 1000 = 0x3E8; Flags 0
    image = h("80 02 1400  12000000  d9050000  e8030000  00000000")
    assert encode(CONNECTION) == image
    assert decode(NDIS_TCP_CONNECTION_OFFLOAD, image) == CONNECTION


def test_tcp_connection_offload_revision_1_leaves_congestion_algorithm_out() -> None:
    rev1 = attrs.evolve(CONNECTION, Header=NDIS_TCP_CONNECTION_OFFLOAD.header_for(1))
    image = h("80 01 1400  12000000  d9000000  e8030000  00000000")
    assert encode(rev1) == image
    assert decode(NDIS_TCP_CONNECTION_OFFLOAD, image) == attrs.evolve(rev1, CongestionAlgorithm=0)


def test_offload_encapsulation_has_its_documented_image() -> None:
    obj = NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(Enabled=1, EncapsulationType=2, HeaderSize=14),
        IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(Enabled=2),
    )
    # Header OFFLOAD_ENCAPSULATION (0xA8)/1/28; IPv4 {SET_ON, IEEE_802_3, 14}; IPv6 {SET_OFF, 0, 0}
    image = h("a8 01 1c00  01000000 02000000 0e000000  02000000 00000000 00000000")
    assert encode(obj) == image
    assert decode(NDIS_OFFLOAD_ENCAPSULATION, image) == obj


def test_defaults_encode_to_a_bare_header_of_the_newest_revision() -> None:
    assert encode(NDIS_OFFLOAD()) == h("a7 07 d800") + bytes(212)
    assert encode(NDIS_OFFLOAD_PARAMETERS()) == h("80 06 2300") + bytes(31)
    assert encode(ndis.NDIS_TCP_CONNECTION_OFFLOAD()) == h("80 02 1400") + bytes(16)
    assert encode(NDIS_OFFLOAD_ENCAPSULATION()) == h("a8 01 1c00") + bytes(24)
