"""Failure artifacts: the tape, a numbered list of steps, a Mermaid excerpt and a Perfetto trace.

Everything here is derived from the canonical trace (``Trace.lines()``, parsed back, so values
are exactly what the JSONL log holds) plus the replay's decisions, which say where the schedule
left FIFO order; so the views never disagree with the log or with each other.

* ``<stem>.tape.json``: the shrunk tape (``ndisemu replay`` it).
* ``<stem>.steps.txt``: one numbered line per delivery (the number is the trace ``seq``, the one
  failures and ``--at`` refer to), notes such as state changes and fired faults indented under
  it, deviations from FIFO marked, ending with the failed rule.
* ``<stem>.mmd`` and ``<stem>.md``: a Mermaid ``sequenceDiagram`` of the failure window, the last
  ``MAX_ARROWS`` deliveries before the failure (GitHub renders at most 500 edges and 50 000
  characters), ``autonumber``, a ``rect`` from the first deviation in the window, and a Note with
  the rule and the seed; the ``.md`` wraps it for pasting into an issue.
* ``<stem>.perfetto.json``: Chrome trace-event JSON (ui.perfetto.dev opens it): one integer
  ``tid`` per actor named by ``M`` events, every delivery an instant on its destination, OIDs as
  async slices from request to completion on each leg, pending-OID depth as a counter, and the
  failure as a global instant.  Timestamps are ``ticks * 1000 + seq`` microseconds: ticks never
  decrease along the log and ``seq`` always grows, so the order is strict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from stack import __version__
from stack.runtime import Trace
from stack.scenario import Failure

from ._replay import record_detail
from ._tape import SCHED, WAIT, Decision, Tape

#: Arrows in a Mermaid excerpt: the last ones before the failure.
MAX_ARROWS = 300
#: Mermaid labels are cut here; the steps file has the whole line.
MAX_LABEL = 90


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


# -- Mermaid ---------------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    text = text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3] + "..."
    # '#' starts an entity and ';' ends a statement: write both as entities.
    escaped = re.sub(r"[#;]", lambda m: f"#{ord(m.group())};", text)
    return escaped.replace("\n", " ")


def _participant_id(name: str, used: dict[str, str]) -> str:
    if name not in used:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "actor"
        candidate, n = base, 1
        while candidate in used.values():
            n += 1
            candidate = f"{base}_{n}"
        used[name] = candidate
    return used[name]


def _is_completion(record: Mapping[str, Any]) -> bool:
    kind = str(record["kind"])
    return kind.endswith(".complete") or str(record.get("operation", "")).endswith("Complete")


def mermaid_text(
    records: Sequence[Mapping[str, Any]],
    *,
    tape: Tape,
    failure: Failure | None,
    max_arrows: int = MAX_ARROWS,
) -> str:
    end = failure.seq if failure is not None and failure.seq >= 0 else None
    deliveries = [r for r in records if _is_delivery(r) and (end is None or r["seq"] <= end)]
    window = deliveries[-max_arrows:]
    first_seq = window[0]["seq"] if window else 0
    last_seq = window[-1]["seq"] if window else -1
    shown = [
        r
        for r in records
        if first_seq <= r["seq"] <= last_seq and (_is_delivery(r) or r["kind"] == "fault")
    ]
    waits: dict[int, list[str]] = {}
    swaps: dict[int, list[str]] = {}
    for entry in tape.entries:
        if entry.note and entry.seq >= 0:
            target = waits if entry.kind == WAIT else swaps if entry.kind == SCHED else None
            if target is not None:
                target.setdefault(entry.seq, []).append(entry.note)
    ids: dict[str, str] = {}
    actors: list[str] = []
    for record in shown:
        for key in ("src", "dst"):
            if key in record and record[key] not in actors:
                actors.append(record[key])
    if "scenario" in actors:
        actors.remove("scenario")
        actors.insert(0, "scenario")
    lines = ["sequenceDiagram", "    autonumber"]
    for actor in actors:
        lines.append(f"    participant {_participant_id(actor, ids)} as {_mermaid_text(actor)}")
    if len(window) < len(deliveries) and actors:
        left_out = len(deliveries) - len(window)
        lines.append(
            f"    Note over {ids[actors[0]]}: {left_out} earlier deliveries left out "
            f"(the window starts at seq {first_seq})"
        )
    in_rect = False
    for record in shown:
        seq = record["seq"]
        deviation = bool(waits.get(seq) or swaps.get(seq) or record["kind"] == "fault")
        if deviation and not in_rect:
            lines.append("    rect rgb(255, 236, 236)")
            in_rect = True
        indent = "        " if in_rect else "    "
        if record["kind"] == "fault":
            where = ids[record["src"]]
            text = f"fault {record.get('site')} fired: option {record.get('choice')}"
            lines.append(f"{indent}Note over {where}: {_mermaid_text(text)}")
            continue
        src, dst = ids[record["src"]], ids[record["dst"]]
        over = src if src == dst else f"{src},{dst}"
        for note in waits.get(seq, []):
            lines.append(f"{indent}Note over {over}: {_mermaid_text(note)}")
        arrow = "-->>" if _is_completion(record) else "->>"
        label = f"{record['kind']} {record_detail(record)}".strip()
        lines.append(f"{indent}{src}{arrow}{dst}: {_mermaid_text(f'[{seq}] {label}')}")
        for note in swaps.get(seq, []):
            lines.append(f"{indent}Note over {over}: {_mermaid_text('out of FIFO order: ' + note)}")
    if failure is not None and window:
        indent = "        " if in_rect else "    "
        lines.append(
            f"{indent}Note over {ids[window[-1]['dst']]}: "
            + _mermaid_text(f"FAIL {failure.rule} at seq {failure.seq} (seed {tape.seed})")
        )
    if in_rect:
        lines.append("    end")
    return "\n".join(lines) + "\n"


def mermaid_markdown(mermaid: str, *, tape: Tape, failure: Failure | None) -> str:
    title = f"{failure.rule} in {tape.scenario_name}" if failure else tape.scenario_name
    lines = [
        f"### {title} (seed {tape.seed}, strategy {tape.describe_strategy()})",
        "",
    ]
    if failure is not None:
        lines += [f"`{failure.rule}` at seq {failure.seq}: {failure.reason}", ""]
    lines += ["```mermaid", mermaid.rstrip("\n"), "```", ""]
    return "\n".join(lines)


# -- Perfetto / Chrome trace events ---------------------------------------------------------------


def _ts(record: Mapping[str, Any]) -> int:
    return int(record["t"]) * 1000 + int(record["seq"])


def perfetto_events(
    records: Sequence[Mapping[str, Any]], *, tape: Tape, failure: Failure | None
) -> dict[str, Any]:
    pid = 1
    tids: dict[str, int] = {}

    def tid(actor: str) -> int:
        if actor not in tids:
            tids[actor] = len(tids) + 1
        return tids[actor]

    for record in records:
        for key in ("src", "dst"):
            if key in record:
                tid(str(record[key]))
    events: list[dict[str, Any]] = [
        {
            "ph": "M",
            "pid": pid,
            "tid": 0,
            "name": "process_name",
            "args": {"name": f"ndisemu {tape.scenario_name} seed {tape.seed}"},
        }
    ]
    for actor, number in tids.items():
        events.append(
            {"ph": "M", "pid": pid, "tid": number, "name": "thread_name", "args": {"name": actor}}
        )
        events.append(
            {
                "ph": "M",
                "pid": pid,
                "tid": number,
                "name": "thread_sort_index",
                "args": {"sort_index": number},
            }
        )
    open_oids: dict[tuple[Any, ...], tuple[int, str, int]] = {}
    next_id = 1
    last_ts = 0
    notes = _notes_by_seq(tape.entries)
    for record in records:
        ts = last_ts = _ts(record)
        kind = str(record["kind"])
        args = {k: v for k, v in record.items() if k not in ("kind", "t")}
        if _is_delivery(record):
            src, dst = str(record["src"]), str(record["dst"])
            detail = next(
                (str(record[k]) for k in ("oid", "status", "operation") if k in record), ""
            )
            name = f"{kind} {detail}".strip()
            if notes.get(int(record["seq"])):
                args["deviation"] = "; ".join(notes[int(record["seq"])])
            events.append(
                {
                    "ph": "i",
                    "s": "t",
                    "pid": pid,
                    "tid": tid(dst),
                    "ts": ts,
                    "name": name,
                    "cat": kind,
                    "args": args,
                }
            )
            if kind == "oid.request":
                leg = (record.get("request_id"), record.get("origin"), src, dst)
                open_oids[leg] = (next_id, str(record.get("oid", "OID")), tid(dst))
                events.append(
                    {
                        "ph": "b",
                        "cat": "oid",
                        "id": next_id,
                        "pid": pid,
                        "tid": tid(dst),
                        "ts": ts,
                        "name": str(record.get("oid", "OID")),
                        "args": {"leg": f"{src} -> {dst}", "request_id": record.get("request_id")},
                    }
                )
                next_id += 1
            elif kind == "oid.complete":
                back = (record.get("request_id"), record.get("origin"), dst, src)
                slot = open_oids.pop(back, None)
                if slot is not None:
                    number, oid, owner = slot
                    events.append(
                        {
                            "ph": "e",
                            "cat": "oid",
                            "id": number,
                            "pid": pid,
                            "tid": owner,
                            "ts": ts,
                            "name": oid,
                            "args": {"status": record.get("status")},
                        }
                    )
        else:
            actor = str(record.get("src", ""))
            if kind == "oid.queue" and "depth" in record:
                events.append(
                    {
                        "ph": "C",
                        "pid": pid,
                        "ts": ts,
                        "name": f"pending OIDs {record.get('adapter', '')}".strip(),
                        "args": {"depth": record["depth"]},
                    }
                )
            if kind == "invariant.fail":
                events.append(
                    {
                        "ph": "i",
                        "s": "g",
                        "pid": pid,
                        "tid": 0,
                        "ts": ts,
                        "name": f"FAIL {record.get('rule')}",
                        "cat": "invariant",
                        "args": args,
                    }
                )
            elif actor and kind not in ("run.start", "run.end"):
                events.append(
                    {
                        "ph": "i",
                        "s": "t",
                        "pid": pid,
                        "tid": tid(actor),
                        "ts": ts,
                        "name": kind,
                        "cat": kind,
                        "args": args,
                    }
                )
    for number, oid, owner in open_oids.values():
        events.append(
            {
                "ph": "e",
                "cat": "oid",
                "id": number,
                "pid": pid,
                "tid": owner,
                "ts": last_ts + 1,
                "name": oid,
                "args": {"unfinished": True},
            }
        )
    other: dict[str, Any] = {
        "emulator": f"ndisemu {__version__}",
        "scenario": tape.scenario_name,
        "scenario_sha256": tape.scenario_sha256,
        "seed": tape.seed,
        "strategy": tape.describe_strategy(),
        "time_unit": "1 virtual tick = 1000 us; the low digits are the trace seq",
    }
    if failure is not None:
        other["failure"] = {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason}
    return {"displayTimeUnit": "ms", "traceEvents": events, "otherData": other}


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
) -> Artifacts:
    """Write the four artifacts of one failure into ``out``."""
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
    mermaid = mermaid_text(records, tape=tape, failure=failure)
    paths.mermaid.write_text(mermaid, encoding="utf-8")
    paths.markdown.write_text(
        mermaid_markdown(mermaid, tape=tape, failure=failure), encoding="utf-8"
    )
    paths.perfetto.write_text(
        json.dumps(perfetto_events(records, tape=tape, failure=failure), separators=(",", ":")),
        encoding="utf-8",
    )
    return paths
