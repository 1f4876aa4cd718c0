"""The PowerShell vocabulary: what ``Get-NetAdapter*`` would print for each adapter.

Column and value names are the cmdlets' own (PS/Get-NetAdapterChecksumOffload.md and its
siblings; ../shared/design/ux.md 1.1): ``IpIPv4Enabled`` ... with ``Disabled`` / ``TxEnabled`` /
``RxEnabled`` / ``RxTxEnabled``; ``V1IPv4Enabled``, ``IPv4Enabled``, ``IPv6Enabled`` as
``True``/``False``; ``IPv4OperationalState`` and ``IPv4FailureReason`` from the
``NoFailure, NicPropertyDisabled, WFPCompatibility, NDISCompatibility, ForwardingEnabled,
NetOffloadGlobalDisabled, Capability, Unknown`` enumeration; ``Name DisplayName DisplayValue
RegistryKeyword RegistryValue`` with the value in braces.

The ``*Enabled`` columns show NDIS's current configuration, which is what the cmdlets read (the
admin client's ``Get-NetAdapter*`` runs GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG, answered from NDIS's
cache).  ``Format-List *`` (``--format list``) and JSON add every other property: the hardware
capability blocks under their C member names, and the same ``*Enabled`` properties as the
hardware, the keywords, the miniport itself, the receive path and every bound protocol see them,
so a three-way disagreement (a MUX and its members, a protocol behind an indication) is one
glance.

RSC failure reasons, first match wins (the emulator's reading of the enumeration):

* ``NoFailure``: RSC runs;
* ``Unknown``: the adapter has not reported capabilities;
* ``Capability``: the hardware has no RSC for that IP version;
* ``Unknown`` too: the adapter does not handle receives now (not Running or Pausing);
* ``NicPropertyDisabled``: the configuration has it off (the ``*RscIPv4`` keyword at
  initialization, or an OID_TCP_OFFLOAD_PARAMETERS set);
* ``NDISCompatibility``: configured on but stopped by another driver in the stack: an
  OID_OFFLOAD_ENCAPSULATION SET_OFF (N/oid-offload-encapsulation.md), or, for a virtual adapter,
  no member running it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    OFFLOAD_KEYWORDS,
    OffloadKeyword,
    to_cmap,
)
from stack.runtime import NdiParam
from stack.views._features import feature_states
from stack.views._snapshot import AdapterSnapshot
from stack.views._text import Block, Lines, Table, format_list, format_value

__all__ = [
    "CMDLETS",
    "advanced_rows",
    "powershell_blocks",
    "powershell_json",
]

#: View -> the cmdlet whose output it mirrors.
CMDLETS: Final[Mapping[str, str]] = {
    "checksum": "Get-NetAdapterChecksumOffload",
    "lso": "Get-NetAdapterLso",
    "rsc": "Get-NetAdapterRsc",
    "encapsulation": "Get-NetAdapterEncapsulatedPacketTaskOffload",
    "advanced": "Get-NetAdapterAdvancedProperty",
}

_CHECKSUM: Final = (
    ("IpIPv4Enabled", "ip4"),
    ("TcpIPv4Enabled", "tcp4"),
    ("TcpIPv6Enabled", "tcp6"),
    ("UdpIPv4Enabled", "udp4"),
    ("UdpIPv6Enabled", "udp6"),
)
_STANDARD: Final[Mapping[str, OffloadKeyword]] = {
    k.name.casefold(): k for k in OFFLOAD_KEYWORDS.values()
}
_DIRECTION: Final = {
    (False, False): "Disabled",
    (True, False): "TxEnabled",
    (False, True): "RxEnabled",
    (True, True): "RxTxEnabled",
}


def config_properties(view: str, states: Mapping[str, bool]) -> dict[str, Any]:
    """The cmdlet's configuration properties, read from one source's feature states."""
    if view == "checksum":
        return {p: _DIRECTION[(states[f"{k}-tx"], states[f"{k}-rx"])] for p, k in _CHECKSUM}
    if view == "lso":
        return {
            "V1IPv4Enabled": states["lsov1-4"],
            "IPv4Enabled": states["lsov2-4"],
            "IPv6Enabled": states["lsov2-6"],
        }
    if view == "rsc":
        return {"IPv4Enabled": states["rsc-4"], "IPv6Enabled": states["rsc-6"]}
    if view == "encapsulation":
        return {
            "NvgreEncapsulatedPacketTaskOffloadEnabled": states["nvgre"],
            "VxlanEncapsulatedPacketTaskOffloadEnabled": states["vxlan"],
        }
    raise ValueError(view)


def _source(adapter: AdapterSnapshot, source: str) -> dict[str, bool]:
    return {key: getattr(state, source) for key, state in adapter.features.items()}


def _protocol_views(adapter: AdapterSnapshot, view: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for protocol in adapter.protocols:
        if not protocol.keeps_view:
            out[protocol.protocol] = "(keeps no offload view)"
        elif protocol.current is None:
            out[protocol.protocol] = None
        else:
            out[protocol.protocol] = config_properties(view, feature_states(protocol.current))
    return out


def _lso_version(hardware: NDIS_OFFLOAD | None) -> str:
    if hardware is None:
        return "Unknown"
    if hardware.LsoV2.IPv4.Encapsulation or hardware.LsoV2.IPv6.Encapsulation:
        return "LSO Version 2"
    if hardware.LsoV1.IPv4.Encapsulation:
        return "LSO Version 1"
    return "None"


def rsc_failure_reason(adapter: AdapterSnapshot, version: str) -> str:
    state = adapter.features[f"rsc-{version[-1]}"]
    if state.operational:
        return "NoFailure"
    if adapter.hardware is None:
        return "Unknown"
    if not state.hardware:
        return "Capability"
    if not adapter.running:
        return "Unknown"
    if not state.current:
        return "NicPropertyDisabled"
    return "NDISCompatibility"


def _cmap(obj: Any) -> Any:
    return None if obj is None else to_cmap(obj)


def describe_encapsulation(encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None) -> str | None:
    """``IPv4 SET_ON IEEE_802_3/14, IPv6 SET_OFF``: an OID_OFFLOAD_ENCAPSULATION in one line."""
    if encapsulation is None:
        return None
    kinds = {
        NDIS_ENCAPSULATION_IEEE_802_3: "IEEE_802_3",
        NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED: "IEEE_LLC_SNAP_ROUTED",
    }
    parts = []
    for version in ("IPv4", "IPv6"):
        block = getattr(encapsulation, version)
        if block.Enabled == NDIS_OFFLOAD_SET_ON:
            kind = kinds.get(block.EncapsulationType, f"0x{block.EncapsulationType:X}")
            parts.append(f"{version} SET_ON {kind}/{block.HeaderSize}")
        elif block.Enabled == NDIS_OFFLOAD_SET_OFF:
            parts.append(f"{version} SET_OFF")
        else:
            parts.append(f"{version} NO_CHANGE")
    return ", ".join(parts)


def _extras(view: str, adapter: AdapterSnapshot) -> dict[str, Any]:
    """The view's own properties besides the configuration ones (cmdlet order)."""
    hardware, current = adapter.hardware, adapter.current
    if view == "lso":
        return {
            "Version": _lso_version(hardware),
            "V1IPv4MaxOffloadSize": current.LsoV1.IPv4.MaxOffLoadSize if current else None,
            "IPv4MaxOffloadSize": current.LsoV2.IPv4.MaxOffLoadSize if current else None,
            "IPv6MaxOffloadSize": current.LsoV2.IPv6.MaxOffLoadSize if current else None,
            "LargeSendOffloadV1HardwareCapabilities": _cmap(hardware and hardware.LsoV1),
            "LargeSendOffloadV2HardwareCapabilities": _cmap(hardware and hardware.LsoV2),
        }
    if view == "rsc":
        operational = _source(adapter, "operational")
        return {
            "IPv4OperationalState": operational["rsc-4"],
            "IPv6OperationalState": operational["rsc-6"],
            "IPv4FailureReason": rsc_failure_reason(adapter, "IPv4"),
            "IPv6FailureReason": rsc_failure_reason(adapter, "IPv6"),
            "RscHardwareCapabilities": _cmap(hardware and hardware.Rsc),
        }
    if view == "encapsulation":
        vxlan = current.EncapsulatedPacketTaskOffloadVxlan if current else None
        return {
            "VxlanUDPPortNumber": (
                vxlan.EncapsulationProtocolInfo.VxlanInfo.VxlanUDPPortNumber if vxlan else None
            ),
            "EncapsulatedPacketTaskOffloadHardwareCapabilities": None
            if hardware is None
            else {
                "EncapsulationTypes": hardware.EncapsulationTypes,
                "EncapsulatedPacketTaskOffloadGre": to_cmap(
                    hardware.EncapsulatedPacketTaskOffloadGre
                ),
                "EncapsulatedPacketTaskOffloadVxlan": to_cmap(
                    hardware.EncapsulatedPacketTaskOffloadVxlan
                ),
            },
            "OffloadEncapsulation": describe_encapsulation(adapter.encapsulation),
            "OffloadEncapsulationByOpen": {
                p.protocol: describe_encapsulation(p.encapsulation) for p in adapter.protocols
            },
        }
    return {"ChecksumOffloadHardwareCapabilities": _cmap(hardware and hardware.Checksum)}


