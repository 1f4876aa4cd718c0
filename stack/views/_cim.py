"""The MSFT_NetAdapter*SettingData objects the ``Get-NetAdapter*`` cmdlets return, as dicts.

Property names and sets are the WMI classes' (MicrosoftDocs/win32, ``desktop-src/FWP/wmi/
netadaptercimprov/``: msft-netadapterchecksumoffloadsettingdata.md, -lsosettingdata.md,
-rscsettingdata.md, -encapsulatedpackettaskoffloadsettingdata.md,
-advancedpropertysettingdata.md and the capability classes msft-netadapterchecksumoffload-
capabilities.md, -largesendoffloadv1capabilities.md, -largesendoffloadv2capabilities.md,
-rsccapabilities.md, -encapsulatedpackettaskoffloadcapabilities.md).

Order, as ``Format-List *`` and ``Select-Object *`` list them in Windows PowerShell 5.1 (a real
``Get-NetAdapterLso | Select-Object *`` property list, github.com/SobolevD/monitoring_app
``NetAdapterLsoInfo.java``: ``ifAlias, InterfaceAlias, ifDesc, Version, Caption, Description,
ElementName, InstanceID, InterfaceDescription, Name, Source, SystemName, IPv4Enabled,
IPv6Enabled, LargeSendOffloadV1HardwareCapabilities, LargeSendOffloadV2HardwareCapabilities,
MaximumLsoVersionSupported, V1IPv4Enabled, PSComputerName``): first the module's type
extensions (the ``ifAlias``/``InterfaceAlias``/``ifDesc`` aliases, ``Version``), then the CIM
properties class level by class level, each level in alphabetical order, then
``PSComputerName`` and the CIM wrapper's ``CimClass``, ``CimInstanceProperties``,
``CimSystemProperties``.

Values the docs leave open, ndisemu's choices: ``Caption``, ``Description``, ``ElementName``
empty (the advanced property's ``Description`` and ``ElementName`` are its DisplayName);
``InstanceID`` a GUID made from the adapter's name (``{GUID}::KEYWORD`` for an advanced
property), so it is the same in every run; ``SystemName`` ``NDISEMU``; ``Source`` 2 (Device:
NDIS's cache of what the miniport reported) for the offload classes and 3 (Persistent storage:
the registry) for advanced properties; ``PSComputerName`` empty (a local session).  An embedded
capabilities instance prints as its class name, as a CimInstance does; its properties are in
the JSON and in ndisemu's block.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q,
    NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q_IN_OOB,
    NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED,
    NDIS_ENCAPSULATION_NULL,
    NDIS_OFFLOAD,
)

__all__ = [
    "BASE_PROPERTIES",
    "SYSTEM_NAME",
    "capabilities",
    "cim_object",
    "instance_id",
]

SYSTEM_NAME: Final = "NDISEMU"
#: The CIM properties every MSFT_NetAdapter*SettingData inherits, in ``Format-List`` order.
BASE_PROPERTIES: Final = (
    "Caption",
    "Description",
    "ElementName",
    "InstanceID",
    "InterfaceDescription",
    "Name",
    "Source",
    "SystemName",
)
_NAMESPACE: Final = uuid.UUID("5c2f8f0e-4a51-4e0b-9f43-6e6469736575")

#: NDIS_ENCAPSULATION_* flags as the MSFT_*EncapsulationTypes classes name them.
_ENCAPSULATIONS: Final = (
    (NDIS_ENCAPSULATION_NULL, "NdisEncapsulationNull"),
    (NDIS_ENCAPSULATION_IEEE_802_3, "NdisEncapsulationIeee802_3"),
    (NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q, "NdisEncapsulationIeee802_3pAndq"),
    (NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q_IN_OOB, "NdisEncapsulationIeee802_3PAndQInOob"),
    (NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED, "NdisEncapsulationIeeeLlcSnapRouted"),
)


def instance_id(adapter: str) -> str:
    """A stable ``{GUID}`` for an adapter (Windows uses the interface GUID)."""
    return "{" + str(uuid.uuid5(_NAMESPACE, adapter)).upper() + "}"


def cim_object(
    cim_class: str,
    *,
    name: str,
    description: str,
    extensions: Mapping[str, Any],
    properties: Mapping[str, Any],
    source: int = 2,
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One object in ``Format-List *`` order: type extensions, inherited CIM properties,
    ``properties`` (sorted), then the wrapper's own."""
    inherited: dict[str, Any] = {
        "Caption": None,
        "Description": None,
        "ElementName": None,
        "InstanceID": instance_id(name),
        "InterfaceDescription": description,
        "Name": name,
        "Source": source,
        "SystemName": SYSTEM_NAME,
    }
    inherited.update(base or {})
    own = dict(sorted(properties.items(), key=lambda item: item[0].casefold()))
    return {
        "ifAlias": name,
        "InterfaceAlias": name,
        "ifDesc": description,
        **extensions,
        **inherited,
        **own,
        "PSComputerName": None,
        "CimClass": f"ROOT/StandardCimv2:{cim_class}",
        "CimInstanceProperties": [*BASE_PROPERTIES, *own],
        "CimSystemProperties": "Microsoft.Management.Infrastructure.CimSystemProperties",
    }


