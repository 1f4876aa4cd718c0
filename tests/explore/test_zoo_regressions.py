"""One regression test per bug of the zoo: the shrunk tape that found it (tests/explore/data/zoo)
replays to the same failure, at the same trace line, with the same trace hash.

The tapes were written by ``python benchmarks/zoo_detection.py --write-tapes
tests/explore/data/zoo``; run it again when the emulator changes what a tape means (a new
fault site, another trace line), and check the interleavings below still describe them.
"""

from __future__ import annotations

from pathlib import Path

from stack.drivers.zoo import BUGS
from stack.explore import TapeReplay, load_tape, replay_tape
from stack.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TAPES = Path(__file__).resolve().parent / "data" / "zoo"


def _replay(name: str) -> TapeReplay:
    bug = next(b for b in BUGS if b.name == name)
    tape = load_tape(TAPES / f"{name}.tape.json")
    replayed = replay_tape(tape, scenario=load_scenario(ROOT / bug.scenario))
    assert tape.failure is not None and tape.failure.rule == bug.rule
    assert replayed.reproduced, (replayed.failure, replayed.run.divergence)
    assert replayed.same_trace
    return replayed


def test_stale_cache_after_swap() -> None:
    """team0's initialization completes (init-done before the swap command) and NDIS restarts
    team0 before the swap lands: TCP/IP is bound with nic0's LSO, ignores the MUX's indication
    of nic1's capabilities, and sends LSO."""
    _replay("stale_cache_after_swap")


def test_indication_lost_in_init_window() -> None:
    """The scheduled swap is delivered before the MUX's own init-done timer of the same tick: the
    swap lands inside the initialization window, and the snapshot MUX reports nic0's
    capabilities for a team whose active member is nic1."""
    _replay("indication_lost_in_init_window")


def test_oid_completed_after_unbind() -> None:
    """nic0 pends the clone for a second (miniport.oid.pend_long), so the surprise removal
    catches it outstanding: the MUX closes its binding at once and the clone completes to it
    afterwards."""
    _replay("oid_completed_after_unbind")


def test_cancel_with_wrong_request_id() -> None:
    """The cancel command and ndisprot's NdisCancelOidRequest overtake nic0's indication and
    completion of the clone: the MUX gets the cancel while its clone is outstanding and cancels
    it with the wrong RequestId."""
    _replay("cancel_with_wrong_request_id")


def test_packets_built_before_lso_off() -> None:
    """The administrator's WMI set reaches NDIS before TCP/IP's LSO sends do: the MUX holds the
    sends during its fan-out and hands them to nic0 after nic0 reported LSO off."""
    _replay("packets_built_before_lso_off")


def test_propagation_ping_pong() -> None:
    """nic0 defers its CURRENT_CONFIG indication past the completion (miniport.indicate.delay),
    so it reaches the MUX after its fan-out finished: the MUX pushes the team's parameters down,
    and every echo makes it push again until the step budget runs out."""
    _replay("propagation_ping_pong")


def test_receive_checksum_before_encapsulation() -> None:
    """The administrator's cmdlet reaches NDIS before TCP/IP's OID_OFFLOAD_ENCAPSULATION set:
    the eager miniport starts receive checksum on the parameters set, and packets arriving while
    TCP/IP's set is pending carry checksum results."""
    _replay("receive_checksum_before_encapsulation")


def test_ndis_keywords_at_queue() -> None:
    """prot0's set pends for a second (miniport.oid.pend_long), so prot1's set is still queued
    when prot2's arrives: the buggy NDIS has written prot2's keywords by the time it hands
    prot1's set to the miniport."""
    _replay("ndis_keywords_at_queue")


def test_attach_snapshot_races_set() -> None:
    """Two ticks pass while NDIS pauses nic0 to insert xdp, and nic0 completes its pause before
    the set's work item runs: the set's CURRENT_CONFIG reaches xdp after its attach, and its
    FilterRestart republishes the attach-time view over it."""
    _replay("attach_snapshot_races_set")


def test_indication_dropped_while_paused() -> None:
    """NDIS pauses nic0's stack as it hands ndisprot's set on (ndis.pause_during_oid): npcap is
    pausing, its clone out, when nic0 indicates, and drops the indication."""
    _replay("indication_dropped_while_paused")


def test_oid_sent_from_detach() -> None:
    """nic0 is pulled right after NDIS hands it the set (ndis.surprise_remove): the teardown
    detaches xdp, which sends its cleanup request from FilterDetach."""
    _replay("oid_sent_from_detach")


def test_pause_with_nbls_held() -> None:
    """NDIS pauses nic0's stack as it hands the administrator's set on, with npcap's three frames
    in nic0: npcap completes FilterPause at once, holding them."""
    _replay("pause_with_nbls_held")


def test_config_dropped_before_running() -> None:
    """ndisprot's set reaches nic0 before NDIS's PnP work item starts the restart after the bind
    (the bind window): its CURRENT_CONFIG reaches TCP/IP's Paused binding, the buggy TCP/IP drops
    it and, restarted, asks for Ethernet encapsulation it was told nothing supports."""
    _replay("config_dropped_before_running")


def test_set_completion_as_indication() -> None:
    """nic0 defers its CURRENT_CONFIG indication past its completion of the LSO-off clone
    (miniport.indicate.delay): the buggy MUX takes the completion for the indication and
    indicates team0's old configuration, LSO on, for the set it completes successfully."""
    _replay("set_completion_as_indication")


def test_send_from_stale_member_view() -> None:
    """nic0's indication of USO off reaches the MUX before TCP/IP's USO send does: the buggy MUX
    queues the indication to a work item and hands the send to nic0 from its stale view."""
    _replay("send_from_stale_member_view")


def test_late_member_bind_copy() -> None:
    """The MUX binds to nic1 before the administrator's LSO-off set reaches it, and the set lands
    while nic1's capability query is out: the buggy MUX re-applies its bind-time copy and nic1
    joins team0 with LSO on."""
    _replay("late_member_bind_copy")


def test_keywords_lost_across_restart() -> None:
    """nic0 fails the WMI client's LSO-off set after NDIS wrote the keywords; restarted, the buggy
    miniport registers the configuration it saved at its halt, LSO on against its keywords."""
    _replay("keywords_lost_across_restart")


def test_every_zoo_bug_has_a_regression_tape() -> None:
    assert sorted(p.name for p in TAPES.glob("*.tape.json")) == sorted(
        f"{bug.name}.tape.json" for bug in BUGS
    )


def test_the_zoo_tapes_carry_no_checkout_path_and_find_their_scenarios() -> None:
    from stack.explore import scenario_of

    for bug in BUGS:
        tape = load_tape(TAPES / f"{bug.name}.tape.json")
        # Relative, so no machine's checkout is in it (zoo_detection.py --write-tapes, run from
        # the repository's root, records it so).
        assert tape.scenario_path == bug.scenario
        assert scenario_of(tape).path == (ROOT / bug.scenario).resolve()
