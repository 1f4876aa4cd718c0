"""A MUX that re-applies to a late-joining member the team's parameters as they were when it
bound to the member.

Issue 14's second MUX bug: the MUX copies the team's configuration into its per-member record
when it binds (the WDK MUX sample keeps per-ADAPT state set up in ``PtBindAdapter``) and
re-applies that copy when the member joins.  A team set accepted between the bind and the join
-- while the member's capability queries are still out, so it is not a fan-out target -- is not
in the copy: the member joins with, say, LSO on after Disable-NetAdapterLso on the team.  The
team's own advertisement is the meet of its members, so nothing above notices; only comparing
the member with the team's parameters does (``mux-member-respects-team``).

The one change: the team's parameters are copied at ProtocolBindAdapterEx, and the
OID_TCP_OFFLOAD_PARAMETERS set the MUX re-applies to that member carries the copy (narrowed to
the member's hardware) instead of the team's parameters of the moment; the member's indication that
answers it is recorded as the configuration the team's parameters would have given (the MUX
trusts what it believes it asked for).  The interleaving that
exposes it: the administrator disables LSO on team0 while nic1 is being added, and the MUX binds
to nic1 before the set reaches it.  Under FIFO the set is through first.
"""

from __future__ import annotations

from typing import Any

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux, fit_parameters
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_STATUS_INDICATION,
    HardwarePolicy,
    NdisStatus,
    Oid,
    apply_offload_parameters,
)
from stack.runtime import NDIS_BIND_PARAMETERS, Message, OidRequest, PnpOp

__all__ = ["BindCopyMux"]

#: Where the RequestIds of the MUX's own requests start (``Mux.next_own_request_id`` at
#: creation).
_OWN_REQUEST_IDS = 0x4D550000


@attrs.define(eq=False)
class BindCopyMux(Mux):
    #: member -> the team's parameters when the MUX bound to it
    copies: dict[str, NDIS_OFFLOAD_PARAMETERS] = attrs.field(init=False, factory=dict)
    #: member -> the configuration the MUX predicts from the team's parameters, while the copy
    #: it actually sent is being applied
    copied: dict[str, NDIS_OFFLOAD] = attrs.field(init=False, factory=dict)

    def ProtocolBindAdapterEx(
        self, ctx: DriverContext, adapter: str, bind: NDIS_BIND_PARAMETERS | None
    ) -> None:
        for team in self.teams:
            if adapter in self.team(team).members:
                self.copies[adapter] = self.team(team).upper_parameters
        super().ProtocolBindAdapterEx(ctx, adapter, bind)

    # Every path on which the correct MUX may re-apply the team's parameters to a member.
    def ProtocolOidRequestComplete(self, ctx: DriverContext, adapter: str, request: Any,
                                   status: int) -> None:  # fmt: skip
        super().ProtocolOidRequestComplete(self._with_copy(ctx), adapter, request, status)

    def ProtocolNetPnPEvent(self, ctx: DriverContext, adapter: str, event: PnpOp) -> None:
        super().ProtocolNetPnPEvent(self._with_copy(ctx), adapter, event)

    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        predicted = self.copied.pop(adapter, None)
        if (
            predicted is not None
            and indication.StatusCode == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
        ):
            # ... and records what it believes it asked for, not what the member indicated.
            indication = attrs.evolve(indication, StatusBuffer=predicted)
        super().ProtocolStatusEx(self._with_copy(ctx), adapter, indication)

    def _with_copy(self, ctx: DriverContext) -> DriverContext:
        return _ReapplyCopy(ctx, self)


@attrs.define(eq=False)
class _ReapplyCopy:
    """The context the re-application goes through: the bug swaps in the bind-time copy."""

    inner: DriverContext
    mux: BindCopyMux

    def post(self, dst: str, message: Message, *, delay: int = 0) -> None:
        if (
            isinstance(message, OidRequest)
            and message.request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS
            and message.request.RequestId >= _OWN_REQUEST_IDS
            and message.adapter in self.mux.copies
        ):
            member = self.mux.member(message.adapter)
            if member.hardware is not None:
                copy = self.mux.copies[message.adapter]
                wanted = message.request.InformationBuffer
                if member.current is not None and isinstance(wanted, NDIS_OFFLOAD_PARAMETERS):
                    self.mux.copied[message.adapter] = apply_offload_parameters(
                        member.current, member.hardware, wanted, HardwarePolicy.CLAMP
                    ).offload
                fitted = fit_parameters(copy, member.hardware, member.connection_hardware)
                request = attrs.evolve(message.request, InformationBuffer=fitted)
                message = OidRequest(message.adapter, request)
        self.inner.post(dst, message, delay=delay)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
