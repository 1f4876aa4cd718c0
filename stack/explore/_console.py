"""What ``explore`` and ``replay`` print: plain lines (the same on a terminal and in a pipe),
progress on stderr (a rich bar on a terminal, a plain line every few seconds otherwise), and the
``--json`` documents.

The text is rich markup-free and goes through ``Console.print(..., highlight=False)``, so
``NO_COLOR`` and pipes get exactly these lines.  Wall-clock figures (runs per second, ETA) go to
stderr only: stdout and ``--json`` are identical whatever ``--jobs``, the backend or the machine.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from stack import __version__

from ._campaign import Progress as ProgressCallback
from ._explore import ExploreReport, FailureReport
from ._replay import TapeReplay
from ._tape import deviations

#: Deviations listed per failure; the steps file has them all.
MAX_NOTES = 8


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


#: Seconds of wall time between two progress lines when stderr is not a terminal.
PROGRESS_INTERVAL_S = 5.0


def _clock_time(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def progress_line(done: int, total: int, failed: int, elapsed: float) -> str:
    """``explore: 41230/100000 runs (41%), 94 failed, 572 runs/s, ETA 0:01:43``."""
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = _clock_time((total - done) / rate) if rate > 0 else "unknown"
    return (
        f"explore: {done}/{total} runs ({100 * done // total}%), {failed} failed, "
        f"{rate:,.0f} runs/s, ETA {eta}"
    )


def finished_line(runs: int, failed: int, elapsed: float) -> str:
    """The campaign's wall time, on stderr once it is over (stdout never has wall time)."""
    rate = f" ({runs / elapsed:,.0f} runs/s)" if elapsed > 0 else ""
    return f"explore: {_plural(runs, 'run')} in {elapsed:.1f} s{rate}, {failed} failed"


@attrs.define(eq=False)
class ProgressLines:
    """Progress for a log (stderr not a terminal): a line at most every ``interval`` seconds
    of wall time, when a chunk of runs completes, and a line per step of the investigation
    of a failure (shrinking, the fresh-process self-check).

    The clock is injected (``time.monotonic`` by default) and used for this display only:
    what runs, what stdout says and every trace are the same whatever it reads."""

    total: int
    write: Callable[[str], None]
    clock: Callable[[], float] = time.monotonic
    interval: float = PROGRESS_INTERVAL_S
    _started: float = attrs.field(init=False, default=0.0)
    _last: float = attrs.field(init=False, default=0.0)

    def __attrs_post_init__(self) -> None:
        self._started = self._last = self.clock()

    def progress(self, done: int, failed: int) -> None:
        now = self.clock()
        if now - self._last < self.interval:
            return
        self._last = now
        self.write(progress_line(done, self.total, failed, now - self._started))

    def status(self, text: str) -> None:
        self.write(f"explore: {text}")


@attrs.frozen
class CampaignDisplay:
    """What ``explore`` reports while it works: ``progress(done, failed)`` after each chunk of
    runs, ``status(text)`` for each step of investigating a failure."""

    progress: ProgressCallback
    status: Callable[[str], None]


