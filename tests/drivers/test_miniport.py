"""The miniport driver, one message at a time, against a recording context (no bus)."""

from __future__ import annotations

from typing import Any

import pytest

from stack.drivers import (
    IndicationOrder,
    Miniport,
    OidCompletion,
    RecordingContext,
)
from stack.errors import BadInput
from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_REVISION_1,
    NDIS_OFFLOAD_PARAMETERS_REVISION_5,
    NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    HardwarePolicy,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NdisStatus,
    Oid,
)
from stack.runtime import (
    NET_BUFFER_LIST,
    Command,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    RegistryWrite,
    Send,
    SendComplete,
    StatusIndication,
)

S = NdisStatus


def running(miniport: Miniport, ctx: RecordingContext, keywords: Any = ()) -> None:
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, miniport.name, keywords=tuple(keywords)))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportRestart, miniport.name))
    ctx.take()


def params_set(params: NDIS_OFFLOAD_PARAMETERS, request_id: int = 7) -> OidRequest:
    request = NDIS_OID_REQUEST.set(
        Oid.OID_TCP_OFFLOAD_PARAMETERS, params, RequestHandle="tcpip", RequestId=request_id
    )
    return OidRequest("nic0", request)


def encapsulation_set(enabled: int = NDIS_OFFLOAD_SET_ON, request_id: int = 3) -> OidRequest:
    block = {"Enabled": enabled}
    if enabled == NDIS_OFFLOAD_SET_ON:
        block.update(EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3, HeaderSize=14)
    buffer = NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(**block),
        IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(**block),
    )
    request = NDIS_OID_REQUEST.set(
        Oid.OID_OFFLOAD_ENCAPSULATION, buffer, RequestHandle="tcpip", RequestId=request_id
    )
    return OidRequest("nic0", request)


LSO_OFF = NDIS_OFFLOAD_PARAMETERS(
    LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    LsoV2IPv6=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
)


def kinds(ctx: RecordingContext) -> list[str]:
    """Posted messages as short labels: status codes for indications, 'complete:<status>'."""
    labels = []
    for _, message, _ in ctx.posts:
        if isinstance(message, StatusIndication):
            labels.append(NdisStatus(message.indication.StatusCode).name)
        elif isinstance(message, OidComplete):
            labels.append(f"complete:{NdisStatus(message.status).name}")
        else:
            labels.append(type(message).__name__)
    return labels


# -- initialization ------------------------------------------------------------------------------


def test_initialize_reports_keyword_disabled_capability_off_in_current_and_on_in_hardware() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="intel-x710")
    keywords = (("*LsoV2IPv6", "0"), ("*RscIPv4", "0"))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, "nic0", keywords=keywords))

    (reply,) = ctx.messages(Pnp)
    assert reply.operation is PnpOp.InitializeComplete and reply.status == 0
    attributes = reply.attributes
    current = attributes.DefaultOffloadConfiguration
    hardware = attributes.HardwareOffloadCapabilities
    assert current.LsoV2.IPv6.Encapsulation == 0
    assert hardware.LsoV2.IPv6.Encapsulation == NDIS_ENCAPSULATION_IEEE_802_3
    assert current.Rsc.IPv4.Enabled == 0 and hardware.Rsc.IPv4.Enabled == 1
    # Keywords that are absent read as their defaults: everything else stays enabled.
    assert current.LsoV2.IPv4.Encapsulation == NDIS_ENCAPSULATION_IEEE_802_3
    assert current.Checksum == hardware.Checksum
    assert miniport.current == current
    assert ctx.failures == []


def test_initialize_reports_chimney_capabilities_minus_disabled_keyword() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="chimney-capable")
    keywords = (("*TCPConnectionOffloadIPv6", "0"),)
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, "nic0", keywords=keywords))
    attributes = ctx.messages(Pnp)[0].attributes
    assert attributes.TcpConnectionOffloadHardwareCapabilities.SupportIPv6 == 1
    assert attributes.DefaultTcpConnectionOffloadConfiguration.SupportIPv6 == 0
    assert attributes.DefaultTcpConnectionOffloadConfiguration.SupportIPv4 == 1


