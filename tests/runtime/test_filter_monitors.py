"""The filter layer's monitors fire on a planted bad filter, stay silent on correct ones, and the
existing monitors do not mistake a hop through a filter for the miniport's edge."""

from __future__ import annotations

from typing import Any

import attrs

from stack.drivers import FilterDriver, PassthroughFilter
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NdisStatus,
    Oid,
)
from stack.runtime import NDIS_FILTER_ATTACH_PARAMETERS, NET_BUFFER_LIST

InlineRunner = Any  # the run_inline fixture of conftest.py
S = NdisStatus
RSC_OFF = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
CURRENT = S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG


async def run_with(
    run_inline: InlineRunner, driver: FilterDriver, drive: Any = None, **miniport: Any
) -> Any:
    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset=miniport.pop("preset", "intel-x710"), **miniport)
        stack.add_filter(driver, adapter="nic0")
        stack.tcpip("tcpip", bind=["nic0"])
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        if drive is not None:
            await drive(stack)
        await stack.settle()

    return await run_inline(scenario)


async def set_rsc_off(stack: Any) -> None:
    stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))


# -- filter-call-window ----------------------------------------------------------------------


@attrs.define(eq=False)
class IndicatesWhileAttaching(PassthroughFilter):
    def FilterAttach(
        self, ctx: Any, adapter: str, params: NDIS_FILTER_ATTACH_PARAMETERS
    ) -> NDIS_FILTER_ATTACH_PARAMETERS | int:
        indication = NDIS_STATUS_INDICATION.indicate(
            self.name, CURRENT, params.DefaultOffloadConfiguration
        )
        self.NdisFIndicateStatus(ctx, adapter, indication)
        return super().FilterAttach(ctx, adapter, params)


async def test_an_indication_from_filter_attach_trips_filter_call_window(
    run_inline: InlineRunner,
) -> None:
    result = await run_with(run_inline, IndicatesWhileAttaching("early"))
    assert result.failure is not None and result.failure.rule == "filter-call-window"
    assert "before FilterAttach returned" in result.failure.reason
    assert any(r["kind"] == "ndis.filter.indication_dropped" for r in result.trace.records)


# -- filter-view-converges -------------------------------------------------------------------


@attrs.define(eq=False)
class AttachSnapshot(PassthroughFilter):
    """xdp-for-windows#56's shape: keeps its attach-time view, swallows CURRENT_CONFIG."""

    def FilterStatus(self, ctx: Any, adapter: str, indication: NDIS_STATUS_INDICATION) -> None:
        if indication.StatusCode != CURRENT:
            super().FilterStatus(ctx, adapter, indication)


async def test_a_filter_that_swallows_a_configuration_change_trips_filter_view_converges(
    run_inline: InlineRunner,
) -> None:
    result = await run_with(run_inline, AttachSnapshot("stale"), set_rsc_off)
    assert result.failure is not None and result.failure.rule == "filter-view-converges"
    assert "Rsc.IPv4.Enabled" in result.failure.reason


@attrs.define(eq=False)
class QuietMask(FilterDriver):
    """Masks RSC and drops the indications its rewriting makes no difference to: legal."""

    def rewrite_offload(self, adapter: str, offload: Any) -> Any:
        from stack.ndis import mask_offload

        return mask_offload(offload, {"rsc"})

    def FilterStatus(self, ctx: Any, adapter: str, indication: NDIS_STATUS_INDICATION) -> None:
        buffer = indication.StatusBuffer
        edge = self.edge(adapter)
        if indication.StatusCode == CURRENT and self.rewrite_offload(adapter, buffer) == (
            edge.reported_current
        ):
            return
        super().FilterStatus(ctx, adapter, indication)


