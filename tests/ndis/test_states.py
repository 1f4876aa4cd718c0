"""The adapter and binding state tables match the docs' grids cell for cell."""

import itertools

import pytest

from stack.errors import StackError
from stack.ndis._constants import NdisStatus
from stack.ndis._states import (
    MINIPORT_ADAPTER_TRANSITIONS,
    PROTOCOL_BINDING_TRANSITIONS,
    IllegalTransition,
    MiniportAdapterEvent,
    MiniportAdapterState,
    MiniportAdapterStatus,
    ProtocolBindingEvent,
    ProtocolBindingState,
    binding_handles_send_and_receive,
    binding_may_issue_oid_requests,
    mermaid_state_diagram,
    miniport_accepts_oid_requests,
    miniport_handles_send_and_receive,
    miniport_may_indicate_status,
    transition,
)

A = MiniportAdapterState
AE = MiniportAdapterEvent
B = ProtocolBindingState
BE = ProtocolBindingEvent

# The non-blank cells of the grid in N/miniport-adapter-states-and-operations.md, plus the
# surprise-removal self-loops of D/ndis/nc-ndis-miniport_device_pnp_event_notify.md.
EXPECTED_ADAPTER = {
    (A.Halted, AE.MiniportInitializeEx): A.Initializing,
    (A.Initializing, AE.InitializeComplete): A.Paused,
    (A.Initializing, AE.InitializeFailed): A.Halted,
    (A.Paused, AE.MiniportShutdownEx): A.Shutdown,
    (A.Restarting, AE.MiniportShutdownEx): A.Shutdown,
    (A.Running, AE.MiniportShutdownEx): A.Shutdown,
    (A.Pausing, AE.MiniportShutdownEx): A.Shutdown,
    (A.Paused, AE.MiniportHaltEx): A.Halted,
    (A.Paused, AE.MiniportRestart): A.Restarting,
    (A.Restarting, AE.RestartComplete): A.Running,
    (A.Restarting, AE.RestartFailed): A.Paused,
    (A.Running, AE.MiniportPause): A.Pausing,
    (A.Pausing, AE.PauseComplete): A.Paused,
    (A.Paused, AE.NdisDevicePnPEventSurpriseRemoved): A.Paused,
    (A.Restarting, AE.NdisDevicePnPEventSurpriseRemoved): A.Restarting,
    (A.Running, AE.NdisDevicePnPEventSurpriseRemoved): A.Running,
    (A.Pausing, AE.NdisDevicePnPEventSurpriseRemoved): A.Pausing,
}

# The non-blank cells of the grid in N/protocol-binding-states-and-operations.md.
EXPECTED_BINDING = {
    (B.Unbound, BE.ProtocolBindAdapterEx): B.Opening,
    (B.Opening, BE.BindFailed): B.Unbound,
    (B.Opening, BE.BindComplete): B.Paused,
    (B.Paused, BE.ProtocolUnbindAdapterEx): B.Closing,
    (B.Closing, BE.UnbindComplete): B.Unbound,
    (B.Running, BE.NetEventPause): B.Pausing,
    (B.Pausing, BE.PauseComplete): B.Paused,
    (B.Paused, BE.NetEventRestart): B.Restarting,
    (B.Restarting, BE.RestartComplete): B.Running,
    (B.Restarting, BE.RestartFailed): B.Paused,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(A, AE)))
def test_every_adapter_state_event_pair_is_the_grid_cell_or_illegal(
    state: MiniportAdapterState, event: MiniportAdapterEvent
) -> None:
    """N/miniport-adapter-states-and-operations.md: blank cells are invalid combinations."""
    expected = EXPECTED_ADAPTER.get((state, event))
    if expected is None:
        with pytest.raises(IllegalTransition) as info:
            transition(state, event)
        assert info.value.state is state
        assert info.value.event is event
        assert info.value.rule == "N/miniport-adapter-states-and-operations.md"
    else:
        assert transition(state, event) is expected


@pytest.mark.parametrize(("state", "event"), list(itertools.product(B, BE)))
def test_every_binding_state_event_pair_is_the_grid_cell_or_illegal(
    state: ProtocolBindingState, event: ProtocolBindingEvent
) -> None:
    """N/protocol-binding-states-and-operations.md: blank cells are invalid combinations."""
    expected = EXPECTED_BINDING.get((state, event))
    if expected is None:
        with pytest.raises(IllegalTransition, match=event.value):
            transition(state, event)
    else:
        assert transition(state, event) is expected


def test_tables_have_a_row_for_every_state_and_nothing_else() -> None:
    """Every state of N/miniport-adapter-states-and-operations.md and
    N/protocol-binding-states-and-operations.md has a row, so a walk never hits a KeyError."""
    assert set(MINIPORT_ADAPTER_TRANSITIONS) == set(A)
    assert set(PROTOCOL_BINDING_TRANSITIONS) == set(B)
    assert len(EXPECTED_ADAPTER) == sum(len(r) for r in MINIPORT_ADAPTER_TRANSITIONS.values())
    assert len(EXPECTED_BINDING) == sum(len(r) for r in PROTOCOL_BINDING_TRANSITIONS.values())


