"""A tape reproduces its run exactly: in this process and in a fresh one; changes are named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stack.explore import (
    Decision,
    load_tape,
    make_strategy,
    replay_entries,
    replay_tape,
    selfcheck,
    tape_of,
)
from stack.explore._replay import run_once
from stack.explore._tape import from_bus_tape
from stack.scenario import ScenarioFile, load_scenario

DATA = Path(__file__).resolve().parent / "data"


def _first_failure(scenario: ScenarioFile, name: str) -> int:
    for seed in range(300):
        if run_once(scenario, seed, make_strategy(name, seed)).failure is not None:
            return seed
    raise AssertionError(f"{name} found nothing in 300 seeds")


@pytest.mark.parametrize(
    ("scenario_name", "strategy"),
    [("race", "random"), ("race", "pct"), ("timeout", "delay"), ("fault", "random")],
)
def test_a_found_failure_replays_from_its_tape_alone_with_the_same_trace_hash(
    scenario_name: str, strategy: str, tmp_path: Path
) -> None:
    scenario = load_scenario(DATA / f"{scenario_name}.py")
    seed = _first_failure(scenario, strategy)
    found = run_once(scenario, seed, make_strategy(strategy, seed))
    assert found.failure is not None

    # In-process: the raw bus tape, answered by Replay, gives the very same trace.
    replayed = replay_entries(
        scenario, seed, from_bus_tape(found.stack.bus.tape), name=strategy, complete=True
    )
    assert replayed.failure == found.failure
    assert replayed.trace_sha256 == found.trace.sha256()
    assert replayed.divergence is None

    # From the file, in this process and in a fresh one under another PYTHONHASHSEED.
    tape = tape_of(scenario, seed, strategy, {}, replayed)
    path = tape.save(tmp_path / "found.tape.json")
    again = replay_tape(load_tape(path))
    assert again.reproduced and again.same_trace
    check = selfcheck(path, tape)
    assert check.ok, check.detail
    assert check.got == found.trace.sha256()


def test_a_tape_prefix_is_a_schedule_and_defaults_follow(race: ScenarioFile) -> None:
    fifo = run_once(race, 0, make_strategy("random", 0, {}))  # any run, for its length
    assert fifo.stack.bus.tape
    empty = replay_entries(race, 0, [])
    assert empty.failure is None
    assert all(d.index == 0 for d in empty.decisions)


def test_one_swap_is_enough_for_the_planted_race(race: ScenarioFile) -> None:
    # FIFO delivers scenario -> n1, -> n3, -> a, -> b in posting order; taking "b" (index 3 of
    # four enabled) first makes y overtake x.
    run = replay_entries(race, 0, [Decision("sched", 3)])
    assert run.failure is not None and run.failure.rule == "toy-order"
    assert run.decisions[0].note.startswith("scenario -> b toy.msg before scenario -> n1")


def _recorded(scenario: ScenarioFile, tmp_path: Path) -> Path:
    seed = _first_failure(scenario, "random")
    found = run_once(scenario, seed, make_strategy("random", seed))
    replayed = replay_entries(scenario, seed, from_bus_tape(found.stack.bus.tape), name="random")
    return tape_of(scenario, seed, "random", {}, replayed).save(tmp_path / "r.tape.json")


def test_a_changed_scenario_is_reported_with_the_first_divergence(tmp_path: Path) -> None:
    copy = tmp_path / "race.py"
    copy.write_text((DATA / "race.py").read_text())
    path = _recorded(load_scenario(copy), tmp_path)
    # Fewer noise actors: the enabled sets shrink, so some recorded choice no longer fits.
    text = copy.read_text().replace('        Noise("n3", "n4"),\n        Noise("n4", "n3"),\n', "")
    text = text.replace('    stack.post("n3", Msg("ping", 6))\n', "")
    copy.write_text(text)
    replay = replay_tape(load_tape(path))
    assert replay.scenario_changed
    divergence = replay.run.divergence
    assert divergence is not None
    assert "decision" in divergence.describe()
    assert not replay.same_trace


def test_a_run_that_needs_fewer_decisions_than_the_tape_holds_diverges(
    race: ScenarioFile, tmp_path: Path
) -> None:
    path = _recorded(race, tmp_path)
    tape = load_tape(path)
    import attrs

    longer = attrs.evolve(tape, entries=(*tape.entries, *tape.entries))
    replay = replay_tape(longer)
    assert replay.run.divergence is not None
    assert "ended after" in replay.run.divergence.describe()


def test_a_data_decision_where_the_tape_has_a_delivery_is_a_hard_divergence(
    fault: ScenarioFile,
) -> None:
    run = replay_entries(
        fault, 0, [Decision("sched", 0), Decision("sched", 1, 2)] * 5, complete=True
    )
    divergence = run.divergence
    assert divergence is not None and divergence.hard
    assert "fault site toy.oid.fail" in divergence.describe()


def test_the_self_check_reports_hash_order_nondeterminism_as_an_emulator_bug(
    tmp_path: Path,
) -> None:
    # Record under PYTHONHASHSEED=1; the self-check replays under 4242, which orders the
    # scenario's set of words differently (checked by hand: charlie.. vs echo..).
    path = tmp_path / "h.tape.json"
    record = (
        "import sys; from stack.explore import replay_entries, tape_of; "
        "from stack.scenario import load_scenario; "
        "s = load_scenario(sys.argv[1]); r = replay_entries(s, 0, []); "
        "tape_of(s, 0, 'fifo', {}, r).save(sys.argv[2])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    subprocess.run(
        [sys.executable, "-c", record, str(DATA / "hashorder.py"), str(path)], env=env, check=True
    )
    check = selfcheck(path, load_tape(path))
    assert not check.ok
    assert check.emulator_bug
    assert "EMULATOR BUG: nondeterminism" in check.describe()


def test_the_self_check_is_inconclusive_when_the_scenario_changed_on_disk(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "race.py"
    copy.write_text((DATA / "race.py").read_text())
    path = _recorded(load_scenario(copy), tmp_path)
    copy.write_text(copy.read_text().replace('Msg("ping", 6)', 'Msg("ping", 5)'))
    check = selfcheck(path, load_tape(path))
    assert not check.ok and check.inconclusive and not check.emulator_bug
    assert "the scenario file changed on disk" in check.describe()


def test_a_tape_records_its_scenario_relative_and_finds_it_from_above_the_tape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attrs

    from stack.errors import BadInput
    from stack.explore import scenario_of

    project = tmp_path / "project"
    (project / "scenarios").mkdir(parents=True)
    (project / "scenarios" / "race.py").write_bytes((DATA / "race.py").read_bytes())
    monkeypatch.chdir(project)
    scenario = load_scenario("scenarios/race.py")
    seed = _first_failure(scenario, "random")
    found = run_once(scenario, seed, make_strategy("random", seed))
    replayed = replay_entries(scenario, seed, from_bus_tape(found.stack.bus.tape), name="random")
    tape = tape_of(scenario, seed, "random", {}, replayed)
    assert tape.scenario_path == "scenarios/race.py"  # no trace of this machine's checkout
    path = tape.save(project / ".ndisemu" / "failures" / "race.tape.json")

    # Elsewhere, the scenario is found from the directories above the tape ...
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "scenarios").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    again = replay_tape(load_tape(path))
    assert again.reproduced and again.same_trace and not again.scenario_changed
    # ... preferring the file with the recorded sha256 over another of the same name.
    (elsewhere / "scenarios" / "race.py").write_text("async def scenario(stack):\n    pass\n")
    assert scenario_of(load_tape(path)).path == project / "scenarios" / "race.py"

    # A tape moved away from its project needs --scenario.
    moved = tape.save(tmp_path / "moved.tape.json")
    (elsewhere / "scenarios" / "race.py").unlink()
    with pytest.raises(BadInput, match=r"scenarios/race.py does not exist .*--scenario$"):
        scenario_of(load_tape(moved))
    # Tapes of older builds hold absolute paths: they still load.
    old = attrs.evolve(tape, scenario_path=str(project / "scenarios" / "race.py"))
    assert replay_tape(load_tape(old.save(tmp_path / "old.tape.json"))).reproduced


def test_a_scenario_that_prints_passes_the_self_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # chatty.py prints words, a fake `replay --json` answer and a line per delivery: the
    # self-check reads the fresh replay's trace, so none of it matters (issue 12, item 4).
    chatty = load_scenario(DATA / "chatty.py")
    path = _recorded(chatty, tmp_path)
    tape = load_tape(path)
    assert tape.failure is not None and tape.failure.rule == "toy-order"
    check = selfcheck(path, tape)
    assert check.ok, check.describe()
    assert check.got == tape.trace_sha256
    assert "chatty: starting" in capsys.readouterr().out  # it did print, in this process


def test_the_self_check_reads_the_rule_from_the_fresh_trace(tmp_path: Path) -> None:
    import attrs

    from stack.scenario import Failure

    path = _recorded(load_scenario(DATA / "chatty.py"), tmp_path)
    tape = load_tape(path)
    assert tape.failure is not None
    other = attrs.evolve(tape, failure=Failure("another-rule", tape.failure.seq, "no"))
    check = selfcheck(path, other)
    assert not check.ok and check.emulator_bug
    assert "ended with toy-order, not another-rule" in check.describe()
