"""The drivers: miniports with NIC presets, protocol drivers, and the administrator.

Each driver is an actor (a ``name`` and a synchronous ``handle(envelope, ctx)``) that talks to the
NDIS library only through the bus; none imports another driver's module or shares state with it.
"""

from stack.drivers._admin import (
    CMDLETS,
    GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG,
    GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    GUID_NDIS_TCP_OFFLOAD_PARAMETERS,
    AdminClient,
    AdminResult,
    OffloadPath,
    advanced_properties,
    cmdlet,
)
from stack.drivers._base import (
    Binding,
    BindingTable,
    DriverContext,
    RecordingContext,
    command_args,
)
from stack.drivers._filter import (
    FilterDriver,
    FilterEdge,
    OffloadMaskingFilter,
    PassthroughFilter,
)
from stack.drivers._miniport import (
    INJECTED_FAILURES,
    IndicationOrder,
    Miniport,
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
from stack.drivers._tcpip import EncapsulationState, TcpIpProtocol, TcpIpView

__all__ = [
    "CMDLETS",
    "DEFAULT_PRESET",
    "GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG",
    "GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES",
    "GUID_NDIS_TCP_OFFLOAD_PARAMETERS",
    "INJECTED_FAILURES",
    "PRESETS",
    "AdminClient",
    "AdminResult",
    "Binding",
    "BindingTable",
    "DriverContext",
    "EncapsulationState",
    "FilterDriver",
    "FilterEdge",
    "HardwareProfile",
    "IndicationOrder",
    "Miniport",
    "MiniportStats",
    "NdisprotIndication",
    "NdisprotProtocol",
    "NdisprotResult",
    "OffloadMaskingFilter",
    "OffloadPath",
    "OidCompletion",
    "PassthroughFilter",
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
    "preset",
]