def test_illegal_transition_is_a_value_error_and_a_stack_error_with_a_one_line_message() -> None:
    """The message names the event, the state and the docs page, lowercase, on one line."""
    with pytest.raises(IllegalTransition) as info:
        transition(A.Running, AE.MiniportHaltEx)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, StackError)
    assert str(info.value) == (
        "event 'MiniportHaltEx' is not legal for an adapter in state Running "
        "(rule N/miniport-adapter-states-and-operations.md)"
    )


def test_mixing_adapter_and_binding_vocabularies_is_a_type_error() -> None:
    """An adapter event never applies to a binding state (our own bug, not the driver's); the two
    grids (N/miniport-adapter-states-and-operations.md,
    N/protocol-binding-states-and-operations.md) have separate vocabularies."""
    with pytest.raises(TypeError):
        transition(B.Running, AE.MiniportPause)  # type: ignore[call-overload]


def test_adapter_oid_states_are_paused_restarting_running_pausing() -> None:
    """N/miniport-adapter-states-and-operations.md, row "OID requests"."""
    assert {s for s in A if miniport_accepts_oid_requests(s)} == {
        A.Paused,
        A.Restarting,
        A.Running,
        A.Pausing,
    }


def test_adapter_sends_and_receives_only_running_and_pausing() -> None:
    """N/miniport-adapter-states-and-operations.md, row "Send and receive operations"."""
    assert {s for s in A if miniport_handles_send_and_receive(s)} == {A.Running, A.Pausing}


def test_adapter_status_indications_from_initializing_until_halt() -> None:
    """D/ndis/nf-ndis-ndismindicatestatusex.md: after registration attributes, not after halt."""
    allowed = {s for s in A if miniport_may_indicate_status(s)}
    assert allowed == {A.Initializing, A.Paused, A.Restarting, A.Running, A.Pausing}


def test_binding_oid_states_are_all_but_unbound_and_opening() -> None:
    """N/protocol-binding-states-and-operations.md: OIDs from all states but Unbound/Opening."""
    assert {s for s in B if binding_may_issue_oid_requests(s)} == set(B) - {B.Unbound, B.Opening}


def test_binding_sends_and_receives_only_running_and_pausing() -> None:
    """N/protocol-binding-states-and-operations.md, row "Send and receive operations"."""
    assert {s for s in B if binding_handles_send_and_receive(s)} == {B.Running, B.Pausing}


def test_surprise_removal_refuses_requests_until_halt() -> None:
    """D/ndis/nc-ndis-miniport_oid_request.md: NOT_ACCEPTED after surprise removal, before halt.

    The adapter is still paused and halted the ordinary way afterwards
    (N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md).
    """
    status = MiniportAdapterStatus()
    for event in (AE.MiniportInitializeEx, AE.InitializeComplete, AE.MiniportRestart):
        status = status.after(event)
    status = status.after(AE.RestartComplete)
    assert status.refusal is None
    status = status.after(AE.NdisDevicePnPEventSurpriseRemoved)
    assert status == MiniportAdapterStatus(state=A.Running, surprise_removed=True)
    assert status.refusal is NdisStatus.NDIS_STATUS_NOT_ACCEPTED
    status = status.after(AE.MiniportPause).after(AE.PauseComplete)
    assert status.refusal is NdisStatus.NDIS_STATUS_NOT_ACCEPTED
    status = status.after(AE.MiniportHaltEx)
    assert status == MiniportAdapterStatus(state=A.Halted, surprise_removed=False)
    assert status.refusal is None


def test_a_second_surprise_removal_is_illegal() -> None:
    """The PnP manager removes a device once; a repeat is a contract violation
    (D/ndis/nc-ndis-miniport_device_pnp_event_notify.md)."""
    status = MiniportAdapterStatus(state=A.Paused, surprise_removed=True)
    with pytest.raises(IllegalTransition):
        status.after(AE.NdisDevicePnPEventSurpriseRemoved)


def test_surprise_removal_of_a_halted_adapter_is_illegal() -> None:
    """MiniportDevicePnPEventNotify arrives only for an initialized adapter
    (D/ndis/nc-ndis-miniport_device_pnp_event_notify.md)."""
    with pytest.raises(IllegalTransition):
        MiniportAdapterStatus().after(AE.NdisDevicePnPEventSurpriseRemoved)


def test_mermaid_diagram_lists_every_transition_once() -> None:
    """The diagram is generated from the table (h11's make-state-diagrams idea), so it shows the
    grid of N/miniport-adapter-states-and-operations.md and nothing else."""
    text = mermaid_state_diagram(MINIPORT_ADAPTER_TRANSITIONS)
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert lines[1] == "    [*] --> Halted"
    assert "    Paused --> Restarting: MiniportRestart" in lines
    assert len(lines) == 2 + len(EXPECTED_ADAPTER)
    binding = mermaid_state_diagram(PROTOCOL_BINDING_TRANSITIONS).splitlines()
    assert binding[1] == "    [*] --> Unbound"
    assert len(binding) == 2 + len(EXPECTED_BINDING)
