"""The miniport's fault-injection sites: each option is something a correct miniport may do."""

from __future__ import annotations

import pytest

from stack.drivers import INJECTED_FAILURES, Miniport, RecordingContext
from stack.drivers._miniport import DEFERRAL_TICKS, PEND_LONG_TICKS
from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NdisStatus,
    Oid,
)
from stack.runtime import (
    OID_TIMEOUT_TICKS,
    Command,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    StatusIndication,
)

S = NdisStatus
INDICATE_THEN_COMPLETE = ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "complete:NDIS_STATUS_SUCCESS"]
LSO_OFF = NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)


def _encapsulation() -> NDIS_OFFLOAD_ENCAPSULATION:
    on = {
        "Enabled": NDIS_OFFLOAD_SET_ON,
        "EncapsulationType": NDIS_ENCAPSULATION_IEEE_802_3,
        "HeaderSize": 14,
    }
    return NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(**on), IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(**on)
    )


def _running(**decisions: int) -> tuple[Miniport, RecordingContext]:
    miniport = Miniport("nic0", preset="intel-x710")
    ctx = RecordingContext(decisions=dict(decisions))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, "nic0"))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportRestart, "nic0"))
    ctx.take()
    return miniport, ctx


def _set(oid: Oid, buffer: object, request_id: int = 1) -> OidRequest:
    return OidRequest("nic0", NDIS_OID_REQUEST.set(oid, buffer, RequestId=request_id))


def _kinds(ctx: RecordingContext) -> list[str]:
    out = []
    for _, message, _ in ctx.posts:
        if isinstance(message, StatusIndication):
            out.append(S(message.indication.StatusCode).name)
        elif isinstance(message, OidComplete):
            out.append(f"complete:{S(message.status).name}")
    return out


@pytest.mark.parametrize(
    ("oid", "buffer"),
    [(Oid.OID_TCP_OFFLOAD_PARAMETERS, LSO_OFF), (Oid.OID_OFFLOAD_ENCAPSULATION, _encapsulation())],
    ids=["parameters", "encapsulation"],
)
def test_an_injected_failure_uses_a_documented_status_and_changes_nothing(
    oid: Oid, buffer: object
) -> None:
    # BUFFER_TOO_SHORT is offered only for a buffer shorter than the driver's structure.
    statuses = [s for s in INJECTED_FAILURES[oid] if s != S.NDIS_STATUS_BUFFER_TOO_SHORT]
    for choice, status in enumerate(statuses, start=1):
        miniport, ctx = _running(**{"miniport.oid.fail": choice})
        before = (miniport.current, miniport.encapsulation)
        ctx.deliver(miniport, _set(oid, buffer))
        assert ("miniport.oid.fail", 1 + len(statuses)) in ctx.asked
        assert _kinds(ctx) == [f"complete:{S(status).name}"]
        assert (miniport.current, miniport.encapsulation) == before


def test_an_encapsulation_set_is_never_failed_with_a_status_its_page_reserves() -> None:
    # INVALID_PARAMETER only when no offload supports the encapsulation
    # (N/oid-offload-encapsulation.md); NOT_SUPPORTED, which the page reserves for a miniport
    # without task offload, is what NetAdapterCx and FnMp return, so it is injected.
    failures = INJECTED_FAILURES[Oid.OID_OFFLOAD_ENCAPSULATION]
    assert S.NDIS_STATUS_INVALID_PARAMETER not in failures
    assert S.NDIS_STATUS_NOT_SUPPORTED in failures


def test_open_driver_statuses_are_injected_for_a_parameters_set() -> None:
    failures = INJECTED_FAILURES[Oid.OID_TCP_OFFLOAD_PARAMETERS]
    for status in (S.NDIS_STATUS_INVALID_PARAMETER, S.NDIS_STATUS_NOT_SUPPORTED,
                   S.NDIS_STATUS_BUFFER_TOO_SHORT):  # fmt: skip
        assert status in failures