def test_vendor_keyword_off_turns_lso_off_at_initialize() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", vendor_lso_keyword="VendorLargeSend")
    keywords = (("VendorLargeSend", "0"),)
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, "nic0", keywords=keywords))
    current = ctx.messages(Pnp)[0].attributes.DefaultOffloadConfiguration
    assert current.LsoV1.IPv4.Encapsulation == 0
    assert current.LsoV2.IPv4.Encapsulation == 0 and current.LsoV2.IPv6.Encapsulation == 0


def test_preset_and_hardware_together_are_bad_input() -> None:
    with pytest.raises(BadInput, match="not both"):
        Miniport(name="nic0", preset="no-offload", hardware=Miniport(name="x").profile)


def test_restart_and_pause_answer_with_their_completions() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, "nic0"))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportRestart, "nic0"))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportHaltEx, "nic0"))
    ops = [m.operation for m in ctx.messages(Pnp)]
    assert ops == [
        PnpOp.InitializeComplete,
        PnpOp.RestartComplete,
        PnpOp.PauseComplete,
        PnpOp.HaltComplete,
    ]
    assert miniport.current is None


def test_pnp_in_the_wrong_state_is_reported() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    ctx.deliver(miniport, Pnp(PnpOp.MiniportRestart, "nic0"))
    assert ctx.failures and ctx.failures[0][0] == "miniport-illegal-pnp"


# -- OID_TCP_OFFLOAD_PARAMETERS ------------------------------------------------------------------


def test_parameters_set_applies_then_indicates_then_completes() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF))

    assert kinds(ctx) == ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "complete:NDIS_STATUS_SUCCESS"]
    indication = ctx.messages(StatusIndication)[0].indication
    assert indication.SourceHandle == "nic0"
    assert indication.StatusBuffer == miniport.current
    assert miniport.current is not None and miniport.current.LsoV2.IPv4.Encapsulation == 0
    completion = ctx.messages(OidComplete)[0]
    assert completion.request.RequestId == 7 and completion.request.RequestHandle == "tcpip"
    # An NDIS 6.85 driver knows NDIS_OFFLOAD_PARAMETERS up to revision 5 (NDIS 6.83).
    assert LSO_OFF.Header.Revision > NDIS_OFFLOAD_PARAMETERS_REVISION_5
    assert completion.request.SupportedRevision == NDIS_OFFLOAD_PARAMETERS_REVISION_5


def test_parameters_set_can_complete_before_it_indicates() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", indication_order="after-complete")
    assert miniport.indication_order is IndicationOrder.AFTER_COMPLETE
    assert IndicationOrder("complete-then-indicate") is IndicationOrder.AFTER_COMPLETE
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF))
    assert kinds(ctx) == ["complete:NDIS_STATUS_SUCCESS", "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG"]


def test_all_no_change_set_still_indicates_the_unchanged_configuration() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    before = miniport.current
    ctx.deliver(miniport, params_set(NDIS_OFFLOAD_PARAMETERS()))
    assert kinds(ctx) == ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "complete:NDIS_STATUS_SUCCESS"]
    assert miniport.current == before


def test_set_beyond_the_hardware_fails_with_the_policy_status_and_changes_nothing() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="realtek-basic")
    running(miniport, ctx)
    before = miniport.current
    ctx.deliver(miniport, params_set(NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=2)))
    assert kinds(ctx) == ["complete:NDIS_STATUS_INVALID_DATA"]
    assert miniport.current == before

    clamp = Miniport(name="nic0", preset="realtek-basic", hardware_policy=HardwarePolicy.CLAMP)
    running(clamp, ctx)
    ctx.deliver(clamp, params_set(NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=2)))
    assert kinds(ctx) == ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "complete:NDIS_STATUS_SUCCESS"]


