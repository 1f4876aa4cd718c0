"""The TCP/IP-like protocol: its offload view and the sends it builds from it."""

from __future__ import annotations

import attrs
import pytest

from stack.drivers import (
    PRESETS,
    EncapsulationState,
    RecordingContext,
    TcpIpProtocol,
)
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    HardwarePolicy,
    NdisStatus,
    Oid,
    ProtocolBindingState,
    apply_offload_parameters,
    current_config_from_keywords,
)
from stack.runtime import (
    NDIS_BIND_PARAMETERS,
    Command,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    Send,
    SendComplete,
    StatusIndication,
)

S = NdisStatus


def config(preset: str = "intel-x710", **keywords: str) -> NDIS_OFFLOAD:
    hardware = PRESETS[preset].offload
    return current_config_from_keywords(hardware, {f"*{k}": v for k, v in keywords.items()})


def without_lso(offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
    off = NDIS_OFFLOAD_PARAMETERS(
        LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
        LsoV2IPv6=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    )
    return apply_offload_parameters(offload, offload, off, HardwarePolicy.CLAMP).offload


def bind(protocol: TcpIpProtocol, ctx: RecordingContext, current: NDIS_OFFLOAD) -> None:
    bind = NDIS_BIND_PARAMETERS(AdapterName="nic0", DefaultOffloadConfiguration=current)
    ctx.deliver(protocol, Pnp(PnpOp.ProtocolBindAdapterEx, "nic0", bind=bind))


def running(
    protocol: TcpIpProtocol,
    ctx: RecordingContext,
    current: NDIS_OFFLOAD,
    encapsulation: int | None = S.NDIS_STATUS_SUCCESS,
) -> list[OidRequest]:
    """Bind, restart, and complete the encapsulation set with ``encapsulation`` (None: leave it
    outstanding); returns the OID requests the restart issued."""
    bind(protocol, ctx, current)
    ctx.deliver(protocol, Pnp(PnpOp.NetEventRestart, "nic0"))
    requests = ctx.messages(OidRequest)
    ctx.take()
    if encapsulation is not None and requests:
        ctx.deliver(protocol, OidComplete("nic0", requests[0].request, encapsulation))
        ctx.take()
    return requests


def indicate(protocol: TcpIpProtocol, ctx: RecordingContext, code: int, buffer: object) -> None:
    indication = NDIS_STATUS_INDICATION.indicate("nic0", code, buffer)
    ctx.deliver(protocol, StatusIndication("nic0", indication))


def sends(protocol: TcpIpProtocol, ctx: RecordingContext, **args: object) -> list[Send]:
    ctx.take()
    ctx.deliver(protocol, Command("send", tuple(args.items())), src="scenario")
    return ctx.messages(Send)


# -- binding and activation ----------------------------------------------------------------------


def test_bind_takes_the_configuration_from_the_bind_parameters() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    current = config()
    bind(tcpip, ctx, current)
    (reply,) = ctx.messages(Pnp)
    assert reply.operation is PnpOp.BindComplete
    view = tcpip.view("nic0")
    assert view.binding is ProtocolBindingState.Paused
    assert view.current == current and view.hardware is None
    assert view.encapsulation is EncapsulationState.NOT_SET and not view.offload_usable
    assert ctx.messages(OidRequest) == []  # no query: bind parameters suffice


def test_restart_activates_offload_with_an_ethernet_encapsulation_set() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    bind(tcpip, ctx, config())
    ctx.take()
    ctx.deliver(tcpip, Pnp(PnpOp.NetEventRestart, "nic0"))
    restart, oid = (m for _, m, _ in ctx.posts)
    assert restart.operation is PnpOp.NetEventRestartComplete
    request = oid.request
    assert request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION and request.RequestHandle == "tcpip"
    buffer = request.InformationBuffer
    assert buffer.IPv4.EncapsulationType == 2 and buffer.IPv4.HeaderSize == 14
    assert buffer.IPv6.Enabled == 1
    assert tcpip.view("nic0").encapsulation is EncapsulationState.PENDING

    ctx.deliver(tcpip, OidComplete("nic0", request, S.NDIS_STATUS_SUCCESS))
    view = tcpip.view("nic0")
    assert view.encapsulation is EncapsulationState.SET and view.offload_usable


def test_failed_encapsulation_set_means_no_offload_toward_the_adapter() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config(), encapsulation=S.NDIS_STATUS_INVALID_PARAMETER)
    assert tcpip.view("nic0").encapsulation is EncapsulationState.FAILED
    nbls = [m.nbl for m in sends(tcpip, ctx, length=60000)]
    assert all(not n.offloads() for n in nbls)
    assert len(nbls) == -(-60000 // 1460)


def test_no_offload_until_the_encapsulation_set_completes() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config(), encapsulation=None)
    assert all(not m.nbl.offloads() for m in sends(tcpip, ctx, length=3000))


