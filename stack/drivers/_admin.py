"""The administrator: the NetAdapter PowerShell cmdlets, played over WMI and the registry (spec 6).

Theory of operation
-------------------
The scenario drives the admin with ``Command(<cmdlet name>, <parameters>)`` -- build them with
``cmdlet("Disable-NetAdapterLso", "nic0", IPv4=True)``, which checks the name and parameters at
once.  Parameter names are the cmdlets' own (``-TcpIPv4Enabled``, ``-IPv4``, ``-NoRestart`` ...,
PS/<cmdlet>.md); ``adapter`` stands for ``-Name``.  Every cmdlet ends with one ``AdminResult``
appended to ``results``, in completion order.

How a cmdlet reaches the adapter:

* ``Get-NetAdapter*`` (offload) reports what the registry-backed MSFT_NetAdapter*SettingData
  report (below): it runs the WMI method of ``GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES`` (NDIS
  answers from its cache, N/guid-ndis-tcp-offload-hw-capabilities.md), reads the adapter's
  keywords (``RegistryRead``) and shows the configuration they ask for within that hardware
  (``stack.ndis.current_config_from_keywords``); with ``Hardware=True`` the hardware itself.
  With ``offload_path=OffloadPath.WMI`` it runs ``GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG`` instead
  (N/guid-ndis-tcp-offload-capabilities.md): the running configuration.  The result carries the
  NDIS_OFFLOAD and the cmdlet's properties derived from it.
* ``Set/Enable/Disable-NetAdapter{ChecksumOffload,Lso,Rsc,Uso,EncapsulatedPacketTaskOffload}``
  build one NDIS_OFFLOAD_PARAMETERS (members they do not touch stay NO_CHANGE).  With the default
  ``offload_path=OffloadPath.REGISTRY`` they write the standardized keywords it stands for
  (``stack.ndis.keywords_from_parameters``, the advanced properties the cmdlets manage) and
  restart the adapter unless ``NoRestart``: the cmdlet pages' examples "... and restarts the
  network adapter(s)" (PS/Set-NetAdapterRsc.md, PS/Disable-NetAdapterChecksumOffload.yml), and
  ``-NoRestart`` "does not restart the network adapter after completing the operation. Many
  advanced properties require restarting the network adapter before the new settings take
  effect" (PS/Set-NetAdapterLso.yml).  The restart is NDIS's: pause, unbind, MiniportHaltEx,
  MiniportInitializeEx (the keywords re-read, N/using-the-tcp-ip-offload-administrator-
  interface.md), bind with the new NDIS_BIND_PARAMETERS, restart; no protocol sees a status
  indication.  With ``NoRestart`` only the registry changes: the running configuration and
  the keywords differ until the next restart, and ``Get-NetAdapter*`` then reports the
  registry's value (the MSFT_NetAdapter*SettingData the cmdlets read are registry-backed:
  "PowerShell uses these registry values to report capabilities", Emulex Drivers for Windows
  User Manual, "Advisory: PowerShell Behavior"; ``stack.views`` shows the keywords'
  configuration in the ``*Enabled`` columns).
  ``OffloadPath.WMI`` (the model before issue 10) sends the parameters as a WMI set instead.
* ``wmi_set_parameters`` (``WMI_SET_PARAMETERS`` command, no cmdlet): what a WMI client does
  when it sets ``MSNdis_SetTcpOffloadParameters``, i.e. GUID_NDIS_TCP_OFFLOAD_PARAMETERS, which
  NDIS maps to OID_TCP_OFFLOAD_PARAMETERS (N/guid-ndis-tcp-offload-admin-settings.md): the change
  applies at run time, NDIS persists it in the keywords (N/oid-tcp-offload-parameters.md), the
  miniport indicates NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG and every bound protocol learns it.
  No restart (``restart_after_set=True`` adds one).  A driver's own OID_TCP_OFFLOAD_PARAMETERS
  set (a protocol, a filter) takes the same path below NDIS.
* ``Disable-NetAdapterChecksumOffload`` also turns LSO and RSC off for the IP versions whose TCP
  checksum it disables: the cmdlet page notes that disabling checksum offload also disables the
  other stateless offloads, RSS, RSC and LSO (PS/Disable-NetAdapterChecksumOffload.md); RSS is
  outside the model.
  Turning only transmit checksum off would leave LSO computing checksums anyway
  (N/offloading-checksum-tasks.md), which is why the cascade matters.
* ``*-NetAdapterEncapsulatedPacketTaskOffload`` reads the current configuration first (a WMI
  method) and then sets: NDIS_OFFLOAD_PARAMETERS can only say "SET_ON with these types" or
  "SET_OFF", so changing one type needs the other's current state.
* ``Set-NetAdapterAdvancedProperty`` writes the keyword straight to the registry
  (``RegistryWrite`` to NDIS, PS/Set-NetAdapterAdvancedProperty.md) and restarts the adapter
  (``AdapterControl(adapter, "restart")``) unless ``NoRestart``: keywords are read only at
  initialization (spec A13).
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from stack.drivers._base import DriverContext, unhandled
from stack.errors import BadInput
from stack.ndis import (
    GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG,
    GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    GUID_NDIS_TCP_OFFLOAD_PARAMETERS,
    NDIS_ENCAPSULATION_TYPE_GRE_MAC,
    NDIS_ENCAPSULATION_TYPE_VXLAN,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_USO_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_USO_ENABLED,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    OFFLOAD_KEYWORDS,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters,
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation,
    NdisStatus,
    current_config_from_keywords,
    keywords_from_parameters,
)
from stack.runtime import (
    AdapterControl,
    Command,
    Envelope,
    RegistryRead,
    RegistryValues,
    RegistryWrite,
    WmiComplete,
    WmiRequest,
)

# GUID_NDIS_* (H-SDK/ndisguid.h header names, spec 6.1) come from the OID table NDIS maps them with
# (stack.ndis.OIDS); re-exported here for the cmdlets' users.
__all__ = [
    "CMDLETS",
    "GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG",
    "GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES",
    "GUID_NDIS_TCP_OFFLOAD_PARAMETERS",
    "WMI_SET_PARAMETERS",
    "AdminClient",
    "AdminResult",
    "OffloadPath",
    "advanced_properties",
    "cmdlet",
    "offload_parameters",
    "wmi_set_parameters",
]

_S: Final = NdisStatus
#: The admin command (and ``AdminResult.cmdlet``) of a WMI client's set of GUID_NDIS_TCP_OFFLOAD_
#: PARAMETERS: the WMI class of that GUID (gh:nmap/nmap#768 lists it), not a cmdlet.
WMI_SET_PARAMETERS: Final = "MSNdis_SetTcpOffloadParameters"


class OffloadPath(enum.Enum):
    """How the offload Set/Enable/Disable cmdlets reach the adapter (module docstring):
    ``REGISTRY`` (the default, what the cmdlet pages describe) writes the keywords and restarts
    the adapter; ``WMI`` sets GUID_NDIS_TCP_OFFLOAD_PARAMETERS at run time."""

    WMI = "wmi"
    REGISTRY = "registry"


#: PowerShell Direction values of Set-NetAdapterChecksumOffload -> NDIS_OFFLOAD_PARAMETERS value.
_DIRECTION: Final[Mapping[str, int]] = MappingProxyType(
    {
        "Disabled": NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
        "TxEnabled": NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
        "RxEnabled": NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED,
        "RxTxEnabled": NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    }
)
#: Checksum switch / -*Enabled property -> NDIS_OFFLOAD_PARAMETERS member.
_CHECKSUM: Final[Mapping[str, str]] = MappingProxyType(
    {
        "IpIPv4": "IPv4Checksum",
        "TcpIPv4": "TCPIPv4Checksum",
        "TcpIPv6": "TCPIPv6Checksum",
        "UdpIPv4": "UDPIPv4Checksum",
        "UdpIPv6": "UDPIPv6Checksum",
    }
)

_GET: Final = ("Hardware",)
_FAMILY_PARAMS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = MappingProxyType(
    {
        # family: (Set parameters, Enable/Disable switches)
        "ChecksumOffload": (tuple(f"{k}Enabled" for k in _CHECKSUM), tuple(_CHECKSUM)),
        "Lso": (("V1IPv4Enabled", "IPv4Enabled", "IPv6Enabled"), ("IPv4", "IPv6")),
        "Rsc": (("IPv4Enabled", "IPv6Enabled"), ("IPv4", "IPv6")),
        "Uso": (("IPv4Enabled", "IPv6Enabled"), ("IPv4", "IPv6")),
        "EncapsulatedPacketTaskOffload": (
            (
                "NvgreEncapsulatedPacketTaskOffloadEnabled",
                "VxlanEncapsulatedPacketTaskOffloadEnabled",
                "VxlanUDPPortNumber",
            ),
            ("EncapsulationType",),
        ),
    }
)


def _cmdlet_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for family, (set_params, switches) in _FAMILY_PARAMS.items():
        table[f"Get-NetAdapter{family}"] = _GET
        table[f"Set-NetAdapter{family}"] = (*set_params, "NoRestart")
        table[f"Enable-NetAdapter{family}"] = (*switches, "NoRestart")
        table[f"Disable-NetAdapter{family}"] = (*switches, "NoRestart")
    table["Set-NetAdapterAdvancedProperty"] = ("RegistryKeyword", "RegistryValue", "NoRestart")
    table["Get-NetAdapterAdvancedProperty"] = ("RegistryKeyword", "DisplayName", "AllProperties")
    return table


#: Every cmdlet the admin understands -> the parameters it accepts (besides ``adapter``).
CMDLETS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(_cmdlet_table())


def cmdlet(name: str, adapter: str, **parameters: Any) -> Command:
    """A ``Command`` for the admin running cmdlet ``name`` on ``adapter`` (checked now)."""
    accepted = CMDLETS.get(name)
    if accepted is None:
        raise BadInput(f"admin: unknown cmdlet {name!r} (known: {', '.join(CMDLETS)})")
    unknown = sorted(set(parameters) - set(accepted))
    if unknown:
        raise BadInput(
            f"admin: {name} has no parameter -{unknown[0]} (accepted: {', '.join(accepted)})"
        )
    return Command(name, tuple(sorted({"adapter": adapter, **parameters}.items())))


def wmi_set_parameters(adapter: str, parameters: NDIS_OFFLOAD_PARAMETERS) -> Command:
    """A ``Command`` for the admin acting as a WMI client: set GUID_NDIS_TCP_OFFLOAD_PARAMETERS
    (OID_TCP_OFFLOAD_PARAMETERS at run time, no restart) on ``adapter``."""
    if not isinstance(parameters, NDIS_OFFLOAD_PARAMETERS):
        raise BadInput(f"admin: wmi_set_parameters needs an NDIS_OFFLOAD_PARAMETERS, not "
                       f"{parameters!r}")  # fmt: skip
    return Command(WMI_SET_PARAMETERS, (("adapter", adapter), ("parameters", parameters)))


def offload_parameters(name: str, **parameters: Any) -> NDIS_OFFLOAD_PARAMETERS:
    """The NDIS_OFFLOAD_PARAMETERS cmdlet ``name`` with ``parameters`` stands for (what it writes
    as keywords, or sends with ``offload_path="wmi"``), e.g. ``offload_parameters(
    "Disable-NetAdapterLso", IPv6=True)``.  Not for ``*-NetAdapterEncapsulatedPacketTaskOffload``,
    whose parameters depend on the current configuration."""
    cmdlet(name, "-", **parameters)
    verb, _, noun = name.partition("-NetAdapter")
    if verb == "Get" or noun in ("AdvancedProperty", "EncapsulatedPacketTaskOffload"):
        raise BadInput(f"admin: {name} has no NDIS_OFFLOAD_PARAMETERS of its own")
    return AdminClient.cmdlet_parameters(verb, noun, parameters)


@attrs.frozen(kw_only=True)
class AdminResult:
    """The outcome of one cmdlet, in completion order."""

    cmdlet: str
    adapter: str
    status: int
    #: The WMI request id of the operation that decided the result (0 for registry-only ones).
    request_id: int = 0
    #: The NDIS_OFFLOAD a Get returned.
    buffer: NDIS_OFFLOAD | None = None
    #: The cmdlet's properties as PowerShell shows them (Gets), e.g. {"TcpIPv4Enabled":
    #: "RxTxEnabled"}; for Sets, the NDIS_OFFLOAD_PARAMETERS members it sent.
    properties: Mapping[str, Any] = attrs.field(factory=dict)
    tick: int = 0

    @property
    def ok(self) -> bool:
        return self.status == _S.NDIS_STATUS_SUCCESS

    @property
    def status_name(self) -> str:
        try:
            return NdisStatus(self.status).name
        except ValueError:
            return f"0x{self.status:08X}"


@attrs.define(eq=False)
class _Op:
    cmdlet: str
    adapter: str
    args: dict[str, Any]
    #: "get", "get-hardware" then "get-keywords" (a registry-backed Get), "set", or
    #: "read-then-set" (EncapsulatedPacketTaskOffload).
    stage: str
    params: NDIS_OFFLOAD_PARAMETERS | None = None
    #: A registry-backed Get: the hardware the keywords are read within.
    hardware: NDIS_OFFLOAD | None = None


def _offload_path(value: OffloadPath | str) -> OffloadPath:
    if isinstance(value, OffloadPath):
        return value
    try:
        return OffloadPath(value)
    except ValueError:
        raise BadInput(f"admin: offload_path {value!r} is not 'wmi' or 'registry'") from None


@attrs.define(eq=False)
class AdminClient:
    """The PowerShell/WMI administrator (actor name ``admin``)."""

    name: str = "admin"
    offload_path: OffloadPath = attrs.field(default=OffloadPath.REGISTRY, converter=_offload_path)
    #: After a successful WMI set (``offload_path="wmi"`` or ``wmi_set_parameters``), also
    #: restart the adapter unless NoRestart; off because the set applied the change at run time.
    restart_after_set: bool = False
    #: Disable-NetAdapterChecksumOffload also disables LSO and RSC (PS docs note).
    checksum_disable_cascades: bool = True
    ndis: str = "ndis"

    results: list[AdminResult] = attrs.field(init=False, factory=list)
    _ops: dict[int, _Op] = attrs.field(init=False, factory=dict)
    _next_request_id: int = attrs.field(init=False, default=1)

    # -- inspection ----------------------------------------------------------------------------

    def last(self, cmdlet_name: str | None = None) -> AdminResult | None:
        """The latest result (of ``cmdlet_name``, if given)."""
        for result in reversed(self.results):
            if cmdlet_name is None or result.cmdlet == cmdlet_name:
                return result
        return None

    @property
    def outstanding(self) -> int:
        return len(self._ops)

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, envelope: Envelope, ctx: DriverContext) -> None:
        message = envelope.message
        match message:
            case Command():
                self._on_command(message, ctx)
            case WmiComplete():
                self._on_wmi_complete(message, ctx)
            case RegistryValues():
                self._on_registry_values(message, ctx)
            case _:
                unhandled(self.name, "any", envelope, ctx)

    def _on_command(self, command: Command, ctx: DriverContext) -> None:
        args = dict(command.args)
        adapter = args.pop("adapter", None)
        if not isinstance(adapter, str):
            raise BadInput(f"admin: {command.name} needs adapter=")
        if command.name == WMI_SET_PARAMETERS:
            given: Any = args.get("parameters")
            params = wmi_set_parameters(adapter, given).arg("parameters")
            op = _Op(command.name, adapter, {}, "set", params)
            self._wmi(op, GUID_NDIS_TCP_OFFLOAD_PARAMETERS, "set", params, ctx)
            return
        cmdlet(command.name, adapter, **args)  # validates name and parameters
        verb, _, noun = command.name.partition("-NetAdapter")
        if command.name == "Get-NetAdapterAdvancedProperty":
            request_id = self._next_request_id
            self._next_request_id += 1
            self._ops[request_id] = _Op(command.name, adapter, args, "registry-read")
            ctx.post(self.ndis, RegistryRead(adapter, request_id))
        elif noun == "AdvancedProperty":
            self._advanced_property(command.name, adapter, args, ctx)
        elif verb == "Get":
            registry_backed = self.offload_path is OffloadPath.REGISTRY
            guid = (
                GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES
                if args.get("Hardware") or registry_backed
                else GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG
            )
            stage = "get-hardware" if registry_backed and not args.get("Hardware") else "get"
            self._wmi(_Op(command.name, adapter, args, stage), guid, "method", None, ctx)
        elif noun == "EncapsulatedPacketTaskOffload":
            op = _Op(command.name, adapter, args, "read-then-set")
            self._wmi(op, GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG, "method", None, ctx)
        else:
            params = self._parameters(verb, noun, args)
            self._set(_Op(command.name, adapter, args, "set", params), ctx)

    # -- building NDIS_OFFLOAD_PARAMETERS ------------------------------------------------------

    def _parameters(self, verb: str, noun: str, args: Mapping[str, Any]) -> NDIS_OFFLOAD_PARAMETERS:
        return self.cmdlet_parameters(verb, noun, args, cascade=self.checksum_disable_cascades)

    @staticmethod
    def cmdlet_parameters(
        verb: str, noun: str, args: Mapping[str, Any], *, cascade: bool = True
    ) -> NDIS_OFFLOAD_PARAMETERS:
        """The NDIS_OFFLOAD_PARAMETERS of ``<verb>-NetAdapter<noun>`` with ``args``."""
        members: dict[str, Any] = {}
        if noun == "ChecksumOffload":
            if verb == "Set":
                for switch, member in _CHECKSUM.items():
                    value = args.get(f"{switch}Enabled")
                    if value is not None:
                        if value not in _DIRECTION:
                            raise BadInput(
                                f"admin: -{switch}Enabled {value!r} is not one of "
                                f"{', '.join(_DIRECTION)}"
                            )
                        members[member] = _DIRECTION[value]
            else:
                chosen = [s for s in _CHECKSUM if args.get(s)] or list(_CHECKSUM)
                value = (
                    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
                    if verb == "Enable"
                    else NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED
                )
                members.update({_CHECKSUM[s]: value for s in chosen})
                if verb == "Disable" and cascade:
                    if "TcpIPv4" in chosen:
                        members.update(LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
                                       LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
                                       RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)  # fmt: skip
                    if "TcpIPv6" in chosen:
                        members.update(LsoV2IPv6=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
                                       RscIPv6=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)  # fmt: skip
        elif noun == "Lso":
            lso_v1 = (NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED, NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED)
            lso_v2 = (NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED, NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED)
            if verb == "Set":
                for prop, member, values in (
                    ("V1IPv4Enabled", "LsoV1", lso_v1),
                    ("IPv4Enabled", "LsoV2IPv4", lso_v2),
                    ("IPv6Enabled", "LsoV2IPv6", lso_v2),
                ):
                    if args.get(prop) is not None:
                        members[member] = values[bool(args[prop])]
            else:
                on = verb == "Enable"
                both = not args.get("IPv4") and not args.get("IPv6")
                if both or args.get("IPv4"):
                    # -IPv4 covers LSOv1, which exists only for IPv4.
                    members.update(LsoV1=lso_v1[on], LsoV2IPv4=lso_v2[on])
                if both or args.get("IPv6"):
                    members["LsoV2IPv6"] = lso_v2[on]
        elif noun in ("Rsc", "Uso"):
            values = (
                (NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED, NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED)
                if noun == "Rsc"
                else (NDIS_OFFLOAD_PARAMETERS_USO_DISABLED, NDIS_OFFLOAD_PARAMETERS_USO_ENABLED)
            )
            wanted: dict[str, int] = {}
            for version in ("IPv4", "IPv6"):
                if verb == "Set":
                    if args.get(f"{version}Enabled") is not None:
                        wanted[version] = values[bool(args[f"{version}Enabled"])]
                elif args.get(version) or not (args.get("IPv4") or args.get("IPv6")):
                    wanted[version] = values[verb == "Enable"]
            if noun == "Rsc":
                members.update({f"Rsc{v}": value for v, value in wanted.items()})
            elif wanted:
                members["UdpSegmentation"] = NDIS_OFFLOAD_PARAMETERS_UdpSegmentation(**wanted)
        return NDIS_OFFLOAD_PARAMETERS(**members)

    def _encapsulated_parameters(self, op: _Op, current: NDIS_OFFLOAD) -> NDIS_OFFLOAD_PARAMETERS:
        types = {
            "NVGRE": bool(current.EncapsulationTypes & NDIS_ENCAPSULATION_TYPE_GRE_MAC),
            "VXLAN": bool(current.EncapsulationTypes & NDIS_ENCAPSULATION_TYPE_VXLAN),
        }
        verb = op.cmdlet.partition("-")[0]
        args = op.args
        port = 0
        if verb == "Set":
            for key, prop in (("NVGRE", "NvgreEncapsulatedPacketTaskOffloadEnabled"),
                              ("VXLAN", "VxlanEncapsulatedPacketTaskOffloadEnabled")):  # fmt: skip
                if args.get(prop) is not None:
                    types[key] = bool(args[prop])
            port = int(args.get("VxlanUDPPortNumber") or 0)
        else:
            chosen = args.get("EncapsulationType") or ("NVGRE", "VXLAN")
            if isinstance(chosen, str):
                chosen = (chosen,)
            for key in chosen:
                if key not in types:
                    raise BadInput(f"admin: -EncapsulationType {key!r} is not NVGRE or VXLAN")
                types[key] = verb == "Enable"
        bits = (NDIS_ENCAPSULATION_TYPE_GRE_MAC if types["NVGRE"] else 0) | (
            NDIS_ENCAPSULATION_TYPE_VXLAN if types["VXLAN"] else 0
        )
        vxlan = NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(
            VxlanParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters(
                VxlanUDPPortNumber=port
            )
        )
        if bits:
            return NDIS_OFFLOAD_PARAMETERS(
                EncapsulatedPacketTaskOffload=NDIS_OFFLOAD_SET_ON,
                EncapsulationTypes=bits,
                EncapsulationProtocolParameters=vxlan,
            )
        return NDIS_OFFLOAD_PARAMETERS(
            EncapsulatedPacketTaskOffload=NDIS_OFFLOAD_SET_OFF,
            EncapsulationProtocolParameters=vxlan,
        )

    # -- issuing -------------------------------------------------------------------------------

    def _wmi(self, op: _Op, guid: str, operation: str, buffer: Any, ctx: DriverContext) -> None:
        request_id = self._next_request_id
        self._next_request_id += 1
        self._ops[request_id] = op
        ctx.post(self.ndis, WmiRequest(guid, op.adapter, operation, request_id, buffer=buffer))

    def _set(self, op: _Op, ctx: DriverContext) -> None:
        assert op.params is not None
        op.stage = "set"
        if self.offload_path is OffloadPath.WMI or op.cmdlet == WMI_SET_PARAMETERS:
            self._wmi(op, GUID_NDIS_TCP_OFFLOAD_PARAMETERS, "set", op.params, ctx)
            return
        keywords = keywords_from_parameters(op.params)
        for keyword, value in keywords.items():
            ctx.post(self.ndis, RegistryWrite(op.adapter, keyword, str(value)))
        if not op.args.get("NoRestart"):
            ctx.post(self.ndis, AdapterControl(op.adapter, "restart"))
        self._record(op, _S.NDIS_STATUS_SUCCESS, 0, None, ctx,
                     properties={k: str(v) for k, v in keywords.items()})  # fmt: skip

    def _advanced_property(
        self, name: str, adapter: str, args: Mapping[str, Any], ctx: DriverContext
    ) -> None:
        keyword, value = args.get("RegistryKeyword"), args.get("RegistryValue")
        if not isinstance(keyword, str) or value is None:
            raise BadInput(f"admin: {name} needs RegistryKeyword= and RegistryValue=")
        ctx.post(self.ndis, RegistryWrite(adapter, keyword, str(value)))
        if not args.get("NoRestart"):
            ctx.post(self.ndis, AdapterControl(adapter, "restart"))
        op = _Op(name, adapter, dict(args), "registry")
        self._record(op, _S.NDIS_STATUS_SUCCESS, 0, None, ctx, properties={keyword: str(value)})

    def _on_registry_values(self, message: RegistryValues, ctx: DriverContext) -> None:
        op = self._ops.pop(message.request_id, None)
        if op is None:
            reason = f"admin: registry answer for request {message.request_id} it never made"
            ctx.fail("admin-registry-answer-unknown", reason)
            return
        if op.stage == "get-keywords":
            assert op.hardware is not None
            keywords = {name: value for name, value, _, _ in message.values}
            offload = current_config_from_keywords(op.hardware, keywords)
            props = _properties(op.cmdlet, offload)
            self._record(op, _S.NDIS_STATUS_SUCCESS, message.request_id, offload, ctx,
                         properties=props)  # fmt: skip
            return
        rows = advanced_properties(
            message.values,
            keyword=op.args.get("RegistryKeyword"),
            display_name=op.args.get("DisplayName"),
            all_properties=bool(op.args.get("AllProperties")),
        )
        self._record(op, _S.NDIS_STATUS_SUCCESS, message.request_id, None, ctx, properties=rows)

    def _on_wmi_complete(self, message: WmiComplete, ctx: DriverContext) -> None:
        op = self._ops.pop(message.request_id, None)
        if op is None:
            reason = f"admin: WMI completion for request {message.request_id} it never made"
            ctx.fail("admin-wmi-complete-unknown", reason)
            return
        buffer = message.buffer if isinstance(message.buffer, NDIS_OFFLOAD) else None
        if op.stage == "read-then-set":
            if message.status != _S.NDIS_STATUS_SUCCESS or buffer is None:
                self._record(op, message.status, message.request_id, None, ctx)
                return
            op.params = self._encapsulated_parameters(op, buffer)
            self._set(op, ctx)
            return
        if op.stage == "get":
            props = _properties(op.cmdlet, buffer) if buffer is not None else {}
            self._record(op, message.status, message.request_id, buffer, ctx, properties=props)
            return
        if op.stage == "get-hardware":
            if message.status != _S.NDIS_STATUS_SUCCESS or buffer is None:
                self._record(op, message.status, message.request_id, None, ctx)
                return
            op.hardware = buffer
            op.stage = "get-keywords"
            request_id = self._next_request_id
            self._next_request_id += 1
            self._ops[request_id] = op
            ctx.post(self.ndis, RegistryRead(op.adapter, request_id))
            return
        assert op.params is not None
        self._record(op, message.status, message.request_id, None, ctx,
                     properties=_set_members(op.params))  # fmt: skip
        if (
            message.status == _S.NDIS_STATUS_SUCCESS
            and self.restart_after_set
            and not op.args.get("NoRestart")
        ):
            ctx.post(self.ndis, AdapterControl(op.adapter, "restart"))

    def _record(
        self,
        op: _Op,
        status: int,
        request_id: int,
        buffer: NDIS_OFFLOAD | None,
        ctx: DriverContext,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        self.results.append(
            AdminResult(
                cmdlet=op.cmdlet,
                adapter=op.adapter,
                status=status,
                request_id=request_id,
                buffer=buffer,
                properties=MappingProxyType(dict(properties or {})),
                tick=ctx.now,
            )
        )


# -- reading NDIS_OFFLOAD as the cmdlets show it -------------------------------------------------


def _direction(tx: bool, rx: bool) -> str:
    return {(False, False): "Disabled", (True, False): "TxEnabled", (False, True): "RxEnabled",
            (True, True): "RxTxEnabled"}[(tx, rx)]  # fmt: skip


def _properties(cmdlet_name: str, offload: NDIS_OFFLOAD) -> dict[str, Any]:
    """The Get cmdlet's properties, derived from an NDIS_OFFLOAD (1 = on, spec A3)."""
    noun = cmdlet_name.partition("-NetAdapter")[2]
    cs = offload.Checksum
    if noun == "ChecksumOffload":
        properties = {}
        for prop, version, bit in (
            ("IpIPv4Enabled", "IPv4", "IpChecksum"),
            ("TcpIPv4Enabled", "IPv4", "TcpChecksum"),
            ("TcpIPv6Enabled", "IPv6", "TcpChecksum"),
            ("UdpIPv4Enabled", "IPv4", "UdpChecksum"),
            ("UdpIPv6Enabled", "IPv6", "UdpChecksum"),
        ):
            tx = getattr(getattr(cs, f"{version}Transmit"), bit) == 1
            rx = getattr(getattr(cs, f"{version}Receive"), bit) == 1
            properties[prop] = _direction(tx, rx)
        return properties
    if noun == "Lso":
        return {
            "V1IPv4Enabled": bool(offload.LsoV1.IPv4.Encapsulation),
            "IPv4Enabled": bool(offload.LsoV2.IPv4.Encapsulation),
            "IPv6Enabled": bool(offload.LsoV2.IPv6.Encapsulation),
            "V1IPv4MaxOffloadSize": offload.LsoV1.IPv4.MaxOffLoadSize,
            "IPv4MaxOffloadSize": offload.LsoV2.IPv4.MaxOffLoadSize,
            "IPv6MaxOffloadSize": offload.LsoV2.IPv6.MaxOffLoadSize,
        }
    if noun == "Rsc":
        return {
            "IPv4Enabled": bool(offload.Rsc.IPv4.Enabled),
            "IPv6Enabled": bool(offload.Rsc.IPv6.Enabled),
        }
    if noun == "Uso":
        return {
            "IPv4Enabled": bool(offload.UdpSegmentation.IPv4.Encapsulation),
            "IPv6Enabled": bool(offload.UdpSegmentation.IPv6.Encapsulation),
        }
    vxlan_info = offload.EncapsulatedPacketTaskOffloadVxlan.EncapsulationProtocolInfo.VxlanInfo
    return {
        "NvgreEncapsulatedPacketTaskOffloadEnabled": bool(
            offload.EncapsulationTypes & NDIS_ENCAPSULATION_TYPE_GRE_MAC
        ),
        "VxlanEncapsulatedPacketTaskOffloadEnabled": bool(
            offload.EncapsulationTypes & NDIS_ENCAPSULATION_TYPE_VXLAN
        ),
        "VxlanUDPPortNumber": vxlan_info.VxlanUDPPortNumber,
    }


