"""Issue 14's MUX fix: a member whose hardware capabilities could not be read does not join.

The tape (tests/explore/data/mux/replace_member_removed.tape.json, recorded with the MUX before
the fix) replaces nic0 with nic2 while nic2 is surprise-removed just after its initialization:
TCP/IP's OID_OFFLOAD_ENCAPSULATION set on nic2 is handed on before the MUX's
OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES query reaches NDIS, the fault ndis.surprise_remove pulls
nic2 there, and the query gets NDIS_STATUS_NOT_ACCEPTED.  The old MUX joined nic2 with no
hardware capabilities and broke INV-1 on team0; the fixed one leaves nic2 out.
"""

from __future__ import annotations

from pathlib import Path

from stack.explore import load_tape, replay_tape
from stack.scenario import load_scenario

DATA = Path(__file__).resolve().parent / "data" / "mux"


def test_the_tape_that_broke_inv1_replays_clean_and_the_member_stays_out() -> None:
    tape = load_tape(DATA / "replace_member_removed.tape.json")
    assert tape.failure is not None and tape.failure.rule == "INV-1-current-within-hardware"
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