async def test_dropping_an_indication_that_changes_nothing_above_is_legal(
    run_inline: InlineRunner,
) -> None:
    result = await run_with(run_inline, QuietMask("quiet"), set_rsc_off)
    assert result.passed, result.failure
    records = result.trace.records
    # (The filter's own indication at FilterRestart reaches the Paused bindings at bring-up.)
    asked = next(i for i, r in enumerate(records) if r["kind"] == "command" and r["dst"] == "prot")
    dropped = [
        r
        for r in records[asked:]
        if r["kind"] == "status.indicate" and r["src"] == "ndis" and r["dst"] == "prot"
    ]
    assert dropped == []  # nothing reached the protocols: RSC was already off above


# -- filter-pause-idle -----------------------------------------------------------------------


@attrs.define(eq=False)
class HoldsSends(PassthroughFilter):
    """Completes every send upward at once and pauses at once, while the NBLs it passed down are
    still in the miniport's hands (npcap#390's shape: pause success with sends in flight)."""

    def FilterSendNetBufferLists(self, ctx: Any, adapter: str, nbl: NET_BUFFER_LIST) -> None:
        self.NdisFSendNetBufferLists(ctx, adapter, nbl)
        self.NdisFSendNetBufferListsComplete(ctx, adapter, nbl, S.NDIS_STATUS_SUCCESS)

    def FilterPause(self, ctx: Any, adapter: str) -> None:
        self.NdisFPauseComplete(ctx, adapter)


async def test_a_filter_completing_pause_with_nbls_held_trips_filter_pause_idle(
    run_inline: InlineRunner,
) -> None:
    async def drive(stack: Any) -> None:
        stack.send("tcpip", adapter="nic0", count=1, length=1000)
        await stack.advance(1)
        stack.restart_adapter("nic0")

    result = await run_with(run_inline, HoldsSends("holder"), drive, send_latency=10)
    assert result.failure is not None and result.failure.rule == "filter-pause-idle"
    assert "holding NBL(s) tcpip#1" in result.failure.reason


@attrs.define(eq=False)
class PausesWithOwnOid(PassthroughFilter):
    """Issues a set of its own in FilterPause and completes the pause before it returns."""

    def FilterPause(self, ctx: Any, adapter: str) -> None:
        request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF)
        self.NdisFOidRequest(ctx, adapter, self.own_request(request))
        self.NdisFPauseComplete(ctx, adapter)


async def test_a_filter_completing_pause_with_its_oid_outstanding_trips_filter_pause_idle(
    run_inline: InlineRunner,
) -> None:
    async def drive(stack: Any) -> None:
        stack.restart_adapter("nic0")

    result = await run_with(
        run_inline, PausesWithOwnOid("eager"), drive, oid_completion="pend", oid_latency=5
    )
    assert result.failure is not None and result.failure.rule == "filter-pause-idle"
    assert "OID request(s)" in result.failure.reason


async def test_the_correct_filter_waits_for_its_sends_before_completing_pause(
    run_inline: InlineRunner,
) -> None:
    async def drive(stack: Any) -> None:
        stack.send("tcpip", adapter="nic0", count=1, length=1000)
        await stack.advance(1)
        stack.restart_adapter("nic0")

    result = await run_with(run_inline, PassthroughFilter("lwf"), drive, send_latency=10)
    assert result.passed, result.failure
    kinds = [
        (r["kind"], r.get("operation"))
        for r in result.trace.records
        if r.get("src") == "lwf" and r.get("dst") == "ndis"
    ]
    assert kinds.index(("send.complete", None)) < kinds.index(("pnp", "FilterPauseComplete"))


# -- filter-cancel-reaches-clone -------------------------------------------------------------


@attrs.define(eq=False)
class IgnoresCancel(PassthroughFilter):
    """Registers a cancel handler and does nothing in it (behaviours-and-bugs.md, bug class 5)."""

    def FilterCancelOidRequest(self, ctx: Any, adapter: str, request_id: int) -> None:
        pass