#: View -> the columns of its default table, after Name.
_TABLE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "checksum": tuple(p for p, _ in _CHECKSUM),
    "lso": ("Version", "V1IPv4Enabled", "IPv4Enabled", "IPv6Enabled"),
    "rsc": (
        "IPv4Enabled",
        "IPv6Enabled",
        "IPv4OperationalState",
        "IPv6OperationalState",
        "IPv4FailureReason",
        "IPv6FailureReason",
    ),
    "encapsulation": (
        "NvgreEncapsulatedPacketTaskOffloadEnabled",
        "VxlanEncapsulatedPacketTaskOffloadEnabled",
        "VxlanUDPPortNumber",
    ),
    "advanced": ("DisplayName", "DisplayValue", "RegistryKeyword", "RegistryValue"),
}


def offload_record(view: str, adapter: AdapterSnapshot) -> dict[str, Any]:
    """Every property of one adapter in one offload view (``Format-List *`` / JSON)."""
    extras = _extras(view, adapter)
    leading = {k: extras.pop(k) for k in ("Version",) if k in extras}
    record: dict[str, Any] = {
        "Name": adapter.name,
        "InterfaceDescription": adapter.description,
        **leading,
        **config_properties(view, _source(adapter, "current")),
        **extras,
    }
    for label, source in (
        ("Hardware", "hardware"),
        ("Requested", "requested"),
        ("MiniportCurrent", "miniport"),
        ("Operational", "operational"),
    ):
        record[label] = config_properties(view, _source(adapter, source))
    if adapter.members:
        record["Members"] = list(adapter.members)
        record["ActiveMembers"] = list(adapter.active_members)
        record["MemberRoles"] = dict(adapter.member_roles)
    if adapter.member_of:
        record["MemberOf"] = list(adapter.member_of)
    record["ProtocolViews"] = _protocol_views(adapter, view)
    return record