@contextlib.contextmanager
def campaign_progress(
    console: Console,
    total: int,
    *,
    clock: Callable[[], float] = time.monotonic,
    interval: float | None = None,
) -> Iterator[CampaignDisplay]:
    """A transient rich progress bar when ``console`` is a terminal; plain lines
    (``ProgressLines``, one at most every ``interval`` s, default ``PROGRESS_INTERVAL_S``) on
    its file otherwise."""
    if interval is None:
        interval = PROGRESS_INTERVAL_S
    if not console.is_terminal:
        file = console.file

        def write(line: str) -> None:
            file.write(line + "\n")
            file.flush()

        lines = ProgressLines(total, write, clock=clock, interval=interval)
        yield CampaignDisplay(lines.progress, lines.status)
        return
    columns = (
        TextColumn("exploring"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("<"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[failed]} failed  {task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("explore", total=total, failed=0, status="")

        def update(done: int, failed: int) -> None:
            bar.update(task, completed=done, failed=failed)

        def status(text: str) -> None:
            bar.update(task, status=text)

        yield CampaignDisplay(update, status)


def explore_header(name: str, sha256: str, strategy: str, seed: int, runs: int, jobs: int) -> str:
    return (
        f"ndisemu {__version__}  exploring {name} (sha {sha256[:7]})  strategy {strategy}  "
        f"seeds {seed}..{seed + runs - 1}  jobs {jobs}"
    )


def _failure_lines(failure: FailureReport) -> list[str]:
    first = (
        f"{failure.id}  {failure.rule}  {_plural(failure.runs, 'run')}  "
        f"first seed {failure.seed} ({failure.strategy})"
    )
    lines = [first, f"    {failure.failure.reason} (seq {failure.failure.seq})"]
    if failure.explanation:
        lines.append(f"    rule: {failure.explanation}")
    lines.append(
        f"    shrunk {failure.deviations_before} -> "
        f"{_plural(failure.deviations_after, 'deviation')} in "
        f"{_plural(failure.candidate_runs, 'candidate run')}"
        + (":" if failure.deviation_notes else " (FIFO, no faults)")
    )
    notes = failure.deviation_notes
    lines += [f"      {note}" for note in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        lines.append(f"      ... {len(notes) - MAX_NOTES} more in {failure.artifacts.steps}")
    if not failure.replayed_in_process:
        lines.append(
            "    EMULATOR BUG: replaying the run's tape in this process did not give the same "
            "failure and trace hash"
        )
    if failure.selfcheck is not None:
        lines.append(f"    self-check: {failure.selfcheck.describe()}")
    stem = str(failure.artifacts.tape)[: -len(".tape.json")]
    lines.append(f"    artifacts: {stem}.{{steps.txt,mmd,md,perfetto.json}}")
    lines.append(f"    replay: {failure.replay_command}")
    return lines


def explore_lines(report: ExploreReport) -> list[str]:
    """The report for stdout: the same for any --jobs, backend or machine (no wall time)."""
    runs = report.runs
    stopped = " (stopped at the first failing seed)" if report.campaign.stopped_early else ""
    warnings = _warning_lines(report)
    if not report.failures:
        return [f"{_plural(runs, 'run')}: no failure", *warnings]
    lines = [
        f"{_plural(runs, 'run')}{stopped}: {report.failed_runs} failed, "
        f"{_plural(len(report.failures), 'distinct failure')}"
    ]
    for failure in report.failures:
        lines += _failure_lines(failure)
    return lines + warnings


def _warning_lines(report: ExploreReport) -> list[str]:
    """Strict-only rules broken at ``--level practice``: reported, never dropped."""
    groups = report.campaign.warning_groups()
    if not groups:
        return []
    lines = [
        f"warnings: {_plural(len(groups), 'strict-only rule')} broken "
        f"(the docs' letter, not what Microsoft's drivers do; --level strict fails them)"
    ]
    for group in groups:
        lines.append(
            f"  WARN {group.rule}: {_plural(group.runs, 'run')}, first seed {group.first_seed}: "
            f"{group.reason}"
        )
    return lines


def print_lines(console: Console, lines: list[str]) -> None:
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


# -- replay ----------------------------------------------------------------------------------------


def replay_lines(replay: TapeReplay) -> list[str]:
    tape = replay.tape
    entries = tape.entries
    lines = [
        f"ndisemu {__version__}  replay {tape.scenario_name} (sha {replay.scenario.sha256[:7]})  "
        f"seed {tape.seed}  strategy {tape.describe_strategy()}  "
        f"{_plural(len(entries), 'decision')}, {_plural(deviations(entries), 'deviation')}"
    ]
    if replay.scenario_changed:
        lines.append(
            f"warning: the scenario changed since the tape was recorded "
            f"(sha {tape.scenario_sha256[:7]} then, {replay.scenario.sha256[:7]} now)"
        )
    if replay.registry_changed:
        was = tape.registry_sha256[:7] or "none"
        now = replay.registry_sha256[:7] or "none"
        lines.append(
            f"warning: the registry file differs from the one recorded (sha {was} then, {now} now)"
        )
    divergence = replay.run.divergence
    if divergence is not None:
        lines.append(f"first divergence: {divergence.describe()}")
    failure, expected = replay.failure, tape.failure
    if failure is None:
        lines.append("PASS: no rule failed")
        if expected is not None:
            lines.append(f"  the tape recorded {expected.rule} at seq {expected.seq}")
    else:
        lines.append(f"FAIL {failure.rule} at seq {failure.seq}: {failure.reason}")
        if replay.reproduced:
            lines.append("  reproduced: the recorded failure, at the same trace line")
        elif expected is not None:
            lines.append(
                f"  a different failure: the tape recorded {expected.rule} at seq {expected.seq}"
            )
        else:
            lines.append("  the tape recorded a passing run")
    if replay.same_trace:
        same = "  (the recorded run's)"
    elif tape.trace_sha256:
        same = f"  (differs: the tape recorded {tape.trace_sha256[:12]})"
    else:
        same = ""
    lines.append(f"trace sha256 {replay.trace_sha256}{same}")
    return lines


def replay_dict(replay: TapeReplay, source: str) -> dict[str, Any]:
    tape = replay.tape

    def failure_dict(failure: Any) -> Any:
        if failure is None:
            return None
        return {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason}

    divergence = replay.run.divergence
    return {
        "tape": source,
        "scenario": {
            "name": tape.scenario_name,
            "path": str(replay.scenario.path),
            "sha256": replay.scenario.sha256,
            "recorded_sha256": tape.scenario_sha256,
            "changed": replay.scenario_changed,
        },
        "registry": {
            "path": tape.registry_path,
            "sha256": replay.registry_sha256,
            "recorded_sha256": tape.registry_sha256,
            "changed": replay.registry_changed,
        }
        if tape.registry_path or replay.registry_sha256
        else None,
        "seed": tape.seed,
        "strategy": tape.strategy,
        "params": dict(tape.params),
        "decisions": len(tape.entries),
        "deviations": deviations(tape.entries),
        "failure": failure_dict(replay.failure),
        "expected_failure": failure_dict(tape.failure),
        "reproduced": replay.reproduced,
        "trace_sha256": replay.trace_sha256,
        "expected_trace_sha256": tape.trace_sha256,
        "same_trace": replay.same_trace,
        "divergence": None if divergence is None else divergence.describe(),
    }
