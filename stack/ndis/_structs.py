"""The byte-codec'd NDIS structures of the task-offload interface, as frozen attrs value classes.

Naming (a project decision, so that a reader holding a Microsoft docs page can grep to our code and
write the same names in scenarios):

* A class is named exactly by its C typedef: ``NDIS_OFFLOAD``, ``NDIS_OFFLOAD_PARAMETERS``,
  ``NDIS_OBJECT_HEADER``, ``NDIS_TCP_IP_CHECKSUM_OFFLOAD`` ... and records it in ``C_NAME``.
* Attributes are exactly the C member names: ``Header``, ``IPv4Checksum``,
  ``Checksum.IPv4Transmit.TcpChecksum``, ``LsoV2.IPv4.MaxOffLoadSize``.
* Members of C *anonymous* structs/unions are flattened into the parent, where C reaches them
  (``NDIS_OFFLOAD_PARAMETERS.RscIPv4``, ``.EncapsulatedPacketTaskOffload``).
* A *named* inner struct or union (``IPv4Transmit``, ``IPv4``, ``UdpSegmentation``,
  ``EncapsulationProtocolParameters``, ``VxlanParameters`` ...) is its own nested frozen class named
  ``<enclosing class>_<member name>``, e.g. ``NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit``,
  ``NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters``; its ``C_NAME`` is the
  dotted C path (``"NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv4Transmit"``). One class per declaration site,
  even when two sites have the same shape, because the members differ (IPv4 blocks have
  ``IpChecksum``, IPv6 blocks ``IpExtensionHeadersSupported``) and the docs name them per site.

Every integer member defaults to 0 and every nested structure to its all-zero instance, so
``NDIS_OFFLOAD()`` is constructible. Header-bearing classes (:class:`NDIS_OFFLOAD`,
:class:`NDIS_OFFLOAD_PARAMETERS`, :class:`NDIS_OFFLOAD_ENCAPSULATION`,
:class:`NDIS_TCP_CONNECTION_OFFLOAD`) default their ``Header`` to the highest revision we know and
offer ``header_for(revision)``. Members added by a later revision always exist (zero when absent);
the codec writes, at revision n, only what revision n holds.

Layouts: offsets and bit positions come from the Windows SDK header [H-SDK/ntddndis.h, commit
16b53593] and, for NDIS_OFFLOAD_ENCAPSULATION, the WDK header [H-WDK/ndis/encapsulationconfig.h];
the byte figures match spec 3.2/3.3 ("computed", x64 natural alignment; these structures hold no
pointers so x86 is identical). Each class's docstring names its docs page.
"""

# The member declarations call the layout helpers (u8, u32, bits, struct ...), which return
# attrs.field(...) definitions; ruff cannot tell them from ordinary calls in defaults.
# ruff: noqa: RUF009

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from stack.ndis import _constants as _c
from stack.ndis._layout import Vocab, bits, reconcile_union, struct, u8, u16, u32

# --------------------------------------------------------------------------------------------
# Value vocabularies (which C constants a member's values are spelled with). Used by the symbolic
# tree walk and by from_cmap to accept names. Preferred spelling first.

V_OBJECT_TYPE = Vocab(_c.FAMILIES["object_type"])
V_PARAM_CHECKSUM = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED",
    )
)
V_PARAM_LSOV1 = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED",
    )
)
V_PARAM_LSOV2 = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED",
    )
)
V_PARAM_IPSECV1 = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV1_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_ENABLED",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV1_ESP_ENABLED",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_AND_ESP_ENABLED",
    )
)
V_PARAM_IPSECV2 = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV2_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV2_AH_ENABLED",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV2_ESP_ENABLED",
        "NDIS_OFFLOAD_PARAMETERS_IPSECV2_AH_AND_ESP_ENABLED",
    )
)
V_PARAM_CONNECTION = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_ENABLED",
    )
)
V_PARAM_RSC = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED",
    )
)
# Header spelling first (USO_*), docs spelling (UDP_SEG_*) accepted too [spec A9].
V_PARAM_USO = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_USO_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_USO_ENABLED",
        "NDIS_OFFLOAD_PARAMETERS_UDP_SEG_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_UDP_SEG_ENABLED",
    )
)
V_PARAM_UDP_RSC = Vocab(
    (
        "NDIS_OFFLOAD_PARAMETERS_UDP_RSC_NO_CHANGE",
        "NDIS_OFFLOAD_PARAMETERS_UDP_RSC_DISABLED",
        "NDIS_OFFLOAD_PARAMETERS_UDP_RSC_ENABLED",
    )
)
V_PARAM_FLAGS = Vocab(("NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE",), flags=True)
V_SET_STATE = Vocab(("NDIS_OFFLOAD_SET_NO_CHANGE", "NDIS_OFFLOAD_SET_ON", "NDIS_OFFLOAD_SET_OFF"))
V_ENCAPSULATION = Vocab(
    (
        "NDIS_ENCAPSULATION_NOT_SUPPORTED",
        "NDIS_ENCAPSULATION_NULL",
        "NDIS_ENCAPSULATION_IEEE_802_3",
        "NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q",
        "NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q_IN_OOB",
        "NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED",
    ),
    flags=True,
)
V_ENCAPSULATION_TYPES = Vocab(
    ("NDIS_ENCAPSULATION_TYPE_GRE_MAC", "NDIS_ENCAPSULATION_TYPE_VXLAN"), flags=True
)
# Capability bits inside NDIS_OFFLOAD: NOT_SUPPORTED/SUPPORTED in the OID replies,
# SET_OFF(2)/SET_ON(1) in the status indication
# [D/ntddndis/ns-ntddndis-_ndis_tcp_ip_checksum_offload.md; spec A3].
V_SUPPORT = Vocab(("NDIS_OFFLOAD_NOT_SUPPORTED", "NDIS_OFFLOAD_SUPPORTED", "NDIS_OFFLOAD_SET_OFF"))
V_ENCAP_TASK = Vocab(
    (
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_NOT_SUPPORTED",
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV4",
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV4",
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV6",
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV6",
    ),
    flags=True,
)
V_IPSEC_AUTH = Vocab(
    tuple(n for n in _c.ALL_CONSTANTS if n.startswith("IPSEC_OFFLOAD_V2_AUTHENTICATION_")),
    flags=True,
)
V_IPSEC_ENC = Vocab(
    tuple(n for n in _c.ALL_CONSTANTS if n.startswith("IPSEC_OFFLOAD_V2_ENCRYPTION_")), flags=True
)
V_OFFLOAD_FLAGS = Vocab(
    (
        "NDIS_OFFLOAD_FLAGS_GROUP_CHECKSUM_CAPABILITIES",
        "IPSEC_OFFLOAD_V2_AND_TCP_CHECKSUM_COEXISTENCE",
        "IPSEC_OFFLOAD_V2_AND_UDP_CHECKSUM_COEXISTENCE",
    ),
    flags=True,
)
V_XLAT = Vocab(
    (
        "NDIS_RFC6877_464XLAT_OFFLOAD_NOT_SUPPORTED",
        "NDIS_RFC6877_464XLAT_OFFLOAD_DISABLED",
        "NDIS_RFC6877_464XLAT_OFFLOAD_ENABLED",
        "NDIS_RFC6877_464XLAT_OFFLOAD_ON_DEMAND",
    )
)


