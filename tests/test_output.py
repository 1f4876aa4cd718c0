"""What a pipe, a CI log and a terminal get: plain ASCII, progress lines, --color.

No assertion here depends on time: the progress reporter's clock and interval are injected.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from stack._render import PLAIN_WIDTH, ColorMode, color_mode, plain_table, wrap_cell
from stack.cli import cli
from stack.explore import _console
from stack.explore._console import (
    ProgressLines,
    campaign_progress,
    finished_line,
    progress_line,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
RACE = str(ROOT / "tests" / "explore" / "data" / "race.py")
#: Unicode's box-drawing and block-element ranges: what rich draws tables and bars with.
BOX = re.compile("[\u2500-\u259f]")
PROGRESS = re.compile(
    r"explore: (\d+)/(\d+) runs \((\d+)%\), (\d+) failed, [\d,]+ runs/s, "
    r"ETA (\d+:\d\d:\d\d|unknown)"
)


def _invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


# -- --color, NO_COLOR, FORCE_COLOR -----------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "environ", "tty", "expected"),
    [
        ("auto", {}, True, ColorMode(styled=True, color=True)),
        ("auto", {}, False, ColorMode(styled=False, color=False)),
        ("auto", {"NO_COLOR": "1"}, True, ColorMode(styled=True, color=False)),
        ("auto", {"NO_COLOR": "1"}, False, ColorMode(styled=False, color=False)),
        ("auto", {"NO_COLOR": ""}, True, ColorMode(styled=True, color=True)),  # empty: unset
        ("auto", {"FORCE_COLOR": "1"}, False, ColorMode(styled=True, color=True)),
        ("auto", {"FORCE_COLOR": "0"}, False, ColorMode(styled=True, color=True)),  # any value
        ("auto", {"FORCE_COLOR": ""}, False, ColorMode(styled=False, color=False)),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, ColorMode(True, True)),
        ("never", {"FORCE_COLOR": "1"}, False, ColorMode(styled=False, color=False)),
        ("never", {}, True, ColorMode(styled=True, color=False)),
        ("always", {"NO_COLOR": "1"}, False, ColorMode(styled=True, color=True)),
        ("always", {}, True, ColorMode(styled=True, color=True)),
    ],
)
def test_color_precedence_flag_then_force_color_then_no_color_then_the_terminal(
    choice: str, environ: dict[str, str], tty: bool, expected: ColorMode
) -> None:
    assert color_mode(choice, environ, tty) == expected


def test_a_pipe_gets_plain_output_and_color_always_styles_it_anyway() -> None:
    scenario = str(SCENARIOS / "toggle_offloads.py")
    plain = _invoke("run", scenario)
    assert "\x1b[" not in plain.stdout and not BOX.search(plain.stdout)
    always = _invoke("--color", "always", "run", scenario)
    assert "\x1b[" in always.stdout and BOX.search(always.stdout)
    forced = _invoke("run", scenario, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout and BOX.search(forced.stdout)
    # --color never beats FORCE_COLOR; NO_COLOR alone keeps a pipe plain.
    never = _invoke("--color", "never", "run", scenario, env={"FORCE_COLOR": "1"})
    no_color = _invoke("run", scenario, env={"NO_COLOR": "1"})
    assert never.stdout == no_color.stdout == plain.stdout
    assert plain.exit_code == always.exit_code == never.exit_code == 0


def test_color_is_a_choice_and_a_wrong_one_is_bad_input() -> None:
    result = _invoke("--color", "sometimes", "run", "x.py")
    assert result.exit_code == 2
    assert "sometimes" in result.stderr and "Traceback" not in result.stderr


# -- plain tables ------------------------------------------------------------------------------


def _check_plain(text: str) -> None:
    assert text.isascii(), [line for line in text.splitlines() if not line.isascii()][:3]
    assert not BOX.search(text)
    for line in text.splitlines():
        assert line == line.rstrip(), f"trailing space: {line!r}"
        if len(line) > PLAIN_WIDTH:
            # Only a word that cannot be broken (a docs page) may make a line longer.
            word = line.split()[-1]
            assert len(line) - len(word) <= PLAIN_WIDTH, line
            assert " " not in line.rstrip()[line.rstrip().rindex("  ") + 2 :], line


@pytest.mark.parametrize(
    "scenario",
    [
        "toggle_offloads.py",
        "mux_failover_lso.py",
        "surprise_removal_pending_oid.py",
        "chimney_pause_resume.py",
        "bugs/oid_completed_after_unbind.py",
    ],
)
def test_a_piped_run_summary_is_ascii_without_trailing_spaces_or_overlong_lines(
    scenario: str,
) -> None:
    result = _invoke("run", str(SCENARIOS / scenario))
    assert result.exit_code == 0, result.output
    _check_plain(result.stdout)
    assert "Invariants" in result.stdout and result.stdout.rstrip().endswith("PASS")


def test_a_failing_run_summary_is_plain_too(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text(
        "async def scenario(stack):\n"
        "    stack.miniport('nic0')\n"
        "    await stack.start()\n"
        "    stack.expect(False, 'a reason long enough to need wrapping: ' + 'word ' * 30)\n"
    )
    result = _invoke("run", str(script))
    assert result.exit_code == 1
    _check_plain(result.stdout)
    assert "FAIL scenario-expectation at seq " in result.stdout


def test_piped_explore_replay_and_show_are_plain(tmp_path: Path) -> None:
    explore = _invoke("explore", RACE, "--runs", "6", "--out", str(tmp_path))
    (tape,) = [p for p in tmp_path.glob("*.tape.json") if "unshrunk" not in p.name]
    replay = _invoke("replay", str(tape))
    show = _invoke("show", str(SCENARIOS / "mux_failover_lso.py"), "adapter", "lso")
    for result in (explore, replay, show):
        assert "\x1b[" not in result.output and not BOX.search(result.output)
        assert all(line == line.rstrip() for line in result.stdout.splitlines())
    assert "\x1b[" not in explore.stderr and not BOX.search(explore.stderr)


def test_plain_table_underlines_the_header_and_wraps_only_the_last_column() -> None:
    digest = " | ".join(f"part{i} {'x' * 8}" for i in range(12))
    lines = plain_table(("name", "state", "what"), [("nic0", "Running", digest)], width=60)
    assert lines[:2] == ["name  state    what", "----  -----    ----"]
    assert lines[2].startswith("nic0  Running  part0 xxxxxxxx | ")
    assert all(len(line) <= 60 for line in lines)
    assert all(line.endswith(" |") for line in lines[2:-1])
    assert all(line.startswith(" " * 19) for line in lines[3:])  # under "what", indented 4
    joined = " ".join(line.strip() for line in lines[2:]).replace("nic0  Running  ", "")
    assert joined == digest


def test_wrap_cell_breaks_between_parts_and_never_cuts_a_word() -> None:
    assert wrap_cell("short", 10) == ["short"]
    long_word = "N/" + "x" * 60 + ".md"
    assert wrap_cell(f"see {long_word} now", 20) == ["see", f"    {long_word}", "    now"]
    items = ", ".join(f"{n} kind.{n}" for n in range(10))
    lines = wrap_cell(items, 30, indent=2, sep=", ")
    assert all(line.rstrip(",").strip().count(" ") % 2 == 1 for line in lines)  # "n kind.n"
    assert ", ".join(line.strip().rstrip(",") for line in lines) == items


# -- progress -------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_come_at_most_once_per_interval_of_the_injected_clock() -> None:
    clock = FakeClock()
    written: list[str] = []
    lines = ProgressLines(1000, written.append, clock=clock, interval=5.0)
    for done, at in ((8, 1.0), (16, 4.9), (24, 5.0), (32, 7.0), (40, 10.0), (48, 10.1)):
        clock.now = 100.0 + at
        lines.progress(done, done // 8)
    assert written == [
        "explore: 24/1000 runs (2%), 3 failed, 5 runs/s, ETA 0:03:23",
        "explore: 40/1000 runs (4%), 5 failed, 4 runs/s, ETA 0:04:00",
    ]
    lines.status("F1 toy-order: shrinking 3 deviations")
    assert written[-1] == "explore: F1 toy-order: shrinking 3 deviations"


def test_the_progress_line_format() -> None:
    line = progress_line(41230, 100000, 94, 72.0)
    assert line == "explore: 41230/100000 runs (41%), 94 failed, 573 runs/s, ETA 0:01:43"
    assert PROGRESS.fullmatch(line)
    assert progress_line(0, 10, 0, 0.0).endswith("0 runs/s, ETA unknown")
    assert progress_line(10, 10, 1, 3600.0).endswith("ETA 0:00:00")
    assert progress_line(1, 10000, 0, 10.0).endswith("ETA 27:46:30")
    assert finished_line(200, 44, 1.25) == "explore: 200 runs in 1.2 s (160 runs/s), 44 failed"


def test_campaign_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one() -> None:
    clock = FakeClock()
    log = io.StringIO()
    with campaign_progress(Console(file=log), 16, clock=clock, interval=1.0) as display:
        clock.now += 2
        display.progress(8, 1)
        display.status("F1 r: replaying seed 3")
    assert log.getvalue().splitlines() == [
        "explore: 8/16 runs (50%), 1 failed, 4 runs/s, ETA 0:00:02",
        "explore: F1 r: replaying seed 3",
    ]
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    with campaign_progress(terminal, 16, clock=clock, interval=0.0) as display:
        display.progress(8, 1)
    assert "explore: 8/16" not in screen.getvalue()  # a live bar, not log lines


def test_explore_in_a_pipe_prints_a_progress_line_per_chunk_when_the_interval_is_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_console, "PROGRESS_INTERVAL_S", 0.0)
    result = _invoke("explore", RACE, "--runs", "20", "--out", str(tmp_path), "--jobs", "1")
    found = [PROGRESS.fullmatch(line) for line in result.stderr.splitlines()]
    progress = [(int(m[1]), int(m[2]), int(m[3])) for m in found if m]
    assert progress == [(8, 20, 40), (16, 20, 80), (20, 20, 100)]  # 8 seeds per chunk
    assert result.stderr.splitlines()[-1].startswith("explore: 20 runs in ")
    # stdout has no wall time: the same report for any machine, load or --jobs.
    again = _invoke("explore", RACE, "--runs", "20", "--jobs", "2", "--out", str(tmp_path))
    assert again.stdout.replace("jobs 2", "jobs 1") == result.stdout
