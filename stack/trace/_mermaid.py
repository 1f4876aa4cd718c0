"""A Mermaid ``sequenceDiagram`` of a failure window (``stack.trace._window``).

* one numbering: every arrow starts with its trace ``[seq]`` (no ``autonumber``, which would
  add a second, different number);
* completions are dashed arrows; notes the handlers wrote (registry writes, fired faults) and the
  explorer's deviations (out of FIFO order, ticks let pass) are Notes beside their delivery;
* a repeated cycle is drawn once inside ``loop x N (seq A to B)`` (a multiplication sign);
* what the cap cut is a ``… N deliveries elided …`` Note across the diagram;
* the failing delivery is a cross-headed arrow (``-x`` / ``--x``) inside a red ``rect`` with the
  FAIL note: the sequenceDiagram grammar has no per-message colour (``linkStyle`` is flowchart
  syntax), so the block carries the red;
* the labels carry the fields that decide the failed rule (``stack.trace._rules``).

GitHub renders at most 500 edges and 50 000 characters; a window is far below both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stack.trace._records import Annotations, Record, is_completion
from stack.trace._rules import LABEL_FIELDS, LEAD_FIELDS, deciding_fields
from stack.trace._window import MAX_ARROWS, Arrow, Cycle, Elided, Window, failure_window

#: Labels are cut here; the steps list and the log have whole lines.
MAX_LABEL = 90
#: The background of the failing delivery's block.
FAIL_FILL = "rgb(255, 205, 205)"
INDENT = "    "
TIMES = "\N{MULTIPLICATION SIGN}"
#: Layout settings in the diagram itself (an init directive, which GitHub honours and older
#: renderers read as a comment): tighter boxes and notes, smaller participant boxes; a 40-arrow
#: window is then about 1,900 px tall instead of 2,400.  (``mirrorActors: false`` would save
#: the bottom row of boxes too, but mermaid 11 then stops the lifelines short of the last
#: arrows.)  benchmarks/render_windows.py measures the zoo's windows with the real library.
INIT = '%%{init: {"sequence": {"boxMargin": 4, "noteMargin": 4, "height": 40}}}%%'


def _text(text: str) -> str:
    text = text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3] + "..."
    # '#' starts an entity and ';' ends a statement in Mermaid: write both as entities.
    escaped = re.sub(r"[#;]", lambda m: f"#{ord(m.group())};", text)
    return escaped.replace("\n", " ")


def _value(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def label(record: Record, deciding: Sequence[str] = ()) -> str:
    """``kind`` and its C names, then the deciding fields, then the usual ones."""
    parts = [str(record["kind"])]
    parts += [_value(record[key]) for key in LABEL_FIELDS if key in LEAD_FIELDS and key in record]
    keys = [k for k in deciding if k not in LEAD_FIELDS]
    keys += [k for k in LABEL_FIELDS if k not in LEAD_FIELDS and k not in keys]
    parts += [f"{key}={_value(record[key])}" for key in keys if key in record]
    return " ".join(parts)


def _participant_id(name: str, used: dict[str, str]) -> str:
    if name not in used:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "actor"
        candidate, n = base, 1
        while candidate in used.values() or candidate.lower() in _KEYWORDS:
            n += 1
            candidate = f"{base}_{n}"
        used[name] = candidate
    return used[name]


#: Words the sequenceDiagram lexer reads as keywords, never usable as participant ids.
_KEYWORDS = frozenset({"end", "loop", "rect", "opt", "alt", "else", "par", "and", "critical",
                       "option", "break", "note", "over", "participant", "actor", "as", "box",
                       "create", "destroy", "activate", "deactivate", "autonumber", "title",
                       "links", "link", "properties", "details", "off"})  # fmt: skip


def to_mermaid(
    records: Sequence[Record],
    annotations: Annotations | None = None,
    *,
    max_arrows: int = MAX_ARROWS,
) -> str:
    notes = annotations or Annotations()
    return render(failure_window(records, notes, max_arrows=max_arrows), notes)


def render(window: Window, annotations: Annotations | None = None) -> str:
    notes = annotations or Annotations()
    failure = notes.failure
    deciding = deciding_fields(failure.rule if failure is not None else None)
    arrows = [a for item in window.items for a in _item_arrows(item)]
    actors: list[str] = []
    for arrow in arrows:
        for actor in (arrow.record["src"], arrow.record["dst"], *_note_actors(arrow)):
            if actor not in actors:
                actors.append(str(actor))
    if "scenario" in actors:  # the driver of everything reads best on the left
        actors.remove("scenario")
        actors.insert(0, "scenario")
    ids: dict[str, str] = {}
    lines = [INIT, "sequenceDiagram"]
    if window.failing is not None:
        lines.append(
            f"%% the causal past of seq {window.failing} and the schedule's deviations: "
            f"{window.past} of {window.deliveries} deliveries, {window.arrows} arrows drawn"
        )
    lines += [f"{INDENT}participant {_participant_id(a, ids)} as {_text(a)}" for a in actors]
    across = ",".join(dict.fromkeys([ids[actors[0]], ids[actors[-1]]])) if actors else ""

    def draw(arrow: Arrow, indent: str) -> None:
        record = arrow.record
        src, dst = ids[str(record["src"])], ids[str(record["dst"])]
        over = src if src == dst else f"{src},{dst}"
        lines.extend(f"{indent}Note over {over}: {_text('~ ' + n)}" for n in arrow.waits)
        dashed = "--" if is_completion(record) else "-"
        head = "x" if arrow.failing else ">>"
        text = f"[{arrow.seq}] {label(record, deciding)}"
        lines.append(f"{indent}{src}{dashed}{head}{dst}: {_text(text)}")
        lines.extend(f"{indent}Note over {over}: {_text(_swap(n, record))}" for n in arrow.swaps)
        for note in arrow.notes:
            who = ids.get(str(note.get("src", "")), src)
            if note["kind"] == "fault":
                text = f"fault {note.get('site')} fired: option {note.get('choice')}"
            else:
                text = label(note, deciding)
            lines.append(f"{indent}Note over {who}: {_text(text)}")

    for item in window.items:
        if isinstance(item, Elided):
            many = "delivery" if item.count == 1 else "deliveries"
            lines.append(f"{INDENT}Note over {across}: … {item.count} {many} elided …")
        elif isinstance(item, Cycle):
            lines.append(
                f"{INDENT}loop {TIMES} {item.times} (seq {item.first_seq} to {item.last_seq})"
            )
            for arrow in item.body:
                draw(arrow, INDENT * 2)
            lines.append(f"{INDENT}end")
        elif item.failing and failure is not None:
            lines.append(f"{INDENT}rect {FAIL_FILL}")
            draw(item, INDENT * 2)
            src, dst = ids[str(item.record["src"])], ids[str(item.record["dst"])]
            seed = notes.metadata.get("seed")
            tail = f" (seed {seed})" if seed is not None else ""
            text = f"FAIL {failure.rule} at seq {failure.seq}{tail}"
            over = src if src == dst else f"{src},{dst}"
            lines.append(f"{INDENT * 2}Note over {over}: {_text(text)}")
            lines.append(f"{INDENT}end")
        else:
            draw(item, INDENT)
    if failure is not None and window.failing is None and across:
        # The failing delivery lies outside the lines given (trace export --window).
        text = f"FAIL {failure.rule} at seq {failure.seq}, outside this window"
        lines.append(f"{INDENT}Note over {across}: {_text(text)}")
    return "\n".join(lines) + "\n"


def _swap(note: str, record: Record) -> str:
    """The note on an out-of-FIFO delivery: "out of FIFO order, ahead of <what FIFO would have
    delivered>" (the tape's note begins with the arrow's own link, which the arrow shows)."""
    own = f"{record['src']} -> {record['dst']} "
    head, sep, rest = note.partition(" before ")
    if sep and head.startswith(own):
        return f"out of FIFO order, ahead of {rest}"
    return f"out of FIFO order: {note}"


def _item_arrows(item: Arrow | Cycle | Elided) -> list[Arrow]:
    if isinstance(item, Arrow):
        return [item]
    if isinstance(item, Cycle):
        return list(item.body)
    return []


def _note_actors(arrow: Arrow) -> list[str]:
    return [str(n["src"]) for n in arrow.notes if "src" in n]


def mermaid_markdown(mermaid: str, annotations: Annotations | None = None) -> str:
    """The diagram wrapped for pasting into an issue (GitHub renders ```mermaid blocks)."""
    notes = annotations or Annotations()
    failure = notes.failure
    title = notes.title or "ndisemu trace"
    lines = [f"### {failure.rule} in {title}" if failure else f"### {title}", ""]
    if failure is not None:
        lines += [
            f"`{failure.rule}` at seq {failure.seq}: {failure.reason}",
            "",
            "The deliveries this failure depends on (the messages that led to it and each "
            "actor's earlier deliveries) and the schedule's deviations, numbered by trace seq; "
            "the failing one is the crossed arrow in red.",
            "",
        ]
    lines += ["```mermaid", mermaid.rstrip("\n"), "```", ""]
    return "\n".join(lines)
