"""The PowerShell vocabulary: what ``Get-NetAdapter*`` prints for each adapter.

One ``CmdletView`` per cmdlet: its CIM class, the columns of its default table with the widths
of its format file, and which adapters it lists.  Tables are laid out by ``_pslayout``
(Windows PowerShell 5.1's rules, a 120-column console); ``--format list`` is ``Format-List *``
of the objects ``_cim`` builds (MSFT_NetAdapter*SettingData property names, in Windows' order).

Default tables, and where each layout comes from:

* ``Get-NetAdapterChecksumOffload``: ``Name`` (30) and five ``Direction`` columns (15 each),
  from two published transcripts (a 2019 LBFO tuning script, "Nic Fixes for X11's", and a
  Kubernetes/antrea host's notes where ``vEthernet (KubeProxyInterna...`` shows the 30-wide cut).
* ``Get-NetAdapterLso``: ``Name Version V1IPv4Enabled IPv4Enabled IPv6Enabled``; ``Version`` is
  the module's ScriptProperty (a real ``Select-Object *`` list holds it, ``_cim``), shown as
  ``LSO Version 2``.  The widths (30, 15, 14, 12, 12) are recalled, not confirmed by a
  transcript found here.
* ``Get-NetAdapterUso``: ``Name IPv4Enabled IPv6Enabled`` (the properties Set-NetAdapterUso
  sets, PS/Set-NetAdapterUso.yml); widths unconfirmed (30, 12, 12).
* ``Get-NetAdapterRsc``: ``Name`` and ``IPv6FailureReason`` without a width (they share the
  rest of the line), ``IPv4Enabled``/``IPv6Enabled`` 12, the OperationalState columns 15 (their
  labels wrap onto ``State``), ``IPv4FailureReason`` 17: a real ``get-netadapterrsc`` transcript
  (ask.wireshark.org, 2014, the NDISCompatibility question), which these widths reproduce on its
  100-column console.
* ``Get-NetAdapterEncapsulatedPacketTaskOffload``: ``Name`` (30) and ``Enabled``, from the 2019
  transcript; ``Enabled`` is the class's ``EncapsulatedPacketTaskOffloadEnabled``.
* ``Get-NetAdapterAdvancedProperty``: ``Name`` 25, ``DisplayName`` 30, ``DisplayValue`` 30,
  ``RegistryKeyword`` 15, ``RegistryValue`` the rest, from the 2019 transcript
  (``*InterruptMo...``, ``Packet Priority & VLAN Disa...``).

Adapters without the feature are left out, as the cmdlets list only "network adapters that
support" it (PS/Get-NetAdapterRsc.md, PS/Get-NetAdapterEncapsulatedPacketTaskOffload.md; the
provider has no instance for an adapter whose hardware lacks it): an adapter is listed when its
hardware capabilities have at least one of the view's offloads (any checksum, LSOv1/LSOv2, USO,
RSC, NVGRE/VXLAN).  Naming such an adapter gets the cmdlet's error text instead.

The ``*Enabled`` properties show what the standardized keywords ask for (the ``requested``
source, bounded by the hardware as MiniportInitializeEx would bound it): the
MSFT_NetAdapter*SettingData objects are the NetAdapterCim provider's view of the advanced
properties the Set cmdlets write ("PowerShell uses these registry values to report
capabilities", Emulex Drivers for Windows User Manual, "Advisory: PowerShell Behavior";
NetworkingDsc maps NetAdapterLso onto ``*LsoV2IPv4``/``*LsoV2IPv6``).  After a cmdlet with
``-NoRestart`` they show the new value while the adapter still runs the old one (the
``Current``/``Operational`` rows below tell them apart); in every other case NDIS writes the
keywords as it hands a parameters set on (N/oid-tcp-offload-parameters.md), so they agree
with NDIS's current configuration once the set is applied.  What the cmdlets do not show
comes after them, labelled as ndisemu's: the same
properties as the hardware, the keywords, the miniport itself, the receive path and every bound
protocol see them, and the embedded capability instances' properties.

RSC failure reasons, first match wins (the emulator's reading of the enumeration):

* ``NoFailure``: RSC runs;
* ``Capability``: the hardware has no RSC for that IP version;
* ``Unknown``: the adapter does not handle receives now (not Running or Pausing);
* ``NicPropertyDisabled``: the configuration has it off (the ``*RscIPv4`` keyword at
  initialization, or an OID_TCP_OFFLOAD_PARAMETERS set);
* ``NDISCompatibility``: configured on but stopped by another driver in the stack: an
  OID_OFFLOAD_ENCAPSULATION SET_OFF (N/oid-offload-encapsulation.md), or, for a virtual adapter,
  no member running it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    OFFLOAD_KEYWORDS,
    OffloadKeyword,
)
from stack.runtime import NdiParam
from stack.views._cim import capabilities, cim_object, instance_id
from stack.views._features import FEATURES, feature_states
from stack.views._pslayout import TABLE_WIDTH, Column, format_list, format_value, render_table
from stack.views._snapshot import AdapterSnapshot
from stack.views._text import Block, Lines

__all__ = [
    "CMDLETS",
    "VIEW_SPECS",
    "CmdletView",
    "advanced_rows",
    "cmdlet_table",
    "describe_encapsulation",
    "powershell_blocks",
    "powershell_json",
]

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
#: DisplayParameterType (msft-netadapteradvancedpropertysettingdata.md), by the INF's type.
_PARAMETER_TYPES: Final = {"int": 1, "long": 2, "word": 3, "dword": 4, "enum": 5, "edit": 6}
_REG_SZ: Final = 1


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
    if view == "uso":
        return {"IPv4Enabled": states["uso-4"], "IPv6Enabled": states["uso-6"]}
    if view == "rsc":
        return {"IPv4Enabled": states["rsc-4"], "IPv6Enabled": states["rsc-6"]}
    if view == "encapsulation":
        return {
            "NvgreEncapsulatedPacketTaskOffloadEnabled": states["nvgre"],
            "VxlanEncapsulatedPacketTaskOffloadEnabled": states["vxlan"],
        }
    raise ValueError(view)


#: The source of the cmdlets' ``*Enabled`` properties: the keywords (module docstring).
_CMDLET_SOURCE: Final = "requested"


def _cmdlet_source(adapter: AdapterSnapshot) -> str:
    """The keywords, except under ``--layer``: a filter module has no registry of its own, and
    what is asked then is what that layer reports upward, so its current configuration."""
    return "current" if adapter.layer else _CMDLET_SOURCE


def _source(adapter: AdapterSnapshot, source: str) -> dict[str, bool]:
    return {key: getattr(state, source) for key, state in adapter.features.items()}


def rsc_failure_reason(adapter: AdapterSnapshot, version: str) -> str:
    state = adapter.features[f"rsc-{version[-1]}"]
    if state.operational:
        return "NoFailure"
    if not state.hardware:
        return "Capability"
    if not adapter.running:
        return "Unknown"
    if not state.current:
        return "NicPropertyDisabled"
    return "NDISCompatibility"


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


# -- the objects ---------------------------------------------------------------------------------


def _has(adapter: AdapterSnapshot, *ids: str) -> bool:
    return any(adapter.features[i].hardware for i in ids)


def _checksum_object(adapter: AdapterSnapshot) -> dict[str, Any]:
    return {
        "ChecksumOffloadHardwareCapabilities": "MSFT_NetAdapterChecksumOffloadCapabilities",
        **config_properties("checksum", _source(adapter, _cmdlet_source(adapter))),
    }


def _lso_version(adapter: AdapterSnapshot) -> int:
    return 2 if _has(adapter, "lsov2-4", "lsov2-6") else 1


def _lso_object(adapter: AdapterSnapshot) -> dict[str, Any]:
    return {
        **config_properties("lso", _source(adapter, _cmdlet_source(adapter))),
        "LargeSendOffloadV1HardwareCapabilities": "MSFT_NetAdapterLargeSendOffloadV1Capabilities",
        "LargeSendOffloadV2HardwareCapabilities": "MSFT_NetAdapterLargeSendOffloadV2Capabilities",
        "MaximumLsoVersionSupported": _lso_version(adapter),
    }


def _uso_object(adapter: AdapterSnapshot) -> dict[str, Any]:
    return config_properties("uso", _source(adapter, _cmdlet_source(adapter)))


def _rsc_object(adapter: AdapterSnapshot) -> dict[str, Any]:
    current = _source(adapter, _cmdlet_source(adapter))
    operational = _source(adapter, "operational")
    return {
        "IPv4Enabled": current["rsc-4"],
        "IPv6Enabled": current["rsc-6"],
        "IPv4OperationalState": operational["rsc-4"],
        "IPv6OperationalState": operational["rsc-6"],
        "IPv4FailureReason": rsc_failure_reason(adapter, "IPv4"),
        "IPv6FailureReason": rsc_failure_reason(adapter, "IPv6"),
        "RscHardwareCapabilities": "MSFT_NetAdapterRscCapabilities",
    }


def _encapsulation_object(adapter: AdapterSnapshot) -> dict[str, Any]:
    config = config_properties("encapsulation", _source(adapter, _cmdlet_source(adapter)))
    vxlan = adapter.current.EncapsulatedPacketTaskOffloadVxlan if adapter.current else None
    return {
        "EncapsulatedPacketTaskOffloadEnabled": any(config.values()),
        "EncapsulatedPacketTaskOffloadHardwareCapabilities": (
            "MSFT_NetAdapterEncapsulatedPacketTaskOffloadCapabilities"
        ),
        **config,
        "VxlanUDPPortNumber": (
            vxlan.EncapsulationProtocolInfo.VxlanInfo.VxlanUDPPortNumber if vxlan else None
        ),
    }


@attrs.frozen(kw_only=True)
class CmdletView:
    view: str
    cmdlet: str
    cim_class: str
    #: (label, property, format-file width or None) of the default table, in order.
    columns: tuple[tuple[str, str, int | None], ...]
    supports: Callable[[AdapterSnapshot], bool]
    properties: Callable[[AdapterSnapshot], dict[str, Any]] | None = None
    extensions: Callable[[AdapterSnapshot], dict[str, Any]] = lambda _adapter: {}
    #: The embedded capability instances: property -> ``_cim.capabilities`` kind.
    embedded: Mapping[str, str] = attrs.field(factory=dict)

    def objects(self, adapters: Sequence[AdapterSnapshot]) -> list[dict[str, Any]]:
        if self.view == "advanced":
            return [row for adapter in adapters for row in advanced_rows(adapter)]
        assert self.properties is not None
        return [
            cim_object(
                self.cim_class,
                name=a.name,
                description=a.description,
                extensions=self.extensions(a),
                properties=self.properties(a),
            )
            for a in adapters
        ]


_CHECKSUM_IDS: Final = tuple(f.id for f in FEATURES if f.view == "checksum")

VIEW_SPECS: Final[Mapping[str, CmdletView]] = {
    spec.view: spec
    for spec in (
        CmdletView(
            view="checksum",
            cmdlet="Get-NetAdapterChecksumOffload",
            cim_class="MSFT_NetAdapterChecksumOffloadSettingData",
            columns=(("Name", "Name", 30), *((p, p, 15) for p, _ in _CHECKSUM)),
            supports=lambda a: _has(a, *_CHECKSUM_IDS),
            properties=_checksum_object,
            embedded={"ChecksumOffloadHardwareCapabilities": "checksum"},
        ),
        CmdletView(
            view="lso",
            cmdlet="Get-NetAdapterLso",
            cim_class="MSFT_NetAdapterLsoSettingData",
            columns=(
                ("Name", "Name", 30),
                ("Version", "Version", 15),
                ("V1IPv4Enabled", "V1IPv4Enabled", 14),
                ("IPv4Enabled", "IPv4Enabled", 12),
                ("IPv6Enabled", "IPv6Enabled", 12),
            ),
            supports=lambda a: _has(a, "lsov1-4", "lsov2-4", "lsov2-6"),
            properties=_lso_object,
            extensions=lambda a: {"Version": f"LSO Version {_lso_version(a)}"},
            embedded={
                "LargeSendOffloadV1HardwareCapabilities": "lsov1",
                "LargeSendOffloadV2HardwareCapabilities": "lsov2",
            },
        ),
        CmdletView(
            view="uso",
            cmdlet="Get-NetAdapterUso",
            cim_class="MSFT_NetAdapterUsoSettingData",
            columns=(
                ("Name", "Name", 30),
                ("IPv4Enabled", "IPv4Enabled", 12),
                ("IPv6Enabled", "IPv6Enabled", 12),
            ),
            supports=lambda a: _has(a, "uso-4", "uso-6"),
            properties=_uso_object,
        ),
        CmdletView(
            view="rsc",
            cmdlet="Get-NetAdapterRsc",
            cim_class="MSFT_NetAdapterRscSettingData",
            columns=(
                ("Name", "Name", None),
                ("IPv4Enabled", "IPv4Enabled", 12),
                ("IPv6Enabled", "IPv6Enabled", 12),
                ("IPv4OperationalState", "IPv4OperationalState", 15),
                ("IPv6OperationalState", "IPv6OperationalState", 15),
                ("IPv4FailureReason", "IPv4FailureReason", 17),
                ("IPv6FailureReason", "IPv6FailureReason", None),
            ),
            supports=lambda a: _has(a, "rsc-4", "rsc-6"),
            properties=_rsc_object,
            embedded={"RscHardwareCapabilities": "rsc"},
        ),
        CmdletView(
            view="encapsulation",
            cmdlet="Get-NetAdapterEncapsulatedPacketTaskOffload",
            cim_class="MSFT_NetAdapterEncapsulatedPacketTaskOffloadSettingData",
            columns=(
                ("Name", "Name", 30),
                ("Enabled", "EncapsulatedPacketTaskOffloadEnabled", None),
            ),
            supports=lambda a: _has(a, "nvgre", "vxlan"),
            properties=_encapsulation_object,
            embedded={"EncapsulatedPacketTaskOffloadHardwareCapabilities": "encapsulation"},
        ),
        CmdletView(
            view="advanced",
            cmdlet="Get-NetAdapterAdvancedProperty",
            cim_class="MSFT_NetAdapterAdvancedPropertySettingData",
            columns=(
                ("Name", "Name", 25),
                ("DisplayName", "DisplayName", 30),
                ("DisplayValue", "DisplayValue", 30),
                ("RegistryKeyword", "RegistryKeyword", 15),
                ("RegistryValue", "RegistryValue", None),
            ),
            supports=lambda _a: True,
        ),
    )
}

#: View -> the cmdlet whose output it mirrors.
CMDLETS: Final[Mapping[str, str]] = {view: spec.cmdlet for view, spec in VIEW_SPECS.items()}


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
        "*UdpRsc": lambda: hw["uro"],
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


def _parameter_type(param: NdiParam | None, valid: Sequence[tuple[str, str]]) -> int | None:
    if param is not None and param.type:
        return _PARAMETER_TYPES.get(param.type.casefold())
    return _PARAMETER_TYPES["enum"] if valid else None


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
    keyword = stored[0] if stored else (standard.name if standard else spelled)
    value = [stored[1]] if stored else []
    return cim_object(
        "MSFT_NetAdapterAdvancedPropertySettingData",
        name=adapter.name,
        description=adapter.description,
        extensions={"ValueName": keyword, "ValueData": value},
        source=3,
        base={
            "Description": display_name,
            "ElementName": display_name,
            "InstanceID": f"{instance_id(adapter.name)}::{keyword}",
        },
        properties={
            "DefaultDisplayValue": _display(default, param, standard),
            "DefaultRegistryValue": default,
            "DisplayName": display_name,
            "DisplayParameterType": _parameter_type(param, valid),
            "DisplayValue": _display(stored[1] if stored else default, param, standard),
            "NumericParameterBaseValue": None,
            "NumericParameterMaxValue": None,
            "NumericParameterMinValue": None,
            "NumericParameterStepValue": None,
            "Optional": False,
            "RegistryDataType": _REG_SZ,
            "RegistryKeyword": keyword,
            "RegistryValue": value,
            "ValidDisplayValues": [d for _, d in valid],
            "ValidRegistryValues": [v for v, _ in valid],
        },
    )


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


# -- what the cmdlets do not show ----------------------------------------------------------------


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


def sources(view: str, adapter: AdapterSnapshot) -> dict[str, Any]:
    """ndisemu's record for one adapter: every source of the cmdlet's settings, the embedded
    capability instances expanded (MSFT_NetAdapter*Capabilities property names), the team."""
    spec = VIEW_SPECS[view]
    record: dict[str, Any] = {"Name": adapter.name}
    for label, source in (
        ("Hardware", "hardware"),
        ("Requested", "requested"),
        ("Current", "current"),
        ("MiniportCurrent", "miniport"),
        ("Operational", "operational"),
    ):
        record[label] = config_properties(view, _source(adapter, source))
    for prop, kind in spec.embedded.items():
        record[prop] = capabilities(kind, adapter.hardware)
    if view == "encapsulation":
        record["OffloadEncapsulation"] = describe_encapsulation(adapter.encapsulation)
        record["OffloadEncapsulationByOpen"] = {
            p.protocol: describe_encapsulation(p.encapsulation) for p in adapter.protocols
        }
    if adapter.members:
        record["Members"] = list(adapter.members)
        record["ActiveMembers"] = list(adapter.active_members)
        record["MemberRoles"] = dict(adapter.member_roles)
    if adapter.member_of:
        record["MemberOf"] = list(adapter.member_of)
    if adapter.filters:
        record["LayerViews"] = _layer_views(adapter, view)
    if adapter.layer:
        record["Layer"] = adapter.layer
    record["ProtocolViews"] = _protocol_views(adapter, view)
    return record


def _layer_views(adapter: AdapterSnapshot, view: str) -> dict[str, Any]:
    """What each layer of the stack reports upward, from the miniport up (a detached filter
    module: nothing)."""
    return {
        layer.name: None
        if layer.current is None
        else config_properties(view, feature_states(layer.current))
        for layer in adapter.layers
    }


def _flatten_for_list(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k not in ("ProtocolViews", "LayerViews")}
    for layer, value in record.get("LayerViews", {}).items():
        out[f"LayerView({layer})"] = value
    for protocol, value in record.get("ProtocolViews", {}).items():
        out[f"ProtocolView({protocol})"] = value
    return out


SOURCES_TITLE: Final = "ndisemu: every source of these settings (no cmdlet prints this)"
PROTOCOLS_TITLE: Final = "ndisemu: what each bound protocol believes (no cmdlet prints this)"
LAYERS_TITLE: Final = (
    "ndisemu: what each layer reports upward, from the miniport up (no cmdlet prints this)"
)


def _layer_table(view: str, adapters: Sequence[AdapterSnapshot]) -> list[str]:
    """One row per layer of each adapter that has filter modules: the miniport, then each
    filter module (its attach parameters, then its indications)."""
    config_columns = tuple(config_properties(view, feature_states(None)))
    rows = []
    for adapter in adapters:
        if not adapter.filters:
            continue
        for layer in adapter.layers:
            values = (
                config_properties(view, feature_states(layer.current))
                if layer.current is not None
                else {}
            )
            rows.append(
                (
                    adapter.name,
                    layer.name,
                    layer.state,
                    *(format_value(values.get(c)) for c in config_columns),
                )
            )
    if not rows:
        return []
    labels = ("Name", "Layer", "State", *config_columns)
    widths = [max(len(label), *(len(r[k]) for r in rows)) for k, label in enumerate(labels)]
    columns = [Column(label, width) for label, width in zip(labels, widths, strict=True)]
    return [LAYERS_TITLE, "", *render_table(columns, rows, table_width=10_000)]


def _protocol_table(view: str, adapters: Sequence[AdapterSnapshot]) -> list[str]:
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
        return []
    labels = ("Name", "Protocol", "Binding", *config_columns)
    widths = [max(len(label), *(len(r[k]) for r in rows)) for k, label in enumerate(labels)]
    columns = [Column(label, width) for label, width in zip(labels, widths, strict=True)]
    return [PROTOCOLS_TITLE, "", *render_table(columns, rows, table_width=10_000)]


# -- putting it together -------------------------------------------------------------------------


def _listed(spec: CmdletView, adapter: AdapterSnapshot) -> bool:
    """Whether the cmdlet has an object for the adapter: it supports the feature, and it has not
    been surprise removed (a removed device is gone from every Get-NetAdapter* cmdlet)."""
    return not adapter.surprise_removed and spec.supports(adapter)


def _missing(spec: CmdletView, adapter: AdapterSnapshot) -> str:
    """The cmdlet's error record for a named adapter it has no object for."""
    return (
        f"{spec.cmdlet} : No {spec.cim_class} objects found with property 'Name' equal to "
        f"'{adapter.name}'.  Verify the value of the property and retry."
    )


