"""The drivers: the public driver API, miniports with NIC presets, protocol drivers, the MUX and
the administrator.

Each driver is an actor (a ``name`` and a synchronous ``handle(envelope, ctx)``) that talks to the
NDIS library only through the bus; none imports another driver's module or shares state with it.

The driver API (``_api``, ``_edges``): subclass ``MiniportDriver``, ``ProtocolDriver`` or
``MuxDriver`` and override the NDIS callbacks (``MiniportOidRequest``, ``ProtocolStatusEx`` ...)
your driver does differently; the shared edges ``MiniportEdge`` and ``BindingTable`` keep the NDIS
state tables and waits.  ``Miniport``, ``TcpIpProtocol``, ``NdisprotProtocol`` and
``stack.drivers.mux.Mux`` are the correct models, built on them.
"""

from stack.drivers._admin import (
    CMDLETS,
    GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG,
    GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    GUID_NDIS_TCP_OFFLOAD_PARAMETERS,
    WMI_SET_PARAMETERS,
    AdminClient,
    AdminResult,
    OffloadPath,
    advanced_properties,
    cmdlet,
    offload_parameters,
    wmi_set_parameters,
)
from stack.drivers._api import NO_OFFLOAD, MiniportDriver, ProtocolDriver
from stack.drivers._base import (
    DriverContext,
    RecordingContext,
    command_args,
)
from stack.drivers._edges import Binding, BindingTable, MiniportEdge
from stack.drivers._filter import (
    FilterDriver,
    FilterEdge,
    OffloadMaskingFilter,
    PassthroughFilter,
)
from stack.drivers._miniport import (
    INJECTED_FAILURES,
    MINIPORT_PRESETS,
    IndicationOrder,
    Miniport,
    MiniportPreset,
    MiniportStats,
    OidCompletion,
)
from stack.drivers._ndisprot import NdisprotIndication, NdisprotProtocol, NdisprotResult
from stack.drivers._presets import (
    DEFAULT_PRESET,
    PRESETS,
    HardwareProfile,
    checksum_offload,
    hardware_problems,
    lso_v1,
    lso_v2,
    preset,
)
from stack.drivers._tcpip import (
    EncapsulationEnable,
    EncapsulationState,
    TcpIpProtocol,
    TcpIpView,
)
from stack.drivers.mux import Mux, MuxDriver

__all__ = [
    "CMDLETS",
    "DEFAULT_PRESET",
    "GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG",
    "GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES",
    "GUID_NDIS_TCP_OFFLOAD_PARAMETERS",
    "INJECTED_FAILURES",
    "MINIPORT_PRESETS",
    "NO_OFFLOAD",
    "PRESETS",
    "WMI_SET_PARAMETERS",
    "AdminClient",
    "AdminResult",
    "Binding",
    "BindingTable",
    "DriverContext",
    "EncapsulationEnable",
    "EncapsulationState",
    "FilterDriver",
    "FilterEdge",
    "HardwareProfile",
    "IndicationOrder",
    "Miniport",
    "MiniportDriver",
    "MiniportEdge",
    "MiniportPreset",
    "MiniportStats",
    "Mux",
    "MuxDriver",
    "NdisprotIndication",
    "NdisprotProtocol",
    "NdisprotResult",
    "OffloadMaskingFilter",
    "OffloadPath",
    "OidCompletion",
    "PassthroughFilter",
    "ProtocolDriver",
    "RecordingContext",
    "TcpIpProtocol",
    "TcpIpView",
    "advanced_properties",
    "checksum_offload",
    "cmdlet",
    "command_args",
    "hardware_problems",
    "lso_v1",
    "lso_v2",
    "offload_parameters",
    "preset",
    "wmi_set_parameters",
]
