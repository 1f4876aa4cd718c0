"""The N-layer stack: NDIS routes PnP, OIDs, indications and data through every filter module,
and keeps what each layer sees."""

from __future__ import annotations

from typing import Any

import attrs

from stack.drivers import FilterDriver, OffloadMaskingFilter, PassthroughFilter
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    FilterModuleState,
    NdisStatus,
    Oid,
)
from stack.runtime import NDIS_FILTER_DRIVER_CHARACTERISTICS, NET_BUFFER_LIST

InlineRunner = Any  # the run_inline fixture of conftest.py
S = NdisStatus
RSC_OFF = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
LSO_OFF = NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)


def pnp(result: Any, adapter: str = "nic0") -> list[str]:
    """``dst:operation`` of every PnP call NDIS made on ``adapter``, in order."""
    return [
        f"{r['dst']}:{r['operation']}"
        for r in result.trace.records
        if r["kind"] == "pnp" and r.get("src") == "ndis" and r.get("adapter") == adapter
    ]


def oid_hops(result: Any, oid: Oid, request_id: int) -> list[tuple[str, str, str]]:
    return [
        (r["src"], r["dst"], r["origin"])
        for r in result.trace.records
        if r["kind"] == "oid.request" and r["oid"] == oid.name and r["request_id"] == request_id
    ]


async def two_filters(stack: Any, **miniport: Any) -> dict[str, Any]:
    nic = stack.miniport("nic0", preset="intel-x710", **miniport)
    low = stack.filter("low", adapter="nic0")
    high = stack.filter("high", adapter="nic0", kind="mask", masked=("lso",), filter_class="vpn")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    prot = stack.ndisprot("prot", bind=["nic0"])
    await stack.start()
    return {"nic": nic, "low": low, "high": high, "tcpip": tcpip, "prot": prot}


async def test_bring_up_attaches_and_restarts_bottom_up_and_teardown_pauses_and_detaches_top_down(
    run_inline: InlineRunner,
) -> None:
    async def scenario(stack: Any) -> None:
        await two_filters(stack)
        stack.restart_adapter("nic0")
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    calls = pnp(result)
    # N/starting-a-driver-stack.md steps 3-8: the protocols bind while everything below is
    # Paused, then N/restarting-a-driver-stack.md restarts the stack bottom-up.
    assert calls[:10] == [
        "nic0:MiniportInitializeEx",
        "low:FilterAttach",
        "high:FilterAttach",
        "tcpip:ProtocolBindAdapterEx",
        "prot:ProtocolBindAdapterEx",
        "nic0:MiniportRestart",
        "low:FilterRestart",
        "high:FilterRestart",
        "tcpip:NetEventRestart",
        "prot:NetEventRestart",
    ]
    teardown = calls[10:20]
    assert teardown == [
        "tcpip:NetEventPause",
        "prot:NetEventPause",
        "high:FilterPause",
        "low:FilterPause",
        "nic0:MiniportPause",
        "tcpip:ProtocolUnbindAdapterEx",
        "prot:ProtocolUnbindAdapterEx",
        "high:FilterDetach",
        "low:FilterDetach",
        "nic0:MiniportHaltEx",
    ]
    assert calls[20:23] == ["nic0:MiniportInitializeEx", "low:FilterAttach", "high:FilterAttach"]


async def test_filters_stack_by_class_then_declaration_whatever_the_declaration_order(
    run_inline: InlineRunner,
) -> None:
    layers: list[Any] = []

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        stack.filter("sched", adapter="nic0", filter_class="scheduler")
        stack.filter("diag1", adapter="nic0", filter_class="diagnostic")
        stack.filter("diag2", adapter="nic0", filter_class="diagnostic")
        await stack.start()
        layers.extend(layer.name for layer in stack.layers("nic0"))

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert layers == ["nic0", "diag1", "diag2", "sched"]


