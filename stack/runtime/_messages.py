"""The messages drivers and the NDIS library exchange over the bus.

Each message stands for one NDIS call crossing a driver boundary, named after it in the docstring
(``NdisOidRequest``, ``MiniportOidRequest``, ``NdisMIndicateStatusEx``, ``ProtocolBindAdapterEx``
...).  They are frozen values; ``KIND`` is the dotted trace name, ``trace_fields()`` what the
trace shows (C names for OIDs and statuses, never object reprs).

Model structures that carry pointers in C (``NDIS_BIND_PARAMETERS``,
``NDIS_FILTER_ATTACH_PARAMETERS``, ``NDIS_FILTER_DRIVER_CHARACTERISTICS``,
``NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES``, ``NET_BUFFER_LIST``) live here with their pointers
replaced by the values they point to.

The same message crosses every layer edge of an adapter's stack: who sent it (the envelope's
``src``) and the adapter tell NDIS which edge it crossed.  From a protocol an ``OidRequest`` is
``NdisOidRequest``; from NDIS to a filter module ``FilterOidRequest``; from a filter module to
NDIS ``NdisFOidRequest`` (always downward); from NDIS to the miniport ``MiniportOidRequest``.
The other messages go the same way (N/filter-module-oid-requests.md,
N/filter-module-status-indications.md, N/filter-module-send-and-receive-operations.md).
"""

from __future__ import annotations

import enum
import functools
from typing import Any, ClassVar

import attrs

from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    NdisStatus,
    Oid,
)


# Every delivery's trace line spells its statuses and OIDs: the Enum lookup is worth caching.
@functools.lru_cache(maxsize=512)
def _status_name(status: int) -> str:
    try:
        return NdisStatus(status).name
    except ValueError:
        return f"0x{status:08X}"


@functools.lru_cache(maxsize=512)
def _oid_name(oid: int) -> str:
    try:
        return Oid(oid).name
    except ValueError:
        return f"0x{oid:08X}"


# -- model structures ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES:
    """What a miniport registers with ``NdisMSetMiniportAttributes`` from MiniportInitializeEx
    (D/ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes.md); pointers replaced by values."""

    C_NAME: ClassVar[str] = "NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES"
    DefaultOffloadConfiguration: NDIS_OFFLOAD
    HardwareOffloadCapabilities: NDIS_OFFLOAD
    DefaultTcpConnectionOffloadConfiguration: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    TcpConnectionOffloadHardwareCapabilities: NDIS_TCP_CONNECTION_OFFLOAD | None = None


@attrs.frozen(kw_only=True)
class NDIS_BIND_PARAMETERS:
    """The offload members of the bind parameters NDIS gives ``ProtocolBindAdapterEx``.

    Only ``DefaultOffloadConfiguration`` and ``TcpConnectionOffloadCapabilities`` exist in the
    structure (spec A5; D/ndis/ns-ndis-_ndis_bind_parameters.md); hardware capabilities are
    learned through ``OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES``.  ``MediaConnectState`` is the
    link state NDIS last heard from the miniport (NDIS_STATUS_LINK_STATE), MediaConnectStateUnknown
    (0) before any.
    """

    C_NAME: ClassVar[str] = "NDIS_BIND_PARAMETERS"
    AdapterName: str
    DefaultOffloadConfiguration: NDIS_OFFLOAD
    TcpConnectionOffloadCapabilities: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    MediaConnectState: int = 0


@attrs.frozen(kw_only=True)
class NDIS_FILTER_ATTACH_PARAMETERS:
    """The offload members of the attach parameters NDIS gives ``FilterAttach``
    (D/ndis/ns-ndis-_ndis_filter_attach_parameters.md); pointers replaced by values.

    ``DefaultOffloadConfiguration`` is the view of the layer below the module (the miniport's, or
    the filter module under it, as that one reported it upward).  The filter returns the
    parameters from FilterAttach, modified "to reflect any changes in the task offload support
    that it requires" (same page): what it returns is what the layers above it see.
    """

    C_NAME: ClassVar[str] = "NDIS_FILTER_ATTACH_PARAMETERS"
    #: The base miniport adapter's name.
    BaseMiniportName: str
    DefaultOffloadConfiguration: NDIS_OFFLOAD | None = None