# -- advanced properties -------------------------------------------------------------------------


def _keyword_supported(adapter: AdapterSnapshot) -> dict[str, Callable[[], bool]]:
    """Standardized keyword -> whether this adapter's hardware has what it governs, i.e.
    whether the NIC's INF would install it."""
    hw = {key: state.hardware for key, state in adapter.features.items()}
    hardware = adapter.hardware
    connection = adapter.connection_hardware

    def conn(version: str) -> bool:
        return (
            connection is not None
            and bool(connection.Encapsulation)
            and bool(getattr(connection, f"Support{version}"))
        )

    return {
        "*IPChecksumOffloadIPv4": lambda: hw["ip4-tx"] or hw["ip4-rx"],
        "*TCPChecksumOffloadIPv4": lambda: hw["tcp4-tx"] or hw["tcp4-rx"],
        "*TCPChecksumOffloadIPv6": lambda: hw["tcp6-tx"] or hw["tcp6-rx"],
        "*UDPChecksumOffloadIPv4": lambda: hw["udp4-tx"] or hw["udp4-rx"],
        "*UDPChecksumOffloadIPv6": lambda: hw["udp6-tx"] or hw["udp6-rx"],
        "*LsoV1IPv4": lambda: hw["lsov1-4"],
        "*LsoV2IPv4": lambda: hw["lsov2-4"],
        "*LsoV2IPv6": lambda: hw["lsov2-6"],
        "*IPsecOffloadV1IPv4": lambda: bool(hardware and hardware.IPsecV1.Supported.Encapsulation),
        "*IPsecOffloadV2": lambda: bool(hardware and hardware.IPsecV2.Encapsulation),
        "*IPsecOffloadV2IPv4": lambda: bool(hardware and hardware.IPsecV2.Encapsulation),
        "*TCPConnectionOffloadIPv4": lambda: conn("IPv4"),
        "*TCPConnectionOffloadIPv6": lambda: conn("IPv6"),
        "*RscIPv4": lambda: hw["rsc-4"],
        "*RscIPv6": lambda: hw["rsc-6"],
        "*EncapsulatedPacketTaskOffload": lambda: hw["nvgre"] or hw["vxlan"],
        "*UsoIPv4": lambda: hw["uso-4"],
        "*UsoIPv6": lambda: hw["uso-6"],
        "*UdpRsc": lambda: bool(hardware and hardware.UdpRsc.Enabled),
    }


def _display(value: str | None, param: NdiParam | None, standard: OffloadKeyword | None) -> str:
    """A registry value's display text: the INF's enum entry, else the docs' value name."""
    if value is None:
        return ""
    if param is not None:
        shown = param.display(value)
        if shown is not None:
            return shown
    if standard is not None and value.strip().isdigit():
        return standard.values.get(int(value), value)
    return value


