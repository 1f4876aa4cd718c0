"""The ndisprot-like protocol: OIDs on request, results and indications recorded in order."""

from __future__ import annotations

import pytest

from stack.drivers import NdisprotProtocol, RecordingContext
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NdisStatus,
    Oid,
    ProtocolBindingState,
)
from stack.runtime import (
    NDIS_BIND_PARAMETERS,
    NET_BUFFER_LIST,
    Command,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Send,
    SendComplete,
    StatusIndication,
)

S = NdisStatus
QUERY = NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG)


def bound(protocol: NdisprotProtocol, ctx: RecordingContext, *, restart: bool = True) -> None:
    bind = NDIS_BIND_PARAMETERS(AdapterName="nic0", DefaultOffloadConfiguration=NDIS_OFFLOAD())
    ctx.deliver(protocol, Pnp(PnpOp.ProtocolBindAdapterEx, "nic0", bind=bind))
    if restart:
        ctx.deliver(protocol, Pnp(PnpOp.NetEventRestart, "nic0"))
    ctx.take()


def oid(protocol: NdisprotProtocol, ctx: RecordingContext, **args: object) -> None:
    args.setdefault("adapter", "nic0")
    args.setdefault("request", QUERY)
    ctx.deliver(protocol, Command("oid", tuple(args.items())), src="scenario")


def test_oid_goes_to_ndis_with_its_own_handle_and_a_fresh_request_id() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    bound(ndisprot, ctx)
    oid(ndisprot, ctx)
    oid(ndisprot, ctx)
    first, second = ctx.messages(OidRequest)
    assert (first.request.RequestHandle, first.request.RequestId) == ("ndisprot", 1)
    assert second.request.RequestId == 2
    assert ndisprot.pending("nic0") == [1, 2]


def test_completions_are_recorded_in_order_with_the_returned_buffer() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    bound(ndisprot, ctx)
    oid(ndisprot, ctx, request_id=10)
    oid(ndisprot, ctx, request_id=11)
    first, second = ctx.messages(OidRequest)
    answer = NDIS_OFFLOAD()
    ctx.now = 5
    ctx.deliver(ndisprot, OidComplete("nic0", second.request, S.NDIS_STATUS_NOT_SUPPORTED))
    ctx.deliver(
        ndisprot,
        OidComplete(
            "nic0", first.request.completed(InformationBuffer=answer), S.NDIS_STATUS_SUCCESS
        ),
    )
    assert [(r.request_id, r.status_name) for r in ndisprot.results] == [
        (11, "NDIS_STATUS_NOT_SUPPORTED"),
        (10, "NDIS_STATUS_SUCCESS"),
    ]
    result = ndisprot.result(10)
    assert result is not None and result.buffer == answer and result.tick == 5
    assert result.oid == Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG and not result.local


def test_cancel_command_cancels_by_request_id() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    bound(ndisprot, ctx)
    oid(ndisprot, ctx, request_id=4)
    ctx.take()
    ctx.deliver(ndisprot, Command("cancel", (("adapter", "nic0"), ("request_id", 4))), src="s")
    assert ctx.messages(OidCancel) == [OidCancel("nic0", 4, "ndisprot")]


def test_oid_on_an_inactive_binding_is_refused_locally() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    oid(ndisprot, ctx, adapter="nic9")
    assert ctx.posts == []
    (result,) = ndisprot.results
    assert result.local and result.status == S.NDIS_STATUS_INVALID_DATA


def test_indications_are_recorded_but_change_nothing() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    bound(ndisprot, ctx)
    buffer = NDIS_OFFLOAD()
    indication = NDIS_STATUS_INDICATION.indicate(
        "nic0", S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, buffer
    )
    ctx.deliver(ndisprot, StatusIndication("nic0", indication))
    (recorded,) = ndisprot.indications
    assert recorded.status == S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
    assert recorded.buffer == buffer
    assert ctx.posts == []


def test_unbind_waits_for_outstanding_oids_then_new_ones_are_refused() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    bound(ndisprot, ctx)
    oid(ndisprot, ctx)
    (request,) = ctx.messages(OidRequest)
    ctx.deliver(ndisprot, Pnp(PnpOp.NetEventPause, "nic0"))
    ctx.take()
    ctx.deliver(ndisprot, Pnp(PnpOp.ProtocolUnbindAdapterEx, "nic0"))
    assert ctx.posts == []
    oid(ndisprot, ctx)  # closing: refused without reaching NDIS
    assert ctx.posts == [] and ndisprot.results[-1].local
    ctx.deliver(ndisprot, OidComplete("nic0", request.request, S.NDIS_STATUS_SUCCESS))
    (reply,) = ctx.messages(Pnp)
    assert reply.operation is PnpOp.UnbindComplete
    assert ndisprot.binding_state("nic0") is ProtocolBindingState.Unbound


def test_raw_send_goes_out_as_given() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    bound(ndisprot, ctx)
    template = NET_BUFFER_LIST(Id="x", DataLength=60000, LsoVersion=2, LsoMss=1460)
    args = (("adapter", "nic0"), ("nbl", template), ("count", 2))
    ctx.deliver(ndisprot, Command("send", args), src="scenario")
    nbls = [m.nbl for m in ctx.messages(Send)]
    assert [n.Id for n in nbls] == ["ndisprot#1", "ndisprot#2"]
    assert all(n.LsoMss == 1460 for n in nbls)
    ctx.deliver(ndisprot, SendComplete("nic0", nbls[0], S.NDIS_STATUS_FAILURE))
    assert ndisprot.sends_completed == [("ndisprot#1", S.NDIS_STATUS_FAILURE)]


def test_bad_commands_are_bad_input() -> None:
    ctx = RecordingContext()
    ndisprot = NdisprotProtocol()
    with pytest.raises(BadInput, match="needs argument 'request'"):
        ctx.deliver(ndisprot, Command("oid", (("adapter", "nic0"),)), src="scenario")
    with pytest.raises(BadInput, match="unknown command"):
        ctx.deliver(ndisprot, Command("reset"), src="scenario")
