"""What ``explore`` and ``replay`` print: plain lines (the same on a terminal and in a pipe),
a rich progress bar on a terminal only, and the ``--json`` documents.

The text is rich markup-free and goes through ``Console.print(..., highlight=False)``, so
``NO_COLOR`` and pipes get exactly these lines.  Wall-clock figures (runs per second) appear
only in the human summary, never in ``--json``, which is identical whatever ``--jobs`` is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

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


@contextlib.contextmanager
def campaign_progress(console: Console, total: int) -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal; ``None`` (no bar, no output) otherwise."""
    if not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("exploring"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("<"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[failed]} failed"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("explore", total=total, failed=0)

        def update(done: int, failed: int) -> None:
            progress.update(task, completed=done, failed=failed)

        yield update


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
    runs = report.runs
    rate = ""
    elapsed = report.campaign.elapsed
    if elapsed > 0:
        rate = f" in {elapsed:.1f} s ({runs / elapsed:,.0f} runs/s)"
    stopped = " (stopped at the first failing seed)" if report.campaign.stopped_early else ""
    if not report.failures:
        return [f"{_plural(runs, 'run')}{rate}: no failure"]
    lines = [
        f"{_plural(runs, 'run')}{rate}{stopped}: {report.failed_runs} failed, "
        f"{_plural(len(report.failures), 'distinct failure')}"
    ]
    for failure in report.failures:
        lines += _failure_lines(failure)
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