@attrs.frozen(kw_only=True)
class NDIS_FILTER_DRIVER_CHARACTERISTICS:
    """Which optional handlers a filter driver registers with NdisFRegisterFilterDriver
    (D/ndis/ns-ndis-_ndis_filter_driver_characteristics.md): a function pointer is modelled as
    whether it is set.  NDIS bypasses a module for what it has no handler for: an OID, a status
    indication, a send or a receive goes straight to the next layer (and, without a cancel
    handler, NDIS cancels the clone itself; behaviours-and-bugs.md 21)."""

    C_NAME: ClassVar[str] = "NDIS_FILTER_DRIVER_CHARACTERISTICS"
    OidRequestHandler: bool = True
    CancelOidRequestHandler: bool = True
    StatusHandler: bool = True
    SendNetBufferListsHandler: bool = True
    ReceiveNetBufferListsHandler: bool = True


@attrs.frozen(kw_only=True)
class NET_BUFFER_LIST:
    """A send as the offload path sees it: the OOB offload requests a sender attached.

    ``LsoMss`` non-zero stands for ``NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO``
    (``LsoVersion`` 1 or 2); the checksum flags stand for
    ``NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO`` transmit requests.
    """

    C_NAME: ClassVar[str] = "NET_BUFFER_LIST"
    #: Unique in a run: the sender's name and a counter, e.g. ``"tcpip#3"``.
    Id: str
    DataLength: int
    IpVersion: int = 4
    Protocol: str = "tcp"
    LsoVersion: int = 0
    LsoMss: int = 0
    IpHeaderChecksum: bool = False
    TcpChecksum: bool = False
    UdpChecksum: bool = False
    UsoMss: int = 0

    def offloads(self) -> list[str]:
        """The offloads this send asks for, by short name, for traces and counters."""
        asked = []
        if self.LsoMss:
            asked.append(f"lsov{self.LsoVersion}")
        if self.UsoMss:
            asked.append("uso")
        if self.IpHeaderChecksum:
            asked.append("ip-checksum")
        if self.TcpChecksum:
            asked.append("tcp-checksum")
        if self.UdpChecksum:
            asked.append("udp-checksum")
        return asked

    def trace_fields(self) -> dict[str, Any]:
        return {
            "nbl": self.Id,
            "length": self.DataLength,
            "ip": self.IpVersion,
            "offloads": self.offloads(),
        }


# -- OID path ------------------------------------------------------------------------------------


def _request_fields(request: NDIS_OID_REQUEST) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "oid": _oid_name(request.Oid),
        "request_id": request.RequestId,
        "request_type": request.RequestType,
        "origin": request.RequestHandle,
    }
    buffer = request.InformationBuffer
    if buffer is not None:
        fields["buffer"] = type(buffer).C_NAME
    return fields


@attrs.frozen
class OidRequest:
    """An OID request travelling down: ``NdisOidRequest`` (protocol to NDIS),
    ``FilterOidRequest`` (NDIS to a filter module), ``NdisFOidRequest`` (a filter module to
    NDIS: a clone with the original RequestId, or its own) or ``MiniportOidRequest`` (NDIS to
    miniport)."""

    KIND: ClassVar[str] = "oid.request"
    #: The adapter the binding (or the miniport) stands for: C keeps it in the binding handle.
    adapter: str
    request: NDIS_OID_REQUEST

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, **_request_fields(self.request)}


@attrs.frozen
class OidComplete:
    """A final status travelling up: ``NdisMOidRequestComplete`` (miniport to NDIS),
    ``FilterOidRequestComplete`` (NDIS to a filter module that issued it),
    ``NdisFOidRequestComplete`` (a filter module to NDIS, for the request it was handed) or
    ``ProtocolOidRequestComplete`` (NDIS to the originator).

    ``request`` carries the filled InformationBuffer, BytesWritten/BytesNeeded and
    SupportedRevision."""

    KIND: ClassVar[str] = "oid.complete"
    adapter: str
    request: NDIS_OID_REQUEST
    status: int

    def trace_fields(self) -> dict[str, Any]:
        fields = {"adapter": self.adapter, **_request_fields(self.request)}
        fields["status"] = _status_name(self.status)
        if self.request.BytesNeeded:
            fields["bytes_needed"] = self.request.BytesNeeded
        if self.request.SupportedRevision:
            fields["supported_revision"] = self.request.SupportedRevision
        return fields


