"""Hardware capability profiles for the emulated miniport: what a NIC *can* do.

A profile is the pair NDIS learns from ``NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES`` as
``HardwareOffloadCapabilities`` and ``TcpConnectionOffloadHardwareCapabilities``
(D/ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes.md): everything the hardware supports,
including what registry keywords later switch off.  The miniport derives its current
configuration from it and the keywords at initialization.

The presets are "-like" profiles, not vendor datasheets: they pick capability shapes that
scenarios need (full offload, checksum only, LSOv1 only, nothing, chimney, a small LSO limit).
Every profile respects the hardware rules of spec 5.1, checked by ``hardware_problems``:

* every supported offload lists NDIS_ENCAPSULATION_IEEE_802_3
  (N/oid-tcp-offload-current-config.md: Ethernet is mandatory for every task offload);
* LsoV1.IPv4.MaxOffLoadSize <= 65536
  (N/reporting-a-nic-s-lsov1-tcp-packet-segmentation-capabilities.md);
* LSOv1 implies IPv4 + TCPv4 transmit checksum, LSOv2 implies IP and TCP transmit checksum for its
  IP version (N/combining-types-of-task-offloads.md).

Construct a custom profile with ``HardwareProfile.custom(offload, connection)``; it is checked the
same way, and a profile that breaks a rule is bad input (``BadInput``), never silently used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from stack.errors import BadInput
from stack.ndis import (
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV4,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV6,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV4,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV6,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2,
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_ENCAPSULATION_TYPE_GRE_MAC,
    NDIS_ENCAPSULATION_TYPE_VXLAN,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_REVISION_1,
    NDIS_OFFLOAD_REVISION_2,
    NDIS_OFFLOAD_REVISION_6,
    NDIS_OFFLOAD_REVISION_7,
    NDIS_OFFLOAD_SUPPORTED,
    NDIS_TCP_CONNECTION_OFFLOAD,
    NDIS_TCP_CONNECTION_OFFLOAD_REVISION_1,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1,
    NDIS_TCP_LARGE_SEND_OFFLOAD_V2,
    NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD,
    NDIS_UDP_SEGMENTATION_OFFLOAD,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo,
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

__all__ = [
    "DEFAULT_PRESET",
    "LSOV1_MAX_OFFLOAD_SIZE",
    "PRESETS",
    "HardwareProfile",
    "checksum_offload",
    "hardware_problems",
    "lso_v1",
    "lso_v2",
    "preset",
]

_S: Final = NDIS_OFFLOAD_SUPPORTED
_ETH: Final = NDIS_ENCAPSULATION_IEEE_802_3
#: The LSOv1 ceiling: at most 64K (65536 bytes) per large send
#: (N/reporting-a-nic-s-lsov1-tcp-packet-segmentation-capabilities.md).
LSOV1_MAX_OFFLOAD_SIZE: Final = 65536
_ALL_ENCAP_TASKS: Final = (
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV4
    | NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV4
    | NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV6
    | NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV6
)
#: IANA VXLAN port, the default VxlanUDPPortNumber
#: (D/ntddndis/ns-ntddndis-_ndis_offload_parameters.md).
_VXLAN_PORT: Final = 4789


# -- building blocks -----------------------------------------------------------------------------


def _on(flag: bool) -> int:
    return _S if flag else 0


def checksum_offload(
    *,
    ipv4_tx: bool = True,
    ipv4_rx: bool = True,
    ipv6_tx: bool = True,
    ipv6_rx: bool = True,
    udp: bool = True,
) -> NDIS_TCP_IP_CHECKSUM_OFFLOAD:
    """A checksum capability block: IP (IPv4), TCP and optionally UDP per direction.

    Options support is set wherever TCP checksum is: the hardware table of
    N/combining-types-of-task-offloads.md requires IPv4 IP-options and IPv6 TCP-options support
    for TCP checksum offload, and IPv6 extension headers.
    """

    def v4(on: bool) -> dict[str, int]:
        return {
            "Encapsulation": _ETH if on else 0,
            "IpOptionsSupported": _on(on),
            "TcpOptionsSupported": _on(on),
            "TcpChecksum": _on(on),
            "UdpChecksum": _on(on and udp),
            "IpChecksum": _on(on),
        }

    def v6(on: bool) -> dict[str, int]:
        return {
            "Encapsulation": _ETH if on else 0,
            "IpExtensionHeadersSupported": _on(on),
            "TcpOptionsSupported": _on(on),
            "TcpChecksum": _on(on),
            "UdpChecksum": _on(on and udp),
        }

    return NDIS_TCP_IP_CHECKSUM_OFFLOAD(
        IPv4Transmit=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit(**v4(ipv4_tx)),
        IPv4Receive=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive(**v4(ipv4_rx)),
        IPv6Transmit=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit(**v6(ipv6_tx)),
        IPv6Receive=NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive(**v6(ipv6_rx)),
    )


def lso_v1(max_offload_size: int = LSOV1_MAX_OFFLOAD_SIZE) -> NDIS_TCP_LARGE_SEND_OFFLOAD_V1:
    """LSOv1 over IPv4 with TCP and IP options, which LSOv1 requires
    (N/combining-types-of-task-offloads.md)."""
    return NDIS_TCP_LARGE_SEND_OFFLOAD_V1(
        IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4(
            Encapsulation=_ETH,
            MaxOffLoadSize=max_offload_size,
            MinSegmentCount=2,
            TcpOptions=_S,
            IpOptions=_S,
        )
    )


def lso_v2(
    max_offload_size: int = 262144, *, ipv4: bool = True, ipv6: bool = True
) -> NDIS_TCP_LARGE_SEND_OFFLOAD_V2:
    """LSOv2 for the chosen IP versions (IPv6 with extension headers and TCP options)."""
    return NDIS_TCP_LARGE_SEND_OFFLOAD_V2(
        IPv4=NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4(
            Encapsulation=_ETH, MaxOffLoadSize=max_offload_size, MinSegmentCount=2
        )
        if ipv4
        else NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4(),
        IPv6=NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6(
            Encapsulation=_ETH,
            MaxOffLoadSize=max_offload_size,
            MinSegmentCount=2,
            IpExtensionHeadersSupported=_S,
            TcpOptionsSupported=_S,
        )
        if ipv6
        else NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6(),
    )


def _encapsulated_task_offload() -> dict[str, object]:
    """NVGRE (Gre) and VXLAN task offload for inner and outer IPv4/IPv6, 256-byte headers.

    256 is the suggested MaxHeaderSizeSupported
    (D/ntddndis/ns-ntddndis-_ndis_encapsulated_packet_task_offload.md).
    """
    tasks = {
        "TransmitChecksumOffloadSupported": _ALL_ENCAP_TASKS,
        "ReceiveChecksumOffloadSupported": _ALL_ENCAP_TASKS,
        "LsoV2Supported": _ALL_ENCAP_TASKS,
        "RssSupported": _ALL_ENCAP_TASKS,
        "VmqSupported": _ALL_ENCAP_TASKS,
        "MaxHeaderSizeSupported": 256,
    }
    vxlan_info = NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo(
        VxlanInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo(
            VxlanUDPPortNumber=_VXLAN_PORT, VxlanUDPPortNumberConfigurable=1
        )
    )
    return {
        "EncapsulatedPacketTaskOffloadGre": NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD(**tasks),
        "EncapsulatedPacketTaskOffloadVxlan": NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2(
            **tasks, EncapsulationProtocolInfo=vxlan_info
        ),
        "EncapsulationTypes": NDIS_ENCAPSULATION_TYPE_GRE_MAC | NDIS_ENCAPSULATION_TYPE_VXLAN,
    }


def _uso(max_offload_size: int = 262144) -> NDIS_UDP_SEGMENTATION_OFFLOAD:
    # USO-capable miniports must support both IPv4 and IPv6 (N/udp-segmentation-offload-uso-.md).
    return NDIS_UDP_SEGMENTATION_OFFLOAD(
        IPv4=NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4(
            Encapsulation=_ETH, MaxOffLoadSize=max_offload_size, MinSegmentCount=2
        ),
        IPv6=NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6(
            Encapsulation=_ETH,
            MaxOffLoadSize=max_offload_size,
            MinSegmentCount=2,
            IpExtensionHeadersSupported=_S,
        ),
    )


def _offload(revision: int, **members: object) -> NDIS_OFFLOAD:
    return NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(revision), **members)  # type: ignore[arg-type]


# -- validation ----------------------------------------------------------------------------------


def hardware_problems(offload: NDIS_OFFLOAD) -> list[str]:
    """Every way ``offload`` breaks the hardware rules of spec 5.1, as one-line reasons.

    An empty list means the profile may be advertised.  Sources are named in the module
    docstring.
    """
    problems: list[str] = []
    cs = offload.Checksum

    def needs_ethernet(what: str, encapsulation: int, supported: bool) -> None:
        if supported and not encapsulation & _ETH:
            problems.append(
                f"{what} is supported without NDIS_ENCAPSULATION_IEEE_802_3 "
                "(N/oid-tcp-offload-current-config.md)"
            )

    v4t, v4r, v6t, v6r = cs.IPv4Transmit, cs.IPv4Receive, cs.IPv6Transmit, cs.IPv6Receive
    for label, blk4 in (("Checksum.IPv4Transmit", v4t), ("Checksum.IPv4Receive", v4r)):
        on = bool(blk4.TcpChecksum or blk4.UdpChecksum or blk4.IpChecksum)
        needs_ethernet(label, blk4.Encapsulation, on)
    for label, blk6 in (("Checksum.IPv6Transmit", v6t), ("Checksum.IPv6Receive", v6r)):
        needs_ethernet(label, blk6.Encapsulation, bool(blk6.TcpChecksum or blk6.UdpChecksum))

    v1 = offload.LsoV1.IPv4
    needs_ethernet("LsoV1.IPv4", v1.Encapsulation, v1.MaxOffLoadSize > 0)
    if v1.MaxOffLoadSize > LSOV1_MAX_OFFLOAD_SIZE:
        problems.append(
            f"LsoV1.IPv4.MaxOffLoadSize {v1.MaxOffLoadSize} > {LSOV1_MAX_OFFLOAD_SIZE} "
            "(N/reporting-a-nic-s-lsov1-tcp-packet-segmentation-capabilities.md)"
        )
    if v1.MaxOffLoadSize and not (v4t.TcpChecksum and v4t.IpChecksum):
        problems.append(
            "LSOv1 without IPv4 and TCPv4 transmit checksum (N/combining-types-of-task-offloads.md)"
        )
    v2 = offload.LsoV2
    needs_ethernet("LsoV2.IPv4", v2.IPv4.Encapsulation, v2.IPv4.MaxOffLoadSize > 0)
    needs_ethernet("LsoV2.IPv6", v2.IPv6.Encapsulation, v2.IPv6.MaxOffLoadSize > 0)
    if v2.IPv4.MaxOffLoadSize and not (v4t.TcpChecksum and v4t.IpChecksum):
        problems.append(
            "LsoV2.IPv4 without IPv4 and TCPv4 transmit checksum "
            "(N/combining-types-of-task-offloads.md)"
        )
    if v2.IPv6.MaxOffLoadSize and not v6t.TcpChecksum:
        problems.append(
            "LsoV2.IPv6 without TCPv6 transmit checksum (N/combining-types-of-task-offloads.md)"
        )
    uso = offload.UdpSegmentation
    needs_ethernet("UdpSegmentation.IPv4", uso.IPv4.Encapsulation, uso.IPv4.MaxOffLoadSize > 0)
    needs_ethernet("UdpSegmentation.IPv6", uso.IPv6.Encapsulation, uso.IPv6.MaxOffLoadSize > 0)
    return problems


def _connection_problems(connection: NDIS_TCP_CONNECTION_OFFLOAD) -> list[str]:
    problems: list[str] = []
    if not (connection.SupportIPv4 or connection.SupportIPv6):
        problems.append(
            "connection offload supports neither IPv4 nor IPv6 "
            "(D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md)"
        )
    if not connection.Encapsulation & _ETH:
        problems.append(
            "connection offload without NDIS_ENCAPSULATION_IEEE_802_3 is not recognized "
            "(D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md)"
        )
    return problems


# -- profiles ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class HardwareProfile:
    """A NIC's hardware capabilities: task offload, and connection (chimney) offload if any."""

    name: str
    description: str
    #: HardwareOffloadCapabilities.
    offload: NDIS_OFFLOAD
    #: TcpConnectionOffloadHardwareCapabilities; None for a NIC without TCP chimney.
    connection: NDIS_TCP_CONNECTION_OFFLOAD | None = None

    def __attrs_post_init__(self) -> None:
        problems = hardware_problems(self.offload)
        if self.connection is not None:
            problems += _connection_problems(self.connection)
        if problems:
            raise BadInput(f"hardware profile {self.name!r}: " + "; ".join(problems))

    @classmethod
    def custom(
        cls,
        offload: NDIS_OFFLOAD,
        connection: NDIS_TCP_CONNECTION_OFFLOAD | None = None,
        *,
        name: str = "custom",
    ) -> HardwareProfile:
        """A profile from a hand-built NDIS_OFFLOAD (checked like the presets)."""
        return cls(name=name, description="custom capabilities", offload=offload,
                   connection=connection)  # fmt: skip


