"""A TCP/IP-transport-like protocol driver: the main consumer of task offload.

Theory of operation
-------------------
Per bound adapter the protocol keeps a *view* of the offload configuration and builds every send
from it, the way the Windows transport does:

* At bind it takes ``NDIS_BIND_PARAMETERS.DefaultOffloadConfiguration`` and
  ``TcpConnectionOffloadCapabilities`` and does not query
  (N/determining-task-offload-capabilities.md: use the bind parameters, then track indications).
* Once the binding is restarted (Running) it activates offload with an ``OID_OFFLOAD_ENCAPSULATION``
  set (SET_ON, NDIS_ENCAPSULATION_IEEE_802_3, HeaderSize 14, for IPv4 and IPv6) -- but only if
  some offload in its view supports that encapsulation: a protocol checks support first and asks
  only for an encapsulation at least one offload supports (N/oid-offload-encapsulation.md,
  N/enabling-and-disabling-task-offload-services.md).  Until the set succeeds it uses no offload;
  if it fails with any status, it uses no offload toward that adapter (same pages).  If it skipped
  the set because nothing supported Ethernet and a later NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
  shows support, it sets it then.
* Every NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG replaces the current view,
  NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES the hardware view, NDIS_STATUS_OFFLOAD_PAUSE /
  NDIS_STATUS_OFFLOAD_RESUME pause and resume connection offload (RESUME carries the new
  NDIS_TCP_CONNECTION_OFFLOAD, spec A16), in every binding state including Opening and Paused:
  protocols must act on capability changes that arrive as status indications
  (N/determining-task-offload-capabilities.md).
* ``send`` builds NBLs from the view (N/offloading-the-segmentation-of-large-tcp-packets.md: the
  transport offloads only TCP packets that split into at least MinSegmentCount MSS-sized segments
  and fit MaxOffLoadSize): LSOv2 if on for that IP version, else LSOv1 (IPv4 only), else plain
  MSS-sized segments; a burst larger than MaxOffLoadSize is split into several large sends.  Plain
  segments ask for transmit checksum where the view has it on.  UDP uses USO the same way.

``view(adapter)`` returns a frozen ``TcpIpView`` for the scenario.

Choices of the real transport's global configuration, as named options (README, Design):

* ``task_offload`` (default True).  False is ``netsh int ipv4 set global taskoffload=disabled``
  (``DisableTaskOffload``): the transport sends no OID_OFFLOAD_ENCAPSULATION at all and asks for
  no offload in its sends, while the miniport's current configuration stays what it reported
  (gh:virtio-win/kvm-guest-drivers-windows#1487, #1490: "it does not use OID_OFFLOAD_ENCAPSULATION
  OID", so a miniport that only learns its header offsets from that OID breaks).
* ``encapsulation_ipv4`` / ``encapsulation_ipv6`` (default ``on``): ``off`` sends
  NDIS_OFFLOAD_SET_OFF for that IP version in the OID_OFFLOAD_ENCAPSULATION set and uses no
  offload over it, as Windows does in some configurations (gh:MicrosoftDocs/windows-driver-docs#281:
  SET_OFF arrives when LSO is disabled in the driver's properties).
* ``ndis_version`` (default None: the newest revisions we know): the NDIS version the protocol was
  built for.  It reads every NDIS_OFFLOAD (bind parameters, indications, query answers) as the
  revision that version knows (``stack.ndis.NDIS_VERSIONS``), so members a newer revision added
  (RSC, USO ...) do not exist for it, and it queries with a buffer of that revision's size.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any, Final, cast

import attrs

from stack.drivers._api import ProtocolDriver
from stack.drivers._base import DriverContext, command_args, enum_option
from stack.drivers._edges import Binding
from stack.errors import BadInput
from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    CacheSlot,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NdisStatus,
    NdisVersionRevisions,
    Oid,
    ProtocolBindingState,
    at_revision,
    binding_handles_send_and_receive,
    binding_may_issue_oid_requests,
    cache_slot_of,
    encapsulation_result,
    ndis_version_revisions,
)
from stack.runtime import (
    NDIS_BIND_PARAMETERS,
    NET_BUFFER_LIST,
    Command,
    PnpOp,
    Receive,
)

__all__ = ["EncapsulationEnable", "EncapsulationState", "TcpIpProtocol", "TcpIpView"]

_S: Final = NdisStatus
#: Ethernet II header without VLAN tag: the HeaderSize a protocol passes with IEEE_802_3
#: (D/encapsulationconfig/ns-encapsulationconfig-ndis_offload_encapsulation.md).
ETHERNET_HEADER_SIZE: Final = 14


class EncapsulationState(enum.Enum):
    """Where the binding's OID_OFFLOAD_ENCAPSULATION set stands."""

    #: Not requested yet (before the first restart).
    NOT_SET = "not-set"
    #: No offload in the view supports Ethernet, so the set was not issued.
    SKIPPED = "skipped"
    PENDING = "pending"
    SET = "set"
    #: The set failed: no offload toward this adapter (N/oid-offload-encapsulation.md).
    FAILED = "failed"
    #: Task offload is disabled globally (``task_offload=False``): no set is ever sent.
    DISABLED = "disabled"


