"""A Mermaid ``sequenceDiagram`` of a trace window.

At most ``MAX_ARROWS`` deliveries, the last ones before the failure (GitHub renders at most 500
edges and 50 000 characters), ``autonumber``, completions as dashed arrows, a red ``rect`` from
the first deviation from FIFO onward, fired faults as notes, and a closing note with the rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stack.trace._records import Annotations, Record, is_completion, is_delivery

MAX_ARROWS = 300
#: Notes (trace lines that are not deliveries) worth drawing: what an actor did on its own that
#: explains a failure.  State changes and queue depths stay in the log.
NOTE_KINDS = frozenset({"registry.write", "registry.skip", "send.offload_off", "mux.replay"})
#: Labels are cut here; the steps list and the log have whole lines.
MAX_LABEL = 90


def _text(text: str) -> str:
    text = text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3] + "..."
    # '#' starts an entity and ';' ends a statement in Mermaid: write both as entities.
    escaped = re.sub(r"[#;]", lambda m: f"#{ord(m.group())};", text)
    return escaped.replace("\n", " ")


#: Fields a diagram label shows after the kind (the log has the rest): an arrow should read
#: "oid.request OID_TCP_OFFLOAD_PARAMETERS origin=prot1 request_id=1", not every field.
_LABEL_FIELDS = ("oid", "status", "operation", "command", "origin", "request_id", "nbl",
                 "offloads", "keywords", "site", "choice", "guid")  # fmt: skip


def _label(record: Record) -> str:
    parts = [str(record["kind"])]
    for key in _LABEL_FIELDS:
        if key not in record:
            continue
        value = record[key]
        if isinstance(value, list):
            value = ",".join(str(v) for v in value) or "-"
        # "command oid", not "command command=oid"; the C names stand alone.
        lead = key in ("oid", "status", "operation", "command")
        parts.append(str(value) if lead else f"{key}={value}")
    return " ".join(parts)


def _participant_id(name: str, used: dict[str, str]) -> str:
    if name not in used:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "actor"
        candidate, n = base, 1
        while candidate in used.values():
            n += 1
            candidate = f"{base}_{n}"
        used[name] = candidate
    return used[name]


def to_mermaid(
    records: Sequence[Record],
    annotations: Annotations | None = None,
    *,
    max_arrows: int = MAX_ARROWS,
) -> str:
    notes = annotations or Annotations()
    failure = notes.failure
    end = failure.seq if failure is not None and failure.seq >= 0 else None
    deliveries = [r for r in records if is_delivery(r) and (end is None or r["seq"] <= end)]
    shown_deliveries = deliveries[-max_arrows:]
    first_seq = shown_deliveries[0]["seq"] if shown_deliveries else 0
    last_seq = shown_deliveries[-1]["seq"] if shown_deliveries else -1
    shown = [
        r
        for r in records
        if first_seq <= r["seq"] <= last_seq
        and (is_delivery(r) or r["kind"] == "fault" or r["kind"] in NOTE_KINDS)
    ]
    ids: dict[str, str] = {}
    actors: list[str] = []
    for record in shown:
        for key in ("src", "dst"):
            if key in record and record[key] not in actors:
                actors.append(record[key])
    if "scenario" in actors:  # the driver of everything reads best on the left
        actors.remove("scenario")
        actors.insert(0, "scenario")
    lines = ["sequenceDiagram", "    autonumber"]
    lines += [f"    participant {_participant_id(a, ids)} as {_text(a)}" for a in actors]
    if len(shown_deliveries) < len(deliveries) and actors:
        left_out = len(deliveries) - len(shown_deliveries)
        lines.append(
            f"    Note over {ids[actors[0]]}: {left_out} earlier deliveries left out "
            f"(the window starts at seq {first_seq})"
        )
    in_rect = False
    for record in shown:
        seq = record["seq"]
        deviation = bool(notes.waits.get(seq) or notes.swaps.get(seq) or record["kind"] == "fault")
        if deviation and not in_rect:
            lines.append("    rect rgb(255, 236, 236)")
            in_rect = True
        indent = "        " if in_rect else "    "
        if record["kind"] == "fault":
            text = f"fault {record.get('site')} fired: option {record.get('choice')}"
            lines.append(f"{indent}Note over {ids[record['src']]}: {_text(text)}")
            continue
        if record["kind"] in NOTE_KINDS:
            if record.get("src") in ids:
                text = _label(record)
                lines.append(f"{indent}Note over {ids[record['src']]}: {_text(text)}")
            continue
        src, dst = ids[record["src"]], ids[record["dst"]]
        over = src if src == dst else f"{src},{dst}"
        lines += [f"{indent}Note over {over}: {_text(n)}" for n in notes.waits.get(seq, ())]
        arrow = "-->>" if is_completion(record) else "->>"
        label = f"[{seq}] {_label(record)}"
        lines.append(f"{indent}{src}{arrow}{dst}: {_text(label)}")
        lines += [
            f"{indent}Note over {over}: {_text('out of FIFO order: ' + n)}"
            for n in notes.swaps.get(seq, ())
        ]
    if failure is not None and shown_deliveries:
        indent = "        " if in_rect else "    "
        seed = notes.metadata.get("seed")
        tail = f" (seed {seed})" if seed is not None else ""
        text = f"FAIL {failure.rule} at seq {failure.seq}{tail}"
        lines.append(f"{indent}Note over {ids[shown_deliveries[-1]['dst']]}: {_text(text)}")
    if in_rect:
        lines.append("    end")
    return "\n".join(lines) + "\n"


def mermaid_markdown(mermaid: str, annotations: Annotations | None = None) -> str:
    """The diagram wrapped for pasting into an issue (GitHub renders ```mermaid blocks)."""
    notes = annotations or Annotations()
    failure = notes.failure
    title = notes.title or "ndisemu trace"
    lines = [f"### {failure.rule} in {title}" if failure else f"### {title}", ""]
    if failure is not None:
        lines += [f"`{failure.rule}` at seq {failure.seq}: {failure.reason}", ""]
    lines += ["```mermaid", mermaid.rstrip("\n"), "```", ""]
    return "\n".join(lines)
