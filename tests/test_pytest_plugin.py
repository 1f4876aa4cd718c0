"""The pytest plugin, exercised in a sample user project with ``pytester``."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

TRIO_MODE = "[tool.pytest.ini_options]\ntrio_mode = true\n"

HELPERS = '''
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)


def rsc(value, request_id):
    params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=value)
    return NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params, RequestId=request_id)


async def two_protocols_set_rsc(stack):
    """Protocol a disables RSC IPv4 while protocol b enables it; NDIS serializes the two."""
    stack.miniport("nic0", preset="intel-x710")
    stack.ndisprot("a", bind=["nic0"])
    stack.ndisprot("b", bind=["nic0"])
    await stack.start()
    stack.oid("a", "nic0", rsc(NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED, 1))
    stack.oid("b", "nic0", rsc(NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED, 2))
    await stack.settle()
    return stack.ndis.adapters["nic0"].current.Rsc.IPv4.Enabled
'''

PASSING = (
    HELPERS
    + """
import pytest


async def test_disabling_lso_reaches_tcpip(ndis_stack):
    ndis_stack.miniport("nic0", preset="intel-x710")
    tcpip = ndis_stack.tcpip("tcpip", bind=["nic0"])
    await ndis_stack.start()
    ndis_stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso")
    await ndis_stack.settle()
    assert tcpip.view("nic0").current.LsoV2.IPv4.Encapsulation == 0


@pytest.mark.ndis_race(runs=20, strategy="random")
async def test_whichever_set_lands_last_wins_in_every_order(stack):
    enabled = await two_protocols_set_rsc(stack)
    last = stack.ndis.adapters["nic0"]
    assert enabled in (0, 1)
    assert stack.registry.adapter("nic0").get("*RscIPv4") == str(enabled)
    assert last.queue == type(last.queue)()
"""
)

RACY = (
    HELPERS
    + '''
import pytest


@pytest.mark.ndis_race(runs=50, strategy="random")
async def test_b_lands_last(stack):
    """Wrong: nothing orders the two protocols' requests."""
    assert await two_protocols_set_rsc(stack) == 1