async def test_a_filter_that_drops_a_cancel_trips_filter_cancel_reaches_clone(
    run_inline: InlineRunner,
) -> None:
    async def drive(stack: Any) -> None:
        request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF, RequestId=9)
        stack.oid("prot", "nic0", request)
        await stack.advance(2)
        stack.command("prot", "cancel", adapter="nic0", request_id=9)

    result = await run_with(
        run_inline, IgnoresCancel("deaf"), drive, oid_completion="pend", oid_latency=20
    )
    assert result.failure is not None and result.failure.rule == "filter-cancel-reaches-clone"
    assert "request 9" in result.failure.reason


# -- the existing monitors across a filter ---------------------------------------------------


async def test_pause_and_resume_passed_on_by_a_filter_is_not_a_resume_without_pause(
    run_inline: InlineRunner,
) -> None:
    async def drive(stack: Any) -> None:
        params = NDIS_OFFLOAD_PARAMETERS(
            TcpConnectionIPv6=NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED
        )
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))

    result = await run_with(run_inline, PassthroughFilter("lwf"), drive, preset="chimney-capable")
    assert result.passed, result.failure
    resumes = [
        r["src"]
        for r in result.trace.records
        if r["kind"] == "status.indicate" and r["status"] == "NDIS_STATUS_OFFLOAD_RESUME"
    ]
    assert resumes[:3] == ["nic0", "ndis", "lwf"]


async def test_an_indication_a_filter_drops_is_not_owed_to_the_protocols(
    run_inline: InlineRunner,
) -> None:
    @attrs.define(eq=False)
    class DropsResume(PassthroughFilter):
        """Drops chimney indications (legal: N/filter-module-status-indications.md)."""

        def FilterStatus(self, ctx: Any, adapter: str, indication: NDIS_STATUS_INDICATION) -> None:
            if indication.StatusCode not in (
                S.NDIS_STATUS_OFFLOAD_PAUSE,
                S.NDIS_STATUS_OFFLOAD_RESUME,
            ):
                super().FilterStatus(ctx, adapter, indication)

    async def drive(stack: Any) -> None:
        params = NDIS_OFFLOAD_PARAMETERS(
            TcpConnectionIPv6=NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED
        )
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))

    result = await run_with(run_inline, DropsResume("drop"), drive, preset="chimney-capable")
    assert result.passed, result.failure  # indication-broadcast owes nothing for a dropped one


async def test_a_masked_cache_answer_is_coherent_and_serialization_covers_filter_modules(
    run_inline: InlineRunner,
) -> None:
    from stack.drivers import OffloadMaskingFilter

    async def drive(stack: Any) -> None:
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG))
        await set_rsc_off(stack)
        await set_rsc_off(stack)

    result = await run_with(run_inline, OffloadMaskingFilter("mask"), drive)
    assert result.passed, result.failure


@attrs.define(eq=False)
class DoubleHanded(PassthroughFilter):
    """Passes its request down twice at once (a second clone while the first is out)."""

    def FilterOidRequest(self, ctx: Any, adapter: str, request: NDIS_OID_REQUEST) -> None:
        super().FilterOidRequest(ctx, adapter, request)
        clone = attrs.evolve(request, RequestHandle=self.name)
        self.NdisFOidRequest(ctx, adapter, self.own_request(clone))


async def test_ndis_serializes_a_filter_modules_requests_to_the_miniport(
    run_inline: InlineRunner,
) -> None:
    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=5)
        stack.add_filter(DoubleHanded("low"), adapter="nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        await set_rsc_off(stack)
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure  # oid-serialization watched the miniport and the module
    at_nic = [
        r["kind"]
        for r in result.trace.records
        if r["kind"] in ("oid.request", "oid.complete")
        and "nic0" in (r.get("src"), r.get("dst"))
        and r.get("src") != r.get("dst")
    ]
    assert at_nic == ["oid.request", "oid.complete", "oid.request", "oid.complete"]
