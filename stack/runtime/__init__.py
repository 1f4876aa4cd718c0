"""The trio shell: the bus, virtual time, the trace, the NDIS library actor and the registry.

Nothing here knows a concrete driver; drivers are actors the scenario layer registers.
"""

from stack.runtime._bus import (
    Actor as Actor,
)
from stack.runtime._bus import (
    Bus as Bus,
)
from stack.runtime._bus import (
    Context as Context,
)
from stack.runtime._bus import (
    Envelope as Envelope,
)
from stack.runtime._bus import (
    Fifo as Fifo,
)
from stack.runtime._bus import (
    Message as Message,
)
from stack.runtime._bus import (
    Monitor as Monitor,
)
from stack.runtime._bus import (
    MonitorLevel as MonitorLevel,
)
from stack.runtime._bus import (
    MonitorWarning as MonitorWarning,
)
from stack.runtime._bus import (
    RunFailed as RunFailed,
)
from stack.runtime._bus import (
    Strategy as Strategy,
)
from stack.runtime._bus import (
    StrictViolation as StrictViolation,
)
from stack.runtime._bus import (
    current_monitor_level as current_monitor_level,
)
from stack.runtime._bus import (
    monitor_level as monitor_level,
)
from stack.runtime._layers import FilterModule as FilterModule
from stack.runtime._layers import LayerView as LayerView
from stack.runtime._layers import OffloadView as OffloadView
from stack.runtime._messages import (
    NDIS_BIND_PARAMETERS as NDIS_BIND_PARAMETERS,
)
from stack.runtime._messages import (
    NDIS_FILTER_ATTACH_PARAMETERS as NDIS_FILTER_ATTACH_PARAMETERS,
)
from stack.runtime._messages import (
    NDIS_FILTER_DRIVER_CHARACTERISTICS as NDIS_FILTER_DRIVER_CHARACTERISTICS,
)
from stack.runtime._messages import (
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES as NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
)
from stack.runtime._messages import (
    NET_BUFFER_LIST as NET_BUFFER_LIST,
)
from stack.runtime._messages import (
    AdapterControl as AdapterControl,
)
from stack.runtime._messages import (
    Command as Command,
)
from stack.runtime._messages import (
    OidCancel as OidCancel,
)
from stack.runtime._messages import (
    OidComplete as OidComplete,
)
from stack.runtime._messages import (
    OidRequest as OidRequest,
)
from stack.runtime._messages import (
    Pnp as Pnp,
)
from stack.runtime._messages import (
    PnpOp as PnpOp,
)
from stack.runtime._messages import (
    PnpWorkItem as PnpWorkItem,
)
from stack.runtime._messages import (
    Receive as Receive,
)
from stack.runtime._messages import (
    RegistryRead as RegistryRead,
)
from stack.runtime._messages import (
    RegistryValues as RegistryValues,
)
from stack.runtime._messages import (
    RegistryWrite as RegistryWrite,
)
from stack.runtime._messages import (
    Send as Send,
)
from stack.runtime._messages import (
    SendComplete as SendComplete,
)
from stack.runtime._messages import (
    StatusIndication as StatusIndication,
)
from stack.runtime._messages import (
    WmiComplete as WmiComplete,
)
from stack.runtime._messages import (
    WmiRequest as WmiRequest,
)
from stack.runtime._monitors import OID_TIMEOUT_TICKS as OID_TIMEOUT_TICKS
from stack.runtime._monitors import TICKS_PER_SECOND as TICKS_PER_SECOND
from stack.runtime._monitors import default_monitors as default_monitors
from stack.runtime._monitors import filter_monitors as filter_monitors
from stack.runtime._ndis_library import (
    NDIS as NDIS,
)
from stack.runtime._ndis_library import (
    AdapterRecord as AdapterRecord,
)
from stack.runtime._ndis_library import (
    EncapsulationMerge as EncapsulationMerge,
)
from stack.runtime._ndis_library import (
    NdisLibrary as NdisLibrary,
)
from stack.runtime._ndis_library import (
    NdisOptions as NdisOptions,
)
from stack.runtime._ndis_library import (
    PendingOid as PendingOid,
)
from stack.runtime._regfile import (
    REG_DWORD as REG_DWORD,
)
from stack.runtime._regfile import (
    REG_SZ as REG_SZ,
)
from stack.runtime._regfile import (
    RegFileError as RegFileError,
)
from stack.runtime._regfile import (
    RegValue as RegValue,
)
from stack.runtime._registry import (
    ADAPTER_NAME_VALUE as ADAPTER_NAME_VALUE,
)
from stack.runtime._registry import (
    GUID_DEVCLASS_NET as GUID_DEVCLASS_NET,
)
from stack.runtime._registry import (
    NET_CLASS_KEY as NET_CLASS_KEY,
)
from stack.runtime._registry import (
    AdapterKeywords as AdapterKeywords,
)
from stack.runtime._registry import (
    KeySnapshot as KeySnapshot,
)
from stack.runtime._registry import (
    NdiEnumChoice as NdiEnumChoice,
)
from stack.runtime._registry import (
    NdiParam as NdiParam,
)
from stack.runtime._registry import (
    Registry as Registry,
)
from stack.runtime._registry import (
    RegistrySnapshot as RegistrySnapshot,
)
from stack.runtime._registry import (
    load_reg as load_reg,
)
from stack.runtime._registry import (
    save_reg as save_reg,
)
from stack.runtime._trace import Trace as Trace

__all__ = [
    "ADAPTER_NAME_VALUE",
    "GUID_DEVCLASS_NET",
    "NDIS",
    "NDIS_BIND_PARAMETERS",
    "NDIS_FILTER_ATTACH_PARAMETERS",
    "NDIS_FILTER_DRIVER_CHARACTERISTICS",
    "NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES",
    "NET_BUFFER_LIST",
    "NET_CLASS_KEY",
    "OID_TIMEOUT_TICKS",
    "REG_DWORD",
    "REG_SZ",
    "TICKS_PER_SECOND",
    "Actor",
    "AdapterControl",
    "AdapterKeywords",
    "AdapterRecord",
    "Bus",
    "Command",
    "Context",
    "EncapsulationMerge",
    "Envelope",
    "Fifo",
    "FilterModule",
    "KeySnapshot",
    "LayerView",
    "Message",
    "Monitor",
    "MonitorLevel",
    "MonitorWarning",
    "NdiEnumChoice",
    "NdiParam",
    "NdisLibrary",
    "NdisOptions",
    "OffloadView",
    "OidCancel",
    "OidComplete",
    "OidRequest",
    "PendingOid",
    "Pnp",
    "PnpOp",
    "PnpWorkItem",
    "Receive",
    "RegFileError",
    "RegValue",
    "Registry",
    "RegistryRead",
    "RegistrySnapshot",
    "RegistryValues",
    "RegistryWrite",
    "RunFailed",
    "Send",
    "SendComplete",
    "StatusIndication",
    "Strategy",
    "StrictViolation",
    "Trace",
    "WmiComplete",
    "WmiRequest",
    "current_monitor_level",
    "default_monitors",
    "filter_monitors",
    "load_reg",
    "monitor_level",
    "save_reg",
]
