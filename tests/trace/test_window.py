"""The failure window: the failure's causal past, read from the log, cycles folded, capped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zoo_artifacts import ROOT, TAPES, ZooFailure

from stack.drivers.zoo import BUGS
from stack.explore import load_tape, replay_tape
from stack.explore._artifacts import canonical_records, tape_annotations
from stack.runtime import Bus, Trace
from stack.scenario import load_scenario, run_scenario
from stack.trace import (
    Annotations,
    FailureMark,
    annotations_from_records,
    causal_past,
    failure_past,
    failure_window,
    infer_links,
)
from stack.trace._causal import cause_chain
from stack.trace._window import Arrow, Cycle, Elided, fold_cycles

SCENARIOS = sorted((ROOT / "scenarios").glob("*.py"))


def _shown(items: Any) -> list[int]:
    seqs: list[int] = []
    for item in items:
        if isinstance(item, Arrow):
            seqs.append(item.seq)
        elif isinstance(item, Cycle):
            seqs += list(item.members)
    return seqs


@pytest.fixture
def true_causes(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Record, for every delivery, the delivery whose handler posted it (the bus knows; the log
    does not say), by wrapping ``Bus.post`` and ``Trace.delivery`` for the test."""
    seen: dict[str, Any] = {"posted": {}, "delivered": {}, "handling": None}
    post, delivery = Bus.post, Trace.delivery

    def recording_post(self: Bus, src: str, dst: str, message: Any, *, delay: int = 0) -> None:
        number = self.posted
        post(self, src, dst, message, delay=delay)
        seen["posted"][number] = None if src == "scenario" else seen["handling"]

    def recording_delivery(self: Trace, envelope: Any, now: int) -> None:
        delivery(self, envelope, now)
        seen["delivered"][self.last_delivery_seq] = envelope.seq
        seen["handling"] = self.last_delivery_seq

    monkeypatch.setattr(Bus, "post", recording_post)
    monkeypatch.setattr(Trace, "delivery", recording_delivery)
    yield seen


def _runs() -> list[tuple[str, Any]]:
    runs: list[tuple[str, Any]] = []
    for path in SCENARIOS:
        runs.append((path.stem, lambda path=path: run_scenario(path).trace))
    for bug in BUGS:

        def replay(bug: Any = bug) -> Any:
            tape = load_tape(TAPES / f"{bug.name}.tape.json")
            return replay_tape(tape, scenario=load_scenario(ROOT / bug.scenario)).run.result.trace

        runs.append((bug.name, replay))
    return runs


def test_the_inferred_past_never_misses_a_real_cause(true_causes: dict[str, Any]) -> None:
    """For every delivery of every scenario and zoo run, the delivery that really posted it
    (known to the bus) is in its inferred causal past; the inferred ``cause`` is exactly it
    for most deliveries (it tells the story; the past is what must be complete)."""
    exact = total = 0
    for name, run in _runs():
        true_causes["posted"].clear()
        true_causes["delivered"].clear()
        records = canonical_records(run())
        links = infer_links(records)
        for seq, envelope in true_causes["delivered"].items():
            cause = true_causes["posted"][envelope]
            if cause is None:
                assert seq not in links.cause, (name, seq)
                continue
            assert cause in causal_past(links, [seq]), (name, seq, cause)
            total += 1
            exact += links.cause.get(seq) == cause
    assert total > 1000
    print(f"inferred cause exact for {exact} of {total} deliveries")
    assert exact / total > 0.9, (exact, total)


def test_the_past_of_the_tutorial_failure_is_what_explains_it(zoo: dict[str, ZooFailure]) -> None:
    failure = zoo["ndis_keywords_at_queue"]
    links = infer_links(failure.records)
    past = causal_past(links, [63])
    # prot2's set, whose keyword write ('3') the miniport then sees, is in it ...
    assert {52, 57, 58} <= past.keys()
    # ... NDIS's fan-out to the protocols after the completion is not (nothing read it back).
    assert not {59, 60, 61, 62} & past.keys()
    # The story: NDIS handed prot1's queued set on (45), which prot1 sent on the command (41).
    assert cause_chain(links, 63) == [63, 45, 41]
    assert links.cause[62] == 58  # the completion to the originator follows the miniport's
    assert [links.cause[s] for s in (59, 60, 61)] == [57, 57, 57]  # NDIS's fan-out