def _encapsulation(flags: int) -> list[str]:
    return [label for bit, label in _ENCAPSULATIONS if flags & bit]


def _sorted(values: Mapping[str, Any]) -> dict[str, Any]:
    return dict(sorted(values.items(), key=lambda item: item[0].casefold()))


def _supported(value: int) -> bool:
    return value == 1  # NDIS_OFFLOAD_SUPPORTED


def capabilities(kind: str, hardware: NDIS_OFFLOAD | None) -> dict[str, Any] | None:
    """An embedded MSFT_NetAdapter*Capabilities instance's properties, from the hardware
    capabilities NDIS cached (None before the miniport reported any)."""
    if hardware is None:
        return None
    if kind == "checksum":
        out: dict[str, Any] = {}
        for version in ("IPv4", "IPv6"):
            for direction in ("Transmit", "Receive"):
                prefix = f"{version}{direction}"
                block: Any = getattr(hardware.Checksum, prefix)
                bits = {"TcpOptionsSupported": "TcpOptionsSupported",
                        "TcpChecksumSupported": "TcpChecksum",
                        "UdpChecksumSupported": "UdpChecksum"}  # fmt: skip
                if version == "IPv4":
                    bits |= {"IpOptionsSupported": "IpOptionsSupported",
                             "IpChecksumSupported": "IpChecksum"}  # fmt: skip
                else:
                    bits["IpExtensionHeadersSupported"] = "IpExtensionHeadersSupported"
                out[f"{prefix}Encapsulation"] = _encapsulation(block.Encapsulation)
                for label, member in bits.items():
                    out[f"{prefix}{label}"] = _supported(getattr(block, member))
        return _sorted(out)
    if kind == "lsov1":
        v1 = hardware.LsoV1.IPv4
        return _sorted(
            {
                "IPv4Encapsulation": _encapsulation(v1.Encapsulation),
                "IPv4MaxOffloadSizeSupported": v1.MaxOffLoadSize,
                "IPv4MinSegmentCountSupported": v1.MinSegmentCount,
                "IPv4TcpOptionsSupported": _supported(v1.TcpOptions),
                "IPv4IpOptionsSupported": _supported(v1.IpOptions),
            }
        )
    if kind == "lsov2":
        v4, v6 = hardware.LsoV2.IPv4, hardware.LsoV2.IPv6
        return _sorted(
            {
                "IPv4Encapsulation": _encapsulation(v4.Encapsulation),
                "IPv4MaxOffloadSizeSupported": v4.MaxOffLoadSize,
                "IPv4MinSegmentCountSupported": v4.MinSegmentCount,
                "IPv6Encapsulation": _encapsulation(v6.Encapsulation),
                # sic: the class spells this one "OffLoad"
                "IPv6MaxOffLoadSizeSupported": v6.MaxOffLoadSize,
                "IPv6MinSegmentCountSupported": v6.MinSegmentCount,
                "IPv6IpExtensionHeadersSupported": _supported(v6.IpExtensionHeadersSupported),
                "IPv6TcpOptionsSupported": _supported(v6.TcpOptionsSupported),
            }
        )
    if kind == "rsc":
        return {
            "IPv4Supported": bool(hardware.Rsc.IPv4.Enabled),
            "IPv6Supported": bool(hardware.Rsc.IPv6.Enabled),
        }
    if kind == "encapsulation":
        # The class (Windows Server 2012) describes one encapsulation type, NVGRE's block.
        gre = hardware.EncapsulatedPacketTaskOffloadGre
        return _sorted(
            {
                "TransmitChecksumOffloadSupported": gre.TransmitChecksumOffloadSupported,
                "ReceiveChecksumOffloadSupported": gre.ReceiveChecksumOffloadSupported,
                "LsoV2Supported": gre.LsoV2Supported,
                "RssSupported": gre.RssSupported,
                "VmqSupported": gre.VmqSupported,
            }
        )
    raise ValueError(kind)
