"""The filter module state table matches N/filter-module-states-and-operations.md cell for cell,
and the filter facts (FilterClass order, offload masks) hold for every configuration."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from offload_strategies import hardware_and_current

from stack.ndis import (
    FILTER_MODULE_TRANSITIONS,
    MASKABLE_FEATURES,
    FilterClass,
    FilterModuleEvent,
    FilterModuleState,
    IllegalTransition,
    MiniportAdapterState,
    capability_excess,
    filter_accepts_oid_requests,
    filter_handles_send_and_receive,
    filter_may_indicate_status,
    filter_stack_key,
    lso_enabled,
    mask_offload,
    masked_features,
    mermaid_state_diagram,
    transition,
)

F = FilterModuleState
FE = FilterModuleEvent

# The non-blank cells of the grid (the two last rows are the predicates below).
EXPECTED = {
    (F.Detached, FE.FilterAttach): F.Attaching,
    (F.Attaching, FE.AttachComplete): F.Paused,
    (F.Attaching, FE.AttachFailed): F.Detached,
    (F.Paused, FE.FilterDetach): F.Detached,
    (F.Paused, FE.FilterRestart): F.Restarting,
    (F.Restarting, FE.RestartComplete): F.Running,
    (F.Restarting, FE.RestartFailed): F.Paused,
    (F.Running, FE.FilterPause): F.Pausing,
    (F.Pausing, FE.PauseComplete): F.Paused,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(F, FE)))
def test_every_filter_state_event_pair_is_the_grid_cell_or_illegal(
    state: FilterModuleState, event: FilterModuleEvent
) -> None:
    expected = EXPECTED.get((state, event))
    if expected is None:
        with pytest.raises(IllegalTransition) as info:
            transition(state, event)
        assert info.value.rule == "N/filter-module-states-and-operations.md"
        assert "a filter module" in str(info.value)
    else:
        assert transition(state, event) is expected


def test_the_table_has_a_row_for_every_state() -> None:
    assert set(FILTER_MODULE_TRANSITIONS) == set(F)


def test_mixing_filter_and_adapter_vocabularies_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        transition(MiniportAdapterState.Paused, FE.FilterRestart)  # type: ignore[call-overload]


def test_oids_and_indications_from_paused_to_pausing_sends_only_running_and_pausing() -> None:
    """Rows "OID Requests" and "Send and Receive" of the grid; N/attaching-a-filter-module.md."""
    window = {F.Paused, F.Restarting, F.Running, F.Pausing}
    assert {s for s in F if filter_accepts_oid_requests(s)} == window
    assert {s for s in F if filter_may_indicate_status(s)} == window
    assert {s for s in F if filter_handles_send_and_receive(s)} == {F.Running, F.Pausing}


@given(st.lists(st.sampled_from(list(FE)), max_size=30))
def test_a_walk_of_legal_events_stays_in_the_table(events: list[FilterModuleEvent]) -> None:
    state = F.Detached
    for event in events:
        try:
            state = transition(state, event)
        except IllegalTransition:
            continue
        assert state in FILTER_MODULE_TRANSITIONS


def test_mermaid_diagram_of_the_filter_table() -> None:
    diagram = mermaid_state_diagram(FILTER_MODULE_TRANSITIONS)
    assert diagram.splitlines()[1] == "    [*] --> Detached"
    assert diagram.count("-->") == len(EXPECTED) + 1


def test_filter_classes_stack_scheduler_on_top_and_provider_address_at_the_bottom() -> None:
    """N/configuring-an-inf-file-for-a-modifying-filter-driver.md, the FilterClass table."""
    top_down = [c.value for c in sorted(FilterClass, key=lambda c: -c.rank)]
    assert top_down == [
        "scheduler",
        "encryption",
        "compression",
        "vpn",
        "loadbalance",
        "failover",
        "diagnostic",
        "custom",
        "provider_address",
    ]
    # two filters of one class: the earlier installation sits closer to the miniport
    assert filter_stack_key(FilterClass.custom, 0) < filter_stack_key(FilterClass.custom, 1)
    assert filter_stack_key(FilterClass.scheduler, 0) > filter_stack_key(FilterClass.custom, 5)


features = st.frozensets(st.sampled_from(sorted(MASKABLE_FEATURES)))


@given(hardware_and_current(), features)
def test_a_mask_only_takes_offloads_away(pair: tuple, masked: frozenset[str]) -> None:
    _hardware, current = pair
    masked_view = mask_offload(current, masked)
    assert list(capability_excess(masked_view, current)) == []
    assert mask_offload(masked_view, masked) == masked_view  # idempotent
    if "lso" in masked_features(masked):
        assert lso_enabled(masked_view) == ()


@given(hardware_and_current())
def test_hiding_checksums_hides_the_segmentation_that_computes_them(pair: tuple) -> None:
    _hardware, current = pair
    view = mask_offload(current, {"checksum"})
    assert masked_features({"checksum"}) == {"checksum", "lso", "uso"}
    assert view.Checksum.IPv4Transmit.TcpChecksum != 1 and lso_enabled(view) == ()
    assert view.UdpSegmentation.IPv4.Encapsulation == 0


def test_an_unknown_feature_is_refused() -> None:
    with pytest.raises(ValueError, match="ipsec"):
        masked_features({"ipsec"})