def test_encapsulation_set_is_skipped_when_nothing_supports_ethernet_then_made_later() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    nothing = config("no-offload")
    bind(tcpip, ctx, nothing)
    ctx.deliver(tcpip, Pnp(PnpOp.NetEventRestart, "nic0"))
    assert ctx.messages(OidRequest) == []
    assert tcpip.view("nic0").encapsulation is EncapsulationState.SKIPPED

    ctx.take()
    indicate(tcpip, ctx, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, config("realtek-basic"))
    (oid,) = ctx.messages(OidRequest)
    assert oid.request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION


# -- the view follows indications ----------------------------------------------------------------


def test_view_follows_current_config_and_hardware_indications_in_any_state() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    bind(tcpip, ctx, config())  # Paused: indications still count
    smaller = config("realtek-basic")
    indicate(tcpip, ctx, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, smaller)
    indicate(
        tcpip, ctx, S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES, PRESETS["no-offload"].offload
    )
    view = tcpip.view("nic0")
    assert view.current == smaller
    assert view.hardware == PRESETS["no-offload"].offload
    assert view.indications == 2


def test_view_follows_connection_offload_pause_and_resume() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    bind(tcpip, ctx, config())
    connection = PRESETS["chimney-capable"].connection
    assert connection is not None
    indicate(tcpip, ctx, S.NDIS_STATUS_OFFLOAD_PAUSE, None)
    assert tcpip.view("nic0").connection_paused
    smaller = attrs.evolve(connection, SupportIPv6=0)
    indicate(tcpip, ctx, S.NDIS_STATUS_OFFLOAD_RESUME, smaller)
    view = tcpip.view("nic0")
    assert not view.connection_paused and view.connection == smaller


# -- sends ---------------------------------------------------------------------------------------


def test_large_send_uses_lsov2_with_the_mss() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config())
    (send,) = sends(tcpip, ctx, length=60000, ip=6)
    nbl = send.nbl
    assert (nbl.LsoVersion, nbl.LsoMss, nbl.DataLength, nbl.IpVersion) == (2, 1440, 60000, 6)
    assert send.adapter == "nic0"


def test_tcpip_stops_lso_after_a_current_config_with_lso_off() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    current = config()
    running(tcpip, ctx, current)
    indicate(tcpip, ctx, S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, without_lso(current))
    nbls = [m.nbl for m in sends(tcpip, ctx, length=5000)]
    assert [n.DataLength for n in nbls] == [1460, 1460, 1460, 620]
    assert all(n.LsoMss == 0 and n.TcpChecksum and n.IpHeaderChecksum for n in nbls)
    assert tcpip.view("nic0").lso_nbls == 0


def test_lsov1_is_the_fallback_over_ipv4_only() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config("lso-v1-only"))
    (send,) = sends(tcpip, ctx, length=30000)
    assert send.nbl.LsoVersion == 1
    v6 = [m.nbl for m in sends(tcpip, ctx, length=3000, ip=6)]
    assert all(n.LsoMss == 0 and not n.TcpChecksum for n in v6)  # no IPv6 offload at all


