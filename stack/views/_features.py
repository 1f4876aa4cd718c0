"""Offload features one by one: how to read each from an NDIS_OFFLOAD and from the keywords.

A *feature* is one on/off bit a user thinks about ("TCP checksum, IPv4, transmit", "LSOv2 IPv6",
"RSC IPv4").  Every view in this package is built from the same list, read from several sources
that can disagree (``stack.views._snapshot``):

* hardware: the capabilities NDIS cached from the miniport (NDIS_STATUS_TASK_OFFLOAD_HARDWARE_
  CAPABILITIES or the initialization attributes);
* requested: what the standardized keywords ask for, i.e. the configuration MiniportInitializeEx
  would build from them now (``stack.ndis.current_config_from_keywords``).  NDIS writes the
  keywords for every OID_TCP_OFFLOAD_PARAMETERS set it hands on (N/oid-tcp-offload-parameters.md),
  so this is also "the last parameters", unless a set carried SKIP_REGISTRY_UPDATE;
* current: the current configuration NDIS cached (what ``Get-NetAdapter*`` reports);
* the miniport's own current configuration (ahead of NDIS's cache until its indication is
  delivered);
* operational: what runs, after the receive gate (``stack.ndis.operational_receive_offloads``);
* each bound protocol's view.

On/off follows spec A3: inside NDIS_OFFLOAD a flag is on when it is 1, and a checksum, LSO or USO
block exists only when it lists an encapsulation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from stack.ndis import (
    NDIS_ENCAPSULATION_TYPE_GRE_MAC,
    NDIS_ENCAPSULATION_TYPE_VXLAN,
    NDIS_OFFLOAD,
)

__all__ = ["FEATURES", "VIEWS", "Feature", "feature_states"]

#: The views ``show adapter`` knows, in the order ``all`` prints them.
VIEWS: Final = ("checksum", "lso", "uso", "rsc", "encapsulation", "advanced")


def _get(obj: object, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _checksum(version: str, direction: str, bit: str) -> Callable[[NDIS_OFFLOAD], bool]:
    path = f"Checksum.{version}{direction}"

    def read(offload: NDIS_OFFLOAD) -> bool:
        block = _get(offload, path)
        return bool(block.Encapsulation) and getattr(block, bit) == 1

    return read


def _block(path: str) -> Callable[[NDIS_OFFLOAD], bool]:
    def read(offload: NDIS_OFFLOAD) -> bool:
        return bool(_get(offload, path).Encapsulation)

    return read


def _flag(path: str) -> Callable[[NDIS_OFFLOAD], bool]:
    def read(offload: NDIS_OFFLOAD) -> bool:
        return bool(_get(offload, path) == 1)

    return read


def _encapsulation_type(bit: int) -> Callable[[NDIS_OFFLOAD], bool]:
    def read(offload: NDIS_OFFLOAD) -> bool:
        return bool(offload.EncapsulationTypes & bit)

    return read


def _gre_lso(offload: NDIS_OFFLOAD) -> bool:
    # NVGRE task offload on, and LSOv2 listed for GRE-encapsulated packets
    # (NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD.LsoV2Supported, D/ntddndis/ns-ntddndis-
    # _ndis_encapsulated_packet_task_offload.md).
    return bool(offload.EncapsulationTypes & NDIS_ENCAPSULATION_TYPE_GRE_MAC) and bool(
        offload.EncapsulatedPacketTaskOffloadGre.LsoV2Supported
    )


def _vxlan_lso(offload: NDIS_OFFLOAD) -> bool:
    return bool(offload.EncapsulationTypes & NDIS_ENCAPSULATION_TYPE_VXLAN) and bool(
        offload.EncapsulatedPacketTaskOffloadVxlan.LsoV2Supported
    )


def _ipsec_v1(offload: NDIS_OFFLOAD) -> bool:
    v1 = offload.IPsecV1
    return bool(v1.Supported.Encapsulation) and any(
        getattr(getattr(v1, sub), direction) == 1
        for sub in ("IPv4AH", "IPv4ESP")
        for direction in ("Send", "Receive")
    )


def _ipsec_v2(offload: NDIS_OFFLOAD) -> bool:
    v2 = offload.IPsecV2
    return bool(v2.Encapsulation) and bool(v2.Ah or v2.Esp)


@attrs.frozen(kw_only=True)
class Feature:
    """One offload bit as NDIS_OFFLOAD holds it.

    ``ndis`` names it by its NDIS_OFFLOAD member (``Checksum.IPv4Transmit.TcpChecksum``,
    ``LsoV2.IPv6``): the ethtool view prints that name for the bits Linux has no feature for,
    and the "who believes what" lines use it.  The ethtool names live in ``_ethtool``.
    """

    #: Stable id (``tcp4-tx``), used in JSON.
    id: str
    #: The ``show adapter`` view it belongs to (``checksum``, ``lso``, ``uso``, ``rsc``,
    #: ``encapsulation``) or ``other`` (printed by ``all`` only).
    view: str
    ndis: str
    read: Callable[[NDIS_OFFLOAD], bool]
    #: The member path ``operational_receive_offloads`` reports when this receive feature runs;
    #: None for transmit features (they run as configured once the adapter runs).
    receive_path: str | None = None
    #: For a transmit feature that runs only while a receive-path gate is open: that path.
    #: NVGRE/VXLAN task offloads stay inactive until a protocol sets EncapsulatedPacketTask-
    #: Offload SET_ON (N/querying-and-changing-nvgre-task-offload-state.md), LSO on
    #: encapsulated packets included.
    gated_by: str | None = None

    @property
    def gate_path(self) -> str | None:
        return self.receive_path or self.gated_by


def _checksum_features() -> list[Feature]:
    features = []
    for version in ("IPv4", "IPv6"):
        protocols = ("Ip", "Tcp", "Udp") if version == "IPv4" else ("Tcp", "Udp")
        for proto in protocols:
            for direction, short in (("Transmit", "tx"), ("Receive", "rx")):
                bit = f"{proto}Checksum"
                features.append(
                    Feature(
                        id=f"{proto.lower()}{version[-1]}-{short}",
                        view="checksum",
                        ndis=f"Checksum.{version}{direction}.{bit}",
                        read=_checksum(version, direction, bit),
                        receive_path=(
                            f"Checksum.{version}Receive.{bit}" if short == "rx" else None
                        ),
                    )
                )
    return features


#: Every feature, in view order.
FEATURES: Final[tuple[Feature, ...]] = (
    *_checksum_features(),
    Feature(id="lsov1-4", view="lso", ndis="LsoV1.IPv4", read=_block("LsoV1.IPv4")),
    Feature(id="lsov2-4", view="lso", ndis="LsoV2.IPv4", read=_block("LsoV2.IPv4")),
    Feature(id="lsov2-6", view="lso", ndis="LsoV2.IPv6", read=_block("LsoV2.IPv6")),
    Feature(id="uso-4", view="uso", ndis="UdpSegmentation.IPv4",
            read=_block("UdpSegmentation.IPv4")),
    Feature(id="uso-6", view="uso", ndis="UdpSegmentation.IPv6",
            read=_block("UdpSegmentation.IPv6")),
    Feature(id="rsc-4", view="rsc", ndis="Rsc.IPv4.Enabled", read=_flag("Rsc.IPv4.Enabled"),
            receive_path="Rsc.IPv4.Enabled"),
    Feature(id="rsc-6", view="rsc", ndis="Rsc.IPv6.Enabled", read=_flag("Rsc.IPv6.Enabled"),
            receive_path="Rsc.IPv6.Enabled"),
    Feature(id="uro", view="rsc", ndis="UdpRsc.Enabled", read=_flag("UdpRsc.Enabled"),
            receive_path="UdpRsc.Enabled"),
    Feature(id="nvgre", view="encapsulation", ndis="EncapsulatedPacketTaskOffloadGre",
            read=_encapsulation_type(NDIS_ENCAPSULATION_TYPE_GRE_MAC),
            receive_path="EncapsulatedPacketTaskOffloadGre.ReceiveChecksumOffloadSupported"),
    Feature(id="vxlan", view="encapsulation", ndis="EncapsulatedPacketTaskOffloadVxlan",
            read=_encapsulation_type(NDIS_ENCAPSULATION_TYPE_VXLAN),
            receive_path="EncapsulatedPacketTaskOffloadVxlan.ReceiveChecksumOffloadSupported"),
    Feature(id="gre-lso", view="encapsulation",
            ndis="EncapsulatedPacketTaskOffloadGre.LsoV2Supported", read=_gre_lso,
            gated_by="EncapsulatedPacketTaskOffloadGre.ReceiveChecksumOffloadSupported"),
    Feature(id="vxlan-lso", view="encapsulation",
            ndis="EncapsulatedPacketTaskOffloadVxlan.LsoV2Supported", read=_vxlan_lso,
            gated_by="EncapsulatedPacketTaskOffloadVxlan.ReceiveChecksumOffloadSupported"),
    Feature(id="ipsecv1", view="other", ndis="IPsecV1", read=_ipsec_v1),
    Feature(id="ipsecv2", view="other", ndis="IPsecV2", read=_ipsec_v2),
)  # fmt: skip

FEATURE_BY_ID: Final[Mapping[str, Feature]] = {f.id: f for f in FEATURES}


def feature_states(offload: NDIS_OFFLOAD | None) -> dict[str, bool]:
    """Every feature's on/off in ``offload``; all off when there is none (not initialized)."""
    if offload is None:
        return {f.id: False for f in FEATURES}
    return {f.id: f.read(offload) for f in FEATURES}
