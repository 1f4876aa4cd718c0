"""A MUX that re-applies the team's parameters to a member on every CURRENT_CONFIG it gets.

Bug class 7 of behaviours-and-bugs.md, *propagation ping-pong*: an upper device reacts to a
lower device's configuration indication by pushing its own configuration down again; the lower
applies it and indicates again (our miniports, like real ones, indicate after every successful
set, N/oid-tcp-offload-parameters.md), and the two feed each other forever.  The Linux
bond/team notifier recursions of 2020 and 2023 are the real-world source; the cure is a
re-entrancy guard and "only re-notify on an effective change" (the correct MUX's rule 2: it never
sends an OID in reaction to an indication).

The one change: on a joined member's NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, when no set the
MUX fanned out is in flight (its only guard) and the team has a configuration of its own, the
MUX sets it on that member again.  The interleaving that exposes it: another protocol on nic0
changes nic0 directly while the administrator changes team0; when nic0's indication of the
direct change reaches the MUX before the team's set does (or any echo arrives after the set
completed: a deferred indication), the guard is down, the MUX sets the team's parameters on
nic0, nic0 indicates, and so on (``liveness-step-budget``).  Under FIFO the indication arrives
while the team's set is in flight and is ignored.
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux, OwnRequest, fit_parameters
from stack.ndis import (
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NdisStatus,
    Oid,
    is_all_no_change,
)

__all__ = ["EnforcingMux"]

_JOINED = ("active", "standby", "member")


@attrs.define(eq=False)
class EnforcingMux(Mux):
    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        super().ProtocolStatusEx(ctx, adapter, indication)
        if indication.StatusCode != NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG:
            return
        member = self.member(adapter)
        if member.team is None or self.binding(adapter) is None or member.role not in _JOINED:
            return
        team = self.team(member.team)
        if (
            team.request_pending
            or is_all_no_change(team.upper_parameters)
            or member.hardware is None
        ):
            return
        # The bug: push the team's configuration down again, whatever the member reported.
        params = fit_parameters(team.upper_parameters, member.hardware, member.connection_hardware)
        ctx.note("mux.enforce", team=team.adapter, member=adapter)
        request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params)
        self.issue_own(ctx, adapter, OwnRequest.REAPPLY_PARAMETERS, request)
