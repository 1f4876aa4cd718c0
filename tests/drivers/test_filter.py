"""The FilterDriver base does what a correct pass-through filter does, one callback at a time;
the masking filter rewrites what it reports and refuses or strips what it hides."""

from __future__ import annotations

from typing import Any

import pytest

from stack.drivers import (
    FilterDriver,
    OffloadMaskingFilter,
    PassthroughFilter,
    RecordingContext,
    preset,
)
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    FilterModuleState,
    NdisStatus,
    Oid,
    mask_offload,
)
from stack.runtime import (
    NDIS_FILTER_ATTACH_PARAMETERS,
    NET_BUFFER_LIST,
    Command,
    OidCancel,
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
X710 = preset("intel-x710").offload
SET = NDIS_OID_REQUEST.set(
    Oid.OID_TCP_OFFLOAD_PARAMETERS, NDIS_OFFLOAD_PARAMETERS(), RequestId=7, RequestHandle="prot"
)


def running(driver: FilterDriver, ctx: RecordingContext | None = None) -> RecordingContext:
    """``driver`` with a module on nic0, attached with the x710's view and restarted."""
    ctx = ctx or RecordingContext()
    params = NDIS_FILTER_ATTACH_PARAMETERS(
        BaseMiniportName="nic0", DefaultOffloadConfiguration=X710
    )
    ctx.deliver(driver, Pnp(PnpOp.FilterAttach, "nic0", attach=params))
    ctx.deliver(driver, Pnp(PnpOp.FilterRestart, "nic0"))
    ctx.take()
    return ctx


def test_attach_reports_the_view_below_and_restart_completes() -> None:
    driver = PassthroughFilter("lwf")
    ctx = RecordingContext()
    params = NDIS_FILTER_ATTACH_PARAMETERS(
        BaseMiniportName="nic0", DefaultOffloadConfiguration=X710
    )
    ctx.deliver(driver, Pnp(PnpOp.FilterAttach, "nic0", attach=params))
    [done] = ctx.messages(Pnp)
    assert done.operation is PnpOp.FilterAttachComplete and done.attach == params
    assert driver.edge("nic0").state is FilterModuleState.Paused
    ctx.take()
    ctx.deliver(driver, Pnp(PnpOp.FilterRestart, "nic0"))
    assert [m.operation for m in ctx.messages(Pnp)] == [PnpOp.FilterRestartComplete]
    assert ctx.messages(StatusIndication) == []  # it reports what is below: nothing to republish


def test_the_masking_filter_reports_its_mask_at_attach_and_republishes_it_at_restart() -> None:
    driver = OffloadMaskingFilter("npcap")
    ctx = RecordingContext()
    params = NDIS_FILTER_ATTACH_PARAMETERS(
        BaseMiniportName="nic0", DefaultOffloadConfiguration=X710
    )
    ctx.deliver(driver, Pnp(PnpOp.FilterAttach, "nic0", attach=params))
    [done] = ctx.messages(Pnp)
    masked = mask_offload(X710, {"lso", "checksum"})
    assert done.attach is not None and done.attach.DefaultOffloadConfiguration == masked
    ctx.take()
    ctx.deliver(driver, Pnp(PnpOp.FilterRestart, "nic0"))
    [republished] = ctx.messages(StatusIndication)
    assert republished.indication.StatusBuffer == masked
    assert [m.operation for m in ctx.messages(Pnp)] == [PnpOp.FilterRestartComplete]


def test_an_attach_may_fail_with_a_status() -> None:
    class Refusing(PassthroughFilter):
        def FilterAttach(self, ctx: Any, adapter: str, params: Any) -> Any:
            return S.NDIS_STATUS_RESOURCES

    driver = Refusing("no")
    ctx = RecordingContext()
    ctx.deliver(driver, Pnp(PnpOp.FilterAttach, "nic0"))
    [done] = ctx.messages(Pnp)
    assert done.status == S.NDIS_STATUS_RESOURCES
    assert driver.edge("nic0").state is FilterModuleState.Detached


def test_a_request_goes_down_as_a_clone_and_its_results_come_back_on_the_original() -> None:
    driver = PassthroughFilter("lwf")
    ctx = running(driver)
    ctx.deliver(driver, OidRequest("nic0", SET))
    [clone] = ctx.messages(OidRequest)
    assert clone.request.RequestId == 7 and clone.request.RequestHandle == "lwf"
    ctx.take()
    done = clone.request.completed(SupportedRevision=5)
    ctx.deliver(driver, OidComplete("nic0", done, S.NDIS_STATUS_SUCCESS))
    [up] = ctx.messages(OidComplete)
    assert up.request.RequestHandle == "prot" and up.request.SupportedRevision == 5
    assert up.status == S.NDIS_STATUS_SUCCESS
    assert driver.edge("nic0").upper is None and driver.edge("nic0").issued == {}


def test_a_cancel_is_passed_to_the_clone_only_while_it_is_outstanding() -> None:
    driver = PassthroughFilter("lwf")
    ctx = running(driver)
    ctx.deliver(driver, OidCancel("nic0", 7, "prot"))
    assert ctx.take() == []
    ctx.deliver(driver, OidRequest("nic0", SET))
    ctx.take()
    ctx.deliver(driver, OidCancel("nic0", 7, "prot"))
    [cancel] = ctx.messages(OidCancel)
    assert (cancel.request_id, cancel.origin) == (7, "lwf")


def test_pause_completes_only_once_the_modules_own_sends_and_requests_did() -> None:
    driver = PassthroughFilter("lwf")
    ctx = running(driver)
    nbl = NET_BUFFER_LIST(Id="tcpip#1", DataLength=100)
    ctx.deliver(driver, Send("nic0", nbl))
    ctx.deliver(driver, OidRequest("nic0", SET))
    [clone] = ctx.messages(OidRequest)
    ctx.take()
    ctx.deliver(driver, Pnp(PnpOp.FilterPause, "nic0"))
    assert ctx.take() == []
    ctx.deliver(driver, SendComplete("nic0", nbl, S.NDIS_STATUS_SUCCESS))
    assert [type(m).__name__ for m in ctx.messages()] == ["SendComplete"]
    ctx.take()
    ctx.deliver(driver, OidComplete("nic0", clone.request.completed(), S.NDIS_STATUS_SUCCESS))
    assert [getattr(m, "operation", None) for m in ctx.messages()] == [
        None,  # the original completed upward, then
        PnpOp.FilterPauseComplete,
    ]
    assert driver.edge("nic0").state is FilterModuleState.Paused


def test_a_paused_module_completes_sends_paused_and_drops_receives() -> None:
    driver = PassthroughFilter("lwf")
    ctx = running(driver)
    ctx.deliver(driver, Pnp(PnpOp.FilterPause, "nic0"))
    ctx.take()
    nbl = NET_BUFFER_LIST(Id="tcpip#2", DataLength=100)
    ctx.deliver(driver, Send("nic0", nbl))
    [refused] = ctx.messages(SendComplete)
    assert refused.status == S.NDIS_STATUS_PAUSED
    ctx.take()
    ctx.deliver(driver, Receive("nic0", "nic0#rx1", rx_checksum_offloaded=True))
    assert ctx.take() == [] and "filter.receive.dropped" in ctx.note_kinds()


def test_the_masking_filter_rewrites_current_config_and_passes_the_rest_unchanged() -> None:
    driver = OffloadMaskingFilter("npcap", masked=("lso",))
    ctx = running(driver)
    current = NDIS_STATUS_INDICATION.indicate(
        "nic0", S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, X710
    )
    hardware = NDIS_STATUS_INDICATION.indicate(
        "nic0", S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES, X710
    )
    ctx.deliver(driver, StatusIndication("nic0", current))
    ctx.deliver(driver, StatusIndication("nic0", hardware))
    up = [m.indication.StatusBuffer for m in ctx.messages(StatusIndication)]
    assert up == [mask_offload(X710, {"lso"}), X710]
    assert driver.edge("nic0").below_current == X710


def test_the_masking_filter_fails_what_it_cannot_segment_and_strips_checksums() -> None:
    driver = OffloadMaskingFilter("npcap")
    ctx = running(driver)
    lso = NET_BUFFER_LIST(Id="a", DataLength=30000, LsoVersion=2, LsoMss=1460)
    checksum = NET_BUFFER_LIST(Id="b", DataLength=1000, TcpChecksum=True, IpHeaderChecksum=True)
    ctx.deliver(driver, Send("nic0", lso))
    ctx.deliver(driver, Send("nic0", checksum))
    [failed] = ctx.messages(SendComplete)
    assert failed.nbl.Id == "a" and failed.status == S.NDIS_STATUS_FAILURE
    [down] = ctx.messages(Send)
    assert down.nbl.Id == "b" and down.nbl.offloads() == []
    ctx.take()
    ctx.deliver(driver, SendComplete("nic0", down.nbl, S.NDIS_STATUS_SUCCESS))
    [up] = ctx.messages(SendComplete)
    assert up.nbl == checksum  # the NBL it was handed, not its stripped copy
    ctx.take()
    ctx.deliver(driver, Receive("nic0", "nic0#rx1", rx_checksum_offloaded=True))
    [received] = ctx.messages(Receive)
    assert not received.rx_checksum_offloaded


def test_messages_for_an_adapter_without_a_module_and_illegal_pnp_are_reported() -> None:
    driver = PassthroughFilter("lwf")
    ctx = RecordingContext()
    ctx.deliver(driver, OidRequest("nic9", SET))
    assert ctx.failures[-1][0] == "filter-unknown-module"
    ctx = running(driver)
    ctx.deliver(driver, Pnp(PnpOp.FilterRestart, "nic0"))  # already Running
    assert ctx.failures[-1][0] == "filter-illegal-pnp"


def test_the_restart_command_calls_ndis_f_restart_filter_and_bad_input_is_refused() -> None:
    driver = PassthroughFilter("lwf")
    ctx = running(driver)
    ctx.deliver(driver, Command("restart", (("adapter", "nic0"),)), src="scenario")
    assert [m.operation for m in ctx.messages(Pnp)] == [PnpOp.NdisFRestartFilter]
    with pytest.raises(BadInput, match="unknown command"):
        ctx.deliver(driver, Command("explode"), src="scenario")
    with pytest.raises(BadInput, match="no filter module"):
        ctx.deliver(driver, Command("restart", (("adapter", "nic9"),)), src="scenario")
    with pytest.raises(BadInput, match="cannot mask"):
        OffloadMaskingFilter("bad", masked=("ipsec",))
    with pytest.raises(BadInput, match="FilterClass"):
        PassthroughFilter("bad", filter_class="firewall")


def test_the_send_command_originates_nbls_that_count_for_the_pause_and_not_while_paused() -> None:
    driver = PassthroughFilter("npcap")
    ctx = running(driver)
    frame = NET_BUFFER_LIST(Id="frame", DataLength=1500)
    args = (("adapter", "nic0"), ("count", 2), ("nbl", frame))
    ctx.deliver(driver, Command("send", args), src="scenario")
    sent = ctx.messages(Send)
    assert [s.nbl.Id for s in sent] == ["npcap#1", "npcap#2"]
    ctx.take()
    ctx.deliver(driver, Pnp(PnpOp.FilterPause, "nic0"))
    assert ctx.messages(Pnp) == []  # waits for its own NBLs
    for s in sent:
        ctx.deliver(driver, SendComplete("nic0", s.nbl, S.NDIS_STATUS_SUCCESS))
    assert [m.operation for m in ctx.messages(Pnp)] == [PnpOp.FilterPauseComplete]
    assert ctx.messages(SendComplete) == []  # its own: nothing to complete upward
    ctx.take()
    ctx.deliver(driver, Command("send", args), src="scenario")  # paused: originates none
    assert ctx.take() == [] and "filter.send.not_running" in ctx.note_kinds()
    with pytest.raises(BadInput, match="NET_BUFFER_LIST"):
        ctx.deliver(driver, Command("send", (("adapter", "nic0"), ("nbl", "x"))), src="scenario")
