"""TCP/IP's global choices: task offload disabled, per-IP-version SET_OFF, its NDIS version."""

from __future__ import annotations

import pytest

from stack.drivers import EncapsulationState, RecordingContext, TcpIpProtocol
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NdisStatus,
    Oid,
)
from stack.runtime import Command, Send
from tests.drivers.test_tcpip import bind, config, indicate, running, sends

S = NdisStatus


def test_task_offload_disabled_sends_no_encapsulation_set_and_no_offload() -> None:
    # gh:virtio-win/kvm-guest-drivers-windows#1490: with checksum offload disabled for IPv4 and
    # IPv6 Windows "does not use OID_OFFLOAD_ENCAPSULATION OID"
    protocol = TcpIpProtocol(task_offload=False)
    ctx = RecordingContext()
    requests = running(protocol, ctx, config())
    assert requests == []
    assert "tcpip.task_offload.disabled" in ctx.note_kinds()
    view = protocol.view("nic0")
    assert view.encapsulation is EncapsulationState.DISABLED and not view.offload_usable
    assert view.current == config()  # the miniport's configuration is still known
    for nbl in sends(protocol, ctx, length=64000):
        assert not nbl.nbl.offloads()


def test_set_off_for_ipv6_deactivates_ipv6_offload_only() -> None:
    # gh:MicrosoftDocs/windows-driver-docs#281: SET_OFF arrives for some configurations
    protocol = TcpIpProtocol(encapsulation_ipv6="off")
    ctx = RecordingContext()
    [request] = running(protocol, ctx, config())
    buffer = request.request.InformationBuffer
    assert request.request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION
    assert buffer.IPv4.Enabled == NDIS_OFFLOAD_SET_ON
    assert buffer.IPv6.Enabled == NDIS_OFFLOAD_SET_OFF
    assert any(s.nbl.LsoMss for s in sends(protocol, ctx, length=64000, ip=4))
    assert not any(s.nbl.offloads() for s in sends(protocol, ctx, length=64000, ip=6))


def test_both_versions_off_is_an_all_set_off_request() -> None:
    protocol = TcpIpProtocol(encapsulation_ipv4="off", encapsulation_ipv6="off")
    ctx = RecordingContext()
    [request] = running(protocol, ctx, config())
    buffer = request.request.InformationBuffer
    assert (buffer.IPv4.Enabled, buffer.IPv6.Enabled) == (NDIS_OFFLOAD_SET_OFF,) * 2
    assert protocol.view("nic0").encapsulation is EncapsulationState.SET


def test_an_unknown_encapsulation_choice_is_bad_input() -> None:
    with pytest.raises(BadInput):
        TcpIpProtocol(encapsulation_ipv4="maybe")


def udp_sends(protocol: TcpIpProtocol, ctx: RecordingContext) -> list[Send]:
    ctx.take()
    args = (("length", 8000), ("protocol", "udp"))
    ctx.deliver(protocol, Command("send", args), src="scenario")
    return ctx.messages(Send)


def test_a_6_20_protocol_reads_every_offload_structure_as_revision_2() -> None:
    protocol = TcpIpProtocol(ndis_version="6.20", query_hardware=True)
    ctx = RecordingContext()
    requests = running(protocol, ctx, config())
    view = protocol.view("nic0").current
    assert view is not None and view.Header == NDIS_OFFLOAD.header_for(2)
    assert view.UdpSegmentation.IPv4.Encapsulation == 0 and view.Rsc.IPv4.Enabled == 0
    assert view.LsoV2 == config().LsoV2
    indicate(protocol, ctx, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, config())
    assert protocol.view("nic0").current == view
    # it queries with a buffer of the revision it knows
    queries = [r.request for r in requests if r.request.is_query]
    assert [q.InformationBufferLength for q in queries] == [NDIS_OFFLOAD.size_for(2)]
    # and sends UDP without USO, which does not exist for it (a newer protocol uses it)
    assert protocol.view("nic0").offload_usable
    assert not any(s.nbl.UsoMss for s in udp_sends(protocol, ctx))
    modern = TcpIpProtocol()
    ctx = RecordingContext()
    running(modern, ctx, config())
    assert any(s.nbl.UsoMss for s in udp_sends(modern, ctx))


def test_a_protocol_without_a_version_sees_the_newest_members() -> None:
    protocol = TcpIpProtocol()
    ctx = RecordingContext()
    bind(protocol, ctx, config())
    assert protocol.view("nic0").current == config()


def test_a_bad_protocol_version_is_bad_input() -> None:
    with pytest.raises(BadInput, match="NDIS version"):
        TcpIpProtocol(ndis_version="7")