def test_every_zoo_window_is_within_the_cap_and_keeps_the_failure_and_deviations(
    zoo: dict[str, ZooFailure],
) -> None:
    for failure in zoo.values():
        notes = tape_annotations(failure.tape, failure.tape.failure)
        window = failure_window(failure.records, notes)
        assert window.arrows <= 40
        shown = _shown(window.items)
        assert window.failing in shown and shown == sorted(shown)
        assert window.arrows + window.elided <= window.past + sum(
            (i.times - 1) * i.arrows for i in window.items if isinstance(i, Cycle)
        )
        for seq in notes.swaps:
            if seq <= failure.tape.failure.seq:  # type: ignore[union-attr]
                assert seq in shown, (failure.name, seq)
        faults = {r["seq"] for r in failure.records if r["kind"] == "fault"}
        drawn = {
            note["seq"]
            for arrow in window.items
            if isinstance(arrow, Arrow)
            for note in arrow.notes
            if note["kind"] == "fault"
        }
        assert faults == drawn, (failure.name, "fired faults not drawn")


def test_a_smaller_cap_elides_and_says_how_much(zoo: dict[str, ZooFailure]) -> None:
    failure = zoo["stale_cache_after_swap"]
    notes = annotations_from_records(failure.records)
    whole = failure_window(failure.records, notes, max_arrows=10_000)
    assert not any(isinstance(i, Elided) for i in whole.items)
    small = failure_window(failure.records, notes, max_arrows=8)
    assert small.arrows <= 8
    assert small.arrows + small.elided == whole.arrows + sum(
        (i.times - 1) * i.arrows for i in whole.items if isinstance(i, Cycle)
    ) - sum((i.times - 1) * i.arrows for i in small.items if isinstance(i, Cycle))
    assert any(isinstance(i, Elided) for i in small.items)
    assert _shown(small.items)[-1] == 196 and set(_shown(small.items)) <= set(_shown(whole.items))
    # The chain of causes of the failing send comes first: the command that asked for it.
    assert 195 in _shown(small.items)


def test_the_ping_pong_livelock_is_one_cycle_drawn_once(zoo: dict[str, ZooFailure]) -> None:
    failure = zoo["propagation_ping_pong"]
    window = failure_window(failure.records, annotations_from_records(failure.records))
    (cycle,) = [i for i in window.items if isinstance(i, Cycle)]
    assert cycle.times > 100 and cycle.arrows <= 8
    kinds = [a.record["kind"] for a in cycle.body]
    assert kinds.count("oid.request") == 2 and kinds.count("oid.complete") == 2
    # The failing delivery stays outside the cycle, after it.
    assert window.items[-1] == next(i for i in window.items if isinstance(i, Arrow) and i.failing)


def _record(seq: int, src: str, dst: str, kind: str = "command", **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "t": 0, "kind": kind, "src": src, "dst": dst, **fields}


def test_folding_needs_a_real_repeat_and_keeps_ids_apart_from_names() -> None:
    pair = [_record(0, "a", "b", "oid.request", request_id=1, oid="X"),
            _record(1, "b", "a", "oid.complete", request_id=1, oid="X")]  # fmt: skip
    again = [dict(r, seq=r["seq"] + 2, request_id=2) for r in pair]
    other = [dict(r, seq=r["seq"] + 4, oid="Y") for r in pair]
    folded = fold_cycles([Arrow(r) for r in pair + again + other])
    assert isinstance(folded[0], Cycle) and folded[0].times == 2
    assert [a.seq for a in folded[1:]] == [4, 5]  # type: ignore[union-attr]
    # A single repeat of one arrow saves nothing worth a loop box.
    assert all(isinstance(i, Arrow) for i in fold_cycles([Arrow(r) for r in pair[:1] * 2]))
    # The failing delivery never folds.
    failing = [Arrow(r, failing=r["seq"] == 3) for r in pair + again]
    assert not any(isinstance(i, Cycle) and 3 in i.members for i in fold_cycles(failing))


def test_without_a_failure_the_window_is_the_last_deliveries(tmp_path: Path) -> None:
    records = canonical_records(run_scenario(ROOT / "scenarios" / "toggle_offloads.py").trace)
    window = failure_window(records, annotations_from_records(records), max_arrows=10)
    assert window.failing is None and window.arrows <= 10
    deliveries = [r["seq"] for r in records if "dst" in r]
    assert _shown(window.items)[-1] == deliveries[-1]
    assert isinstance(window.items[0], Elided)


def test_failure_past_keeps_the_past_and_the_lines_its_handlers_wrote(
    zoo: dict[str, ZooFailure],
) -> None:
    records = zoo["ndis_keywords_at_queue"].records
    kept = failure_past(records, annotations_from_records(records))
    seqs = {r["seq"] for r in kept}
    assert {52, 53, 63, 65, 66, 0} <= seqs  # prot2's set, its keyword write, the failure, ends
    assert not {59, 60, 61, 62} & seqs
    passing = [r for r in records if r["kind"] != "invariant.fail"]
    assert failure_past(passing, Annotations()) == passing
    mark = FailureMark(rule="x", seq=10_000, reason="")
    assert failure_past(records, Annotations(failure=mark)) == records