def _advanced_row(
    adapter: AdapterSnapshot, spelled: str, stored: tuple[str, str] | None
) -> dict[str, Any] | None:
    param = adapter.param(spelled)
    standard = _STANDARD.get(spelled.casefold())
    display_name = (param.ParamDesc if param and param.ParamDesc else None) or (
        standard.ParamDesc if standard else None
    )
    if not display_name:
        return None
    if param is not None and param.default is not None:
        default: str | None = param.default
    else:
        default = str(standard.default) if standard else None
    if param is not None and param.enum:
        valid = [(choice.value, choice.display) for choice in param.enum]
    elif standard is not None:
        valid = [(str(v), d) for v, d in standard.values.items()]
    else:
        valid = []
    return {
        "Name": adapter.name,
        "DisplayName": display_name,
        "DisplayValue": _display(stored[1] if stored else default, param, standard),
        "RegistryKeyword": stored[0] if stored else (standard.name if standard else spelled),
        "RegistryValue": [stored[1]] if stored else [],
        "DefaultDisplayValue": _display(default, param, standard),
        "DefaultRegistryValue": default,
        "ValidDisplayValues": [d for _, d in valid],
        "ValidRegistryValues": [v for v, _ in valid],
    }


def advanced_rows(adapter: AdapterSnapshot) -> list[dict[str, Any]]:
    """``Get-NetAdapterAdvancedProperty`` for one adapter, sorted by DisplayName.

    Rows: every keyword in the registry that has a display name (an ``Ndi\\params`` description,
    else the standardized keyword's ParamDesc), every keyword an ``Ndi\\params`` key describes,
    and every standardized offload keyword the adapter's hardware gives a meaning to (the INF of
    such a NIC installs it).  A keyword that is not in the registry has ``RegistryValue`` ``{}``
    and shows the value the miniport reads instead, its default.  Keywords with no display name
    are left out, as without ``-AllProperties``.
    """
    values = {name.casefold(): (name, text) for name, text in adapter.keywords}
    names: dict[str, str] = {}
    for name, _ in adapter.keywords:
        names[name.casefold()] = name
    for param in adapter.params:
        names.setdefault(param.keyword.casefold(), param.keyword)
    for keyword, has in _keyword_supported(adapter).items():
        if has():
            names.setdefault(keyword.casefold(), keyword)
    rows = []
    for folded, spelled in names.items():
        row = _advanced_row(adapter, spelled, values.get(folded))
        if row is not None:
            rows.append(row)
    rows.sort(key=lambda row: (str(row["DisplayName"]).casefold(), row["RegistryKeyword"]))
    return rows


# -- putting it together -------------------------------------------------------------------------


def _records(view: str, adapters: Sequence[AdapterSnapshot]) -> list[dict[str, Any]]:
    if view == "advanced":
        return [row for adapter in adapters for row in advanced_rows(adapter)]
    return [offload_record(view, adapter) for adapter in adapters]


def _flatten_for_list(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k != "ProtocolViews"}
    for protocol, value in record.get("ProtocolViews", {}).items():
        out[f"ProtocolView({protocol})"] = value
    return out


def powershell_blocks(
    views: Sequence[str], adapters: Sequence[AdapterSnapshot], fmt: str
) -> list[Block]:
    """Tables (``--format table``) or ``Format-List *`` text for each view, in order."""
    blocks: list[Block] = []
    for view in views:
        records = _records(view, adapters)
        title = CMDLETS[view] if len(views) > 1 else ""
        if fmt == "list":
            lines = format_list([_flatten_for_list(r) for r in records])
            blocks.append(Lines(lines=((title, "", *lines) if title else tuple(lines))))
            continue
        columns = ("Name", *_TABLE_COLUMNS[view])
        rows = tuple(tuple(format_value(r.get(c)) for c in columns) for r in records)
        blocks.append(Table(columns=columns, rows=rows, title=title))
        if view == "advanced":
            continue
        believe = _protocol_table(view, adapters)
        if believe is not None:
            blocks.append(believe)
    return blocks


def _protocol_table(view: str, adapters: Sequence[AdapterSnapshot]) -> Table | None:
    config_columns = tuple(config_properties(view, feature_states(None)))
    rows = []
    for adapter in adapters:
        for protocol in adapter.protocols:
            if not protocol.keeps_view:
                continue
            states = feature_states(protocol.current) if protocol.current else None
            values = config_properties(view, states) if states is not None else {}
            rows.append(
                (
                    adapter.name,
                    protocol.protocol,
                    protocol.binding.value,
                    *(format_value(values.get(c)) for c in config_columns),
                )
            )
    if not rows:
        return None
    title = "What each bound protocol believes"
    columns = ("Name", "Protocol", "Binding", *config_columns)
    return Table(columns=columns, rows=tuple(rows), title=title)


def powershell_json(views: Sequence[str], adapters: Sequence[AdapterSnapshot]) -> dict[str, Any]:
    return {view: _records(view, adapters) for view in views}
