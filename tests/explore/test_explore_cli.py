"""ndisemu explore / replay: exit codes, the report, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from stack.cli import cli

DATA = Path(__file__).resolve().parent / "data"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_explore_reports_the_failure_shrunk_and_how_to_replay_it(tmp_path: Path) -> None:
    code, out, err = _run(
        "explore", str(DATA / "race.py"), "--runs", "20", "--strategy", "random",
        "--out", str(tmp_path), "--jobs", "1",
    )  # fmt: skip
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0].startswith("ndisemu ") and "exploring race" in lines[0]
    assert "strategy random  seeds 0..19  jobs 1" in lines[0]
    assert lines[1] == "20 runs: 9 failed, 1 distinct failure"  # no wall time on stdout
    assert lines[2].startswith("F1  toy-order  ")
    assert any(line.strip().startswith("shrunk ") and "-> 1 deviation in" in line for line in lines)
    assert any("self-check: same trace hash in a fresh process" in line for line in lines)
    replay = [line.split("replay: ", 1)[1] for line in lines if "replay: ndisemu" in line]
    assert replay == [f"ndisemu replay {tmp_path}/race-toy-order-seed0.tape.json"]
    # Outside a terminal: no bar, a plain line per investigation step and the wall time.
    assert "\x1b[" not in err and "━" not in err
    assert err.splitlines()[:3] == [
        "explore: F1 toy-order: replaying seed 0",
        "explore: F1 toy-order: shrinking 5 deviations",
        "explore: F1 toy-order: replaying the tape in a fresh process",
    ]
    assert err.splitlines()[3].startswith("explore: 20 runs in ")
    assert err.splitlines()[3].endswith(", 9 failed")

    tape = replay[0].split()[-1]
    code, out, err = _run("replay", tape)
    assert code == 1, err
    assert "FAIL toy-order at seq" in out
    assert "reproduced: the recorded failure, at the same trace line" in out
    assert "(the recorded run's)" in out.splitlines()[-1]


def test_explore_json_is_one_document(tmp_path: Path) -> None:
    code, out, _ = _run(
        "explore", str(DATA / "race.py"), "--runs", "10", "--json", "--out", str(tmp_path)
    )
    assert code == 1
    report = json.loads(out)
    assert report["runs"] == 10
    assert report["distinct_failures"] == len(report["failures"]) == 1
    assert report["failures"][0]["selfcheck"]["ok"] is True


def test_explore_passes_with_exit_0_when_nothing_fails(tmp_path: Path) -> None:
    code, out, _ = _run("explore", str(DATA / "calm.py"), "--runs", "8", "--out", str(tmp_path))
    assert code == 0
    assert out.splitlines()[-1] == "8 runs: no failure"


def test_replay_json_names_hashes_and_outcome(tmp_path: Path) -> None:
    _run("explore", str(DATA / "race.py"), "--runs", "5", "--out", str(tmp_path))
    (tape,) = [p for p in tmp_path.glob("*.tape.json") if "unshrunk" not in p.name]
    code, out, _ = _run("replay", "--json", str(tape))
    assert code == 1
    data = json.loads(out)
    assert data["reproduced"] is True and data["same_trace"] is True
    assert data["trace_sha256"] == data["expected_trace_sha256"]
    assert data["scenario"]["changed"] is False and data["divergence"] is None


def test_replay_of_a_passing_tape_exits_0(tmp_path: Path) -> None:
    from stack.explore import replay_entries, tape_of
    from stack.scenario import load_scenario

    scenario = load_scenario(DATA / "race.py")
    run = replay_entries(scenario, 0, [])
    path = tape_of(scenario, 0, "fifo", {}, run).save(tmp_path / "pass.tape.json")
    code, out, _ = _run("replay", str(path))
    assert code == 0
    assert "PASS: no rule failed" in out


def test_corrupt_and_foreign_tapes_are_one_line_errors_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text in ("{", '{"format": "something-else"}', '{"format": "ndisemu-tape", "version": 9}'):
        bad.write_text(text)
        code, out, err = _run("replay", str(bad))
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1 and err.startswith("Error: ")
    code, _, err = _run("replay", str(tmp_path / "missing.json"))
    assert code == 2 and "no such tape file" in err


def test_a_missing_scenario_is_bad_input(tmp_path: Path) -> None:
    code, _, err = _run("explore", str(tmp_path / "nope.py"), "--runs", "3")
    assert code == 2 and "no such scenario file" in err


def test_a_registry_file_is_recorded_in_the_tape_and_checked_on_replay(tmp_path: Path) -> None:
    reg = tmp_path / "nics.reg"
    source = Path(__file__).resolve().parents[1] / "runtime" / "data" / "intel-i219-export.reg"
    reg.write_bytes(source.read_bytes())
    out = tmp_path / "out"
    code, _, err = _run(
        "explore", str(DATA / "race.py"), "--runs", "4", "--registry", str(reg),
        "--out", str(out),
    )  # fmt: skip
    assert code == 1, err
    (tape,) = [p for p in out.glob("*.tape.json") if "unshrunk" not in p.name]
    recorded = json.loads(tape.read_text())["registry"]
    assert recorded["path"] == str(reg.resolve())
    code, text, _ = _run("replay", str(tape))
    assert code == 1 and "warning" not in text
    reg.write_bytes(source.read_bytes() + "; edited\r\n".encode("utf-16-le"))
    code, text, _ = _run("replay", str(tape))
    assert "warning: the registry file differs from the one recorded" in text
    reg.unlink()
    code, _, err = _run("replay", str(tape))
    assert code == 2 and "registry file" in err and "--registry" in err


def test_a_scenario_that_prints_is_not_reported_as_an_emulator_bug(tmp_path: Path) -> None:
    code, out, err = _run(
        "explore", str(DATA / "chatty.py"), "--runs", "10", "--out", str(tmp_path)
    )
    assert code == 1, err
    assert "chatty: starting" in out  # the scenario's own prints, from the in-process runs
    assert "self-check: same trace hash in a fresh process" in out
    assert "EMULATOR BUG" not in out


def test_jobs_defaults_to_the_cpus_available_capped_by_the_chunks(tmp_path: Path) -> None:
    from stack.explore import default_jobs

    code, out, err = _run(
        "explore", str(DATA / "race.py"), "--runs", "24", "--strategy", "random",
        "--out", str(tmp_path), "--no-faults",
    )  # fmt: skip
    assert code in (0, 1), err
    assert f"jobs {min(default_jobs(), 3)}" in out.splitlines()[0]  # 24 runs = 3 chunks of 8