class EncapsulationEnable(enum.Enum):
    """What the transport asks for one IP version in its OID_OFFLOAD_ENCAPSULATION set."""

    #: NDIS_OFFLOAD_SET_ON: activate the offloads of this IP version (the default).
    ON = "on"
    #: NDIS_OFFLOAD_SET_OFF: deactivate them (gh:MicrosoftDocs/windows-driver-docs#281).
    OFF = "off"


def _encapsulation_enable(value: EncapsulationEnable | str) -> EncapsulationEnable:
    return enum_option(EncapsulationEnable)(value)


@attrs.frozen(kw_only=True)
class TcpIpView:
    """What one TCP/IP protocol believes about one adapter, and what it did with it."""

    adapter: str
    binding: ProtocolBindingState
    #: Current task-offload configuration (bind parameters, then CURRENT_CONFIG indications).
    current: NDIS_OFFLOAD | None
    #: Hardware capabilities, if it learned them (HARDWARE_CAPABILITIES indication or query).
    hardware: NDIS_OFFLOAD | None
    connection: NDIS_TCP_CONNECTION_OFFLOAD | None
    connection_paused: bool
    encapsulation: EncapsulationState
    #: Sends may carry offload requests (the encapsulation set succeeded).
    offload_usable: bool
    indications: int
    nbls_sent: int
    lso_nbls: int
    uso_nbls: int
    checksum_nbls: int
    sends_completed: int
    sends_failed: int
    receives: int
    receives_checksum_offloaded: int


@attrs.define(eq=False)
class _View:
    current: NDIS_OFFLOAD | None = None
    hardware: NDIS_OFFLOAD | None = None
    connection: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_paused: bool = False
    encapsulation: EncapsulationState = EncapsulationState.NOT_SET
    indications: int = 0
    nbls_sent: int = 0
    lso_nbls: int = 0
    uso_nbls: int = 0
    checksum_nbls: int = 0
    sends_completed: int = 0
    sends_failed: int = 0
    receives: int = 0
    receives_checksum_offloaded: int = 0


def _encapsulation_request(
    ipv4: EncapsulationEnable = EncapsulationEnable.ON,
    ipv6: EncapsulationEnable = EncapsulationEnable.ON,
) -> NDIS_OFFLOAD_ENCAPSULATION:
    def enabled(choice: EncapsulationEnable) -> int:
        return NDIS_OFFLOAD_SET_ON if choice is EncapsulationEnable.ON else NDIS_OFFLOAD_SET_OFF

    return NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
            Enabled=enabled(ipv4),
            EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3,
            HeaderSize=ETHERNET_HEADER_SIZE,
        ),
        IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(
            Enabled=enabled(ipv6),
            EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3,
            HeaderSize=ETHERNET_HEADER_SIZE,
        ),
    )


