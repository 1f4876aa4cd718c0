"""A minimal ndisprot-like protocol: issues the OIDs (and raw sends) the scenario asks for and
records everything that comes back.

Modelled on the WDK sample (microsoft/Windows-driver-samples network/ndis/ndisprot/6x/sys):

* OIDs go out only on an active binding; otherwise the request is refused locally with
  NDIS_STATUS_INVALID_DATA, as ``ndisprotValidateOpenAndDoRequest`` does when the open is not
  ``NPROTO_BIND_ACTIVE`` (so also while Closing: behaviours-and-bugs.md 20, "refuse new OIDs").
  Each request gets ``RequestHandle`` = this driver and a RequestId from its own counter, like
  ``NPROT_GET_NEXT_CANCEL_ID``; the scenario may choose the id to cancel it later.
* Status indications are recorded and otherwise ignored: ``NdisprotStatus`` only notes reset and
  link state and passes the rest to user mode.  In particular it keeps no offload view.
* Unbind completes only once its own OID requests have completed (``ndisprotShutdownBinding``
  waits for pended I/O before ``NdisCloseAdapterEx``).

Results are kept in order (``results``, ``indications``) for the scenario to read.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from stack.drivers._api import ProtocolDriver
from stack.drivers._base import DriverContext, command_args
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NdisStatus,
    ProtocolBindingState,
    binding_handles_send_and_receive,
)
from stack.runtime import (
    NET_BUFFER_LIST,
    Command,
    Receive,
)

__all__ = ["NdisprotIndication", "NdisprotProtocol", "NdisprotResult"]

#: Binding states in which ndisprot's open is "bind active" (after NdisOpenAdapterEx completed and
#: before the unbind started).
_ACTIVE = frozenset(
    {
        ProtocolBindingState.Paused,
        ProtocolBindingState.Restarting,
        ProtocolBindingState.Running,
        ProtocolBindingState.Pausing,
    }
)


@attrs.frozen(kw_only=True)
class NdisprotResult:
    """One finished OID request, in completion order."""

    adapter: str
    request_id: int
    oid: int
    status: int
    #: The request as it came back (InformationBuffer, BytesWritten/BytesNeeded,
    #: SupportedRevision); for a locally refused request, the request as issued.
    request: NDIS_OID_REQUEST
    #: Virtual tick of the completion.
    tick: int
    #: True when ndisprot refused it without calling NDIS (binding not active).
    local: bool = False

    @property
    def buffer(self) -> object | None:
        """The returned InformationBuffer (a query's answer)."""
        buffer: object | None = self.request.InformationBuffer
        return buffer

    @property
    def status_name(self) -> str:
        try:
            return NdisStatus(self.status).name
        except ValueError:
            return f"0x{self.status:08X}"


@attrs.frozen(kw_only=True)
class NdisprotIndication:
    """One status indication ndisprot received."""

    adapter: str
    status: int
    buffer: object | None
    tick: int


@attrs.define(eq=False)
class NdisprotProtocol(ProtocolDriver):
    """The ndisprot-like protocol on ``ProtocolDriver``; commands: ``oid``, ``cancel``,
    ``send``."""

    name: str = "ndisprot"
    #: It hands on what its user-mode client asks (IOCTL_NDISPROT_QUERY/SET_OID_VALUE) without
    #: using any offload itself, so a request is the client's choice, not a protocol's
    #: judgement (the ``encapsulation-within-support`` monitor leaves it alone).
    PASSES_USER_REQUESTS: ClassVar[bool] = True

    results: list[NdisprotResult] = attrs.field(init=False, factory=list)
    indications: list[NdisprotIndication] = attrs.field(init=False, factory=list)
    receives: int = attrs.field(init=False, default=0)
    sends_completed: list[tuple[str, int]] = attrs.field(init=False, factory=list)
    _next_request_id: int = attrs.field(init=False, default=1)
    _next_nbl: int = attrs.field(init=False, default=1)

    # -- inspection ----------------------------------------------------------------------------

    def binding_state(self, adapter: str) -> ProtocolBindingState:
        binding = self.binding(adapter)
        return binding.state if binding is not None else ProtocolBindingState.Unbound

    def pending(self, adapter: str) -> list[int]:
        """RequestIds issued on ``adapter`` and not completed yet, in issue order."""
        binding = self.binding(adapter)
        return list(binding.pending_oids) if binding is not None else []

    def result(self, request_id: int) -> NdisprotResult | None:
        """The completion of ``request_id``, if it has completed."""
        return next((r for r in self.results if r.request_id == request_id), None)

    # -- callbacks -----------------------------------------------------------------------------

    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        self.indications.append(
            NdisprotIndication(
                adapter=adapter,
                status=indication.StatusCode,
                buffer=indication.StatusBuffer,
                tick=ctx.now,
            )
        )

    def ProtocolSendNetBufferListsComplete(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST, status: int
    ) -> None:
        self.sends_completed.append((nbl.Id, status))

    def ProtocolReceiveNetBufferLists(
        self, ctx: DriverContext, adapter: str, receive: Receive
    ) -> None:
        self.receives += 1

    def ProtocolOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        self.results.append(
            NdisprotResult(
                adapter=adapter,
                request_id=request.RequestId,
                oid=request.Oid,
                status=status,
                request=request,
                tick=ctx.now,
            )
        )

    # -- commands ------------------------------------------------------------------------------

    def on_command(self, ctx: DriverContext, command: Command) -> None:
        if command.name == "oid":
            self._on_oid_command(command, ctx)
        elif command.name == "cancel":
            args = command_args(self.name, command, ("adapter", "request_id"),
                                ("adapter", "request_id"))  # fmt: skip
            self.NdisCancelOidRequest(ctx, args["adapter"], int(args["request_id"]))
        elif command.name == "send":
            self._on_send_command(command, ctx)
        else:
            raise BadInput(
                f"{self.name}: unknown command {command.name!r} (known: oid, cancel, send)"
            )

    def _on_oid_command(self, command: Command, ctx: DriverContext) -> None:
        args = command_args(self.name, command, ("adapter", "request", "request_id"),
                            ("adapter", "request"))  # fmt: skip
        adapter = args["adapter"]
        request = args["request"]
        if not isinstance(request, NDIS_OID_REQUEST):
            raise BadInput(f"{self.name}: oid needs request= an NDIS_OID_REQUEST")
        request_id = int(args.get("request_id", self._next_request_id))
        self._next_request_id = max(self._next_request_id, request_id + 1)
        request = attrs.evolve(request, RequestHandle=self.name, RequestId=request_id)
        binding = self.binding(adapter)
        if binding is None or binding.state not in _ACTIVE:
            refused = NdisprotResult(
                adapter=adapter,
                request_id=request_id,
                oid=request.Oid,
                status=NdisStatus.NDIS_STATUS_INVALID_DATA,
                request=request,
                tick=ctx.now,
                local=True,
            )
            self.results.append(refused)
            return
        if request_id in binding.pending_oids:
            raise BadInput(f"{self.name}: request id {request_id} is already outstanding")
        self.NdisOidRequest(ctx, adapter, request)

    def _on_send_command(self, command: Command, ctx: DriverContext) -> None:
        """Send NBLs exactly as given (a user-mode app writing raw frames with OOB data)."""
        args = command_args(self.name, command, ("adapter", "nbl", "count"), ("adapter", "nbl"))
        adapter = args["adapter"]
        template: Any = args["nbl"]
        if not isinstance(template, NET_BUFFER_LIST):
            raise BadInput(f"{self.name}: send needs nbl= a NET_BUFFER_LIST")
        binding = self.binding(adapter)
        if binding is None or not binding_handles_send_and_receive(binding.state):
            ctx.note("ndisprot.send.refused", adapter=adapter)
            return
        for _ in range(int(args.get("count", 1))):
            nbl = attrs.evolve(template, Id=f"{self.name}#{self._next_nbl}")
            self._next_nbl += 1
            self.NdisSendNetBufferLists(ctx, adapter, nbl)