'''
)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject=TRIO_MODE)
    return pytester


def _section(result: pytest.RunResult) -> list[str]:
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+ ndisemu -+", line))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("="))
    return lines[start + 1 : end]


def _command(section: list[str], after: str) -> list[str]:
    """The pytest arguments of the command printed under ``after``."""
    line = section[section.index(after) + 1].strip()
    argv = shlex.split(line)
    assert argv[0] == "pytest"
    return argv[1:]


def _ndisemu(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m stack ARGS`` in a fresh process, as a user runs ndisemu from ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "stack", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("ndisemu") == "stack.pytest_plugin"


def test_a_passing_stack_test_and_a_passing_race(project: pytest.Pytester) -> None:
    project.makepyfile(test_sample=PASSING)
    result = project.runpytest("--ndis-seed=7")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["ndisemu: seed base 7 (reuse with --ndis-seed=7 or --ndis-seed=last)"]
    )


def _line(section: list[str], prefix: str) -> str:
    """The value of the section's line that starts with ``prefix``."""
    return next(line for line in section if line.startswith(prefix)).removeprefix(prefix).strip()


def test_a_race_found_by_the_marker_fails_with_an_ndisemu_section(
    project: pytest.Pytester, tmp_path: Path
) -> None:
    project.makepyfile(test_racy=RACY)
    tapes = tmp_path / "tapes"
    result = project.runpytest("--ndis-seed=1", f"--ndis-tape-dir={tapes}")
    result.assert_outcomes(failed=1)
    section = _section(result)
    first = re.fullmatch(
        r"failing run (\d+) of 50: seed (\d+), strategy random no-faults \(base seed 1\)",
        section[0],
    )
    assert first is not None, section
    run, seed = int(first[1]), int(first[2])
    assert seed == 1 + run - 1
    assert section[1].startswith("FAIL scenario-assert at seq ")
    assert "AssertionError" in section[1]
    assert re.fullmatch(r"shrunk \d+ -> 1 deviation in \d+ candidate runs:", section[2])
    assert section[3].startswith("  decision ")
    tape = Path(_line(section, "tape:"))
    assert tape.parent == tapes and tape.is_file()  # outside the project: an absolute path
    assert Path(_line(section, "trace:")).is_file()
    stem = str(tape).removesuffix(".tape.json")
    assert (
        _line(section, "more:") == f"{stem}.{{unshrunk.tape.json,steps.txt,mmd,md,perfetto.json}}"
    )
    for suffix in ("unshrunk.tape.json", "steps.txt", "mmd", "md", "perfetto.json"):
        assert Path(f"{stem}.{suffix}").is_file()
    assert _command(section, "reproduce this run:") == [
        "test_racy.py::test_b_lands_last",
        f"--ndis-seed={seed}",
        "--ndis-runs=1",
    ]
    assert section[section.index("replay its tape:") + 1] == f"  ndisemu replay {tape}"
    assert _command(section, "run every seed again:")[1:] == ["--ndis-seed=1"]
    # The failure's own traceback is there too, pointing into the test.
    result.stdout.fnmatch_lines(["*assert await two_protocols_set_rsc(stack) == 1*"])

    again = project.runpytest(*_command(section, "reproduce this run:"))
    again.assert_outcomes(failed=1)
    assert _section(again)[0].startswith(f"failing run 1 of 1: seed {seed},")

    # pytest replays the (shrunk) tape too: the same rule, at the shrunk run's trace line.
    line = section[section.index("replay its tape:") + 2].strip()
    replayed = project.runpytest(*shlex.split(line)[1:])
    replayed.assert_outcomes(failed=1)
    replay_section = _section(replayed)
    assert replay_section[0].startswith(f"replayed {tape} (seed {seed}, random")
    recorded = json.loads(tape.read_text())["expect"]["failure"]
    assert replay_section[1].startswith(
        f"FAIL scenario-assert at seq {recorded['seq']}: AssertionError"
    )


def test_options_and_the_marker_seed_choose_the_runs(project: pytest.Pytester) -> None:
    log = project.path / "seeds.txt"
    project.makepyfile(
        test_seeds=f"""
import pytest


@pytest.mark.ndis_race(runs=4, strategy="pct", seed=100)
async def test_records_its_seeds(stack):
    stack.miniport("nic0")
    await stack.start()
    with open({str(log)!r}, "a") as f:
        f.write(f"{{stack.seed}}\\n")
"""
    )
    project.runpytest().assert_outcomes(passed=1)
    assert log.read_text().split() == ["100", "101", "102", "103"]
    log.unlink()
    project.runpytest("--ndis-seed=10", "--ndis-runs=2").assert_outcomes(passed=1)
    assert log.read_text().split() == ["10", "11"]


def test_race_tests_run_without_trio_mode_in_their_own_trio_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_plain=RACY)
    result = pytester.runpytest("--ndis-seed=0", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    section = _section(result)
    assert section[0].startswith("failing run ")
    # No pytest cache and no --ndis-tape-dir: nowhere to write a tape, so none is offered.
    assert not any(line.startswith(("tape:", "replay")) for line in section)
    result.stdout.fnmatch_lines([">*assert await two_protocols_set_rsc(stack) == 1"])


FIXTURE_TEST = """
async def test_rsc_is_off(ndis_stack):
    ndis_stack.miniport("nic0", preset="intel-x710")
    await ndis_stack.start()
    enabled = ndis_stack.ndis.adapters["nic0"].current.Rsc.IPv4.Enabled
    assert enabled == 0
"""


def test_a_failing_stack_test_reports_its_seed_trace_and_tape(project: pytest.Pytester) -> None:
    project.makepyfile(test_fixture=FIXTURE_TEST)
    result = project.runpytest("--ndis-seed=5")
    result.assert_outcomes(failed=1)
    section = _section(result)
    assert re.fullmatch(r"ndis_stack: seed 5, strategy fifo, \d+ deliveries", section[0])
    assert re.fullmatch(
        r"FAIL scenario-assert at seq \d+: AssertionError: assert 1 == 0", section[1]
    )
    tape = _line(section, "tape:")
    trace = _line(section, "trace:")
    assert trace.startswith(".pytest_cache/")  # in the project: relative to it
    assert (project.path / trace).is_file() and (project.path / tape).is_file()
    assert _command(section, "reproduce:") == ["test_fixture.py::test_rsc_is_off", "--ndis-seed=5"]
    assert section[section.index("replay its tape:") + 1] == f"  ndisemu replay {tape}"
    assert section[-1] == f"  ndisemu replay {tape}"  # --ndis-replay is for race tests

    # The tape runs the test again without pytest: the same failure and the very same trace.
    replayed = _ndisemu(project.path, "replay", tape, "--trace", "replayed.jsonl")
    assert replayed.returncode == 1, replayed.stderr
    assert section[1] in replayed.stdout
    assert "reproduced: the recorded failure, at the same trace line" in replayed.stdout
    assert "(the recorded run's)" in replayed.stdout
    assert (project.path / "replayed.jsonl").read_bytes() == (project.path / trace).read_bytes()


# -- the plugin's tapes, replayed by ndisemu ------------------------------------------------------


def _race_tape(project: pytest.Pytester, *options: str) -> tuple[list[str], Path]:
    """Run RACY; its report section and its tape (in the project's pytest cache)."""
    project.makepyfile(test_racy=RACY)
    result = project.runpytest("--ndis-seed=1", *options)
    result.assert_outcomes(failed=1)
    section = _section(result)
    return section, project.path / _line(section, "tape:")


def test_a_race_tape_replays_with_ndisemu_replay_and_show(
    project: pytest.Pytester, tmp_path: Path
) -> None:
    section, tape = _race_tape(project)
    data = json.loads(tape.read_text())
    # Relative to the rootdir, and naming the test the CLI calls.
    assert data["scenario"]["name"] == "test_racy.py::test_b_lands_last"
    assert data["scenario"]["path"] == "test_racy.py"
    assert data["scenario"]["pytest"] == {
        "mode": "ndis_race", "function": "test_b_lands_last", "params": {}, "opaque": [],
    }  # fmt: skip
    recorded = data["expect"]["failure"]
    assert recorded["rule"] == "scenario-assert"

    replayed = _ndisemu(project.path, "replay", str(tape.relative_to(project.path)))
    assert replayed.returncode == 1, replayed.stderr
    lines = replayed.stdout.splitlines()
    assert lines[0].startswith(
        "ndisemu 0.1.0  replay test_racy.py::test_b_lands_last (sha "
    ) and lines[0].endswith("seed 4  strategy random  29 decisions, 1 deviation")
    assert (
        lines[1] == f"FAIL scenario-assert at seq {recorded['seq']}: AssertionError: assert 0 == 1"
    )
    assert "  reproduced: the recorded failure, at the same trace line" in lines
    assert lines[-1].endswith("(the recorded run's)")

    # From anywhere: the test file is found from the directories above the tape.
    as_json = _ndisemu(tmp_path, "replay", "--json", str(tape))
    answer = json.loads(as_json.stdout)
    assert as_json.returncode == 1
    assert answer["reproduced"] and answer["same_trace"] and answer["divergence"] is None
    assert answer["scenario"]["path"] == str(project.path / "test_racy.py")

    # The run as found replays too, failing where the section said.
    unshrunk = Path(str(tape).removesuffix(".tape.json") + ".unshrunk.tape.json")
    as_found = _ndisemu(project.path, "replay", str(unshrunk))
    assert as_found.returncode == 1
    assert section[1] in as_found.stdout.splitlines()
    assert "  reproduced: the recorded failure, at the same trace line" in as_found.stdout

    # show --tape: the adapter as it was when the assertion failed (b's enable lost to a's).
    shown = _ndisemu(project.path, "show", "--tape", str(tape), "adapter", "nic0", "rsc", "--json")
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert view["scenario"] == "test_racy.py::test_b_lands_last" and view["seed"] == 4
    assert view["failure"]["rule"] == "scenario-assert"
    assert view["rsc"][0]["IPv4Enabled"] is False
    at = _ndisemu(project.path, "show", "--tape", str(tape), "adapter", "nic0", "rsc", "--at", "20")
    assert at.returncode == 0 and "IPv4Enabled" in at.stdout


def test_shrinking_keeps_the_rule_and_never_lengthens_the_tape(project: pytest.Pytester) -> None:
    from stack.explore import load_tape

    _, tape_path = _race_tape(project)
    shrunk = load_tape(tape_path)
    found = load_tape(str(tape_path).removesuffix(".tape.json") + ".unshrunk.tape.json")
    assert shrunk.failure is not None and found.failure is not None
    assert shrunk.failure.rule == found.failure.rule == "scenario-assert"
    assert len(shrunk.entries) <= len(found.entries)
    assert 1 == shrunk.deviations < found.deviations
    assert shrunk.shrunk == {
        "deviations_before": found.deviations,
        "deviations_after": 1,
        "candidate_runs": shrunk.shrunk["candidate_runs"] if shrunk.shrunk else -1,
    }
    assert found.shrunk is None

    section, tape_path = _race_tape(project, "--no-ndis-shrink")
    assert not any(line.startswith("shrunk ") for line in section)
    assert "unshrunk" not in _line(section, "more:")
    kept = load_tape(tape_path)
    assert kept.shrunk is None and kept.entries == found.entries


PARAMETRIZED = """
import pytest

from helpers import set_rsc


class TestRsc:
    @pytest.mark.parametrize("preset", ["intel-x710"])
    @pytest.mark.parametrize(("first", "second"), [(0, 1)])
    @pytest.mark.ndis_race(runs=30, strategy="random")
    async def test_last_set_wins(self, stack, preset, first, second, ndis_seed):
        stack.miniport("nic0", preset=preset)
        stack.ndisprot("a", bind=["nic0"])
        stack.ndisprot("b", bind=["nic0"])
        await stack.start()
        stack.oid("a", "nic0", set_rsc(first, 1))
        stack.oid("b", "nic0", set_rsc(second, 2))
        await stack.settle()
        enabled = stack.ndis.adapters["nic0"].current.Rsc.IPv4.Enabled
        assert enabled == second


@pytest.mark.ndis_race(runs=30, strategy="random")
async def test_with_a_fixture(stack, tmp_path):
    stack.miniport("nic0", preset="intel-x710")
    stack.ndisprot("a", bind=["nic0"])
    stack.ndisprot("b", bind=["nic0"])
    await stack.start()
    stack.oid("a", "nic0", set_rsc(0, 1))
    stack.oid("b", "nic0", set_rsc(1, 2))
    await stack.settle()
    assert stack.ndis.adapters["nic0"].current.Rsc.IPv4.Enabled == 1


@pytest.mark.parametrize("pair", [(0, 1)])
@pytest.mark.ndis_race(runs=30, strategy="random")
async def test_with_a_tuple(stack, pair):
    stack.miniport("nic0", preset="intel-x710")
    stack.ndisprot("a", bind=["nic0"])
    stack.ndisprot("b", bind=["nic0"])
    await stack.start()
    stack.oid("a", "nic0", set_rsc(pair[0], 1))
    stack.oid("b", "nic0", set_rsc(pair[1], 2))
    await stack.settle()
    assert stack.ndis.adapters["nic0"].current.Rsc.IPv4.Enabled == pair[1]
"""

SET_RSC = """
from stack.ndis import NDIS_OFFLOAD_PARAMETERS, NDIS_OID_REQUEST, OID_TCP_OFFLOAD_PARAMETERS


def set_rsc(value, request_id):
    params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=value + 1)  # 1 disables, 2 enables
    return NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params, RequestId=request_id)
"""


def _tapes(result: pytest.RunResult) -> dict[str, str]:
    """Each failing test's tape (by the test's name), from the report sections."""
    tapes: dict[str, str] = {}
    name = ""
    for line in result.outlines:
        match = re.fullmatch(r"_+ (\S+) _+", line)
        if match:
            name = match[1]
        elif line.startswith("tape:"):
            tapes[name] = line.removeprefix("tape:").strip()
    return tapes


def test_class_and_parametrized_tests_replay_and_fixtures_are_refused(
    project: pytest.Pytester,
) -> None:
    project.mkdir("tests")
    (project.path / "tests" / "helpers.py").write_text(SET_RSC)
    (project.path / "tests" / "test_params.py").write_text(PARAMETRIZED)
    result = project.runpytest("--ndis-seed=1")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "ndisemu replay cannot run this test: it asks for the fixture 'tmp_path', which "
            "only pytest can give",
            "ndisemu replay cannot run this test: its parameter 'pair' is not JSON data, so "
            "the tape cannot carry it",
        ]
    )
    tapes = _tapes(result)
    assert set(tapes) == {
        "TestRsc.test_last_set_wins[0-1-intel-x710]",
        "test_with_a_fixture",
        "test_with_a_tuple[pair0]",
    }
    # The class's test, its parameters and a helper module next to it (pytest's sys.path).
    tape = tapes["TestRsc.test_last_set_wins[0-1-intel-x710]"]
    node = json.loads((project.path / tape).read_text())["scenario"]["pytest"]
    assert node["function"] == "TestRsc.test_last_set_wins"
    assert node["params"] == {"first": 0, "second": 1, "preset": "intel-x710", "ndis_seed": 1}
    replayed = _ndisemu(project.path, "replay", tape)
    assert replayed.returncode == 1, replayed.stderr
    assert "reproduced: the recorded failure, at the same trace line" in replayed.stdout

    # What only pytest can give: one line, exit 2, naming it and the pytest command.
    for name, says in [
        ("test_with_a_fixture", "it asks for the fixture 'tmp_path', which only pytest can give"),
        ("test_with_a_tuple[pair0]", "its parameter 'pair' is not JSON data"),
    ]:
        for command in (["replay"], ["show", "--tape"]):
            refused = _ndisemu(
                project.path, *command, tapes[name], *(["adapter"] if command[0] == "show" else [])
            )
            assert refused.returncode == 2, refused
            assert refused.stdout == ""
            (line,) = refused.stderr.splitlines()
            assert line.startswith(f"Error: tests/test_params.py::{name}: {says}")
            node = shlex.quote(f"tests/test_params.py::{name}")
            assert line.endswith(f"; replay it with: pytest {node} --ndis-replay={tapes[name]}")


def test_pytest_fail_in_a_race_is_a_failure_its_tape_replays(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_fail=HELPERS
        + """
import pytest


@pytest.mark.ndis_race(runs=50, strategy="random")
async def test_b_lands_last(stack):
    if await two_protocols_set_rsc(stack) != 1:
        pytest.fail("a's disable landed last")
"""
    )
    result = project.runpytest("--ndis-seed=1")
    result.assert_outcomes(failed=1)
    section = _section(result)
    assert re.fullmatch(
        r"FAIL scenario-assert at seq \d+: Failed: a's disable landed last", section[1]
    )
    assert any(line.startswith("shrunk ") for line in section)
    replayed = _ndisemu(project.path, "replay", _line(section, "tape:"))
    assert replayed.returncode == 1
    assert "  reproduced: the recorded failure, at the same trace line" in replayed.stdout
    assert ": Failed: a's disable landed last" in replayed.stdout


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["scenario"]["pytest"].update(function="test_gone"),
         "test_racy.py defines no test_gone (the test the tape names)"),
        (lambda d: d["scenario"]["pytest"].update(mode="ndis_other"),
         "corrupt tape: scenario.pytest.mode is \"ndis_other\""),
        (lambda d: d["scenario"]["pytest"].update(params={"x": [1, {"y": float("nan")}]}),
         "corrupt tape: scenario.pytest.params.x is not an argument name with JSON data"),
        (lambda d: d["scenario"].update(path="moved/test_racy.py"),
         "the tape's scenario moved/test_racy.py does not exist (from here or any directory "
         "above the tape); give its place with --scenario"),
    ],
)  # fmt: skip
def test_broken_plugin_tapes_are_one_line_errors_with_exit_2(
    project: pytest.Pytester, edit: Any, message: str
) -> None:
    _, tape = _race_tape(project, "--no-ndis-shrink")
    data = json.loads(tape.read_text())
    edit(data)
    broken = project.path / "broken.tape.json"
    broken.write_text(json.dumps(data))
    for command in (["replay"], ["show", "--tape"]):
        done = _ndisemu(
            project.path,
            *command,
            "broken.tape.json",
            *(["adapter"] if command[0] == "show" else []),
        )
        assert done.returncode == 2
        (line,) = done.stderr.splitlines()
        assert message in line


def test_the_stack_argument_belongs_to_race_tests(project: pytest.Pytester) -> None:
    project.makepyfile(test_misuse="async def test_x(stack):\n    pass\n")
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*given by @pytest.mark.ndis_race*"])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--ndis-seed=soon", "--ndis-seed=soon: give an integer, 'last' or 'random'"),
        ("--ndis-runs=0", "--ndis-runs=0: give at least 1"),
    ],
)
def test_bad_options_are_usage_errors(project: pytest.Pytester, option: str, message: str) -> None:
    project.makepyfile(test_empty="def test_nothing():\n    pass\n")
    result = project.runpytest(option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_last_reuses_the_previous_seed(project: pytest.Pytester) -> None:
    project.makepyfile(test_empty="def test_nothing():\n    pass\n")
    project.runpytest("--ndis-seed=1234").assert_outcomes(passed=1)
    result = project.runpytest("--ndis-seed=last")
    result.stdout.fnmatch_lines(["ndisemu: seed base 1234 *"])


def _readme_blocks(fence: str) -> list[str]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    part = readme.split("## pytest plugin", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in part.split(fence)[1:]]


def _transcript(cwd: Path, block: str) -> list[str]:
    """Run each ``$ ndisemu ...`` line of ``block``; its output (stdout, then stderr) lines."""
    lines = []
    for line in block.strip().splitlines():
        if line.startswith("$ ndisemu "):
            lines.append(line)
            done = _ndisemu(cwd, *shlex.split(line)[2:])
            lines += done.stdout.splitlines() + done.stderr.splitlines()
    return lines


def test_the_readme_example_prints_what_the_readme_shows(project: pytest.Pytester) -> None:
    (example,) = _readme_blocks("```python")
    run, replay, refused = _readme_blocks("```text")
    shown = run.splitlines()
    project.mkdir("tests")
    (project.path / "tests" / "test_offload.py").write_text(example, encoding="utf-8")
    command = next(line for line in shown if line.startswith("$ pytest "))
    result = project.runpytest(*shlex.split(command)[2:])
    result.assert_outcomes(passed=1, failed=1)
    start = shown.index(next(line for line in shown if re.fullmatch(r"-+ ndisemu -+", line)))
    expected = shown[start + 1 : -1]
    assert _section(result) == expected
    header = shown[shown.index(command) + 1]
    assert header.startswith("ndisemu: seed base 1 ")
    assert header in result.outlines

    # The tape outside pytest: replay and show, as the README shows them.
    assert _transcript(project.path, replay) == replay.strip().splitlines()

    # The same test asking for a fixture: refused in one line.
    asking = example.replace(
        "async def test_the_second_set_wins(stack):",
        "async def test_in_a_tmp_path(stack, tmp_path):",
    )
    (project.path / "tests" / "test_offload.py").write_text(asking, encoding="utf-8")
    project.runpytest(*shlex.split(command)[2:]).assert_outcomes(passed=1, failed=1)
    assert _transcript(project.path, refused) == refused.strip().splitlines()
