"""Chrome / Perfetto trace-event JSON (ui.perfetto.dev and chrome://tracing open it).

* one process, one thread per actor (integer ``tid`` in order of appearance, named by ``M``
  events, sorted the same way);
* every delivery is a 1 µs complete slice (``X``) on its destination's thread, named by kind and
  C name, with the record as its args;
* every OID leg (originator → NDIS, NDIS → miniport) is an async slice (``b``/``e``) from the
  request to its completion, and a flow arrow (``s``/``f``) joins the request's delivery to the
  completion's delivery;
* every status indication NDIS received is joined by a flow arrow to each delivery of it to a
  protocol (NDIS's fan-out: the next deliveries from ``ndis`` of the same status on the same
  adapter);
* notes (state changes, faults, registry writes) are instants on their actor; pending-OID depth
  is a counter; a failure is a global instant.

Timestamps are ``ticks * 1000 + seq`` microseconds: ticks never decrease along the log and seq
always grows, so the order on screen is the order of the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stack import __version__
from stack.trace._records import Annotations, Record, is_delivery

PID = 1


def _ts(record: Record) -> int:
    return int(record["t"]) * 1000 + int(record["seq"])


def _name(record: Record) -> str:
    lead = next((str(record[k]) for k in ("oid", "status", "operation") if k in record), "")
    return f"{record['kind']} {lead}".strip()


def to_perfetto(
    records: Sequence[Record], annotations: Annotations | None = None
) -> dict[str, Any]:
    notes = annotations or Annotations()
    tids: dict[str, int] = {}
    for record in records:
        for key in ("src", "dst"):
            if key in record and record[key] not in tids:
                tids[str(record[key])] = len(tids) + 1
    events: list[dict[str, Any]] = [
        {"ph": "M", "pid": PID, "tid": 0, "name": "process_name",
         "args": {"name": f"ndisemu {notes.title}".strip()}},
    ]  # fmt: skip
    for actor, tid in tids.items():
        events.append({"ph": "M", "pid": PID, "tid": tid, "name": "thread_name",
                       "args": {"name": actor}})  # fmt: skip
        events.append({"ph": "M", "pid": PID, "tid": tid, "name": "thread_sort_index",
                       "args": {"sort_index": tid}})  # fmt: skip

    next_id = 1
    open_legs: dict[tuple[Any, ...], tuple[int, str, int]] = {}
    indications: dict[tuple[Any, Any], tuple[int, int]] = {}  # (adapter, status) -> (ts, tid)
    last_ts = 0
    for record in records:
        ts = last_ts = _ts(record)
        kind = str(record["kind"])
        args = {k: v for k, v in record.items() if k not in ("kind", "t")}
        seq = int(record["seq"])
        if notes.swaps.get(seq):
            args["out_of_fifo"] = "; ".join(notes.swaps[seq])
        if notes.waits.get(seq):
            args["waited"] = "; ".join(notes.waits[seq])
        if not is_delivery(record):
            events.extend(_note_events(record, ts, args, tids))
            continue
        src, dst = str(record["src"]), str(record["dst"])
        events.append({"ph": "X", "pid": PID, "tid": tids[dst], "ts": ts, "dur": 1,
                       "name": _name(record), "cat": kind, "args": args})  # fmt: skip
        if kind == "oid.request":
            leg = (record.get("adapter"), record.get("origin"), record.get("request_id"), src, dst)
            oid = str(record.get("oid", "OID"))
            open_legs[leg] = (next_id, oid, tids[dst])
            events.append({"ph": "b", "cat": "oid", "id": next_id, "pid": PID,
                           "tid": tids[dst], "ts": ts, "name": oid,
                           "args": {"leg": f"{src} -> {dst}"}})  # fmt: skip
            events.append({"ph": "s", "cat": "oid", "id": next_id, "pid": PID,
                           "tid": tids[dst], "ts": ts, "name": f"{oid} completion"})  # fmt: skip
            next_id += 1
        elif kind == "oid.complete":
            leg = (record.get("adapter"), record.get("origin"), record.get("request_id"), dst, src)
            slot = open_legs.pop(leg, None)
            if slot is not None:
                number, oid, owner = slot
                events.append({"ph": "e", "cat": "oid", "id": number, "pid": PID, "tid": owner,
                               "ts": ts, "name": oid,
                               "args": {"status": record.get("status")}})  # fmt: skip
                events.append({"ph": "f", "bp": "e", "cat": "oid", "id": number, "pid": PID,
                               "tid": tids[dst], "ts": ts,
                               "name": f"{oid} completion"})  # fmt: skip
        elif kind == "status.indicate":
            said = (record.get("adapter"), record.get("status"))
            if dst == "ndis":
                indications[said] = (ts, tids[dst])
            elif src == "ndis" and said in indications:
                start_ts, start_tid = indications[said]
                name = f"{record.get('status')} fan-out"
                events.append({"ph": "s", "cat": "indication", "id": next_id, "pid": PID,
                               "tid": start_tid, "ts": start_ts, "name": name})  # fmt: skip
                events.append({"ph": "f", "bp": "e", "cat": "indication", "id": next_id,
                               "pid": PID, "tid": tids[dst], "ts": ts,
                               "name": name})  # fmt: skip
                next_id += 1
    for number, oid, owner in open_legs.values():
        events.append({"ph": "e", "cat": "oid", "id": number, "pid": PID, "tid": owner,
                       "ts": last_ts + 1, "name": oid,
                       "args": {"unfinished": True}})  # fmt: skip
    other: dict[str, Any] = {
        "emulator": f"ndisemu {__version__}",
        "time_unit": "1 virtual tick = 1000 us; the low digits are the trace seq",
        **notes.metadata,
    }
    if notes.failure is not None:
        failure = notes.failure
        other["failure"] = {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason}
    return {"displayTimeUnit": "ms", "traceEvents": events, "otherData": other}


def _note_events(
    record: Record, ts: int, args: dict[str, Any], tids: dict[str, int]
) -> list[dict[str, Any]]:
    kind = str(record["kind"])
    events: list[dict[str, Any]] = []
    if kind == "oid.queue" and "depth" in record:
        events.append({"ph": "C", "pid": PID, "ts": ts,
                       "name": f"pending OIDs {record.get('adapter', '')}".strip(),
                       "args": {"depth": record["depth"]}})  # fmt: skip
    if kind == "invariant.fail":
        events.append({"ph": "i", "s": "g", "pid": PID, "tid": 0, "ts": ts,
                       "name": f"FAIL {record.get('rule')}", "cat": "invariant",
                       "args": args})  # fmt: skip
    elif record.get("src") in tids and kind not in ("run.start", "run.end"):
        events.append({"ph": "i", "s": "t", "pid": PID, "tid": tids[str(record["src"])],
                       "ts": ts, "name": kind, "cat": kind, "args": args})  # fmt: skip
    return events
