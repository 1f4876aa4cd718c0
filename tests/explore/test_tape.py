"""Tapes are versioned data: they round-trip, and a bad one is one BadInput line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack import __version__
from stack.errors import BadInput
from stack.explore import (
    Decision,
    PytestNode,
    Tape,
    load_tape,
    make_strategy,
    parse_tape,
    recorded_path,
    replay_entries,
    tape_of,
)
from stack.explore._replay import run_once
from stack.explore._tape import from_bus_tape, is_json_data
from stack.ndis import OID_TCP_OFFLOAD_PARAMETERS
from stack.scenario import Failure, ScenarioFile


def _tape() -> Tape:
    return Tape(
        scenario_name="race",
        scenario_path="/somewhere/race.py",
        scenario_sha256="ab" * 32,
        strategy="pct",
        params={"depth": 3, "k": 40, "unit": "link", "faults": True, "fire_p": 0.25},
        seed=17,
        entries=(
            Decision("sched", 0, 3, "0011aabb"),
            Decision("sched", 2, 3, "ffeeddcc", "a -> b x before c -> d y", 4),
            Decision("wait", 0, 2, "01020304", "tick 3 let pass"),
            Decision("miniport.oid.fail", 1, 4, note="fault fired"),
            Decision("ndis.surprise_remove", 0, 2),
        ),
        failure=Failure("toy-order", 12, "c received y before x"),
        trace_sha256="cd" * 32,
        shrunk={"deviations_before": 9, "deviations_after": 3, "candidate_runs": 21},
    )


def _strip_seq(tape: Tape) -> Tape:
    # seq is where a decision landed in this run's trace: not part of the file.
    import attrs

    return attrs.evolve(tape, entries=tuple(attrs.evolve(e, seq=-1) for e in tape.entries))


def test_a_tape_round_trips_through_its_json() -> None:
    tape = _tape()
    assert parse_tape(tape.to_json(), "t") == _strip_seq(tape)


def test_the_json_is_valid_and_has_the_version_header() -> None:
    data = json.loads(_tape().to_json())
    assert data["format"] == "ndisemu-tape"
    assert data["version"] == 1
    assert data["emulator"] == __version__
    assert data["scenario"]["sha256"] == "ab" * 32
    assert data["strategy"] == {
        "name": "pct",
        "params": {"depth": 3, "faults": True, "fire_p": 0.25, "k": 40, "unit": "link"},
    }
    assert data["seed"] == 17
    assert data["entries"][1] == ["sched", 2, 3, "ffeeddcc", "a -> b x before c -> d y"]
    assert data["entries"][3] == ["miniport.oid.fail", 1, 4, "", "fault fired"]


def test_an_empty_tape_is_valid_json() -> None:
    import attrs

    tape = attrs.evolve(_tape(), entries=())
    assert parse_tape(tape.to_json(), "t").entries == ()


def test_a_recorded_run_round_trips_through_a_file(race: ScenarioFile, tmp_path: Path) -> None:
    first = run_once(race, 2, make_strategy("random", 2))
    replayed = replay_entries(race, 2, from_bus_tape(first.stack.bus.tape), name="random")
    tape = tape_of(race, 2, "random", {}, replayed)
    path = tape.save(tmp_path / "t.tape.json")
    assert load_tape(path) == _strip_seq(tape)


def _doc(**changes: Any) -> str:
    data = json.loads(_tape().to_json())
    for key, value in changes.items():
        target = data
        *parents, last = key.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return json.dumps(data)


CORRUPT = [
    ("", "invalid JSON at line 1 column 1"),
    ("{not json", "invalid JSON"),
    ("[1, 2, 3]", 'not an ndisemu tape (no "format": "ndisemu-tape")'),
    ('{"format": "chrome-trace"}', "not an ndisemu tape"),
    (_doc(version=2), "tape format version 2; ndisemu " + __version__ + " reads version 1"),
    (_doc(emulator="0.0.1"), "recorded by ndisemu 0.0.1"),
    (_doc(seed="17"), 'corrupt tape: seed is "17", not an integer'),
    (_doc(seed=True), "corrupt tape: seed is True, not an integer"),
    (_doc(entries={"a": 1}), "corrupt tape: entries is"),
    (_doc(entries=[["sched", -1, 3]]), "entry 0: index -1 is not a non-negative integer"),
    (_doc(entries=[["sched", 3, 3]]), "entry 0: index 3 is not below its count 3"),
    (_doc(entries=[["sched", 1]]), "entry 0 is"),
    (_doc(entries=[[7, 1, 3]]), "entry 0: kind 7 is not a site name"),
    (_doc(entries=[["wait", 1, 3]]), "entry 0: a wait has index 0, not 1"),
    (_doc(scenario__sha256="xyz"), "scenario.sha256 is not a SHA-256 hex digest"),
    (_doc(strategy__params={"k": [1]}), "strategy.params.k is [1], not a scalar"),
    (_doc(expect__failure={"rule": "x"}), "missing expect.failure.seq"),
    (_doc(scenario__pytest=[]), "scenario.pytest is [], not an object"),
    (_doc(scenario__pytest={"mode": "ndis_race"}), "missing scenario.pytest.function"),
    (
        _doc(scenario__pytest={"mode": "x", "function": "t", "params": {}, "opaque": []}),
        "scenario.pytest.mode is \"x\", not 'ndis_race' or 'ndis_stack'",
    ),
    (
        _doc(scenario__pytest={"mode": "ndis_race", "function": "a-b", "params": {}, "opaque": []}),
        'scenario.pytest.function is "a-b", not a qualified name',
    ),
    (
        _doc(scenario__pytest={"mode": "ndis_race", "function": "t", "params": {}, "opaque": [1]}),
        "scenario.pytest.opaque is [1], not a list of argument names",
    ),
]


@pytest.mark.parametrize(("text", "message"), CORRUPT)
def test_a_corrupt_or_foreign_tape_is_one_line_of_bad_input(text: str, message: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_tape(text, "x.tape.json")
    error = str(info.value)
    assert "\n" not in error
    assert error.startswith("x.tape.json: ")
    assert message in error


def test_unreadable_tape_files_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such tape file"):
        load_tape(tmp_path / "missing.json")
    with pytest.raises(BadInput, match="is a directory"):
        load_tape(tmp_path)
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(BadInput, match="not UTF-8"):
        load_tape(binary)


def test_loading_a_tape_never_runs_its_scenario(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    scenario = tmp_path / "evil.py"
    scenario.write_text(f"open({str(marker)!r}, 'w').close()\nasync def scenario(stack): pass\n")
    import attrs

    tape = attrs.evolve(_tape(), scenario_path=str(scenario))
    path = tape.save(tmp_path / "t.tape.json")
    load_tape(path)
    assert not marker.exists()


# -- the pytest plugin's tapes, and recorded paths ----------------------------------------------


def test_a_plugin_tape_round_trips_and_a_scenario_tape_has_no_pytest_field() -> None:
    import attrs

    node = PytestNode("ndis_race", "TestX.test_y", {"preset": "intel-x710", "n": [1, None]}, ("p",))
    tape = attrs.evolve(_tape(), scenario_name="t.py::TestX::test_y[a]", test=node)
    assert parse_tape(tape.to_json(), "t") == _strip_seq(tape)
    assert json.loads(tape.to_json())["scenario"]["pytest"] == {
        "mode": "ndis_race",
        "function": "TestX.test_y",
        "params": {"preset": "intel-x710", "n": [1, None]},
        "opaque": ["p"],
    }
    assert "pytest" not in json.loads(_tape().to_json())["scenario"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)  # fmt: skip


@given(json_values)
def test_json_data_comes_back_from_json_as_itself(value: Any) -> None:
    assert is_json_data(value)
    assert json.loads(json.dumps(value)) == value


@pytest.mark.parametrize(
    "value", [(1, 2), [1, (2,)], {1: "a"}, float("nan"), OID_TCP_OFFLOAD_PARAMETERS, b"x", {"a"}]
)
def test_values_json_would_change_are_not_json_data(value: Any) -> None:
    assert not is_json_data(value)


def test_paths_are_recorded_relative_to_their_root_when_below_it(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    inside = tmp_path / "scenarios" / "x.py"
    assert recorded_path(inside, tmp_path) == "scenarios/x.py"
    assert recorded_path(inside, tmp_path / "elsewhere") == str(inside.resolve())