def test_burst_larger_than_max_offload_size_is_split_into_several_large_sends() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config("lso-v2-small"))  # MaxOffLoadSize 16384
    nbls = [m.nbl for m in sends(tcpip, ctx, length=40000)]
    assert [(n.DataLength, n.LsoMss) for n in nbls] == [(16384, 1460), (16384, 1460), (7232, 1460)]
    # A remainder too small for MinSegmentCount segments goes out as plain segments.
    nbls = [m.nbl for m in sends(tcpip, ctx, length=16384 + 2000)]
    assert [(n.DataLength, n.LsoMss) for n in nbls] == [(16384, 1460), (1460, 0), (540, 0)]


def test_send_while_not_running_is_refused_and_noted() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    bind(tcpip, ctx, config())
    assert sends(tcpip, ctx, length=100) == []
    assert "tcpip.send.refused" in ctx.note_kinds()


def test_send_command_needs_an_adapter_when_bound_to_several() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    bind(tcpip, ctx, config())
    other = NDIS_BIND_PARAMETERS(AdapterName="nic1", DefaultOffloadConfiguration=config())
    ctx.deliver(tcpip, Pnp(PnpOp.ProtocolBindAdapterEx, "nic1", bind=other))
    with pytest.raises(BadInput, match="adapter="):
        sends(tcpip, ctx, length=100)


# -- pause, unbind, receive ----------------------------------------------------------------------


def test_pause_completes_only_after_its_sends_complete() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config())
    (send,) = sends(tcpip, ctx, length=100)
    ctx.take()
    ctx.deliver(tcpip, Pnp(PnpOp.NetEventPause, "nic0"))
    assert ctx.posts == []
    ctx.deliver(tcpip, SendComplete("nic0", send.nbl, S.NDIS_STATUS_SUCCESS))
    (reply,) = ctx.messages(Pnp)
    assert reply.operation is PnpOp.NetEventPauseComplete
    assert tcpip.view("nic0").sends_completed == 1


def test_unbind_completes_only_after_its_own_oid_requests_complete() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    (outstanding,) = running(tcpip, ctx, config(), encapsulation=None)
    # The encapsulation set is still outstanding when NDIS pauses and unbinds.
    ctx.deliver(tcpip, Pnp(PnpOp.NetEventPause, "nic0"))
    ctx.take()
    ctx.deliver(tcpip, Pnp(PnpOp.ProtocolUnbindAdapterEx, "nic0"))
    assert ctx.posts == []
    assert tcpip.view("nic0").binding is ProtocolBindingState.Closing
    ctx.deliver(tcpip, OidComplete("nic0", outstanding.request, S.NDIS_STATUS_SUCCESS))
    (reply,) = ctx.messages(Pnp)
    assert reply.operation is PnpOp.UnbindComplete
    assert tcpip.view("nic0").binding is ProtocolBindingState.Unbound


def test_completion_of_a_request_it_never_issued_is_reported() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config())
    stray = NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG, RequestId=99)
    ctx.deliver(tcpip, OidComplete("nic0", stray, S.NDIS_STATUS_SUCCESS))
    assert [rule for rule, _ in ctx.failures] == ["protocol-oid-complete-unknown"]


def test_receives_are_counted_with_their_checksum_results() -> None:
    ctx = RecordingContext()
    tcpip = TcpIpProtocol()
    running(tcpip, ctx, config())
    ctx.deliver(tcpip, Receive("nic0", "nic0#rx1", rx_checksum_offloaded=True))
    ctx.deliver(tcpip, Receive("nic0", "nic0#rx2", rx_checksum_offloaded=False))
    view = tcpip.view("nic0")
    assert (view.receives, view.receives_checksum_offloaded) == (2, 1)