async def test_each_filter_is_attached_with_the_view_below_it_and_protocols_bind_to_the_top(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        drivers = await two_filters(stack)
        seen.update(drivers)
        seen["layers"] = stack.layers("nic0")

    result = await run_inline(scenario)
    assert result.passed, result.failure
    miniport, low, high = seen["layers"]
    assert seen["low"].edge("nic0").below_current == miniport.view.current
    assert seen["high"].edge("nic0").below_current == low.view.current == miniport.view.current
    assert high.view.current.LsoV2.IPv4.Encapsulation == 0
    assert miniport.view.current.LsoV2.IPv4.Encapsulation != 0
    assert high.view.hardware == miniport.view.hardware  # the attach parameters carry no hardware
    assert seen["tcpip"].view("nic0").current == high.view.current


async def test_an_oid_goes_down_as_a_clone_with_the_original_request_id_through_each_filter(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        seen.update(await two_filters(stack))
        stack.oid(
            "prot",
            "nic0",
            NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF, RequestId=41),
        )
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert oid_hops(result, Oid.OID_TCP_OFFLOAD_PARAMETERS, 41) == [
        ("prot", "ndis", "prot"),
        ("ndis", "high", "prot"),
        ("high", "ndis", "high"),
        ("ndis", "low", "high"),
        ("low", "ndis", "low"),
        ("ndis", "nic0", "low"),
    ]
    [done] = seen["prot"].results
    assert done.status == S.NDIS_STATUS_SUCCESS and done.request.RequestHandle == "prot"
    assert done.request.SupportedRevision  # the miniport's result came back up both filters
    # keywords were written as NDIS handed the set to the miniport, not to the first filter
    kinds = [(r["kind"], r.get("dst")) for r in result.trace.records]
    assert kinds.index(("registry.write", None)) > kinds.index(("oid.request", "low"))
    assert result.stack.registry.adapter("nic0").get("*RscIPv4") == "0"
    assert seen["tcpip"].view("nic0").current.Rsc.IPv4.Enabled == 0


async def test_a_filter_without_an_oid_handler_is_passed_by(run_inline: InlineRunner) -> None:
    @attrs.define(eq=False)
    class NoOids(PassthroughFilter):
        CHARACTERISTICS = NDIS_FILTER_DRIVER_CHARACTERISTICS(
            OidRequestHandler=False, CancelOidRequestHandler=False
        )

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        stack.add_filter(NoOids("quiet"), adapter="nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.oid(
            "prot",
            "nic0",
            NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF, RequestId=5),
        )
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert oid_hops(result, Oid.OID_TCP_OFFLOAD_PARAMETERS, 5) == [
        ("prot", "ndis", "prot"),
        ("ndis", "nic0", "prot"),
    ]


async def test_cached_queries_are_answered_from_the_view_below_the_requester(
    run_inline: InlineRunner,
) -> None:
    @attrs.define(eq=False)
    class Asking(PassthroughFilter):
        answers: list[Any] = attrs.field(factory=list)

        def FilterRestart(self, ctx: Any, adapter: str) -> None:
            query = NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG)
            self.NdisFOidRequest(ctx, adapter, self.own_request(query))
            super().FilterRestart(ctx, adapter)

        def FilterOidRequestComplete(
            self, ctx: Any, adapter: str, request: NDIS_OID_REQUEST, status: int
        ) -> None:
            self.answers.append(request.InformationBuffer)
            super().FilterOidRequestComplete(ctx, adapter, request, status)

    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.filter("mask", adapter="nic0", kind="mask", masked=("lso",))
        seen["asking"] = stack.add_filter(
            Asking("asking", filter_class="scheduler"), adapter="nic0"
        )
        seen["prot"] = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG))
        await stack.settle()
        seen["layers"] = stack.layers("nic0")

    result = await run_inline(scenario)
    assert result.passed, result.failure
    miniport, mask, asking = seen["layers"]
    # the filter on top asked from below itself: the masking filter's view ...
    assert seen["asking"].answers == [mask.view.current]
    # ... and the protocol from the top, which is the same here (asking passes it through)
    assert seen["prot"].results[-1].buffer == asking.view.current == mask.view.current
    assert mask.view.current != miniport.view.current
    assert not [
        r
        for r in result.trace.records
        if r["kind"] == "oid.request"
        and r["src"] == "ndis"
        and r["oid"] == "OID_TCP_OFFLOAD_CURRENT_CONFIG"
    ]