def cmdlet_table(
    view: str, objects: Sequence[Mapping[str, Any]], table_width: int = TABLE_WIDTH
) -> list[str]:
    """The cmdlet's default table of ``objects`` (dicts keyed by CIM property names)."""
    spec = VIEW_SPECS[view]
    columns = [Column(label, width) for label, _, width in spec.columns]
    rows = [[format_value(o.get(prop)) for _, prop, _ in spec.columns] for o in objects]
    return render_table(columns, rows, table_width)


def powershell_blocks(
    views: Sequence[str], adapters: Sequence[AdapterSnapshot], fmt: str, *, named: bool = False
) -> list[Block]:
    """Tables (``--format table``) or ``Format-List *`` for each view, in order; after each,
    ndisemu's own lines.  ``named``: the adapters were named, so a missing one is an error."""
    blocks: list[Block] = []
    for view in views:
        spec = VIEW_SPECS[view]
        listed = [a for a in adapters if _listed(spec, a)]
        objects = spec.objects(listed)
        lines: list[str] = []
        if named:
            lines += [_missing(spec, a) for a in adapters if not _listed(spec, a)]
        if objects:
            lines += format_list(objects) if fmt == "list" else cmdlet_table(view, objects)
        if view != "advanced" and listed:
            if fmt == "list":
                records = [_flatten_for_list(sources(view, a)) for a in listed]
                lines += ["", SOURCES_TITLE, "", *format_list(records)]
            else:
                layers = _layer_table(view, listed)
                lines += ["", *layers] if layers else []
                protocols = _protocol_table(view, listed)
                lines += ["", *protocols] if protocols else []
        if lines:
            title = [spec.cmdlet, ""] if len(views) > 1 else []
            blocks.append(Lines(lines=(*title, *lines)))
    return blocks


