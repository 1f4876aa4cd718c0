"""Failure artifacts: numbered steps, a bounded Mermaid excerpt, a Perfetto trace, one log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stack.explore import (
    Decision,
    mermaid_text,
    perfetto_events,
    replay_entries,
    steps_text,
    tape_of,
    write_artifacts,
)
from stack.explore._artifacts import canonical_records, failure_stem
from stack.scenario import ScenarioFile, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _race_failure(race: ScenarioFile) -> tuple[Any, Any]:
    run = replay_entries(race, 0, [Decision("sched", 3)], name="random")
    assert run.failure is not None
    return run, tape_of(race, 0, "random", {}, run)


def test_steps_number_every_delivery_by_trace_seq_and_end_with_the_rule(
    race: ScenarioFile,
) -> None:
    run, tape = _race_failure(race)
    records = canonical_records(run.result.trace)
    text = steps_text(records, tape=tape, failure=run.failure, replay_command="ndisemu replay x")
    lines = text.splitlines()
    deliveries = [r for r in records if "dst" in r]
    numbered = [line for line in lines if line.split(".")[0].strip().isdigit()]
    assert len(numbered) == len(deliveries)
    assert numbered[0].startswith(f"{deliveries[0]['seq']}. t=0")
    assert "scenario -> b" in numbered[0] and "name=go" in numbered[0]
    assert "^ out of FIFO order: scenario -> b toy.msg before scenario -> n1" in text
    assert lines[-1] == "FAIL toy-order at seq 5: c received y before x"
    assert "replay: ndisemu replay x" in lines


def test_fired_faults_show_in_the_steps(fault: ScenarioFile) -> None:
    entries = [Decision("toy.oid.fail", 0)] * 3 + [Decision("toy.oid.fail", 2)]
    run = replay_entries(fault, 0, entries)
    tape = tape_of(fault, 0, "random", {}, run)
    text = steps_text(canonical_records(run.result.trace), tape=tape, failure=run.failure)
    assert "! fault toy.oid.fail fired: option 2" in text


def test_mermaid_shows_the_failure_window_in_red_with_a_note(race: ScenarioFile) -> None:
    run, tape = _race_failure(race)
    text = mermaid_text(canonical_records(run.result.trace), tape=tape, failure=run.failure)
    lines = text.splitlines()
    assert lines[1] == "sequenceDiagram" and "autonumber" not in text
    assert "    participant scenario as scenario" in lines
    assert any("out of FIFO order, ahead of scenario -> n1 toy.msg" in line for line in lines)
    assert lines[-4:] == [
        "    rect rgb(255, 205, 205)",
        "        b-xc: [5] toy.msg",
        "        Note over b,c: FAIL toy-order at seq 5 (seed 0)",
        "    end",
    ]


def test_mermaid_draws_the_causal_past_and_the_cap_keeps_the_failure(race: ScenarioFile) -> None:
    run, tape = _race_failure(race)
    records = canonical_records(run.result.trace)
    text = mermaid_text(records, tape=tape, failure=run.failure)
    # The noise actors' pings are not in the past of c's delivery: two arrows, not five.
    arrows = [line.strip() for line in text.splitlines() if ": [" in line and "Note" not in line]
    assert arrows == ["scenario->>b: [1] toy.msg", "b-xc: [5] toy.msg"]
    text = mermaid_text(records, tape=tape, failure=run.failure, max_arrows=1)
    arrows = [line for line in text.splitlines() if ": [" in line and "Note" not in line]
    assert len(arrows) == 1 and arrows[0].strip().startswith("b-xc: [5]")
    assert "Note over b,c: … 1 delivery elided …" in text


def test_perfetto_trace_has_integer_ids_named_threads_and_strictly_ordered_times(
    race: ScenarioFile,
) -> None:
    run, tape = _race_failure(race)
    doc = perfetto_events(canonical_records(run.result.trace), tape=tape, failure=run.failure)
    events = doc["traceEvents"]
    json.dumps(doc)  # serialisable
    assert all(isinstance(e["pid"], int) for e in events)
    assert all(isinstance(e["tid"], int) for e in events if "tid" in e)
    names = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert {"scenario", "a", "b", "c"} <= names
    stamps = [e["ts"] for e in events if e["ph"] == "i"]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    (fail,) = [e for e in events if e["ph"] == "i" and e.get("s") == "g"]
    assert fail["name"] == "FAIL toy-order"


def test_perfetto_oids_are_async_slices_from_request_to_completion(tmp_path: Path) -> None:
    from stack.explore._replay import run_once
    from stack.runtime import Fifo

    scenario = load_scenario(SCENARIOS / "toggle_offloads.py")
    result = run_once(scenario, 0, Fifo())
    replayed = replay_entries(scenario, 0, [])
    tape = tape_of(scenario, 0, "fifo", {}, replayed)
    doc = perfetto_events(canonical_records(result.trace), tape=tape, failure=None)
    begins = [e for e in doc["traceEvents"] if e["ph"] == "b"]
    ends = {e["id"]: e for e in doc["traceEvents"] if e["ph"] == "e"}
    assert begins
    for begin in begins:
        end = ends[begin["id"]]
        assert end["name"] == begin["name"] and end["cat"] == "oid"
        assert end["ts"] > begin["ts"]


def test_write_artifacts_writes_the_four_files(race: ScenarioFile, tmp_path: Path) -> None:
    run, tape = _race_failure(race)
    stem = failure_stem("race", "toy-order", 0)
    assert stem == "race-toy-order-seed0"
    paths = write_artifacts(tmp_path / "out", stem, tape=tape, trace=run.result.trace)
    assert paths.tape.name == "race-toy-order-seed0.tape.json"
    assert paths.markdown.read_text().count("```") == 2
    json.loads(paths.perfetto.read_text())
    assert paths.steps.read_text().endswith("c received y before x\n")


def test_failure_stems_are_safe_file_names() -> None:
    assert failure_stem("mux/x", "a rule: with*stuff", 3) == "mux_x-a_rule_with_stuff-seed3"