# --------------------------------------------------------------------------------------------
# NDIS_OBJECT_HEADER


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OBJECT_HEADER:
    """NDIS_OBJECT_HEADER: Type (UCHAR), Revision (UCHAR), Size (USHORT); 4 bytes.

    [D/objectheader/ns-objectheader-ndis_object_header.md; layout H-SDK/ndis/objectheader.h]
    """

    C_NAME: ClassVar[str] = "NDIS_OBJECT_HEADER"
    C_SIZE: ClassVar[int] = 4

    Type: int = u8(0, vocab=V_OBJECT_TYPE)
    Revision: int = u8(1)
    Size: int = u16(2)


class _Versioned:
    """Mixin for structures that start with an NDIS_OBJECT_HEADER.

    Subclasses set ``OBJECT_TYPE`` and ``REVISION_SIZES`` (revision -> NDIS_SIZEOF_..._REVISION_n,
    increasing). ``HIGHEST_REVISION`` is the newest revision we know; the default ``Header``.
    """

    __slots__ = ()

    C_NAME: ClassVar[str]
    C_SIZE: ClassVar[int]
    OBJECT_TYPE: ClassVar[int]
    REVISION_SIZES: ClassVar[Mapping[int, int]]
    HIGHEST_REVISION: ClassVar[int]

    @classmethod
    def header_for(cls, revision: int) -> NDIS_OBJECT_HEADER:
        """The header a structure of this revision carries (right Type, Revision and Size)."""
        try:
            size = cls.REVISION_SIZES[revision]
        except KeyError:
            known = ", ".join(map(str, cls.REVISION_SIZES))
            raise ValueError(
                f"{cls.C_NAME} has no revision {revision!r} that we know (known: {known})"
            ) from None
        return NDIS_OBJECT_HEADER(Type=cls.OBJECT_TYPE, Revision=revision, Size=size)

    @classmethod
    def size_for(cls, revision: int) -> int:
        """NDIS_SIZEOF_..._REVISION_n for a known revision (ValueError otherwise)."""
        return cls.header_for(revision).Size


def _default_header(self: Any) -> NDIS_OBJECT_HEADER:
    cls = type(self)
    return cls.header_for(cls.HIGHEST_REVISION)  # type: ignore[no-any-return]


def _header() -> Any:
    return struct(0, NDIS_OBJECT_HEADER, default=attrs.Factory(_default_header, takes_self=True))


def _revisions(*sizes: int) -> Mapping[int, int]:
    return MappingProxyType({i + 1: s for i, s in enumerate(sizes)})