def test_ndis60_miniport_reads_a_newer_buffer_as_revision_1_and_says_so() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="lso-v1-only")
    running(miniport, ctx)
    params = NDIS_OFFLOAD_PARAMETERS(
        LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED, RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED
    )
    ctx.deliver(miniport, params_set(params))
    completion = ctx.messages(OidComplete)[0]
    # RscIPv4 is a revision-3 member an NDIS 6.0 driver never reads, so it cannot fail the set.
    assert completion.status == S.NDIS_STATUS_SUCCESS
    assert completion.request.SupportedRevision == NDIS_OFFLOAD_PARAMETERS_REVISION_1


def test_no_offload_miniport_does_not_support_the_offload_oids() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="no-offload")
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF))
    ctx.deliver(miniport, encapsulation_set())
    assert kinds(ctx) == ["complete:NDIS_STATUS_NOT_SUPPORTED"] * 2


def test_unknown_oid_is_not_supported() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    request = NDIS_OID_REQUEST.query(Oid.OID_TCP4_OFFLOAD_STATS, RequestId=1)
    ctx.deliver(miniport, OidRequest("nic0", request))
    assert kinds(ctx) == ["complete:NDIS_STATUS_NOT_SUPPORTED"]


def test_vendor_keyword_is_written_by_the_miniport_when_lso_changes() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", vendor_lso_keyword="VendorLargeSend")
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF))
    writes = ctx.messages(RegistryWrite)
    assert writes == [RegistryWrite("nic0", "VendorLargeSend", "0")]
    ctx.take()
    runtime_only = NDIS_OFFLOAD_PARAMETERS(
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
        Flags=NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    )
    ctx.deliver(miniport, params_set(runtime_only))
    assert ctx.messages(RegistryWrite) == []


# -- pending, cancel, surprise removal -----------------------------------------------------------


def test_pended_request_completes_from_its_timer_after_the_latency() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", oid_completion=OidCompletion.PEND, oid_latency=5)
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF))

    ((dst, timer, delay),) = ctx.take()
    assert dst == "nic0" and isinstance(timer, Command) and delay == 5
    assert miniport.stats().oids_pending == 1
    assert miniport.current is not None and miniport.current.LsoV2.IPv4.Encapsulation != 0

    ctx.deliver(miniport, timer, src="nic0")
    assert kinds(ctx) == ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "complete:NDIS_STATUS_SUCCESS"]
    assert miniport.current.LsoV2.IPv4.Encapsulation == 0
    assert miniport.stats().oids_pending == 0


def test_cancel_completes_a_pended_request_once_with_request_aborted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", oid_completion="pend", oid_latency=5)
    running(miniport, ctx)
    before = miniport.current
    ctx.deliver(miniport, params_set(LSO_OFF, request_id=9))
    ((_, timer, _),) = ctx.take()

    ctx.deliver(miniport, OidCancel("nic0", 9, "tcpip"))
    assert kinds(ctx) == ["complete:NDIS_STATUS_REQUEST_ABORTED"]
    ctx.take()
    ctx.deliver(miniport, timer, src="nic0")  # the work item finds nothing left to do
    assert ctx.posts == []
    assert miniport.current == before


def test_cancel_of_a_request_that_already_completed_is_only_noted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF, request_id=9))
    ctx.take()
    ctx.deliver(miniport, OidCancel("nic0", 9, "tcpip"))
    assert ctx.posts == [] and "oid.cancel.late" in ctx.note_kinds()


def test_second_request_while_one_is_pending_breaks_serialization() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", oid_completion="pend")
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF, request_id=1))
    ctx.deliver(miniport, params_set(LSO_OFF, request_id=2))
    assert [rule for rule, _ in ctx.failures] == ["NdisOidDoubleRequest"]


def test_after_surprise_removal_requests_complete_not_accepted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, Pnp(PnpOp.SurpriseRemoved, "nic0"))
    assert ctx.posts == []  # no reply to MiniportDevicePnPEventNotify
    ctx.deliver(miniport, params_set(LSO_OFF))
    assert kinds(ctx) == ["complete:NDIS_STATUS_NOT_ACCEPTED"]