@attrs.frozen
class OidCancel:
    """``NdisCancelOidRequest`` (originator to NDIS), ``FilterCancelOidRequest`` (NDIS to a filter
    module), ``NdisFCancelOidRequest`` (a filter module to NDIS) / ``MiniportCancelOidRequest``."""

    KIND: ClassVar[str] = "oid.cancel"
    adapter: str
    request_id: int
    origin: str

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, "request_id": self.request_id, "origin": self.origin}


@attrs.frozen
class StatusIndication:
    """``NdisMIndicateStatusEx`` (miniport to NDIS), ``FilterStatus`` (NDIS to a filter module),
    ``NdisFIndicateStatus`` (a filter module to NDIS: passed on, rewritten or its own) and
    ``ProtocolStatusEx`` (NDIS to each bound protocol)."""

    KIND: ClassVar[str] = "status.indicate"
    #: The miniport adapter the indication is about (``SourceHandle`` names it too).
    adapter: str
    indication: NDIS_STATUS_INDICATION

    def trace_fields(self) -> dict[str, Any]:
        ind = self.indication
        fields: dict[str, Any] = {
            "adapter": self.adapter,
            "status": _status_name(ind.StatusCode),
        }
        if ind.StatusBuffer is not None:
            fields["buffer"] = type(ind.StatusBuffer).C_NAME
        return fields


# -- plug and play -------------------------------------------------------------------------------


class PnpOp(enum.StrEnum):
    """PnP and binding operations, named after the NDIS callback or completion call."""

    # NDIS -> miniport, and the miniport's answer
    MiniportInitializeEx = "MiniportInitializeEx"
    InitializeComplete = "InitializeComplete"  # MiniportInitializeEx returning, with attributes
    MiniportRestart = "MiniportRestart"
    RestartComplete = "RestartComplete"  # NdisMRestartComplete
    MiniportPause = "MiniportPause"
    PauseComplete = "PauseComplete"  # NdisMPauseComplete
    MiniportHaltEx = "MiniportHaltEx"
    HaltComplete = "HaltComplete"  # MiniportHaltEx returning
    SurpriseRemoved = "MiniportDevicePnPEventNotify"  # NdisDevicePnPEventSurpriseRemoved
    # NDIS -> protocol, and the protocol's answer
    ProtocolBindAdapterEx = "ProtocolBindAdapterEx"
    BindComplete = "BindComplete"  # NdisCompleteBindAdapterEx (after NdisOpenAdapterEx)
    ProtocolUnbindAdapterEx = "ProtocolUnbindAdapterEx"
    UnbindComplete = "UnbindComplete"  # NdisCompleteUnbindAdapterEx (after NdisCloseAdapterEx)
    NetEventPause = "NetEventPause"  # ProtocolNetPnPEvent(NetEventPause)
    NetEventPauseComplete = "NetEventPauseComplete"
    NetEventRestart = "NetEventRestart"  # ProtocolNetPnPEvent(NetEventRestart)
    NetEventRestartComplete = "NetEventRestartComplete"
    # NDIS -> filter module, and the module's answer
    FilterAttach = "FilterAttach"
    FilterAttachComplete = "FilterAttachComplete"  # FilterAttach returning, with the parameters
    FilterDetach = "FilterDetach"
    FilterDetachComplete = "FilterDetachComplete"  # FilterDetach returning (it cannot fail)
    FilterPause = "FilterPause"
    FilterPauseComplete = "FilterPauseComplete"  # NdisFPauseComplete (or FilterPause returning)
    FilterRestart = "FilterRestart"
    FilterRestartComplete = "FilterRestartComplete"  # NdisFRestartComplete (or returning)
    # filter module -> NDIS: pause and restart the stack from this module up
    NdisFRestartFilter = "NdisFRestartFilter"


