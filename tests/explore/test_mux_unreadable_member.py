"""Issue 14's MUX fix: a member whose hardware capabilities could not be read does not join.

The tape (tests/explore/data/mux/replace_member_removed.tape.json) replaces nic0 with nic2
while nic2 is surprise-removed just after its initialization, so that the MUX's
OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES query on nic2 gets NDIS_STATUS_NOT_ACCEPTED.  The MUX
before the fix joined nic2 with no hardware capabilities and broke INV-1 on team0 (the tape
first recorded that, seq 165); that schedule predates the bring-up order of issue 10 (binds
while Paused, the bind window), so the tape was re-recorded on the fixed MUX as the first
portfolio seed (143) that reaches the unreadable member: on it the run passes and nic2 stays out.
"""

from __future__ import annotations

from pathlib import Path

from stack.explore import load_tape, replay_tape
from stack.scenario import load_scenario

DATA = Path(__file__).resolve().parent / "data" / "mux"


def test_the_tape_that_broke_inv1_replays_clean_and_the_member_stays_out() -> None:
    tape = load_tape(DATA / "replace_member_removed.tape.json")
    assert tape.failure is None
    replayed = replay_tape(tape, scenario=load_scenario(DATA / "replace_member_removed.py"))
    assert replayed.failure is None
    # Every decision of the tape was replayed; the fixed MUX only adds some after its end.
    divergence = replayed.run.divergence
    assert divergence is None or divergence.position >= len(tape.entries), divergence
    records = replayed.run.result.trace.records
    unreadable = [r for r in records if r["kind"] == "mux.member.unreadable"]
    assert [(r["member"], r["status"]) for r in unreadable] == [
        ("nic2", "NDIS_STATUS_NOT_ACCEPTED")
    ]
    joined = [r["member"] for r in records if r["kind"] == "mux.member.join"]
    assert "nic2" not in joined
