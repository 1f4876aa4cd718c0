"""Reading the canonical JSONL log back, and what an exporter may know beyond it.

Every view of a run (Mermaid, Perfetto, DOT, the explorer's step list) is derived from the log's
records alone, plus, optionally, ``Annotations`` the explorer has about its own decisions (which
deliveries left FIFO order).  They never disagree with the log because they never read anything
else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from stack.errors import BadInput

Record = Mapping[str, Any]


@attrs.frozen(kw_only=True)
class FailureMark:
    """The rule that failed, the trace seq of the event that broke it, and why."""

    rule: str
    seq: int
    reason: str


@attrs.frozen(kw_only=True)
class Annotations:
    """What an exporter may add to the records: a title, the failure, and notes per seq.

    ``waits`` are notes shown before the delivery stamped with that seq (time the schedule let
    pass); ``swaps`` are notes on that delivery (it left FIFO order).  Both come from a tape.
    """

    title: str = ""
    failure: FailureMark | None = None
    waits: Mapping[int, Sequence[str]] = attrs.field(factory=dict)
    swaps: Mapping[int, Sequence[str]] = attrs.field(factory=dict)
    metadata: Mapping[str, Any] = attrs.field(factory=dict)


def is_delivery(record: Record) -> bool:
    return "dst" in record


def is_completion(record: Record) -> bool:
    kind = str(record["kind"])
    return kind.endswith(".complete") or str(record.get("operation", "")).endswith("Complete")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The records of a trace file; one ``BadInput`` line naming the file and line otherwise."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read trace {name!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not UTF-8 text, so not an ndisemu trace") from None
    return parse_jsonl(text, source=name)


def parse_jsonl(text: str, *, source: str = "<trace>") -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{source}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not {"seq", "t", "kind"} <= record.keys():
            raise BadInput(f"{source}:{number}: not an ndisemu trace line (needs seq, t, kind)")
        if not isinstance(record["seq"], int) or not isinstance(record["t"], int):
            raise BadInput(f"{source}:{number}: seq and t must be integers")
        if not isinstance(record["kind"], str) or any(
            key in record and not isinstance(record[key], str) for key in ("src", "dst")
        ):
            raise BadInput(f"{source}:{number}: kind, src and dst must be strings")
        if records and record["seq"] <= records[-1]["seq"]:
            raise BadInput(f"{source}:{number}: seq {record['seq']} does not increase")
        records.append(record)
    if not records:
        raise BadInput(f"{source}: empty trace")
    return records


def annotations_from_records(records: Sequence[Record]) -> Annotations:
    """What the log itself says: the run's title and its failure, if one is recorded."""
    start = next((r for r in records if r["kind"] == "run.start"), None)
    title = ""
    metadata: dict[str, Any] = {}
    if start is not None:
        title = f"{start.get('scenario', '')} seed {start.get('seed', '')}".strip()
        metadata = {k: start[k] for k in ("scenario", "seed", "strategy") if k in start}
    failed = next((r for r in records if r["kind"] == "invariant.fail"), None)
    failure = None
    if failed is not None:
        failure = FailureMark(
            rule=str(failed.get("rule", "")),
            seq=int(failed.get("at_seq", failed["seq"])),
            reason=str(failed.get("reason", "")),
        )
    return Annotations(title=title, failure=failure, metadata=metadata)


def window(records: Iterable[Record], span: tuple[int, int] | None) -> list[Record]:
    """The records whose seq lies in ``span`` (inclusive), or all of them."""
    if span is None:
        return list(records)
    low, high = span
    return [r for r in records if low <= r["seq"] <= high]


def parse_window(text: str) -> tuple[int, int]:
    """``"120:380"`` -> (120, 380); ``":380"`` and ``"120:"`` leave that end open."""
    low, sep, high = text.partition(":")
    try:
        span = (int(low) if low else 0, int(high) if high else 2**62)
    except ValueError:
        raise BadInput(f"--window takes SEQ:SEQ (integers), got {text!r}") from None
    if not sep or span[0] > span[1]:
        raise BadInput(f"--window takes SEQ:SEQ with the first no larger, got {text!r}")
    return span


def detail(record: Record) -> str:
    """The fields of a line after src, dst and kind, the most telling first."""
    lead = ("oid", "status", "operation")
    parts = [str(record[k]) for k in lead if k in record]
    if "adapter" in record:
        parts.append(f"adapter={record['adapter']}")
    skip = {"seq", "t", "kind", "src", "dst", "adapter", *lead}
    for key in sorted(record):
        if key in skip:
            continue
        value = record[key]
        if isinstance(value, list):
            value = ",".join(str(v) for v in value) or "-"
        parts.append(f"{key}={value}")
    return " ".join(parts)