async def test_indications_pass_every_filter_and_the_masking_one_rewrites_them(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        seen.update(await two_filters(stack))
        stack.wmi_set_parameters(
            "nic0", "Enable-NetAdapterLso"
        )  # LSO is on below; it stays masked above
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
        await stack.settle()
        seen["layers"] = stack.layers("nic0")

    result = await run_inline(scenario)
    assert result.passed, result.failure
    path = [
        (r["src"], r["dst"])
        for r in result.trace.records
        if r["kind"] == "status.indicate" and r["src"] in ("nic0", "low", "high")
    ]
    assert path[-2:] == [("low", "ndis"), ("high", "ndis")]
    miniport, low, high = seen["layers"]
    assert low.view.current == miniport.view.current and miniport.view.current.Rsc.IPv4.Enabled == 0
    assert (
        high.view.current.Rsc.IPv4.Enabled == 0 and high.view.current.LsoV2.IPv4.Encapsulation == 0
    )
    heard = [i.buffer for i in seen["prot"].indications if i.status == 0x40020006]
    assert heard[-1] == high.view.current


async def test_sends_and_receives_cross_every_filter_and_the_mask_strips_what_it_hides(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.filter("low", adapter="nic0")
        stack.filter(
            "mask", adapter="nic0", kind="mask", masked=("checksum",), filter_class="scheduler"
        )
        seen["prot"] = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        # ndisprot sends what it is given, against the view it was told (the monitor would say
        # so): here that stands for NBLs built before the mask was known.
        stack.bus.monitors[:] = [m for m in stack.bus.monitors if m.id != "no-stale-offload-send"]
        lso = NET_BUFFER_LIST(Id="x", DataLength=30000, LsoVersion=2, LsoMss=1460)
        checksummed = NET_BUFFER_LIST(Id="y", DataLength=1000, TcpChecksum=True)
        stack.command("prot", "send", adapter="nic0", nbl=lso)
        stack.command("prot", "send", adapter="nic0", nbl=checksummed)
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    completions = dict(seen["prot"].sends_completed)
    assert completions == {"prot#1": S.NDIS_STATUS_FAILURE, "prot#2": S.NDIS_STATUS_SUCCESS}
    at_nic = [r for r in result.trace.records if r["kind"] == "send" and r["dst"] == "nic0"]
    assert [(r["nbl"], r["offloads"]) for r in at_nic] == [("prot#2", [])]

    def hops(nbl: str) -> list[tuple[str, str]]:
        return [
            (r["src"], r["dst"])
            for r in result.trace.records
            if r["kind"] == "send" and r["nbl"] == nbl
        ]

    assert hops("prot#1") == [("prot", "ndis"), ("ndis", "mask")]  # refused by the mask
    assert hops("prot#2") == [
        ("prot", "ndis"),
        ("ndis", "mask"),
        ("mask", "ndis"),
        ("ndis", "low"),
        ("low", "ndis"),
        ("ndis", "nic0"),
    ]


async def test_a_filter_restart_pauses_and_restarts_only_the_stack_above_it(
    run_inline: InlineRunner,
) -> None:
    async def scenario(stack: Any) -> None:
        await two_filters(stack)
        stack.command("low", "restart", adapter="nic0")
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert pnp(result)[10:] == [
        "tcpip:NetEventPause",
        "prot:NetEventPause",
        "high:FilterPause",
        "low:FilterPause",
        "low:FilterRestart",
        "high:FilterRestart",
        "tcpip:NetEventRestart",
        "prot:NetEventRestart",
    ]


async def test_inserting_a_filter_into_a_running_stack_pauses_attaches_and_republishes(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        seen["tcpip"] = stack.tcpip("tcpip", bind=["nic0"])
        await stack.start()
        seen["before"] = seen["tcpip"].view("nic0").current
        stack.filter("mask", adapter="nic0", kind="mask", masked=("lso",))
        await stack.settle()
        seen["after"] = seen["tcpip"].view("nic0").current
        seen["top"] = stack.top_view("nic0").current
        stack.remove_filter("mask", adapter="nic0")
        await stack.settle()
        seen["layers"] = [layer.name for layer in stack.layers("nic0")]

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert seen["before"].LsoV2.IPv4.Encapsulation != 0
    assert seen["after"] == seen["top"] and seen["after"].LsoV2.IPv4.Encapsulation == 0
    calls = pnp(result)
    inserted = calls.index("mask:FilterAttach")
    assert calls[inserted - 2 : inserted + 4] == [
        "tcpip:NetEventPause",
        "nic0:MiniportPause",
        "mask:FilterAttach",
        "nic0:MiniportRestart",
        "mask:FilterRestart",
        "tcpip:NetEventRestart",
    ]
    removed = calls.index("mask:FilterDetach")
    assert calls[removed - 3 : removed + 3] == [
        "tcpip:NetEventPause",
        "mask:FilterPause",
        "nic0:MiniportPause",
        "mask:FilterDetach",
        "nic0:MiniportRestart",
        "tcpip:NetEventRestart",
    ]
    assert seen["layers"] == ["nic0"]


async def test_a_cancel_reaches_the_clone_through_the_filter_or_ndis_for_one_without_a_handler(
    run_inline: InlineRunner,
) -> None:
    @attrs.define(eq=False)
    class NoCancel(PassthroughFilter):
        CHARACTERISTICS = NDIS_FILTER_DRIVER_CHARACTERISTICS(CancelOidRequestHandler=False)

    async def run(filter_driver: FilterDriver) -> Any:
        seen: dict[str, Any] = {}

        async def scenario(stack: Any) -> None:
            stack.miniport("nic0", oid_completion="pend", oid_latency=20)
            stack.add_filter(filter_driver, adapter="nic0")
            seen["prot"] = stack.ndisprot("prot", bind=["nic0"])
            await stack.start()
            stack.oid(
                "prot",
                "nic0",
                NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF, RequestId=9),
            )
            await stack.advance(2)
            stack.command("prot", "cancel", adapter="nic0", request_id=9)
            await stack.settle()

        return await run_inline(scenario), seen["prot"]

    for driver in (PassthroughFilter("lwf"), NoCancel("lwf")):
        result, prot = await run(driver)
        assert result.passed, result.failure
        assert [r.status for r in prot.results] == [S.NDIS_STATUS_REQUEST_ABORTED]
        cancels = [(r["src"], r["dst"]) for r in result.trace.records if r["kind"] == "oid.cancel"]
        if isinstance(driver, NoCancel):
            assert cancels == [("prot", "ndis"), ("ndis", "nic0")]
        else:
            assert cancels == [("prot", "ndis"), ("ndis", "lwf"), ("lwf", "ndis"), ("ndis", "nic0")]


async def test_a_filter_oid_from_filter_detach_is_refused_closing_and_flagged(
    run_inline: InlineRunner,
) -> None:
    @attrs.define(eq=False)
    class LateCleanup(PassthroughFilter):
        """xdp-for-windows#212: sends its cleanup OID from FilterDetach."""

        def FilterDetach(self, ctx: Any, adapter: str) -> None:
            request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, LSO_OFF)
            self.NdisFOidRequest(ctx, adapter, self.own_request(request))

    async def scenario(stack: Any, *, watched: bool = True) -> None:
        stack.miniport("nic0")
        stack.add_filter(LateCleanup("xdp"), adapter="nic0")
        if not watched:
            stack.bus.monitors[:] = [m for m in stack.bus.monitors if m.id != "filter-call-window"]
        await stack.start()
        stack.restart_adapter("nic0")
        await stack.settle()

    result = await run_inline(scenario)
    assert result.failure is not None and result.failure.rule == "filter-call-window"
    assert "from FilterDetach" in result.failure.reason
    refused = [r for r in result.trace.records if r["kind"] == "ndis.filter.oid_refused"]
    assert refused and refused[0]["state"] == "Detached"

    async def unwatched(stack: Any) -> None:
        await scenario(stack, watched=False)

    result = await run_inline(unwatched)
    assert result.passed, result.failure
    completion = [
        r for r in result.trace.records if r["kind"] == "oid.complete" and r.get("dst") == "xdp"
    ]
    assert [r["status"] for r in completion] == ["NDIS_STATUS_CLOSING"]
    assert not [
        r for r in result.trace.records if r["kind"] == "oid.request" and r.get("dst") == "nic0"
    ]  # it never went down


async def test_the_encapsulation_merge_happens_as_ndis_hands_the_set_to_the_top_filter(
    run_inline: InlineRunner,
) -> None:
    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.filter("lwf", adapter="nic0")
        stack.tcpip("tcpip", bind=["nic0"])
        stack.tcpip("tcpip2", bind=["nic0"])
        await stack.start()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    record = result.stack.ndis.adapters["nic0"]
    assert sorted(record.encapsulation_by_open) == ["tcpip", "tcpip2"]  # opens, not the filter


async def test_surprise_removal_tears_down_through_the_filters(run_inline: InlineRunner) -> None:
    async def scenario(stack: Any) -> None:
        await two_filters(stack, oid_completion="pend", oid_latency=5)
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
        await stack.advance(1)
        stack.surprise_remove("nic0")
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    layers = result.stack.layers("nic0")
    assert [layer.state for layer in layers] == ["Halted", "Detached", "Detached"]


async def test_the_filter_reattach_fault_detaches_and_attaches_a_module_around_a_set(
    run_inline: InlineRunner,
) -> None:
    from test_fault_sites import Scripted  # the scripted strategy of the NDIS fault-site tests

    async def scenario(stack: Any) -> None:
        seen.update(await two_filters(stack, oid_completion="pend", oid_latency=3))
        script.update({"ndis.filter.reattach": [2]})
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
        await stack.settle()

    seen: dict[str, Any] = {}
    script: dict[str, list[int]] = {}
    result = await run_inline(scenario, strategy=Scripted(script))
    assert result.passed, result.failure
    calls = pnp(result)[10:]
    assert calls.index("high:FilterDetach") < calls.index("high:FilterAttach")
    assert "low:FilterDetach" not in calls
    assert [r.status for r in seen["prot"].results] == [S.NDIS_STATUS_SUCCESS]
    top = result.stack.top_view("nic0").current
    assert seen["tcpip"].view("nic0").current == top and top.Rsc.IPv4.Enabled == 0


async def test_a_masking_filter_over_a_mux_member_is_what_the_mux_sees(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.add_filter(OffloadMaskingFilter("mask", masked=frozenset({"lso"})), adapter="nic0")
        seen["mux"] = stack.mux("team0", members=["nic0"], mode="failover")
        seen["tcpip"] = stack.tcpip("tcpip", bind=["team0"])
        await stack.start()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    team = seen["mux"].team("team0")
    assert team.current.LsoV2.IPv4.Encapsulation == 0
    assert team.hardware == result.stack.top_view("nic0").hardware
    assert seen["tcpip"].view("team0").current == team.current


async def test_stack_filter_calls_refuse_bad_input_with_one_clear_line(
    run_inline: InlineRunner,
) -> None:
    import pytest

    from stack.errors import BadInput

    cases = [
        (lambda s: s.filter("f", adapter="nic9"), "no adapter named 'nic9'"),
        (lambda s: s.filter("f", adapter="nic0", kind="sniffer"), "filter kind 'sniffer'"),
        (lambda s: s.filter("f", adapter="nic0", filter_class="firewall"), "FilterClass"),
        (lambda s: s.remove_filter("f", adapter="nic0"), "has no filter 'f'"),
        (
            lambda s: [s.filter("f", adapter="nic0"), s.filter("f", adapter="nic0", kind="mask")],
            "is not a mask filter",
        ),
        (lambda s: s.add_filter(PassthroughFilter("nic0"), adapter="nic0"), "two drivers"),
    ]
    for build, message in cases:

        async def scenario(stack: Any, build: Any = build) -> None:
            stack.miniport("nic0")
            build(stack)

        with pytest.raises(BadInput, match=message):
            await run_inline(scenario)


async def test_one_filter_driver_on_two_adapters_has_a_module_on_each(
    run_inline: InlineRunner,
) -> None:
    seen: dict[str, Any] = {}

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        stack.miniport("nic1")
        seen["lwf"] = stack.filter("lwf", adapter=["nic0", "nic1"])
        stack.tcpip("tcpip", bind=["nic0", "nic1"])
        await stack.start()

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert seen["lwf"].adapters == ["nic0", "nic1"]
    assert all(seen["lwf"].edge(a).state is FilterModuleState.Running for a in ("nic0", "nic1"))


async def test_the_ndis_fault_sites_keep_working_with_filters_in_the_stack(
    run_inline: InlineRunner,
) -> None:
    from test_fault_sites import Scripted

    for site, option in (("ndis.pause_during_oid", 1), ("ndis.surprise_remove", 1)):
        seen: dict[str, Any] = {}
        script: dict[str, list[int]] = {}

        async def scenario(
            stack: Any,
            site: str = site,
            option: int = option,
            seen: Any = seen,
            script: Any = script,
        ) -> None:
            seen.update(await two_filters(stack, oid_completion="pend", oid_latency=3))
            script[site] = [option]
            stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
            await stack.settle()

        result = await run_inline(scenario, strategy=Scripted(script))
        assert result.passed, (site, result.failure)
        assert len(seen["prot"].results) == 1
        calls = pnp(result)[10:]
        if site == "ndis.pause_during_oid":
            assert calls == [
                "tcpip:NetEventPause", "prot:NetEventPause", "high:FilterPause", "low:FilterPause",
                "nic0:MiniportPause", "nic0:MiniportRestart", "low:FilterRestart",
                "high:FilterRestart", "tcpip:NetEventRestart", "prot:NetEventRestart",
            ]  # fmt: skip
        else:
            assert [layer.state for layer in result.stack.layers("nic0")] == [
                "Halted",
                "Detached",
                "Detached",
            ]


async def test_a_filter_added_or_removed_while_a_pulled_nic_comes_down_waits_for_the_bring_up(
    run_inline: InlineRunner,
) -> None:
    """No pause-and-restart is planned after the halt of a surprise-removed NIC: the module is
    attached at the next bring-up (a removed one is simply gone)."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=5)
        stack.filter("old", adapter="nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
        await stack.advance(1)
        stack.surprise_remove("nic0")
        stack.filter("new", adapter="nic0")
        stack.remove_filter("old", adapter="nic0")
        await stack.settle()
        seen["down"] = [(layer.name, layer.state) for layer in stack.layers("nic0")]
        stack.enable_adapter("nic0")
        await stack.settle()
        seen["up"] = [(layer.name, layer.state) for layer in stack.layers("nic0")]

    seen: dict[str, Any] = {}
    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert seen["down"] == [("nic0", "Halted"), ("new", "Detached")]
    assert seen["up"] == [("nic0", "Running"), ("new", "Running")]
    kinds = [r["kind"] for r in result.trace.records]
    assert "ndis.filter.attach_deferred" in kinds
