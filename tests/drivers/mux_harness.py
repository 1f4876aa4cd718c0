"""A harness for driving the MUX by hand with a RecordingContext (no bus).

``Harness`` plays NDIS and the member miniports for the MUX's protocol edge, synchronously and
only when asked: it answers the capability queries NDIS answers from its cache, and applies the
parameter / encapsulation sets the MUX sends down the way a miniport does (indication and
completion in the order asked for).  Everything the MUX posts stays in ``ctx.posts`` for the test
to read.
"""

from __future__ import annotations

from typing import Any

import attrs

from stack.drivers import PRESETS, RecordingContext
from stack.drivers.mux import Mux
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    HardwarePolicy,
    NdisStatus,
    Oid,
    apply_offload_parameters,
    current_config_from_keywords,
    encapsulation_result,
)
from stack.runtime import (
    NDIS_BIND_PARAMETERS,
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    NET_BUFFER_LIST,
    AdapterControl,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Send,
    SendComplete,
    StatusIndication,
)

S = NdisStatus


@attrs.define(eq=False)
class Ctx(RecordingContext):
    """A RecordingContext with the bus's fault-injection decisions (scripted per site)."""

    faults: dict[str, int] = attrs.field(factory=dict)
    sites: list[str] = attrs.field(factory=list)

    def decide(self, site: str, count: int) -> int:
        self.sites.append(site)
        return self.faults.get(site, 0)


@attrs.define(eq=False)
class Nic:
    """What NDIS and the miniport know about one member adapter."""

    hardware: NDIS_OFFLOAD
    current: NDIS_OFFLOAD
    connection: NDIS_TCP_CONNECTION_OFFLOAD | None = None


def nic(preset: str, **keywords: str) -> Nic:
    profile = PRESETS[preset]
    current = current_config_from_keywords(profile.offload, keywords)
    return Nic(profile.offload, current, profile.connection)


