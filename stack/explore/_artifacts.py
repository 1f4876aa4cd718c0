"""Failure artifacts: the tape, a numbered list of steps, a Mermaid excerpt and a Perfetto trace.

Everything here is derived from the canonical trace (``Trace.lines()``, parsed back, so values
are exactly what the JSONL log holds) plus the replay's decisions, which say where the schedule
left FIFO order; so the views never disagree with the log or with each other.

* ``<stem>.tape.json``: the shrunk tape (``ndisemu replay`` it).
* ``<stem>.steps.txt``: one numbered line per delivery (the number is the trace ``seq``, the one
  failures and ``--at`` refer to), notes such as state changes and fired faults indented under
  it, deviations from FIFO marked, ending with the failed rule.
* ``<stem>.mmd`` and ``<stem>.md``: a Mermaid ``sequenceDiagram`` of the failure window
  (``stack.trace.failure_window``): the causal past of the failing delivery and of the
  deviations the shrinker kept, repeated cycles drawn once with their count, at most
  ``max_arrows`` arrows (default ``MAX_ARROWS``, 40; ``explore --max-arrows``) with
  "… N deliveries elided …" where the cap cut, numbered by trace seq alone, the deviations
  noted beside their deliveries, and the failing delivery in red with the rule and the seed;
  the ``.md`` wraps it for pasting into an issue.
* ``<stem>.perfetto.json``: Chrome trace-event JSON (ui.perfetto.dev opens it): one integer
  ``tid`` per actor named by ``M`` events, every delivery a slice on its destination, OIDs as
  async slices from request to completion on each leg, pending-OID depth as a counter, and the
  failure as a global instant; 1 virtual tick = 10 ms (``stack.trace._perfetto``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from stack.runtime import Trace
from stack.scenario import Failure
from stack.trace import (
    MAX_ARROWS,
    Annotations,
    FailureMark,
    mermaid_markdown,
    to_mermaid,
    to_perfetto,
)

from ._replay import record_detail
from ._tape import SCHED, WAIT, Decision, Tape


def canonical_records(trace: Trace) -> list[dict[str, Any]]:
    """The trace as the JSONL log holds it (enums as numbers, tuples as lists)."""
    return [json.loads(line) for line in trace.lines()]


def _is_delivery(record: Mapping[str, Any]) -> bool:
    return "dst" in record


def failure_stem(scenario: str, rule: str, seed: int) -> str:
    """``mux_failover-lso_not_above_capability-seed17``: safe on every file system."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{scenario}-{rule}").strip("._") or "failure"
    return f"{safe}-seed{seed}"


def _notes_by_seq(decisions: Iterable[Decision]) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = {}
    for decision in decisions:
        if decision.is_deviation and decision.note and decision.seq >= 0:
            notes.setdefault(decision.seq, []).append(decision.note)
    return notes


# -- steps ----------------------------------------------------------------------------------------


def steps_text(
    records: Sequence[Mapping[str, Any]],
    *,
    tape: Tape,
    failure: Failure | None,
    explanation: str = "",
    replay_command: str = "",
) -> str:
    deliveries = [r for r in records if _is_delivery(r)]
    width = max((len(str(r["seq"])) for r in deliveries), default=1)
    pad = " " * (width + 2)
    links = [f"{r['src']} -> {r['dst']}" for r in deliveries]
    link_width = min(max((len(x) for x in links), default=0), 28)
    lines = [
        f"ndisemu {tape.emulator}  scenario {tape.scenario_name} "
        f"(sha {tape.scenario_sha256[:7]})  seed {tape.seed}  strategy {tape.describe_strategy()}",
        f"{len(tape.entries)} decisions, {tape.deviations} deviation"
        f"{'s' * (tape.deviations != 1)} from FIFO / no faults",
    ]
    if replay_command:
        lines.append(f"replay: {replay_command}")
    lines.append("")
    waits: dict[int, list[str]] = {}
    swaps: dict[int, list[str]] = {}
    for entry in tape.entries:
        if entry.note and entry.seq >= 0:
            if entry.kind == WAIT:
                waits.setdefault(entry.seq, []).append(entry.note)
            elif entry.kind == SCHED:
                swaps.setdefault(entry.seq, []).append(entry.note)
    for record in records:
        kind = record["kind"]
        seq = record["seq"]
        # A wait happens before the line it is stamped with; a swap is that line's delivery.
        lines.extend(f"{pad} ~ {note}" for note in waits.get(seq, []))
        if kind in ("run.start", "run.end", "invariant.fail"):
            continue
        detail = record_detail(record)
        if _is_delivery(record):
            link = f"{record['src']} -> {record['dst']}"
            lines.append(
                f"{seq:>{width}}. t={record['t']:<4} {link:<{link_width}}  {kind} {detail}".rstrip()
            )
            lines.extend(f"{pad} ^ out of FIFO order: {note}" for note in swaps.get(seq, []))
        elif kind == "fault":
            lines.append(f"{pad} ! fault {record.get('site')} fired: option {record.get('choice')}")
        else:
            lines.append(f"{pad} · {record.get('src', '')} {kind} {detail}".rstrip())
    lines.append("")
    if failure is None:
        lines.append("PASS (no rule failed)")
    else:
        lines.append(f"FAIL {failure.rule} at seq {failure.seq}: {failure.reason}")
        if explanation:
            lines.append(f"  rule: {explanation}")
    return "\n".join(lines) + "\n"