def test_pended_request_whose_work_runs_after_surprise_removal_is_not_accepted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", oid_completion="pend", oid_latency=3)
    running(miniport, ctx)
    before = miniport.current
    ctx.deliver(miniport, params_set(LSO_OFF))
    ((_, timer, _),) = ctx.take()
    ctx.deliver(miniport, Pnp(PnpOp.SurpriseRemoved, "nic0"))
    ctx.deliver(miniport, timer, src="nic0")
    assert kinds(ctx) == ["complete:NDIS_STATUS_NOT_ACCEPTED"]
    assert miniport.current == before


def test_halt_with_an_oid_outstanding_is_reported() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", oid_completion="pend")
    running(miniport, ctx)
    ctx.deliver(miniport, params_set(LSO_OFF))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportHaltEx, "nic0"))
    assert [rule for rule, _ in ctx.failures] == ["miniport-halt-with-oid-outstanding"]


# -- encapsulation and receive -------------------------------------------------------------------


def receive_checksums(miniport: Miniport, ctx: RecordingContext, **args: Any) -> list[bool]:
    ctx.take()
    ctx.deliver(miniport, Command("receive", tuple(args.items())), src="scenario")
    return [m.rx_checksum_offloaded for m in ctx.messages(Receive)]


def test_receive_checksum_is_reported_only_once_the_encapsulation_gate_is_open() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    assert receive_checksums(miniport, ctx, count=2) == [False, False]

    ctx.take()
    ctx.deliver(miniport, encapsulation_set())
    assert kinds(ctx) == ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "complete:NDIS_STATUS_SUCCESS"]
    assert receive_checksums(miniport, ctx, ip=6) == [True]

    ctx.deliver(miniport, encapsulation_set(NDIS_OFFLOAD_SET_OFF))
    assert receive_checksums(miniport, ctx) == [False]


def test_receive_checksum_stays_off_when_rx_checksum_is_configured_off() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx, keywords=(("*TCPChecksumOffloadIPv4", "1"),))  # Tx only
    ctx.deliver(miniport, encapsulation_set())
    assert receive_checksums(miniport, ctx, ip=4) == [False]
    assert receive_checksums(miniport, ctx, ip=6) == [True]


def test_encapsulation_nobody_supports_is_invalid_parameter() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ipv4 = NDIS_OFFLOAD_ENCAPSULATION_IPv4(
        Enabled=NDIS_OFFLOAD_SET_ON, EncapsulationType=0x10, HeaderSize=14
    )  # LLC_SNAP_ROUTED: no preset lists it
    request = NDIS_OID_REQUEST.set(
        Oid.OID_OFFLOAD_ENCAPSULATION, NDIS_OFFLOAD_ENCAPSULATION(IPv4=ipv4), RequestId=4
    )
    ctx.deliver(miniport, OidRequest("nic0", request))
    assert kinds(ctx) == ["complete:NDIS_STATUS_INVALID_PARAMETER"]
    assert miniport.encapsulation is None


def test_no_receive_indication_while_paused() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    assert receive_checksums(miniport, ctx) == []
    assert "receive.dropped" in ctx.note_kinds()


# -- sends ---------------------------------------------------------------------------------------


def send(miniport: Miniport, ctx: RecordingContext, **fields: Any) -> SendComplete:
    ctx.take()
    nbl = NET_BUFFER_LIST(Id=f"tcpip#{len(ctx.notes)}", **fields)
    ctx.deliver(miniport, Send("nic0", nbl))
    (complete,) = ctx.messages(SendComplete)
    return complete


def test_send_asking_for_lso_while_lso_is_off_is_counted_and_noted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx, keywords=(("*LsoV2IPv4", "0"),))
    ctx.deliver(miniport, encapsulation_set())
    complete = send(miniport, ctx, DataLength=60000, LsoVersion=2, LsoMss=1460)
    # Off since initialization: the NIC cannot segment it, so it fails the send too.
    assert complete.status == S.NDIS_STATUS_FAILURE
    assert miniport.stats().offload_off == {"lsov2-off": 1}
    assert miniport.offload_off_sends == 1
    assert "send.offload_off" in ctx.note_kinds()


