"""The pytest plugin, exercised in a sample user project with ``pytester``."""

from __future__ import annotations

import re
import shlex
from importlib.metadata import entry_points
from pathlib import Path

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
    ndis_stack.cmdlet("Disable-NetAdapterLso", "nic0")
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
    tape = Path(section[2].removeprefix("tape:").strip())
    assert tape.parent == tapes and tape.is_file()  # outside the project: an absolute path
    assert Path(section[3].removeprefix("trace:").strip()).is_file()
    assert _command(section, "reproduce this run:") == [
        "test_racy.py::test_b_lands_last",
        f"--ndis-seed={seed}",
        "--ndis-runs=1",
    ]
    assert _command(section, "run every seed again:")[1:] == ["--ndis-seed=1"]
    # The failure's own traceback is there too, pointing into the test.
    result.stdout.fnmatch_lines(["*assert await two_protocols_set_rsc(stack) == 1*"])

    again = project.runpytest(*_command(section, "reproduce this run:"))
    again.assert_outcomes(failed=1)
    assert _section(again)[0].startswith(f"failing run 1 of 1: seed {seed},")

    replayed = project.runpytest(*_command(section, "replay its tape:"))
    replayed.assert_outcomes(failed=1)
    replay_section = _section(replayed)
    assert replay_section[0].startswith(f"replayed {tape} (seed {seed}, random")
    assert replay_section[1] == section[1]  # the same failure at the same trace line


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


def test_a_failing_stack_test_reports_its_seed_and_trace(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_fixture="""
async def test_rsc_is_off(ndis_stack):
    ndis_stack.miniport("nic0", preset="intel-x710")
    await ndis_stack.start()
    assert ndis_stack.ndis.adapters["nic0"].current.Rsc.IPv4.Enabled == 0
"""
    )
    result = project.runpytest("--ndis-seed=5")
    result.assert_outcomes(failed=1)
    section = _section(result)
    assert re.fullmatch(r"ndis_stack: seed 5, strategy fifo, \d+ deliveries", section[0])
    trace = section[1].removeprefix("trace: ")
    assert trace.startswith(".pytest_cache/")  # in the project: relative to it
    assert (project.path / trace).is_file()
    assert _command(section, "reproduce:") == ["test_fixture.py::test_rsc_is_off", "--ndis-seed=5"]


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


def test_the_readme_example_prints_the_section_the_readme_shows(
    project: pytest.Pytester,
) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    part = readme.split("## pytest plugin", 1)[1]
    example = part.split("```python", 1)[1].split("```", 1)[0]
    shown = part.split("```text", 1)[1].split("```", 1)[0].splitlines()
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