# Options are converted and validated as the scenario passes them (``__init__``); the driver's
# own state changes on every message, and attrs' per-assignment hook would cost each of them.
@attrs.define(eq=False, on_setattr=attrs.setters.NO_OP)
class TcpIpProtocol(ProtocolDriver):
    """A TCP/IP-like protocol on ``ProtocolDriver``; bind it to one or more adapters."""

    name: str = "tcpip"
    #: Link MTU; the MSS is MTU - 40 over IPv4 and MTU - 60 over IPv6 (IP + TCP headers).
    mtu: int = 1500
    #: Also query OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES after each restart (off: the transport
    #: relies on bind parameters and indications, N/determining-task-offload-capabilities.md).
    query_hardware: bool = False
    #: Task offload globally enabled (module docstring; False: ``taskoffload=disabled``).
    task_offload: bool = True
    #: NDIS_OFFLOAD_SET_ON or _OFF for IPv4 / IPv6 in the encapsulation set (module docstring).
    encapsulation_ipv4: EncapsulationEnable = attrs.field(
        default=EncapsulationEnable.ON, converter=_encapsulation_enable
    )
    encapsulation_ipv6: EncapsulationEnable = attrs.field(
        default=EncapsulationEnable.ON, converter=_encapsulation_enable
    )
    #: The NDIS version it was built for (module docstring); None: the newest revisions.
    ndis_version: str | None = None

    _views: dict[str, _View] = attrs.field(init=False, factory=dict)
    _revisions: NdisVersionRevisions | None = attrs.field(init=False, default=None)
    _next_request_id: int = attrs.field(init=False, default=1)
    _next_nbl: int = attrs.field(init=False, default=1)

    def __attrs_post_init__(self) -> None:
        if self.mtu < 576:
            raise BadInput(f"{self.name}: mtu {self.mtu} is below the IPv4 minimum 576")
        if self.ndis_version is not None:
            try:
                self._revisions = ndis_version_revisions(self.ndis_version)
            except ValueError as error:
                raise BadInput(f"{self.name}: {error}") from None

    def _read(self, offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
        """``offload`` as this protocol's NDIS version reads it (module docstring)."""
        if self._revisions is None or offload.Header.Revision <= self._revisions.offload:
            return offload
        return at_revision(offload, self._revisions.offload)

    # -- inspection ----------------------------------------------------------------------------

    def view(self, adapter: str) -> TcpIpView:
        """A frozen snapshot of this protocol's view of ``adapter``."""
        binding = self.binding(adapter)
        view = self._views.get(adapter)
        if binding is None or view is None:
            raise BadInput(f"{self.name} has never been bound to {adapter!r}")
        return TcpIpView(
            adapter=adapter,
            binding=binding.state,
            current=view.current,
            hardware=view.hardware,
            connection=view.connection,
            connection_paused=view.connection_paused,
            encapsulation=view.encapsulation,
            offload_usable=self._offload_usable(view),
            indications=view.indications,
            nbls_sent=view.nbls_sent,
            lso_nbls=view.lso_nbls,
            uso_nbls=view.uso_nbls,
            checksum_nbls=view.checksum_nbls,
            sends_completed=view.sends_completed,
            sends_failed=view.sends_failed,
            receives=view.receives,
            receives_checksum_offloaded=view.receives_checksum_offloaded,
        )

    @staticmethod
    def _offload_usable(view: _View) -> bool:
        return view.encapsulation is EncapsulationState.SET and view.current is not None

    def on_command(self, ctx: DriverContext, command: Command) -> None:
        if command.name != "send":
            raise BadInput(f"{self.name}: unknown command {command.name!r} (known: send)")
        self._on_send_command(command, ctx)

    # -- binding -------------------------------------------------------------------------------

    def ProtocolBindAdapterEx(
        self, ctx: DriverContext, adapter: str, bind: NDIS_BIND_PARAMETERS | None
    ) -> None:
        view = _View()
        if bind is not None:
            current = bind.DefaultOffloadConfiguration
            view.current = None if current is None else self._read(current)
            view.connection = bind.TcpConnectionOffloadCapabilities
        self._views[adapter] = view

    def ProtocolNetPnPEvent(self, ctx: DriverContext, adapter: str, event: PnpOp) -> None:
        if event is not PnpOp.NetEventRestart:
            return
        # The stack may have been reconfigured while paused (N/restarting-a-binding.md):
        # activate offload again from the view we hold now.
        binding = self.binding(adapter)
        assert binding is not None
        view = self._views[adapter]
        view.encapsulation = EncapsulationState.NOT_SET
        self._activate_offload(binding, view, ctx)
        if self.query_hardware:
            # A buffer of the revision it knows: NDIS answers at that revision.
            length = (
                None if self._revisions is None else NDIS_OFFLOAD.size_for(self._revisions.offload)
            )
            self._issue(binding, NDIS_OID_REQUEST.query(
                Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, InformationBufferLength=length),
                ctx)  # fmt: skip

    def _issue(self, binding: Binding, request: NDIS_OID_REQUEST, ctx: DriverContext) -> None:
        request = attrs.evolve(request, RequestHandle=self.name, RequestId=self._next_request_id)
        self._next_request_id += 1
        self.NdisOidRequest(ctx, binding.adapter, request)

    def _activate_offload(self, binding: Binding, view: _View, ctx: DriverContext) -> None:
        if not binding_may_issue_oid_requests(binding.state) or view.current is None:
            return
        if not self.task_offload:
            # taskoffload=disabled: no OID_OFFLOAD_ENCAPSULATION at all (#1487, #1490).
            view.encapsulation = EncapsulationState.DISABLED
            ctx.note("tcpip.task_offload.disabled", adapter=binding.adapter)
            return
        request = _encapsulation_request(self.encapsulation_ipv4, self.encapsulation_ipv6)
        if encapsulation_result(view.current, request) != _S.NDIS_STATUS_SUCCESS:
            view.encapsulation = EncapsulationState.SKIPPED
            ctx.note("tcpip.encapsulation.skipped", adapter=binding.adapter)
            return
        view.encapsulation = EncapsulationState.PENDING
        self._issue(binding, NDIS_OID_REQUEST.set(Oid.OID_OFFLOAD_ENCAPSULATION, request), ctx)

    def ProtocolOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        view = self._views[adapter]
        if request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION:
            ok = status == _S.NDIS_STATUS_SUCCESS
            view.encapsulation = EncapsulationState.SET if ok else EncapsulationState.FAILED
            if not ok:
                ctx.note("tcpip.offload.unusable", adapter=adapter,
                         status=_status_name(status))  # fmt: skip
        elif request.Oid == Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
            buffer = request.InformationBuffer
            if status == _S.NDIS_STATUS_SUCCESS and isinstance(buffer, NDIS_OFFLOAD):
                view.hardware = self._read(buffer)

    # -- status indications --------------------------------------------------------------------

    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        view = self._views[adapter]
        view.indications += 1
        code = indication.StatusCode
        buffer = indication.StatusBuffer
        # Connection offload is paused and resumed by these two statuses (the host's own rule);
        # which view an indication replaces is the OID table's slot for it (stack.ndis).
        if code == _S.NDIS_STATUS_OFFLOAD_PAUSE:
            view.connection_paused = True
        elif code == _S.NDIS_STATUS_OFFLOAD_RESUME:
            view.connection_paused = False
        slot = cache_slot_of(code, buffer)
        if slot is CacheSlot.CURRENT:
            view.current = self._read(cast(NDIS_OFFLOAD, buffer))
            binding = self.binding(adapter)
            if (
                binding is not None
                and view.encapsulation is EncapsulationState.SKIPPED
                and binding.state is ProtocolBindingState.Running
            ):
                self._activate_offload(binding, view, ctx)
        elif slot is CacheSlot.HARDWARE:
            view.hardware = self._read(cast(NDIS_OFFLOAD, buffer))
        elif slot is CacheSlot.CONNECTION_CURRENT:
            view.connection = cast(NDIS_TCP_CONNECTION_OFFLOAD, buffer)
        # CONNECTION_HARDWARE: the host only re-reads what it may offload on the next RESUME.

    # -- data path -----------------------------------------------------------------------------

    def _mss(self, ip: int) -> int:
        return self.mtu - (60 if ip == 6 else 40)

    def _on_send_command(self, command: Command, ctx: DriverContext) -> None:
        args = command_args(self.name, command, ("adapter", "count", "length", "ip", "protocol"))
        adapter = args.get("adapter")
        bound = self.adapters
        if adapter is None:
            if len(bound) != 1:
                raise BadInput(f"{self.name}: send needs adapter= (bound to "
                               f"{', '.join(bound) or 'nothing'})")  # fmt: skip
            adapter = bound[0]
        count = int(args.get("count", 1))
        length = int(args.get("length", 1460))
        ip = int(args.get("ip", 4))
        protocol = str(args.get("protocol", "tcp"))
        if ip not in (4, 6) or protocol not in ("tcp", "udp") or length <= 0 or count < 0:
            raise BadInput(
                f"{self.name}: send needs ip 4|6, protocol tcp|udp, length > 0, count >= 0"
            )
        binding = self.binding(adapter)
        view = self._views.get(adapter)
        if binding is None or view is None or not binding_handles_send_and_receive(binding.state):
            state = binding.state.value if binding else "Unbound"
            ctx.note("tcpip.send.refused", adapter=adapter, state=state, count=count)
            return
        for _ in range(count):
            for nbl in self._build(view, length, ip, protocol):
                view.nbls_sent += 1
                view.lso_nbls += bool(nbl.LsoMss)
                view.uso_nbls += bool(nbl.UsoMss)
                view.checksum_nbls += bool(
                    nbl.TcpChecksum or nbl.UdpChecksum or nbl.IpHeaderChecksum
                )
                self.NdisSendNetBufferLists(ctx, adapter, nbl)

    def _nbl(self, **fields: Any) -> NET_BUFFER_LIST:
        nbl = NET_BUFFER_LIST(Id=f"{self.name}#{self._next_nbl}", **fields)
        self._next_nbl += 1
        return nbl

    def _build(self, view: _View, length: int, ip: int, protocol: str) -> Iterator[NET_BUFFER_LIST]:
        """The NBLs for one burst of ``length`` payload bytes, built from the view."""
        mss = self._mss(ip)
        current = view.current if self._offload_usable(view) else None
        if (self.encapsulation_ipv6 if ip == 6 else self.encapsulation_ipv4) is (
            EncapsulationEnable.OFF
        ):
            current = None  # SET_OFF deactivated every offload of this IP version
        segmentation = _segmentation(current, ip, protocol)
        remaining = length
        if segmentation is not None:
            kind, version, max_size, min_segments = segmentation
            floor = mss * max(min_segments, 2)
            while remaining >= floor:
                chunk = min(remaining, max_size)
                if kind == "lso":
                    yield self._nbl(DataLength=chunk, IpVersion=ip, Protocol=protocol,
                                    LsoVersion=version, LsoMss=mss)  # fmt: skip
                else:
                    yield self._nbl(DataLength=chunk, IpVersion=ip, Protocol=protocol, UsoMss=mss)
                remaining -= chunk
        checksum = _transmit_checksum(current, ip, protocol)
        while remaining > 0:
            chunk = min(remaining, mss)
            yield self._nbl(DataLength=chunk, IpVersion=ip, Protocol=protocol, **checksum)
            remaining -= chunk

    def ProtocolSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        view = self._views[adapter]
        view.sends_completed += 1
        if status != _S.NDIS_STATUS_SUCCESS:
            view.sends_failed += 1

    def ProtocolReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        view = self._views[adapter]
        view.receives += 1
        view.receives_checksum_offloaded += receive.rx_checksum_offloaded


def _segmentation(
    current: NDIS_OFFLOAD | None, ip: int, protocol: str
) -> tuple[str, int, int, int] | None:
    """(kind, LSO version, MaxOffLoadSize, MinSegmentCount) of the large-send offload to use."""
    if current is None:
        return None
    version = f"IPv{ip}"
    if protocol == "udp":
        uso = getattr(current.UdpSegmentation, version)
        return ("uso", 0, uso.MaxOffLoadSize, uso.MinSegmentCount) if uso.Encapsulation else None
    v2 = getattr(current.LsoV2, version)
    if v2.Encapsulation and v2.MaxOffLoadSize:
        return ("lso", 2, v2.MaxOffLoadSize, v2.MinSegmentCount)
    v1 = current.LsoV1.IPv4
    if ip == 4 and v1.Encapsulation and v1.MaxOffLoadSize:
        return ("lso", 1, v1.MaxOffLoadSize, v1.MinSegmentCount)
    return None


def _transmit_checksum(current: NDIS_OFFLOAD | None, ip: int, protocol: str) -> dict[str, bool]:
    if current is None:
        return {}
    block = getattr(current.Checksum, f"IPv{ip}Transmit")
    flags = {}
    if ip == 4 and block.IpChecksum == 1:
        flags["IpHeaderChecksum"] = True
    if protocol == "tcp" and block.TcpChecksum == 1:
        flags["TcpChecksum"] = True
    if protocol == "udp" and block.UdpChecksum == 1:
        flags["UdpChecksum"] = True
    return flags


def _status_name(status: int) -> str:
    try:
        return NdisStatus(status).name
    except ValueError:
        return f"0x{status:08X}"