def test_after_a_successful_lso_disable_lso_sends_are_failed() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, encapsulation_set())
    assert send(miniport, ctx, DataLength=60000, LsoVersion=2, LsoMss=1460).status == 0
    ctx.deliver(miniport, params_set(LSO_OFF))
    complete = send(miniport, ctx, DataLength=60000, LsoVersion=2, LsoMss=1460)
    assert complete.status == S.NDIS_STATUS_FAILURE
    assert miniport.stats().sends_failed == 1
    # Plain sends still go through.
    assert send(miniport, ctx, DataLength=1000, TcpChecksum=True).status == 0


def test_lso_send_larger_than_max_offload_size_is_failed() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="lso-v2-small")
    running(miniport, ctx)
    ctx.deliver(miniport, encapsulation_set())
    complete = send(miniport, ctx, DataLength=20000, LsoVersion=2, LsoMss=1460)
    assert complete.status == S.NDIS_STATUS_FAILURE
    assert miniport.stats().offload_off == {"lso-too-large": 1}


def test_checksum_request_while_tx_checksum_is_off_is_counted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, encapsulation_set())
    off = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED)
    ctx.deliver(miniport, params_set(off))
    assert send(miniport, ctx, DataLength=1000, TcpChecksum=True).status == 0
    assert miniport.stats().offload_off == {"tcp-checksum-off": 1}


def test_offload_before_any_encapsulation_set_is_counted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    send(miniport, ctx, DataLength=1000, TcpChecksum=True)
    assert miniport.stats().offload_off == {"encapsulation-not-set": 1}
    ctx.deliver(miniport, params_set(NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=1)))
    send(miniport, ctx, DataLength=1000, TcpChecksum=True)
    stats = miniport.stats()
    assert stats.offload_off == {"encapsulation-not-set": 2, "tcp-checksum-off": 1}
    assert stats.sends_offload_off == miniport.offload_off_sends == 2


def test_pause_waits_for_sends_still_in_the_hardware() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", send_latency=4)
    running(miniport, ctx)
    ctx.deliver(miniport, Send("nic0", NET_BUFFER_LIST(Id="tcpip#1", DataLength=100)))
    ((_, done, delay),) = ctx.take()
    assert delay == 4
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    assert ctx.posts == []
    ctx.deliver(miniport, done, src="nic0")
    assert [type(m).__name__ for m in ctx.messages()] == ["SendComplete", "Pnp"]
    assert ctx.messages(Pnp)[0].operation is PnpOp.PauseComplete


def test_send_after_surprise_removal_is_not_accepted() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    ctx.deliver(miniport, Pnp(PnpOp.SurpriseRemoved, "nic0"))
    assert send(miniport, ctx, DataLength=100).status == S.NDIS_STATUS_NOT_ACCEPTED


# -- connection offload (chimney) ----------------------------------------------------------------


def test_connection_offload_change_is_bracketed_by_offload_pause_and_resume() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0", preset="chimney-capable")
    running(miniport, ctx)
    off = NDIS_OFFLOAD_PARAMETERS(
        TcpConnectionIPv4=NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED
    )
    ctx.deliver(miniport, params_set(off))
    assert kinds(ctx) == [
        "NDIS_STATUS_OFFLOAD_PAUSE",
        "NDIS_STATUS_OFFLOAD_RESUME",
        "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "complete:NDIS_STATUS_SUCCESS",
    ]
    resume = ctx.messages(StatusIndication)[1].indication
    assert resume.StatusBuffer.SupportIPv4 == 0 and resume.StatusBuffer.SupportIPv6 == 1
    assert miniport.connection_current == resume.StatusBuffer


def test_connection_offload_request_without_chimney_hardware_follows_the_policy() -> None:
    ctx = RecordingContext()
    miniport = Miniport(name="nic0")
    running(miniport, ctx)
    on = NDIS_OFFLOAD_PARAMETERS(TcpConnectionIPv4=2)
    ctx.deliver(miniport, params_set(on))
    assert kinds(ctx) == ["complete:NDIS_STATUS_INVALID_DATA"]


def test_unknown_command_is_bad_input() -> None:
    ctx = RecordingContext()
    with pytest.raises(BadInput, match="unknown command"):
        ctx.deliver(Miniport(name="nic0"), Command("explode"), src="scenario")