def _json_object(spec: CmdletView, obj: Mapping[str, Any], adapter: AdapterSnapshot | None
                 ) -> dict[str, Any]:  # fmt: skip
    out = {
        k: v
        for k, v in obj.items()
        if k not in ("CimClass", "CimInstanceProperties", "CimSystemProperties")
    }
    if adapter is not None:
        for prop, kind in spec.embedded.items():
            out[prop] = capabilities(kind, adapter.hardware)
        extra = sources(spec.view, adapter)
        out["ndisemu"] = {k: v for k, v in extra.items() if k != "Name" and k not in spec.embedded}
    return out


def powershell_json(views: Sequence[str], adapters: Sequence[AdapterSnapshot]) -> dict[str, Any]:
    """Per view, the cmdlet's objects by their CIM property names (embedded capability
    instances expanded), each with ndisemu's record under ``ndisemu``."""
    out: dict[str, Any] = {}
    for view in views:
        spec = VIEW_SPECS[view]
        listed = [a for a in adapters if _listed(spec, a)]
        if view == "advanced":
            out[view] = [_json_object(spec, o, None) for o in spec.objects(listed)]
            continue
        by_name = {a.name: a for a in listed}
        out[view] = [_json_object(spec, o, by_name[o["Name"]]) for o in spec.objects(listed)]
    return out
