"""The canonical event log: one JSON object per line, sorted keys, no wall clock.

Schema (every line): ``seq`` (a per-run counter over all lines), ``t`` (virtual ticks), ``kind``
(dotted: ``oid.request``, ``oid.complete``, ``status.indicate``, ``pnp.*``, ``send.*``,
``invariant.fail`` ...), ``src`` and, for deliveries, ``dst``; then the message's own fields, with
OIDs and statuses as their C names.  Every exporter and view is derived from this log alone.

Lines are kept in memory as dicts (views read them) and serialised with
``json.dumps(sort_keys=True)``, so the same run gives the same bytes in any process.  A structlog
logger, when one is attached (``Trace(logger=...)``; no command attaches one yet), receives
the same events for people to watch.

A delivery's line is written lazily: the trace keeps its envelope (and the tick, when that is
not the envelope's due tick) and builds the dict
the first time ``records`` is read.  Most explored runs pass and nobody reads their lines, and a
message is a frozen value (``Message``), so the line built later is the line that would have been
built at delivery; the golden traces prove the bytes are unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from stack.runtime._bus import Envelope


@attrs.define(eq=False)
class Trace:
    """An append-only list of trace records."""

    #: Optional structlog logger; receives every record as it is written.
    logger: Any = None
    last_delivery_seq: int = -1
    _now: int = 0
    #: The lines in order: a dict, or a delivery not built yet: its envelope (delivered at its
    #: due tick) or ``(t, envelope)``; a line's ``seq`` is its index.
    _entries: list[Any] = attrs.field(factory=list)
    #: Every entry before this index is a dict already.
    _built: int = 0
    #: How many of the lines are deliveries (a campaign counts them for every run).
    deliveries: int = 0

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every line as a dict (deliveries' dicts are built here, once)."""
        entries = self._entries
        for index in range(self._built, len(entries)):
            entry = entries[index]
            if type(entry) is tuple:
                entries[index] = _delivery_record(index, *entry)
            elif type(entry) is not dict:
                entries[index] = _delivery_record(index, entry.due, entry)
        self._built = len(entries)
        return entries

    def __len__(self) -> int:
        """How many lines so far (the next line's ``seq``), without building any."""
        return len(self._entries)

    def delivery(self, envelope: Envelope, now: int) -> None:
        # The hot path (one per delivery): three values now, the dict when someone reads it.
        self._now = now
        entries = self._entries
        seq = self.last_delivery_seq = len(entries)
        self.deliveries += 1
        if self.logger is None:
            # Most deliveries happen at their due tick: the envelope alone says everything.
            entries.append(envelope if envelope.due == now else (now, envelope))
            return
        record = _delivery_record(seq, now, envelope)
        entries.append(record)
        self.logger.info(record["kind"], **{k: v for k, v in record.items() if k != "kind"})

    def emit(self, kind: str, **fields: Any) -> None:
        entries = self._entries
        record = {"seq": len(entries), "t": self._now, "kind": kind, **fields}
        entries.append(record)
        if self.logger is not None:
            self.logger.info(kind, **{k: v for k, v in record.items() if k != "kind"})

    def lines(self) -> Iterator[str]:
        for record in self.records:
            yield json.dumps(record, sort_keys=True, separators=(",", ":"))

    def to_jsonl(self) -> str:
        return "".join(line + "\n" for line in self.lines())

    def sha256(self) -> str:
        return hashlib.sha256(self.to_jsonl().encode()).hexdigest()


def _delivery_record(seq: int, now: int, envelope: Envelope) -> dict[str, Any]:
    message = envelope.message
    return {
        "seq": seq,
        "t": now,
        "kind": message.KIND,
        "src": envelope.src,
        "dst": envelope.dst,
        **message.trace_fields(),
    }
