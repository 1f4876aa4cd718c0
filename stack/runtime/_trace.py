"""The canonical event log: one JSON object per line, sorted keys, no wall clock.

Schema (every line): ``seq`` (a per-run counter over all lines), ``t`` (virtual ticks), ``kind``
(dotted: ``oid.request``, ``oid.complete``, ``status.indicate``, ``pnp.*``, ``send.*``,
``invariant.fail`` ...), ``src`` and, for deliveries, ``dst``; then the message's own fields, with
OIDs and statuses as their C names.  Every exporter and view is derived from this log alone.

Lines are kept in memory as dicts (monitors and views read them) and serialised with
``json.dumps(sort_keys=True)``, so the same run gives the same bytes in any process.  A structlog
logger, when one is attached (the CLI's ``-v``), receives the same events for people to watch.
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

    records: list[dict[str, Any]] = attrs.field(factory=list)
    #: Optional structlog logger; receives every record as it is written.
    logger: Any = None
    last_delivery_seq: int = -1
    _now: int = 0

    def delivery(self, envelope: Envelope, now: int) -> None:
        # The hot path (one per delivery): the record is built in one dict, keys in the order
        # ``_append`` gives them (the JSON line sorts them anyway).
        self._now = now
        message = envelope.message
        records = self.records
        seq = self.last_delivery_seq = len(records)
        record = {
            "seq": seq,
            "t": now,
            "kind": message.KIND,
            "src": envelope.src,
            "dst": envelope.dst,
            **message.trace_fields(),
        }
        records.append(record)
        if self.logger is not None:
            self.logger.info(message.KIND, **{k: v for k, v in record.items() if k != "kind"})

    def emit(self, kind: str, **fields: Any) -> None:
        self._append(kind, **fields)

    def _append(self, kind: str, **fields: Any) -> None:
        record = {"seq": len(self.records), "t": self._now, "kind": kind, **fields}
        self.records.append(record)
        if self.logger is not None:
            self.logger.info(kind, **{k: v for k, v in record.items() if k != "kind"})

    def lines(self) -> Iterator[str]:
        for record in self.records:
            yield json.dumps(record, sort_keys=True, separators=(",", ":"))

    def to_jsonl(self) -> str:
        return "".join(line + "\n" for line in self.lines())

    def sha256(self) -> str:
        return hashlib.sha256(self.to_jsonl().encode()).hexdigest()
