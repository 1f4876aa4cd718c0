"""NDIS's fault-injection sites and the OID timing monitor, on the real bus and drivers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OID_REQUEST,
    NDIS_STATUS_NOT_ACCEPTED,
    OID_TCP_OFFLOAD_PARAMETERS,
)
from stack.runtime import OID_TIMEOUT_TICKS, Bus, Envelope

InlineRunner = Any  # the run_inline fixture of conftest.py

LSO_OFF = NDIS_OID_REQUEST.set(
    OID_TCP_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED),
    RequestId=7,
)


@attrs.define(eq=False)
class Scripted:
    """FIFO deliveries; each fault site answers from its script, then 0."""

    script: dict[str, list[int]]
    name: str = "scripted"
    asked: list[str] = attrs.field(factory=list)

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        return 0

    def choose_data(self, site: str, count: int, bus: Bus) -> int:
        self.asked.append(site)
        answers = self.script.get(site)
        return answers.pop(0) if answers else 0


def _kinds(result: Any, **match: str) -> list[str]:
    return [
        r.get("operation") or r.get("status") or r["kind"]
        for r in result.trace.records
        if all(r.get(k) == v for k, v in match.items())
    ]


async def _set_parameters(
    run_inline: InlineRunner, script: dict[str, list[int]], **miniport: Any
) -> tuple[Any, Any]:
    prot = []

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710", **miniport)
        prot.append(stack.ndisprot("ndisprot", bind=["nic0"]))
        stack.tcpip("tcpip", bind=["nic0"])
        await stack.start()
        script_copy.update({k: list(v) for k, v in script.items()})
        stack.oid("ndisprot", "nic0", LSO_OFF)
        await stack.settle()

    script_copy: dict[str, list[int]] = {}
    result = await run_inline(scenario, strategy=Scripted(script_copy))
    return result, prot[0]


async def test_a_nic_pulled_with_the_request_in_its_hands_completes_it_once(
    run_inline: InlineRunner,
) -> None:
    result, prot = await _set_parameters(
        run_inline, {"ndis.surprise_remove": [1]}, oid_completion="pend", oid_latency=5
    )
    assert result.passed, result.failure
    assert [r.status for r in prot.results] == [NDIS_STATUS_NOT_ACCEPTED]
    record = result.stack.ndis.adapters["nic0"]
    assert record.state.value == "Halted" and record.surprise_removed
    assert {s.value for s in record.bindings.values()} == {"Unbound"}


async def test_a_nic_pulled_before_the_request_reaches_it_refuses_it(
    run_inline: InlineRunner,
) -> None:
    result, prot = await _set_parameters(run_inline, {"ndis.surprise_remove": [2]})
    assert result.passed, result.failure
    assert [r.status for r in prot.results] == [NDIS_STATUS_NOT_ACCEPTED]
    to_nic = [
        r.get("operation") or r.get("oid")
        for r in result.trace.records
        if r.get("dst") == "nic0" and r["kind"] in ("pnp", "oid.request")
    ]
    removed = to_nic.index("MiniportDevicePnPEventNotify")
    assert to_nic[removed + 1] == OID_TCP_OFFLOAD_PARAMETERS.name


async def test_a_pause_racing_the_request_pauses_and_restarts_the_stack(
    run_inline: InlineRunner,
) -> None:
    result, prot = await _set_parameters(
        run_inline, {"ndis.pause_during_oid": [1]}, oid_completion="pend", oid_latency=5
    )
    assert result.passed, result.failure
    assert [r.status for r in prot.results] == [0]
    assert _kinds(result, kind="pnp", dst="nic0")[-2:] == ["MiniportPause", "MiniportRestart"]
    assert _kinds(result, kind="pnp", dst="tcpip")[-2:] == ["NetEventPause", "NetEventRestart"]
    record = result.stack.ndis.adapters["nic0"]
    assert record.state.value == "Running"
    assert {s.value for s in record.bindings.values()} == {"Running"}


async def test_the_fan_out_may_start_at_any_bound_protocol(run_inline: InlineRunner) -> None:
    plain, _ = await _set_parameters(run_inline, {})
    turned, _ = await _set_parameters(run_inline, {"ndis.indicate.order": [1, 1]})

    def first_told(result: Any) -> str:
        fan_out = [
            r["dst"]
            for r in result.trace.records
            if r["kind"] == "status.indicate" and r.get("src") == "ndis"
        ]
        return str(fan_out[-2])  # the set's indication, to the two protocols

    assert turned.passed, turned.failure
    assert first_told(plain) != first_told(turned)


async def test_an_oid_held_past_twelve_seconds_trips_oid_timed_complete(
    run_inline: InlineRunner,
) -> None:
    result, _ = await _set_parameters(
        run_inline, {}, oid_completion="pend", oid_latency=OID_TIMEOUT_TICKS + 1
    )
    assert result.failure is not None and result.failure.rule == "oid-timed-complete"
    assert "12 s" in result.failure.reason