def test_buffer_too_short_is_offered_for_an_older_revision_with_bytes_needed() -> None:
    # intel-x710 is NDIS 6.85: it reads NDIS_OFFLOAD_PARAMETERS revision 5 (34 bytes).
    statuses = INJECTED_FAILURES[Oid.OID_TCP_OFFLOAD_PARAMETERS]
    choice = 1 + statuses.index(S.NDIS_STATUS_BUFFER_TOO_SHORT)
    miniport, ctx = _running(**{"miniport.oid.fail": choice})
    older = NDIS_OFFLOAD_PARAMETERS(
        Header=NDIS_OFFLOAD_PARAMETERS.header_for(2),
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    )
    before = miniport.current
    ctx.deliver(miniport, _set(Oid.OID_TCP_OFFLOAD_PARAMETERS, older))
    assert ("miniport.oid.fail", 1 + len(statuses)) in ctx.asked
    [complete] = ctx.messages(OidComplete)
    assert complete.status == S.NDIS_STATUS_BUFFER_TOO_SHORT
    assert complete.request.BytesNeeded == NDIS_OFFLOAD_PARAMETERS.size_for(5) == 34
    assert miniport.current == before


def test_a_long_pend_turns_a_synchronous_request_into_a_pended_one_within_ndis_timeout() -> None:
    miniport, ctx = _running(**{"miniport.oid.pend_long": 2})
    ctx.deliver(miniport, _set(Oid.OID_TCP_OFFLOAD_PARAMETERS, LSO_OFF))
    [(dst, work, delay)] = ctx.take()
    assert dst == "nic0" and isinstance(work, Command) and work.name == "oid-work"
    assert delay == PEND_LONG_TICKS[2] < OID_TIMEOUT_TICKS
    assert miniport.stats().oids_pending == 1
    ctx.deliver(miniport, work, src="nic0")
    assert _kinds(ctx) == [
        "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "complete:NDIS_STATUS_SUCCESS",
    ]


def test_a_deferred_indication_follows_the_completion_and_precedes_the_next_request() -> None:
    miniport, ctx = _running(**{"miniport.indicate.delay": 1})
    ctx.deliver(miniport, _set(Oid.OID_TCP_OFFLOAD_PARAMETERS, LSO_OFF))
    posts = ctx.take()
    assert [type(m).__name__ for _, m, _ in posts] == ["Command", "OidComplete"]
    assert posts[0][2] == DEFERRAL_TICKS[1]
    # The next request flushes what is owed before anything else.
    ctx.decisions.clear()
    ctx.deliver(miniport, _set(Oid.OID_OFFLOAD_ENCAPSULATION, _encapsulation(), request_id=2))
    assert _kinds(ctx)[0] == "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG"
    indicated = ctx.messages(StatusIndication)[0].indication.StatusBuffer
    assert indicated.LsoV2.IPv4.Encapsulation == 0
    # The timer finds nothing left.
    ctx.take()
    ctx.deliver(miniport, posts[0][1], src="nic0")
    assert ctx.take() == []


def test_a_deferred_indication_is_made_before_the_pause_completes() -> None:
    miniport, ctx = _running(**{"miniport.indicate.delay": 2})
    ctx.deliver(miniport, _set(Oid.OID_TCP_OFFLOAD_PARAMETERS, LSO_OFF))
    ctx.take()
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    kinds = [
        m.operation.value if isinstance(m, Pnp) else S(m.indication.StatusCode).name
        for _, m, _ in ctx.take()
    ]
    assert kinds == ["NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", "PauseComplete"]


def test_indications_are_not_deferred_while_the_adapter_is_paused() -> None:
    miniport, ctx = _running(**{"miniport.indicate.delay": 2})
    ctx.deliver(miniport, Pnp(PnpOp.MiniportPause, "nic0"))
    ctx.take()
    ctx.deliver(miniport, _set(Oid.OID_TCP_OFFLOAD_PARAMETERS, LSO_OFF))
    assert "miniport.indicate.delay" not in [site for site, _ in ctx.asked]
    assert _kinds(ctx) == [
        "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "complete:NDIS_STATUS_SUCCESS",
    ]