@attrs.frozen
class Pnp:
    """A PnP or binding operation and its completion.

    ``operation`` is the C callback or call it stands for: ``MiniportInitializeEx``,
    ``MiniportRestart``, ``MiniportPause``, ``MiniportHaltEx``, ``MiniportDevicePnPEventNotify``
    (surprise removal), ``ProtocolBindAdapterEx``, ``ProtocolUnbindAdapterEx``,
    ``ProtocolNetPnPEvent`` (pause / restart of a binding), ``FilterAttach``, ``FilterDetach``,
    ``FilterPause``, ``FilterRestart``, the matching completions (``NdisMInitializeComplete`` ...)
    with a ``status``, and ``NdisFRestartFilter``.
    """

    KIND: ClassVar[str] = "pnp"
    operation: PnpOp
    adapter: str
    status: int = 0
    #: MiniportInitializeEx: the adapter's keywords (name, REG_SZ value) as NDIS hands them
    #: through NdisReadConfiguration; the miniport reads them only here (spec A13).
    keywords: tuple[tuple[str, str], ...] = ()
    attributes: NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES | None = None
    bind: NDIS_BIND_PARAMETERS | None = None
    #: FilterAttach: the view below the module; FilterAttachComplete: as the filter returned it.
    attach: NDIS_FILTER_ATTACH_PARAMETERS | None = None

    def trace_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"operation": str(self.operation), "adapter": self.adapter}
        if self.status:
            fields["status"] = _status_name(self.status)
        return fields


# -- data path -----------------------------------------------------------------------------------


@attrs.frozen
class Send:
    """``NdisSendNetBufferLists`` / ``FilterSendNetBufferLists`` / ``NdisFSendNetBufferLists`` /
    ``MiniportSendNetBufferLists``."""

    KIND: ClassVar[str] = "send"
    adapter: str
    nbl: NET_BUFFER_LIST

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, **self.nbl.trace_fields()}


@attrs.frozen
class SendComplete:
    """``NdisMSendNetBufferListsComplete`` / ``FilterSendNetBufferListsComplete`` /
    ``NdisFSendNetBufferListsComplete`` / ``ProtocolSendNetBufferListsComplete``."""

    KIND: ClassVar[str] = "send.complete"
    adapter: str
    nbl: NET_BUFFER_LIST
    status: int

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, "nbl": self.nbl.Id, "status": _status_name(self.status)}


@attrs.frozen
class Receive:
    """``NdisMIndicateReceiveNetBufferLists`` / ``FilterReceiveNetBufferLists`` /
    ``NdisFIndicateReceiveNetBufferLists``: a received packet with the receive offload results
    the miniport attached (which must respect the encapsulation gate)."""

    KIND: ClassVar[str] = "receive"
    adapter: str
    nbl_id: str
    rx_checksum_offloaded: bool
    rsc_coalesced: bool = False

    def trace_fields(self) -> dict[str, Any]:
        return {
            "adapter": self.adapter,
            "nbl": self.nbl_id,
            "rx_checksum": self.rx_checksum_offloaded,
            "rsc": self.rsc_coalesced,
        }


# -- administration ------------------------------------------------------------------------------


@attrs.frozen
class WmiRequest:
    """A WMI operation on an adapter's NDIS GUID (spec 6.1): ``method`` for the query GUIDs
    (``GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG`` ...), ``set`` for
    ``GUID_NDIS_TCP_OFFLOAD_PARAMETERS``.  NDIS maps it to the OID, or answers from its cache."""

    KIND: ClassVar[str] = "wmi.request"
    guid: str
    adapter: str
    operation: str
    request_id: int
    buffer: Any = None

    def trace_fields(self) -> dict[str, Any]:
        fields = {
            "guid": self.guid,
            "adapter": self.adapter,
            "operation": self.operation,
            "request_id": self.request_id,
        }
        if self.buffer is not None:
            fields["buffer"] = type(self.buffer).C_NAME
        return fields