# --------------------------------------------------------------------------------------------
# NDIS_TCP_IP_CHECKSUM_OFFLOAD [D/ntddndis/ns-ntddndis-_ndis_tcp_ip_checksum_offload.md]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit:
    """NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv4Transmit: Encapsulation + 2-bit fields b0..b9."""

    C_NAME: ClassVar[str] = "NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv4Transmit"
    C_SIZE: ClassVar[int] = 8

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    IpOptionsSupported: int = bits(4, 0, 2, vocab=V_SUPPORT)
    TcpOptionsSupported: int = bits(4, 2, 2, vocab=V_SUPPORT)
    TcpChecksum: int = bits(4, 4, 2, vocab=V_SUPPORT)
    UdpChecksum: int = bits(4, 6, 2, vocab=V_SUPPORT)
    IpChecksum: int = bits(4, 8, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive:
    """NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv4Receive: same shape as IPv4Transmit."""

    C_NAME: ClassVar[str] = "NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv4Receive"
    C_SIZE: ClassVar[int] = 8

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    IpOptionsSupported: int = bits(4, 0, 2, vocab=V_SUPPORT)
    TcpOptionsSupported: int = bits(4, 2, 2, vocab=V_SUPPORT)
    TcpChecksum: int = bits(4, 4, 2, vocab=V_SUPPORT)
    UdpChecksum: int = bits(4, 6, 2, vocab=V_SUPPORT)
    IpChecksum: int = bits(4, 8, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit:
    """NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv6Transmit: Encapsulation + 2-bit fields b0..b7."""

    C_NAME: ClassVar[str] = "NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv6Transmit"
    C_SIZE: ClassVar[int] = 8

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    IpExtensionHeadersSupported: int = bits(4, 0, 2, vocab=V_SUPPORT)
    TcpOptionsSupported: int = bits(4, 2, 2, vocab=V_SUPPORT)
    TcpChecksum: int = bits(4, 4, 2, vocab=V_SUPPORT)
    UdpChecksum: int = bits(4, 6, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive:
    """NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv6Receive: same shape as IPv6Transmit."""

    C_NAME: ClassVar[str] = "NDIS_TCP_IP_CHECKSUM_OFFLOAD.IPv6Receive"
    C_SIZE: ClassVar[int] = 8

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    IpExtensionHeadersSupported: int = bits(4, 0, 2, vocab=V_SUPPORT)
    TcpOptionsSupported: int = bits(4, 2, 2, vocab=V_SUPPORT)
    TcpChecksum: int = bits(4, 4, 2, vocab=V_SUPPORT)
    UdpChecksum: int = bits(4, 6, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_IP_CHECKSUM_OFFLOAD:
    """NDIS_TCP_IP_CHECKSUM_OFFLOAD (32 bytes): four {Encapsulation; bits} blocks."""

    C_NAME: ClassVar[str] = "NDIS_TCP_IP_CHECKSUM_OFFLOAD"
    C_SIZE: ClassVar[int] = 32

    IPv4Transmit: NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit = struct(
        0, NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit
    )
    IPv4Receive: NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive = struct(
        8, NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive
    )
    IPv6Transmit: NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit = struct(
        16, NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit
    )
    IPv6Receive: NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive = struct(
        24, NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive
    )


# --------------------------------------------------------------------------------------------
# NDIS_TCP_LARGE_SEND_OFFLOAD_V1 [D/ntddndis/ns-ntddndis-_ndis_tcp_large_send_offload_v1.md]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4:
    """NDIS_TCP_LARGE_SEND_OFFLOAD_V1.IPv4 (16 bytes)."""

    C_NAME: ClassVar[str] = "NDIS_TCP_LARGE_SEND_OFFLOAD_V1.IPv4"
    C_SIZE: ClassVar[int] = 16

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    MaxOffLoadSize: int = u32(4)
    MinSegmentCount: int = u32(8)
    TcpOptions: int = bits(12, 0, 2, vocab=V_SUPPORT)
    IpOptions: int = bits(12, 2, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_LARGE_SEND_OFFLOAD_V1:
    """NDIS_TCP_LARGE_SEND_OFFLOAD_V1 (16 bytes): IPv4 only."""

    C_NAME: ClassVar[str] = "NDIS_TCP_LARGE_SEND_OFFLOAD_V1"
    C_SIZE: ClassVar[int] = 16

    IPv4: NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4 = struct(0, NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4)


# --------------------------------------------------------------------------------------------
# NDIS_IPSEC_OFFLOAD_V1 [D/ntddndis/ns-ntddndis-_ndis_ipsec_offload_v1.md] (deprecated)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_IPSEC_OFFLOAD_V1_Supported:
    """NDIS_IPSEC_OFFLOAD_V1.Supported (20 bytes, five ULONGs)."""

    C_NAME: ClassVar[str] = "NDIS_IPSEC_OFFLOAD_V1.Supported"
    C_SIZE: ClassVar[int] = 20

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    AhEspCombined: int = u32(4)
    TransportTunnelCombined: int = u32(8)
    IPv4Options: int = u32(12)
    Flags: int = u32(16)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_IPSEC_OFFLOAD_V1_IPv4AH:
    """NDIS_IPSEC_OFFLOAD_V1.IPv4AH: 2-bit fields b0..b11 in one ULONG."""

    C_NAME: ClassVar[str] = "NDIS_IPSEC_OFFLOAD_V1.IPv4AH"
    C_SIZE: ClassVar[int] = 4

    Md5: int = bits(0, 0, 2, vocab=V_SUPPORT)
    Sha_1: int = bits(0, 2, 2, vocab=V_SUPPORT)
    Transport: int = bits(0, 4, 2, vocab=V_SUPPORT)
    Tunnel: int = bits(0, 6, 2, vocab=V_SUPPORT)
    Send: int = bits(0, 8, 2, vocab=V_SUPPORT)
    Receive: int = bits(0, 10, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_IPSEC_OFFLOAD_V1_IPv4ESP:
    """NDIS_IPSEC_OFFLOAD_V1.IPv4ESP: 2-bit fields b0..b15 in one ULONG."""

    C_NAME: ClassVar[str] = "NDIS_IPSEC_OFFLOAD_V1.IPv4ESP"
    C_SIZE: ClassVar[int] = 4

    Des: int = bits(0, 0, 2, vocab=V_SUPPORT)
    Reserved: int = bits(0, 2, 2)
    TripleDes: int = bits(0, 4, 2, vocab=V_SUPPORT)
    NullEsp: int = bits(0, 6, 2, vocab=V_SUPPORT)
    Transport: int = bits(0, 8, 2, vocab=V_SUPPORT)
    Tunnel: int = bits(0, 10, 2, vocab=V_SUPPORT)
    Send: int = bits(0, 12, 2, vocab=V_SUPPORT)
    Receive: int = bits(0, 14, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_IPSEC_OFFLOAD_V1:
    """NDIS_IPSEC_OFFLOAD_V1 (28 bytes): Supported @0, IPv4AH @20, IPv4ESP @24."""

    C_NAME: ClassVar[str] = "NDIS_IPSEC_OFFLOAD_V1"
    C_SIZE: ClassVar[int] = 28

    Supported: NDIS_IPSEC_OFFLOAD_V1_Supported = struct(0, NDIS_IPSEC_OFFLOAD_V1_Supported)
    IPv4AH: NDIS_IPSEC_OFFLOAD_V1_IPv4AH = struct(20, NDIS_IPSEC_OFFLOAD_V1_IPv4AH)
    IPv4ESP: NDIS_IPSEC_OFFLOAD_V1_IPv4ESP = struct(24, NDIS_IPSEC_OFFLOAD_V1_IPv4ESP)


# --------------------------------------------------------------------------------------------
# NDIS_TCP_LARGE_SEND_OFFLOAD_V2 [D/ntddndis/ns-ntddndis-_ndis_tcp_large_send_offload_v2.md]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4:
    """NDIS_TCP_LARGE_SEND_OFFLOAD_V2.IPv4 (12 bytes)."""

    C_NAME: ClassVar[str] = "NDIS_TCP_LARGE_SEND_OFFLOAD_V2.IPv4"
    C_SIZE: ClassVar[int] = 12

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    MaxOffLoadSize: int = u32(4)
    MinSegmentCount: int = u32(8)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6:
    """NDIS_TCP_LARGE_SEND_OFFLOAD_V2.IPv6 (16 bytes)."""

    C_NAME: ClassVar[str] = "NDIS_TCP_LARGE_SEND_OFFLOAD_V2.IPv6"
    C_SIZE: ClassVar[int] = 16

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    MaxOffLoadSize: int = u32(4)
    MinSegmentCount: int = u32(8)
    IpExtensionHeadersSupported: int = bits(12, 0, 2, vocab=V_SUPPORT)
    TcpOptionsSupported: int = bits(12, 2, 2, vocab=V_SUPPORT)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_LARGE_SEND_OFFLOAD_V2:
    """NDIS_TCP_LARGE_SEND_OFFLOAD_V2 (28 bytes): IPv4 @0, IPv6 @12."""

    C_NAME: ClassVar[str] = "NDIS_TCP_LARGE_SEND_OFFLOAD_V2"
    C_SIZE: ClassVar[int] = 28

    IPv4: NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4 = struct(0, NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4)
    IPv6: NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6 = struct(12, NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6)


# --------------------------------------------------------------------------------------------
# NDIS_IPSEC_OFFLOAD_V2 [D/ntddndis/ns-ntddndis-_ndis_ipsec_offload_v2.md] (NDIS 6.1, deprecated)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_IPSEC_OFFLOAD_V2:
    """NDIS_IPSEC_OFFLOAD_V2 (32 bytes): ULONG, eleven BOOLEANs @4..14, pad @15, four ULONGs."""

    C_NAME: ClassVar[str] = "NDIS_IPSEC_OFFLOAD_V2"
    C_SIZE: ClassVar[int] = 32

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    IPv6Supported: int = u8(4)
    IPv4Options: int = u8(5)
    IPv6NonIPsecExtensionHeaders: int = u8(6)
    Ah: int = u8(7)
    Esp: int = u8(8)
    AhEspCombined: int = u8(9)
    Transport: int = u8(10)
    Tunnel: int = u8(11)
    TransportTunnelCombined: int = u8(12)
    LsoSupported: int = u8(13)
    ExtendedSequenceNumbers: int = u8(14)
    UdpEsp: int = u32(16)
    AuthenticationAlgorithms: int = u32(20, vocab=V_IPSEC_AUTH)
    EncryptionAlgorithms: int = u32(24, vocab=V_IPSEC_ENC)
    SaOffloadCapacity: int = u32(28)


# --------------------------------------------------------------------------------------------
# NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD [D/ntddndis/ns-ntddndis-_ndis_tcp_recv_seg_coalesce_offload.md]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4:
    """NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD.IPv4: BOOLEAN Enabled."""

    C_NAME: ClassVar[str] = "NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD.IPv4"
    C_SIZE: ClassVar[int] = 1

    Enabled: int = u8(0)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6:
    """NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD.IPv6: BOOLEAN Enabled."""

    C_NAME: ClassVar[str] = "NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD.IPv6"
    C_SIZE: ClassVar[int] = 1

    Enabled: int = u8(0)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD:
    """NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD (2 bytes; NDIS_OFFLOAD.Rsc, NDIS 6.30)."""

    C_NAME: ClassVar[str] = "NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD"
    C_SIZE: ClassVar[int] = 2

    IPv4: NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4 = struct(
        0, NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4
    )
    IPv6: NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6 = struct(
        1, NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6
    )


# --------------------------------------------------------------------------------------------
# NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD (+ _V2)
# [D/ntddndis/ns-ntddndis-_ndis_encapsulated_packet_task_offload.md, ..._v2.md]
# UsoSupported (b20-23) is NDIS 6.85, the reason NDIS_OFFLOAD_REVISION_7 exists [H-SDK/ntddndis.h
# "#if (NDIS_SUPPORT_NDIS685)"; spec 3.3]: before revision 7 those bits were Reserved, so the codec
# reads and writes UsoSupported only at NDIS_OFFLOAD revision >= 7 (since=7).

_USO_SINCE = 7


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD:
    """NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD (8 bytes; the ...Gre member of NDIS_OFFLOAD, 6.30)."""

    C_NAME: ClassVar[str] = "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD"
    C_SIZE: ClassVar[int] = 8

    TransmitChecksumOffloadSupported: int = bits(0, 0, 4, vocab=V_ENCAP_TASK)
    ReceiveChecksumOffloadSupported: int = bits(0, 4, 4, vocab=V_ENCAP_TASK)
    LsoV2Supported: int = bits(0, 8, 4, vocab=V_ENCAP_TASK)
    RssSupported: int = bits(0, 12, 4, vocab=V_ENCAP_TASK)
    VmqSupported: int = bits(0, 16, 4, vocab=V_ENCAP_TASK)
    UsoSupported: int = bits(0, 20, 4, vocab=V_ENCAP_TASK, since=_USO_SINCE)
    Reserved: int = bits(0, 24, 8)
    MaxHeaderSizeSupported: int = u32(4)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo:
    """``_VXLAN_INFO``: USHORT VxlanUDPPortNumber; USHORT VxlanUDPPortNumberConfigurable:1."""

    C_NAME: ClassVar[str] = (
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2.EncapsulationProtocolInfo.VxlanInfo"
    )
    C_SIZE: ClassVar[int] = 4

    VxlanUDPPortNumber: int = u16(0)
    VxlanUDPPortNumberConfigurable: int = bits(2, 0, 1, unit=2)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo:
    """``union _ENCAPSULATION_PROTOCOL_INFO { VxlanInfo; ULONG Value; }`` (4 bytes).

    ``Value`` is the canonical storage; ``VxlanInfo`` is kept consistent with it (see
    ``_layout.reconcile_union``), so either may be given.
    """

    C_NAME: ClassVar[str] = "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2.EncapsulationProtocolInfo"
    C_SIZE: ClassVar[int] = 4

    VxlanInfo: NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo = (
        struct(0, NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo)
    )
    Value: int = u32(0)

    def __attrs_post_init__(self) -> None:
        reconcile_union(self)


_EncapsulationProtocolInfo = NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2:
    """NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2 (20 bytes; NDIS 6.50, the ...Vxlan member)."""

    C_NAME: ClassVar[str] = "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2"
    C_SIZE: ClassVar[int] = 20

    TransmitChecksumOffloadSupported: int = bits(0, 0, 4, vocab=V_ENCAP_TASK)
    ReceiveChecksumOffloadSupported: int = bits(0, 4, 4, vocab=V_ENCAP_TASK)
    LsoV2Supported: int = bits(0, 8, 4, vocab=V_ENCAP_TASK)
    RssSupported: int = bits(0, 12, 4, vocab=V_ENCAP_TASK)
    VmqSupported: int = bits(0, 16, 4, vocab=V_ENCAP_TASK)
    UsoSupported: int = bits(0, 20, 4, vocab=V_ENCAP_TASK, since=_USO_SINCE)
    Reserved: int = bits(0, 24, 8)
    MaxHeaderSizeSupported: int = u32(4)
    EncapsulationProtocolInfo: _EncapsulationProtocolInfo = struct(8, _EncapsulationProtocolInfo)
    Reserved1: int = u32(12)
    Reserved2: int = u32(16)


# --------------------------------------------------------------------------------------------
# NDIS_RFC6877_464XLAT_OFFLOAD [D/ntddndis/ns-ntddndis-_ndis_rfc6877_464xlat_offload.md] (6.70)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_RFC6877_464XLAT_OFFLOAD:
    """NDIS_RFC6877_464XLAT_OFFLOAD (8 bytes): XlatOffload (C enum, 4 bytes), Flags (always 0)."""

    C_NAME: ClassVar[str] = "NDIS_RFC6877_464XLAT_OFFLOAD"
    C_SIZE: ClassVar[int] = 8

    XlatOffload: int = u32(0, vocab=V_XLAT)
    Flags: int = u32(4)


# --------------------------------------------------------------------------------------------
# NDIS_UDP_SEGMENTATION_OFFLOAD [D/ntddndis/ns-ntddndis-_ndis_udp_segmentation_offload.md] (6.83)
# SubMssFinalSegmentSupported is NDIS 6.84 but has no revision of its own (it took a Reserved bit),
# so it is read and written with the rest of the structure.


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4:
    """NDIS_UDP_SEGMENTATION_OFFLOAD.IPv4 (12 bytes)."""

    C_NAME: ClassVar[str] = "NDIS_UDP_SEGMENTATION_OFFLOAD.IPv4"
    C_SIZE: ClassVar[int] = 12

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    MaxOffLoadSize: int = u32(4)
    MinSegmentCount: int = bits(8, 0, 6)
    SubMssFinalSegmentSupported: int = bits(8, 6, 1)
    Reserved: int = bits(8, 7, 25)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6:
    """NDIS_UDP_SEGMENTATION_OFFLOAD.IPv6 (16 bytes)."""

    C_NAME: ClassVar[str] = "NDIS_UDP_SEGMENTATION_OFFLOAD.IPv6"
    C_SIZE: ClassVar[int] = 16

    Encapsulation: int = u32(0, vocab=V_ENCAPSULATION)
    MaxOffLoadSize: int = u32(4)
    MinSegmentCount: int = bits(8, 0, 6)
    SubMssFinalSegmentSupported: int = bits(8, 6, 1)
    Reserved1: int = bits(8, 7, 25)
    IpExtensionHeadersSupported: int = bits(12, 0, 2, vocab=V_SUPPORT)
    Reserved2: int = bits(12, 2, 30)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_UDP_SEGMENTATION_OFFLOAD:
    """NDIS_UDP_SEGMENTATION_OFFLOAD (28 bytes): IPv4 @0, IPv6 @12."""

    C_NAME: ClassVar[str] = "NDIS_UDP_SEGMENTATION_OFFLOAD"
    C_SIZE: ClassVar[int] = 28

    IPv4: NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4 = struct(0, NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4)
    IPv6: NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6 = struct(12, NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6)


# --------------------------------------------------------------------------------------------
# NDIS_UDP_RSC_OFFLOAD [D*/nbluro/ns-nbluro-ndis_udp_rsc_offload.md] (6.89)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_UDP_RSC_OFFLOAD:
    """NDIS_UDP_RSC_OFFLOAD (1 byte): BOOLEAN Enabled."""

    C_NAME: ClassVar[str] = "NDIS_UDP_RSC_OFFLOAD"
    C_SIZE: ClassVar[int] = 1

    Enabled: int = u8(0)


# --------------------------------------------------------------------------------------------
# NDIS_OFFLOAD [D/ntddndis/ns-ntddndis-_ndis_offload.md; layout and revisions H-SDK/ntddndis.h]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD(_Versioned):
    """NDIS_OFFLOAD: task-offload capabilities or current configuration (spec 3.3).

    Revisions 1-7 (sizes 112, 144, 156, 177, 188, 216, 216). ``UdpRsc`` (NDIS 6.89) sits after
    UdpSegmentation per the newer docs page [D*/ntddndis/ns-ntddndis-_ndis_offload.md], but no
    documented revision carries it (spec A17; "NDIS_OFFLOAD_REVISION_8" in third-party metadata is
    also claimed by QUIC-offload proposals), so it is an in-memory member only: it exists for the
    rules, and the codec never writes or reads it.
    """

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD"
    C_SIZE: ClassVar[int] = 217
    OBJECT_TYPE: ClassVar[int] = _c.NDIS_OBJECT_TYPE_OFFLOAD
    REVISION_SIZES: ClassVar[Mapping[int, int]] = _revisions(
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1,
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_2,
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3,
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_4,
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_5,
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_6,
        _c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_7,
    )
    HIGHEST_REVISION: ClassVar[int] = _c.NDIS_OFFLOAD_REVISION_7

    Header: NDIS_OBJECT_HEADER = _header()
    Checksum: NDIS_TCP_IP_CHECKSUM_OFFLOAD = struct(4, NDIS_TCP_IP_CHECKSUM_OFFLOAD)
    LsoV1: NDIS_TCP_LARGE_SEND_OFFLOAD_V1 = struct(36, NDIS_TCP_LARGE_SEND_OFFLOAD_V1)
    IPsecV1: NDIS_IPSEC_OFFLOAD_V1 = struct(52, NDIS_IPSEC_OFFLOAD_V1)
    LsoV2: NDIS_TCP_LARGE_SEND_OFFLOAD_V2 = struct(80, NDIS_TCP_LARGE_SEND_OFFLOAD_V2)
    Flags: int = u32(108, vocab=V_OFFLOAD_FLAGS)
    # revision 2 (NDIS 6.1)
    IPsecV2: NDIS_IPSEC_OFFLOAD_V2 = struct(112, NDIS_IPSEC_OFFLOAD_V2)
    # revision 3 (NDIS 6.30)
    Rsc: NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD = struct(144, NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD)
    EncapsulatedPacketTaskOffloadGre: NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD = struct(
        148, NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD
    )
    # revision 4 (NDIS 6.50)
    EncapsulatedPacketTaskOffloadVxlan: NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2 = struct(
        156, NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2
    )
    EncapsulationTypes: int = u8(176, vocab=V_ENCAPSULATION_TYPES)
    # revision 5 (NDIS 6.70)
    Rfc6877Xlat: NDIS_RFC6877_464XLAT_OFFLOAD = struct(180, NDIS_RFC6877_464XLAT_OFFLOAD)
    # revision 6 (NDIS 6.83); revision 7 (6.85) adds only the UsoSupported bits above
    UdpSegmentation: NDIS_UDP_SEGMENTATION_OFFLOAD = struct(188, NDIS_UDP_SEGMENTATION_OFFLOAD)
    # in-memory only, see the class docstring
    UdpRsc: NDIS_UDP_RSC_OFFLOAD = struct(216, NDIS_UDP_RSC_OFFLOAD)


# --------------------------------------------------------------------------------------------
# NDIS_OFFLOAD_PARAMETERS [D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md; H-SDK/ntddndis.h]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters:
    """``_VXLAN_PARAMETERS``: USHORT VxlanUDPPortNumber (0 = keep the keyword's port)."""

    C_NAME: ClassVar[str] = (
        "NDIS_OFFLOAD_PARAMETERS.EncapsulationProtocolParameters.VxlanParameters"
    )
    C_SIZE: ClassVar[int] = 2

    VxlanUDPPortNumber: int = u16(0)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters:
    """``union _ENCAPSULATION_PROTOCOL_PARAMETERS { VxlanParameters; ULONG Value; }``.

    ``Value`` is the canonical storage; ``VxlanParameters`` is kept consistent with it.
    """

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_PARAMETERS.EncapsulationProtocolParameters"
    C_SIZE: ClassVar[int] = 4

    VxlanParameters: NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters = (
        struct(0, NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters)
    )
    Value: int = u32(0)

    def __attrs_post_init__(self) -> None:
        reconcile_union(self)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_PARAMETERS_UdpSegmentation:
    """NDIS_OFFLOAD_PARAMETERS.UdpSegmentation {UCHAR IPv4; UCHAR IPv6} (NDIS 6.83)."""

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_PARAMETERS.UdpSegmentation"
    C_SIZE: ClassVar[int] = 2

    IPv4: int = u8(0, vocab=V_PARAM_USO)
    IPv6: int = u8(1, vocab=V_PARAM_USO)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_PARAMETERS_UdpRsc:
    """NDIS_OFFLOAD_PARAMETERS.UdpRsc {UCHAR Enabled} (NDIS 6.89)."""

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_PARAMETERS.UdpRsc"
    C_SIZE: ClassVar[int] = 1

    Enabled: int = u8(0, vocab=V_PARAM_UDP_RSC)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_PARAMETERS(_Versioned):
    """NDIS_OFFLOAD_PARAMETERS: the OID_TCP_OFFLOAD_PARAMETERS buffer (spec 3.2).

    Revisions 1-6 (sizes 20, 22, 26, 32, 34, 35). Revision 6 (UdpRsc, NDIS 6.89) is in no available
    header; its layout follows the docs syntax block, which places ``UdpRsc {UCHAR Enabled}``
    directly after UdpSegmentation, at offset 34 (so NDIS_SIZEOF_..._REVISION_6 = 35; not pinned
    by a primary header, spec A17). The members of C's anonymous structs (RscIPv4/RscIPv6,
    EncapsulatedPacketTaskOffload/EncapsulationTypes) are flattened here, as C reaches them.
    """

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_PARAMETERS"
    C_SIZE: ClassVar[int] = 35
    OBJECT_TYPE: ClassVar[int] = _c.NDIS_OBJECT_TYPE_DEFAULT
    REVISION_SIZES: ClassVar[Mapping[int, int]] = _revisions(
        _c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1,
        _c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2,
        _c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3,
        _c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_4,
        _c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_5,
        _c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_6,
    )
    HIGHEST_REVISION: ClassVar[int] = _c.NDIS_OFFLOAD_PARAMETERS_REVISION_6

    Header: NDIS_OBJECT_HEADER = _header()
    IPv4Checksum: int = u8(4, vocab=V_PARAM_CHECKSUM)
    TCPIPv4Checksum: int = u8(5, vocab=V_PARAM_CHECKSUM)
    UDPIPv4Checksum: int = u8(6, vocab=V_PARAM_CHECKSUM)
    TCPIPv6Checksum: int = u8(7, vocab=V_PARAM_CHECKSUM)
    UDPIPv6Checksum: int = u8(8, vocab=V_PARAM_CHECKSUM)
    LsoV1: int = u8(9, vocab=V_PARAM_LSOV1)
    IPsecV1: int = u8(10, vocab=V_PARAM_IPSECV1)
    LsoV2IPv4: int = u8(11, vocab=V_PARAM_LSOV2)
    LsoV2IPv6: int = u8(12, vocab=V_PARAM_LSOV2)
    TcpConnectionIPv4: int = u8(13, vocab=V_PARAM_CONNECTION)
    TcpConnectionIPv6: int = u8(14, vocab=V_PARAM_CONNECTION)
    Flags: int = u32(16, vocab=V_PARAM_FLAGS)
    # revision 2 (NDIS 6.1)
    IPsecV2: int = u8(20, vocab=V_PARAM_IPSECV2)
    IPsecV2IPv4: int = u8(21, vocab=V_PARAM_IPSECV2)
    # revision 3 (NDIS 6.30)
    RscIPv4: int = u8(22, vocab=V_PARAM_RSC)
    RscIPv6: int = u8(23, vocab=V_PARAM_RSC)
    EncapsulatedPacketTaskOffload: int = u8(24, vocab=V_SET_STATE)
    EncapsulationTypes: int = u8(25, vocab=V_ENCAPSULATION_TYPES)
    # revision 4 (NDIS 6.50)
    EncapsulationProtocolParameters: NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters = (
        struct(28, NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters)
    )
    # revision 5 (NDIS 6.83)
    UdpSegmentation: NDIS_OFFLOAD_PARAMETERS_UdpSegmentation = struct(
        32, NDIS_OFFLOAD_PARAMETERS_UdpSegmentation
    )
    # revision 6 (NDIS 6.89)
    UdpRsc: NDIS_OFFLOAD_PARAMETERS_UdpRsc = struct(34, NDIS_OFFLOAD_PARAMETERS_UdpRsc)


# --------------------------------------------------------------------------------------------
# NDIS_TCP_CONNECTION_OFFLOAD [D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md] (chimney)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_TCP_CONNECTION_OFFLOAD(_Versioned):
    """NDIS_TCP_CONNECTION_OFFLOAD (20 bytes, revisions 1 and 2 of the same size; spec 3.4).

    CongestionAlgorithm (b8-11) is NDIS 6.1, i.e. revision 2; at revision 1 those bits are not read
    or written.
    """

    C_NAME: ClassVar[str] = "NDIS_TCP_CONNECTION_OFFLOAD"
    C_SIZE: ClassVar[int] = 20
    OBJECT_TYPE: ClassVar[int] = _c.NDIS_OBJECT_TYPE_DEFAULT
    REVISION_SIZES: ClassVar[Mapping[int, int]] = _revisions(
        _c.NDIS_SIZEOF_TCP_CONNECTION_OFFLOAD_REVISION_1,
        _c.NDIS_SIZEOF_TCP_CONNECTION_OFFLOAD_REVISION_2,
    )
    HIGHEST_REVISION: ClassVar[int] = _c.NDIS_TCP_CONNECTION_OFFLOAD_REVISION_2

    Header: NDIS_OBJECT_HEADER = _header()
    Encapsulation: int = u32(4, vocab=V_ENCAPSULATION)
    SupportIPv4: int = bits(8, 0, 2, vocab=V_SUPPORT)
    SupportIPv6: int = bits(8, 2, 2, vocab=V_SUPPORT)
    SupportIPv6ExtensionHeaders: int = bits(8, 4, 2, vocab=V_SUPPORT)
    SupportSack: int = bits(8, 6, 2, vocab=V_SUPPORT)
    CongestionAlgorithm: int = bits(8, 8, 4, since=2)
    TcpConnectionOffloadCapacity: int = u32(12)
    Flags: int = u32(16)


# --------------------------------------------------------------------------------------------
# NDIS_OFFLOAD_ENCAPSULATION
# [D/encapsulationconfig/ns-encapsulationconfig-ndis_offload_encapsulation.md;
#  layout H-WDK/ndis/encapsulationconfig.h]


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_ENCAPSULATION_IPv4:
    """NDIS_OFFLOAD_ENCAPSULATION.IPv4 {Enabled; EncapsulationType; HeaderSize} (ULONGs)."""

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_ENCAPSULATION.IPv4"
    C_SIZE: ClassVar[int] = 12

    Enabled: int = u32(0, vocab=V_SET_STATE)
    EncapsulationType: int = u32(4, vocab=V_ENCAPSULATION)
    HeaderSize: int = u32(8)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_ENCAPSULATION_IPv6:
    """NDIS_OFFLOAD_ENCAPSULATION.IPv6 {Enabled; EncapsulationType; HeaderSize} (ULONGs)."""

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_ENCAPSULATION.IPv6"
    C_SIZE: ClassVar[int] = 12

    Enabled: int = u32(0, vocab=V_SET_STATE)
    EncapsulationType: int = u32(4, vocab=V_ENCAPSULATION)
    HeaderSize: int = u32(8)


@attrs.frozen(kw_only=True, cache_hash=True)
class NDIS_OFFLOAD_ENCAPSULATION(_Versioned):
    """NDIS_OFFLOAD_ENCAPSULATION (28 bytes, revision 1; spec 3.6)."""

    C_NAME: ClassVar[str] = "NDIS_OFFLOAD_ENCAPSULATION"
    C_SIZE: ClassVar[int] = 28
    OBJECT_TYPE: ClassVar[int] = _c.NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION
    REVISION_SIZES: ClassVar[Mapping[int, int]] = _revisions(
        _c.NDIS_SIZEOF_OFFLOAD_ENCAPSULATION_REVISION_1
    )
    HIGHEST_REVISION: ClassVar[int] = _c.NDIS_OFFLOAD_ENCAPSULATION_REVISION_1

    Header: NDIS_OBJECT_HEADER = _header()
    IPv4: NDIS_OFFLOAD_ENCAPSULATION_IPv4 = struct(4, NDIS_OFFLOAD_ENCAPSULATION_IPv4)
    IPv6: NDIS_OFFLOAD_ENCAPSULATION_IPv6 = struct(16, NDIS_OFFLOAD_ENCAPSULATION_IPv6)


# --------------------------------------------------------------------------------------------
# Registries

#: Structures that start with an NDIS_OBJECT_HEADER (the top-level OID / indication buffers).
VERSIONED_STRUCTURES: Mapping[str, type] = MappingProxyType(
    {
        c.C_NAME: c
        for c in (
            NDIS_OFFLOAD,
            NDIS_OFFLOAD_PARAMETERS,
            NDIS_OFFLOAD_ENCAPSULATION,
            NDIS_TCP_CONNECTION_OFFLOAD,
        )
    }
)

#: Every byte-codec'd C typedef, by C name (sub-structures included; the nested classes of named
#: inner structs are reachable from their parents and are listed in ``NESTED_STRUCTURES``).
STRUCTURES: Mapping[str, type] = MappingProxyType(
    {
        c.C_NAME: c
        for c in (
            NDIS_OBJECT_HEADER,
            NDIS_OFFLOAD,
            NDIS_OFFLOAD_PARAMETERS,
            NDIS_OFFLOAD_ENCAPSULATION,
            NDIS_TCP_CONNECTION_OFFLOAD,
            NDIS_TCP_IP_CHECKSUM_OFFLOAD,
            NDIS_TCP_LARGE_SEND_OFFLOAD_V1,
            NDIS_IPSEC_OFFLOAD_V1,
            NDIS_TCP_LARGE_SEND_OFFLOAD_V2,
            NDIS_IPSEC_OFFLOAD_V2,
            NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD,
            NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD,
            NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2,
            NDIS_RFC6877_464XLAT_OFFLOAD,
            NDIS_UDP_SEGMENTATION_OFFLOAD,
            NDIS_UDP_RSC_OFFLOAD,
        )
    }
)

#: The classes of named inner structs and unions, by dotted C path.
NESTED_STRUCTURES: Mapping[str, type] = MappingProxyType(
    {
        c.C_NAME: c
        for c in (
            NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit,
            NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive,
            NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit,
            NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Receive,
            NDIS_TCP_LARGE_SEND_OFFLOAD_V1_IPv4,
            NDIS_IPSEC_OFFLOAD_V1_Supported,
            NDIS_IPSEC_OFFLOAD_V1_IPv4AH,
            NDIS_IPSEC_OFFLOAD_V1_IPv4ESP,
            NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv4,
            NDIS_TCP_LARGE_SEND_OFFLOAD_V2_IPv6,
            NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv4,
            NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD_IPv6,
            NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo,
            NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo_VxlanInfo,
            NDIS_UDP_SEGMENTATION_OFFLOAD_IPv4,
            NDIS_UDP_SEGMENTATION_OFFLOAD_IPv6,
            NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters,
            NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters,
            NDIS_OFFLOAD_PARAMETERS_UdpSegmentation,
            NDIS_OFFLOAD_PARAMETERS_UdpRsc,
            NDIS_OFFLOAD_ENCAPSULATION_IPv4,
            NDIS_OFFLOAD_ENCAPSULATION_IPv6,
        )
    }
)


# --------------------------------------------------------------------------------------------
# Comparing values fast.  attrs' generated ``__eq__`` compares member by member with ``==`` and
# no identity check, so comparing a configuration with itself walks its whole tree of nested
# structures -- and the MUX, the monitors and the memoised rules do exactly that, over and over
# (``attrs.evolve`` also shares the unchanged nested structures between two configurations).
# Each value class here keeps its generated comparison behind two exact shortcuts: the same
# object is equal to itself, and values with different (cached) hashes differ (attrs derives
# the hash from the same members as ``==``).  The answers are the generated ones.


def _fast_eq(generated: Any) -> Any:
    def eq(self: Any, other: Any) -> Any:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        if hash(self) != hash(other):
            return False
        return generated(self, other)

    eq.__name__ = eq.__qualname__ = "__eq__"
    eq.__doc__ = generated.__doc__
    return eq


def _fast_ne(self: Any, other: Any) -> Any:
    equal = self.__eq__(other)
    return equal if equal is NotImplemented else not equal


for _cls in list(globals().values()):
    if (
        isinstance(_cls, type)
        and _cls.__module__ == __name__
        and attrs.has(_cls)
        and "_attrs_cached_hash" in getattr(_cls, "__slots__", ())
    ):
        _cls.__eq__ = _fast_eq(_cls.__eq__)  # type: ignore[method-assign]
        _cls.__ne__ = _fast_ne  # type: ignore[method-assign]
del _cls