@attrs.define(eq=False)
class Harness:
    mux: Mux
    ctx: Ctx
    nics: dict[str, Nic]
    team: str = "team0"
    #: MUX requests NDIS has "forwarded" to a member and not answered yet.
    outstanding: list[OidRequest] = attrs.field(factory=list)
    _seen: int = 0

    @classmethod
    def make(
        cls,
        members: dict[str, str | Nic],
        *,
        mode: str = "failover",
        team: str = "team0",
        faults: dict[str, int] | None = None,
        **options: Any,
    ) -> Harness:
        mux = Mux(name="mux", **options)
        mux.add_team(team, members=list(members), mode=mode)
        nics = {name: nic(p) if isinstance(p, str) else p for name, p in members.items()}
        return cls(mux, Ctx(faults=dict(faults or {})), nics, team)

    # -- delivering ----------------------------------------------------------------------------

    def deliver(self, message: Any, *, src: str = "ndis") -> None:
        self.ctx.deliver(self.mux, message, src=src)
        self._collect()

    def _collect(self) -> None:
        for dst, message, _ in self.ctx.posts[self._seen :]:
            if dst == "ndis" and isinstance(message, OidRequest) and message.adapter in self.nics:
                self.outstanding.append(message)
        self._seen = len(self.ctx.posts)

    def take(self) -> list[Any]:
        posts = [m for _, m, _ in self.ctx.take()]
        self._seen = 0
        return posts

    # -- the protocol edge ---------------------------------------------------------------------

    def bind(self, adapter: str, *, answer: bool = True) -> None:
        nic = self.nics[adapter]
        bind = NDIS_BIND_PARAMETERS(
            AdapterName=adapter,
            DefaultOffloadConfiguration=nic.current,
            TcpConnectionOffloadCapabilities=nic.connection,
        )
        self.deliver(Pnp(PnpOp.ProtocolBindAdapterEx, adapter, bind=bind))
        if answer:
            self.answer(adapter)

    def restart(self, adapter: str, *, answer: bool = True) -> None:
        self.deliver(Pnp(PnpOp.NetEventRestart, adapter))
        if answer:
            self.answer(adapter)

    def join(self, *adapters: str) -> None:
        for adapter in adapters or tuple(self.nics):
            self.bind(adapter)
            self.restart(adapter)

    def indicate(self, adapter: str, code: int, buffer: object) -> None:
        indication = NDIS_STATUS_INDICATION.indicate(adapter, code, buffer)
        self.deliver(StatusIndication(adapter, indication))

    def change_current(self, adapter: str, current: NDIS_OFFLOAD) -> None:
        """The member's miniport changed its configuration on its own and says so."""
        self.nics[adapter].current = current
        self.indicate(adapter, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, current)

    def answer(
        self,
        adapter: str | None = None,
        *,
        status: int | None = None,
        echo: str = "before",
        count: int | None = None,
    ) -> list[OidRequest]:
        """Complete the outstanding requests (of ``adapter``) as NDIS / the miniport would.

        ``status`` forces a completion status; ``echo`` is where the CURRENT_CONFIG indication a
        successful set requires goes: ``before`` the completion, ``after`` it, or ``none``.
        """
        done: list[OidRequest] = []
        while True:
            todo = [m for m in self.outstanding if adapter is None or m.adapter == adapter]
            if not todo or (count is not None and len(done) >= count):
                return done
            message = todo[0]
            self.outstanding.remove(message)
            done.append(message)
            self._answer_one(message, status, echo)

    def _answer_one(self, message: OidRequest, status: int | None, echo: str) -> None:
        adapter, request = message.adapter, message.request
        nic = self.nics[adapter]
        if request.Oid == Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
            result = request.completed(InformationBuffer=nic.hardware)
            self.deliver(OidComplete(adapter, result, S.NDIS_STATUS_SUCCESS))
            return
        if request.Oid == Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES:
            if nic.connection is None:
                self.deliver(OidComplete(adapter, request, S.NDIS_STATUS_NOT_SUPPORTED))
            else:
                result = request.completed(InformationBuffer=nic.connection)
                self.deliver(OidComplete(adapter, result, S.NDIS_STATUS_SUCCESS))
            return
        buffer = request.InformationBuffer
        new = nic.current
        if isinstance(buffer, NDIS_OFFLOAD_PARAMETERS):
            outcome = apply_offload_parameters(
                nic.current, nic.hardware, buffer, HardwarePolicy.INVALID_DATA
            )
            natural = outcome.status
            new = outcome.offload
        elif isinstance(buffer, NDIS_OFFLOAD_ENCAPSULATION):
            natural = encapsulation_result(nic.current, buffer)
        else:
            natural = S.NDIS_STATUS_NOT_SUPPORTED
        final = natural if status is None else status
        ok = final == S.NDIS_STATUS_SUCCESS
        if ok:
            nic.current = new
        completion = OidComplete(adapter, request.completed() if ok else request, final)
        if ok and echo == "before":
            self.indicate(adapter, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, nic.current)
        self.deliver(completion)
        if ok and echo == "after":
            self.indicate(adapter, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, nic.current)

    def complete_sends(self, status: int = S.NDIS_STATUS_SUCCESS) -> list[Send]:
        sends = [m for _, m, _ in self.ctx.posts if isinstance(m, Send) and m.adapter in self.nics]
        for send in sends:
            self.deliver(SendComplete(send.adapter, send.nbl, status))
        return sends

    # -- the virtual miniport ------------------------------------------------------------------

    def start(
        self, keywords: tuple[tuple[str, str], ...] = ()
    ) -> NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES:
        """MiniportInitializeEx and MiniportRestart; returns the offload attributes."""
        self.deliver(Pnp(PnpOp.MiniportInitializeEx, self.team, keywords=keywords))
        self.answer()
        done = [
            m
            for _, m, _ in self.ctx.posts
            if isinstance(m, Pnp) and m.operation is PnpOp.InitializeComplete
        ]
        assert done and done[-1].attributes is not None, "MiniportInitializeEx did not complete"
        self.deliver(Pnp(PnpOp.MiniportRestart, self.team))
        return done[-1].attributes

    def running(self, *adapters: str) -> None:
        """Join the members and bring the virtual miniport to Running."""
        self.join(*adapters)
        self.start()
        self.take()

    def upper(self, request: NDIS_OID_REQUEST) -> None:
        self.deliver(OidRequest(self.team, request))

    def send(self, nbl: NET_BUFFER_LIST) -> None:
        self.deliver(Send(self.team, nbl))

    # -- reading what went up ------------------------------------------------------------------

    def indications(self) -> list[tuple[str, Any]]:
        """(status name, buffer) of every indication the MUX made on the team, in order."""
        return [
            (NdisStatus(m.indication.StatusCode).name, m.indication.StatusBuffer)
            for _, m, _ in self.ctx.posts
            if isinstance(m, StatusIndication) and m.adapter == self.team
        ]

    def upward(self, kind: type) -> list[Any]:
        return [
            m
            for _, m, _ in self.ctx.posts
            if isinstance(m, kind) and getattr(m, "adapter", None) == self.team
        ]

    def controls(self) -> list[AdapterControl]:
        return [m for _, m, _ in self.ctx.posts if isinstance(m, AdapterControl)]

    def notes(self, kind: str) -> list[dict[str, Any]]:
        return [dict(fields) for k, fields in self.ctx.notes if k == kind]