@attrs.frozen
class WmiComplete:
    """The WMI answer: the status of the mapped OID and the returned structure, if any."""

    KIND: ClassVar[str] = "wmi.complete"
    guid: str
    adapter: str
    request_id: int
    status: int
    buffer: Any = None

    def trace_fields(self) -> dict[str, Any]:
        fields = {
            "guid": self.guid,
            "adapter": self.adapter,
            "request_id": self.request_id,
            "status": _status_name(self.status),
        }
        if self.buffer is not None:
            fields["buffer"] = type(self.buffer).C_NAME
        return fields


@attrs.frozen
class RegistryWrite:
    """``Set-NetAdapterAdvancedProperty``: a keyword written straight to the adapter's class key
    (PS/Set-NetAdapterAdvancedProperty.md); the miniport sees it at its next initialize."""

    KIND: ClassVar[str] = "registry.write"
    adapter: str
    keyword: str
    value: str

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, "keyword": self.keyword, "value": self.value}


@attrs.frozen
class RegistryRead:
    """``Get-NetAdapterAdvancedProperty``: read the adapter's keywords (the CIM provider reads the
    class key; here NDIS owns the store, so the read goes through it)."""

    KIND: ClassVar[str] = "registry.read"
    adapter: str
    request_id: int

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, "request_id": self.request_id}


@attrs.frozen
class RegistryValues:
    """The answer to ``RegistryRead``: every text value of the adapter's class key, with the
    display name and display value its ``Ndi\\params`` metadata gives (or ``None``)."""

    KIND: ClassVar[str] = "registry.values"
    adapter: str
    request_id: int
    #: (RegistryKeyword, RegistryValue, DisplayName or None, DisplayValue or None)
    values: tuple[tuple[str, str, str | None, str | None], ...]

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, "request_id": self.request_id, "count": len(self.values)}


@attrs.frozen
class AdapterControl:
    """A device-level operation from the administrator or the scenario: ``restart`` (disable
    then enable, what the NetAdapter cmdlets do unless -NoRestart), ``disable``, ``enable``,
    ``surprise_remove``, and ``attach_filter`` / ``detach_filter`` of the filter module
    ``filter`` (a binding change in the network configuration: NDIS pauses the running stack,
    inserts or removes the module and restarts it, N/restarting-a-driver-stack.md)."""

    KIND: ClassVar[str] = "adapter.control"
    adapter: str
    operation: str
    filter: str = ""

    def trace_fields(self) -> dict[str, Any]:
        fields = {"adapter": self.adapter, "operation": self.operation}
        if self.filter:
            fields["filter"] = self.filter
        return fields


@attrs.frozen
class PnpWorkItem:
    """NDIS to itself: the PnP work that follows a bind (or a filter attach) -- the stack restart
    -- queued for NDIS's PnP worker thread.  NDIS calls a protocol's ProtocolStatusEx and
    ProtocolOidRequestComplete from the threads the miniport indicates and completes on, and
    the restart from its PnP thread (N/starting-a-driver-stack.md step 8), so until this item is
    delivered the bus may hand NDIS (and through it the Paused bindings) anything else that is
    enabled: the *bind window*.  ``step`` names the plan step the window follows."""

    KIND: ClassVar[str] = "pnp.work"
    adapter: str
    step: str

    def trace_fields(self) -> dict[str, Any]:
        return {"adapter": self.adapter, "step": self.step}


# -- scenario and timers -------------------------------------------------------------------------


@attrs.frozen
class Command:
    """The scenario (or an actor to itself, as a timer) asks an actor to do something."""

    KIND: ClassVar[str] = "command"
    name: str
    args: tuple[tuple[str, Any], ...] = ()

    def arg(self, key: str, default: Any = None) -> Any:
        for k, v in self.args:
            if k == key:
                return v
        return default

    def trace_fields(self) -> dict[str, Any]:
        return {"command": self.name, **{k: _plain(v) for k, v in self.args}}


def _plain(value: Any) -> Any:
    """A JSON-able rendering of a command argument for the trace."""
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    c_name = getattr(type(value), "C_NAME", None)
    if c_name is not None:
        return c_name
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return type(value).__name__
