"""The drivers together, through the real bus and NDIS library, with every invariant monitor on.

These are small end-to-end checks of the driver contracts the unit tests take one message at a
time: bring-up, the offload change sequence, stale senders, the vendor keyword, chimney.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio

from stack.drivers import EncapsulationState, TcpIpProtocol
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED,
    NDIS_OID_REQUEST,
    NdisStatus,
    Oid,
    ProtocolBindingState,
)
from stack.runtime import NET_BUFFER_LIST
from stack.scenario import RunResult, ScenarioFile, run_stack

S = NdisStatus


def run(fn: Callable[[Any], Awaitable[None]]) -> RunResult:
    scenario = ScenarioFile(
        path=Path(__file__), name=fn.__name__, fn=fn, sha256="", description=fn.__doc__ or ""
    )
    return trio.run(lambda: run_stack(scenario))


def test_bring_up_binds_tcpip_and_activates_offload() -> None:
    async def bring_up(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.tcpip("tcpip", bind=["nic0"])
        await stack.start()

    result = run(bring_up)
    assert result.passed, result.failure
    tcpip: TcpIpProtocol = result.stack.drivers["tcpip"]
    view = tcpip.view("nic0")
    assert view.binding is ProtocolBindingState.Running
    assert view.encapsulation is EncapsulationState.SET and view.offload_usable
    assert view.current == result.stack.ndis.adapters["nic0"].current


def test_lso_disabled_by_the_admin_reaches_tcpip_and_no_send_asks_for_it() -> None:
    async def disable_lso(stack: Any) -> None:
        nic = stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=3)
        tcpip = stack.tcpip("tcpip", bind=["nic0"])
        await stack.start()
        stack.send("tcpip", count=3, length=30000)
        await stack.settle()
        stack.expect(tcpip.view("nic0").lso_nbls == 3, "LSO is used while on")
        stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso")
        await stack.settle()
        stack.expect(stack.admin.last().ok, "the WMI set succeeded")
        stack.send("tcpip", count=3, length=30000, ip=6)
        await stack.settle()
        stack.expect(tcpip.view("nic0").lso_nbls == 3, "no LSO after the change")
        stack.expect(nic.offload_off_sends == 0, "the miniport never saw a stale request")

    result = run(disable_lso)
    assert result.passed, result.failure


def test_a_sender_that_ignores_indications_is_caught_and_its_lso_sends_fail() -> None:
    async def stale(stack: Any) -> None:
        nic = stack.miniport("nic0", preset="intel-x710")
        stack.tcpip("tcpip", bind=["nic0"])  # sets the encapsulation
        prot = stack.ndisprot("ndisprot", bind=["nic0"])
        await stack.start()
        stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso")
        await stack.settle()
        nbl = NET_BUFFER_LIST(Id="x", DataLength=30000, LsoVersion=2, LsoMss=1460)
        stack.command("ndisprot", "send", adapter="nic0", nbl=nbl)
        await stack.settle()
        stack.expect(prot.sends_completed[-1][1] == S.NDIS_STATUS_FAILURE, "the send failed")
        stack.expect(nic.stats().offload_off == {"lsov2-off": 1}, "and was counted")

    result = run(stale)
    # ndisprot keeps no offload view, so the monitor flags it: the user-visible ordering bug.
    assert result.failure is not None and result.failure.rule == "no-stale-offload-send"


def test_vendor_keyword_survives_a_restart_of_the_adapter() -> None:
    async def vendor(stack: Any) -> None:
        nic = stack.miniport("nic0", vendor_lso_keyword="VendorLargeSend")
        stack.tcpip("tcpip", bind=["nic0"])
        await stack.start()
        stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso")
        await stack.settle()
        keywords = stack.registry.adapter("nic0")
        stack.expect(keywords.get("VendorLargeSend") == "0", "the miniport wrote its keyword")
        # An administrator turns the standardized keywords back on behind NDIS's back...
        for keyword in ("*LsoV1IPv4", "*LsoV2IPv4", "*LsoV2IPv6"):
            stack.cmdlet("Set-NetAdapterAdvancedProperty", "nic0", RegistryKeyword=keyword,
                         RegistryValue="1", NoRestart=True)  # fmt: skip
        stack.restart_adapter("nic0")
        await stack.settle()
        # ...but the vendor keyword still says off, and the driver reads both.
        stack.expect(nic.current.LsoV2.IPv4.Encapsulation == 0, "LSO stays off")

    result = run(vendor)
    assert result.passed, result.failure


def test_chimney_parameters_set_is_seen_by_tcpip_as_pause_then_resume() -> None:
    async def chimney(stack: Any) -> None:
        stack.miniport("nic0", preset="chimney-capable")
        tcpip = stack.tcpip("tcpip", bind=["nic0"])
        stack.ndisprot("ndisprot", bind=["nic0"])
        await stack.start()
        off = NDIS_OFFLOAD_PARAMETERS(
            TcpConnectionIPv4=NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED
        )
        stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, off))
        await stack.settle()
        view = tcpip.view("nic0")
        stack.expect(not view.connection_paused, "resumed")
        stack.expect(view.connection.SupportIPv4 == 0, "with IPv4 connection offload off")
        stack.expect(view.connection.SupportIPv6 == 1, "and IPv6 still on")

    result = run(chimney)
    assert result.passed, result.failure


def test_receive_checksum_reaches_tcpip_only_after_its_encapsulation_set() -> None:
    async def receive(stack: Any) -> None:
        stack.miniport("nic0", preset="realtek-basic")
        tcpip = stack.tcpip("tcpip", bind=["nic0"])
        await stack.start()
        stack.receive("nic0", count=4, ip=6)
        await stack.settle()
        view = tcpip.view("nic0")
        stack.expect(view.receives == 4, "all received")
        stack.expect(view.receives_checksum_offloaded == 4, "with hardware checksum results")

    result = run(receive)
    assert result.passed, result.failure


def test_pended_parameters_set_cancelled_by_ndisprot_completes_aborted() -> None:
    async def cancel(stack: Any) -> None:
        nic = stack.miniport("nic0", oid_completion="pend", oid_latency=50)
        prot = stack.ndisprot("ndisprot", bind=["nic0"])
        await stack.start()
        before = nic.current
        off = NDIS_OFFLOAD_PARAMETERS(LsoV1=1)
        request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, off)
        stack.command("ndisprot", "oid", adapter="nic0", request=request, request_id=5)
        await stack.advance(10)
        stack.command("ndisprot", "cancel", adapter="nic0", request_id=5)
        await stack.settle()
        result = prot.result(5)
        stack.expect(result.status == S.NDIS_STATUS_REQUEST_ABORTED, "aborted")
        stack.expect(nic.current == before, "and nothing changed")

    result = run(cancel)
    assert result.passed, result.failure