# -- Mermaid and Perfetto: the stack.trace exporters, annotated from the tape ---------------------


def tape_annotations(tape: Tape, failure: Failure | None) -> Annotations:
    """The tape's deviations and the failure, in the form every ``stack.trace`` view takes."""
    waits: dict[int, list[str]] = {}
    swaps: dict[int, list[str]] = {}
    for entry in tape.entries:
        if entry.note and entry.seq >= 0:
            target = waits if entry.kind == WAIT else swaps if entry.kind == SCHED else None
            if target is not None:
                target.setdefault(entry.seq, []).append(entry.note)
    mark = None
    if failure is not None:
        mark = FailureMark(rule=failure.rule, seq=failure.seq, reason=failure.reason)
    return Annotations(
        title=f"{tape.scenario_name} seed {tape.seed}",
        failure=mark,
        waits=waits,
        swaps=swaps,
        metadata={
            "scenario": tape.scenario_name,
            "scenario_sha256": tape.scenario_sha256,
            "seed": tape.seed,
            "strategy": tape.describe_strategy(),
        },
    )


def mermaid_text(
    records: Sequence[Mapping[str, Any]],
    *,
    tape: Tape,
    failure: Failure | None,
    max_arrows: int = MAX_ARROWS,
) -> str:
    return to_mermaid(records, tape_annotations(tape, failure), max_arrows=max_arrows)


def perfetto_events(
    records: Sequence[Mapping[str, Any]], *, tape: Tape, failure: Failure | None
) -> dict[str, Any]:
    return to_perfetto(records, tape_annotations(tape, failure))


# -- writing ---------------------------------------------------------------------------------------


@attrs.frozen
class Artifacts:
    tape: Path
    steps: Path
    mermaid: Path
    markdown: Path
    perfetto: Path

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in attrs.asdict(self).items()}


def write_artifacts(
    out: Path,
    stem: str,
    *,
    tape: Tape,
    trace: Trace,
    explanation: str = "",
    replay_command: str = "",
    max_arrows: int = MAX_ARROWS,
) -> Artifacts:
    """Write the four artifacts of one failure into ``out``; ``max_arrows`` caps the Mermaid
    failure window."""
    out.mkdir(parents=True, exist_ok=True)
    records = canonical_records(trace)
    failure = tape.failure
    paths = Artifacts(
        tape=out / f"{stem}.tape.json",
        steps=out / f"{stem}.steps.txt",
        mermaid=out / f"{stem}.mmd",
        markdown=out / f"{stem}.md",
        perfetto=out / f"{stem}.perfetto.json",
    )
    tape.save(paths.tape)
    paths.steps.write_text(
        steps_text(
            records,
            tape=tape,
            failure=failure,
            explanation=explanation,
            replay_command=replay_command,
        ),
        encoding="utf-8",
    )
    mermaid = mermaid_text(records, tape=tape, failure=failure, max_arrows=max_arrows)
    paths.mermaid.write_text(mermaid, encoding="utf-8")
    paths.markdown.write_text(
        mermaid_markdown(mermaid, tape_annotations(tape, failure)), encoding="utf-8"
    )
    paths.perfetto.write_text(
        json.dumps(perfetto_events(records, tape=tape, failure=failure), separators=(",", ":")),
        encoding="utf-8",
    )
    return paths
