"""The README's Quick start is what CI runs, and its first command works."""

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from stack.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.strip().splitlines() if line.strip()]


def test_the_quick_start_is_exactly_two_commands() -> None:
    assert len(_quick_start()) == 2


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "pytest" in line and "venv" in line)
    assert command == _quick_start()[1]


def test_the_quick_start_main_job_runs_and_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _quick_start()[0]
    argv = shlex.split(first.split(".venv/bin/ndisemu ", 1)[1])
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout


def test_the_writing_a_scenario_example_runs_and_passes(tmp_path: Path) -> None:
    section = README.split("## Writing a scenario", 1)[1]
    example = section.split("```python", 1)[1].split("```", 1)[0]
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(script)])
    assert result.exit_code == 0, result.output


def _quick_start_text() -> str:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[2]


def test_the_quick_start_text_agrees_with_what_the_scenario_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 12 item 7: the scenario disables LSO, then enables it again, so the summary (the
    # end state) shows LSO on; the text says so, and names a command that shows it off.
    import re

    text = " ".join(_quick_start_text().split())
    assert "Disable-NetAdapterLso" in text and "Enable-NetAdapterLso" in text
    monkeypatch.chdir(ROOT)
    summary = CliRunner().invoke(cli, ["run", "scenarios/toggle_offloads.py"]).stdout
    shown_on = re.search(r"shows LSO on again \(`([^`]+)`\)", text)
    assert shown_on is not None, text
    protocol_view = " ".join(summary.split("Protocol views", 1)[1].split())
    assert shown_on.group(1) in protocol_view  # TCP/IP's view at the end: LSO on
    command = re.search(r"`ndisemu (show [^`]+)`", text)
    assert command is not None
    off = CliRunner().invoke(cli, shlex.split(command.group(1)))
    assert off.exit_code == 0, off.output
    assert re.search(r"^nic0\s+LSO Version 2\s+False\s+False\s+False$", off.stdout, re.M)


def test_the_filter_drivers_example_runs_and_passes(tmp_path: Path) -> None:
    section = README.split("### Filter drivers", 1)[1]
    example = section.split("```python", 1)[1].split("```", 1)[0]
    script = tmp_path / "filters.py"
    script.write_text(example, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(script)])
    assert result.exit_code == 0, result.output


def test_the_driver_api_example_runs_and_its_monitor_catches_the_changed_behaviour(
    tmp_path: Path,
) -> None:
    section = README.split("## Driver API", 1)[1].split("\n## ", 1)[0]
    example = section.split("```python", 1)[1].split("```", 1)[0]
    script = tmp_path / "forgetful.py"
    script.write_text(example, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(script)])
    assert result.exit_code == 1, result.output
    assert "FAIL indication-after-change" in result.output