def _profiles() -> dict[str, HardwareProfile]:
    profiles = [
        HardwareProfile(
            name="intel-x710",
            description=(
                "full stateless offload (NDIS 6.85-like): checksum, LSOv1, LSOv2 (256 KiB), RSC, "
                "NVGRE/VXLAN, USO"
            ),
            offload=_offload(
                NDIS_OFFLOAD_REVISION_7,
                Checksum=checksum_offload(),
                LsoV1=lso_v1(),
                LsoV2=lso_v2(),
                Rsc=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD(
                    IPv4=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4(Enabled=1),
                    IPv6=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6(Enabled=1),
                ),
                UdpSegmentation=_uso(),
                **_encapsulated_task_offload(),
            ),
        ),
        HardwareProfile(
            name="realtek-basic",
            description="checksum offload only, both directions, IPv4 and IPv6 (NDIS 6.20-like)",
            offload=_offload(NDIS_OFFLOAD_REVISION_2, Checksum=checksum_offload()),
        ),
        HardwareProfile(
            name="lso-v1-only",
            description="IPv4 checksum and LSOv1 (64 KiB), no LSOv2, no IPv6 offload (NDIS 6.0)",
            offload=_offload(
                NDIS_OFFLOAD_REVISION_1,
                Checksum=checksum_offload(ipv6_tx=False, ipv6_rx=False),
                LsoV1=lso_v1(),
            ),
        ),
        HardwareProfile(
            name="lso-v2-small",
            description="checksum and LSOv2 limited to 16 KiB per large send (NDIS 6.20-like)",
            offload=_offload(
                NDIS_OFFLOAD_REVISION_2, Checksum=checksum_offload(), LsoV2=lso_v2(16384)
            ),
        ),
        HardwareProfile(
            name="no-offload",
            description="no task offload at all",
            offload=_offload(NDIS_OFFLOAD_REVISION_1),
        ),
        HardwareProfile(
            name="chimney-capable",
            description=(
                "checksum, LSOv1, LSOv2 and TCP chimney (connection) offload for IPv4 and IPv6 "
                "(NDIS 6.20-like)"
            ),
            offload=_offload(
                NDIS_OFFLOAD_REVISION_2,
                Checksum=checksum_offload(),
                LsoV1=lso_v1(),
                LsoV2=lso_v2(65536),
            ),
            connection=NDIS_TCP_CONNECTION_OFFLOAD(
                Header=NDIS_TCP_CONNECTION_OFFLOAD.header_for(
                    NDIS_TCP_CONNECTION_OFFLOAD_REVISION_1
                ),
                Encapsulation=_ETH,
                SupportIPv4=_S,
                SupportIPv6=_S,
                SupportIPv6ExtensionHeaders=_S,
                SupportSack=_S,
                TcpConnectionOffloadCapacity=1024,
            ),
        ),
        HardwareProfile(
            name="netadaptercx",
            description=(
                "what NetAdapterCx's translator reports (NDIS_OFFLOAD REVISION_6): checksum, "
                "LSOv1/LSOv2 (64 KiB), RSC, USO; no encapsulated-packet offload "
                "(Network-Adapter-Class-Extension netcx/translator/nxoffload.cpp)"
            ),
            offload=_offload(
                NDIS_OFFLOAD_REVISION_6,
                Checksum=checksum_offload(),
                LsoV1=lso_v1(),
                LsoV2=lso_v2(65536),
                Rsc=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD(
                    IPv4=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4(Enabled=1),
                    IPv6=NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6(Enabled=1),
                ),
                UdpSegmentation=_uso(65536),
            ),
        ),
    ]
    return {p.name: p for p in profiles}


#: Every preset by name, in a stable order.
PRESETS: Final[Mapping[str, HardwareProfile]] = MappingProxyType(_profiles())
#: The profile a miniport uses when given neither a preset nor custom capabilities.
DEFAULT_PRESET: Final = "intel-x710"


def preset(name: str) -> HardwareProfile:
    """The preset called ``name``; ``BadInput`` naming the known ones otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise BadInput(f"unknown NIC preset {name!r} (known: {known})") from None