def _set_members(params: NDIS_OFFLOAD_PARAMETERS) -> dict[str, Any]:
    """The non-NO_CHANGE per-feature members of a set, by C name."""
    names = (
        "IPv4Checksum", "TCPIPv4Checksum", "UDPIPv4Checksum", "TCPIPv6Checksum", "UDPIPv6Checksum",
        "LsoV1", "LsoV2IPv4", "LsoV2IPv6", "RscIPv4", "RscIPv6", "EncapsulatedPacketTaskOffload",
        "EncapsulationTypes",
    )  # fmt: skip
    members = {n: getattr(params, n) for n in names if getattr(params, n)}
    for version in ("IPv4", "IPv6"):
        value = getattr(params.UdpSegmentation, version)
        if value:
            members[f"UdpSegmentation.{version}"] = value
    return members


# -- Get-NetAdapterAdvancedProperty ----------------------------------------------------------------


def advanced_properties(
    values: tuple[tuple[str, str, str | None, str | None], ...],
    *,
    keyword: str | None = None,
    display_name: str | None = None,
    all_properties: bool = False,
) -> dict[str, dict[str, str]]:
    """The rows Get-NetAdapterAdvancedProperty shows, keyed by RegistryKeyword.

    A property has a DisplayName when the adapter's ``Ndi\\params`` describes it; standardized
    offload keywords the class key lacks are described from the docs' tables
    (N/enumeration-keywords.md), with their default as value, the way an INF-installed adapter
    shows them.  Values without a DisplayName appear only with ``AllProperties``
    (PS/Get-NetAdapterAdvancedProperty.md).  ``keyword`` and ``display_name`` are wildcard
    patterns, as in PowerShell; a literal ``*`` at the start of a standardized keyword still
    matches itself.
    """
    rows: dict[str, dict[str, str]] = {}
    present = {name.casefold(): (name, value, desc, shown) for name, value, desc, shown in values}
    for standard in OFFLOAD_KEYWORDS.values():
        folded = standard.name.casefold()
        name, value, desc, shown = present.pop(folded, (standard.name, str(standard.default),
                                                        None, None))  # fmt: skip
        number = int(value) if value.lstrip("-").isdigit() else None
        rows[name] = {
            "DisplayName": desc or standard.ParamDesc,
            "DisplayValue": shown
            or standard.values.get(number if number is not None else -1, value),
            "RegistryKeyword": name,
            "RegistryValue": value,
        }
    for name, value, desc, shown in present.values():
        if desc is None and not all_properties:
            continue
        rows[name] = {
            "DisplayName": desc or "",
            "DisplayValue": shown or value,
            "RegistryKeyword": name,
            "RegistryValue": value,
        }
    return {
        name: row
        for name, row in sorted(rows.items(), key=lambda item: item[1]["DisplayName"].casefold())
        if (keyword is None or fnmatch.fnmatchcase(name.casefold(), keyword.casefold()))
        and (
            display_name is None
            or fnmatch.fnmatchcase(row["DisplayName"].casefold(), display_name.casefold())
        )
    }
