"""Chrome / Perfetto trace-event JSON (ui.perfetto.dev and chrome://tracing open it).

The format is Google's "Trace Event Format" document (the JSON Object Format):

* one process, one thread per actor (integer ``tid`` in order of appearance, named by ``M``
  events, sorted the same way);
* every delivery is a complete slice (``X``) on its destination's thread, named by kind and C
  name, with the record as its args;
* every OID leg (originator → NDIS, NDIS → miniport) is an async slice (``b``/``e``, matched by
  ``cat`` and ``id``) from the request to its completion, and a flow arrow (``s``/``f``) joins
  the request's delivery to the completion's.  A leg still open when the log ends (a failing
  run stops with requests in flight) has its slice closed at the end with ``unfinished: true``
  and no flow: a flow start without its finish is a dangling arrow;
* every status indication NDIS received is joined by a flow arrow to each delivery of it to a
  protocol (NDIS's fan-out);
* notes (state changes, faults, registry writes) are instants on their actor; pending-OID depth
  is a counter; a failure is a global instant.

**Time.**  One virtual tick is ``TICK_US`` = 10,000 µs (``stack.runtime.TICKS_PER_SECOND`` =
100: 1 tick = 10 ms, as the README says), so a line at tick ``t`` is drawn at ``t`` times 10 ms.
Lines of the same tick happen at the same virtual instant; they are drawn ``STEP_US`` = 1 µs
apart in log order (closer when one tick holds more than 5,000 lines, so a tick never runs into
the next), which keeps the order on screen the order of the log.  Events are written sorted by
``ts``, so every track's timestamps are monotonic in the file too.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from stack import __version__
from stack.runtime import TICKS_PER_SECOND
from stack.trace._records import Annotations, Record, is_delivery

PID = 1
#: Microseconds per virtual tick.
TICK_US = 1_000_000 // TICKS_PER_SECOND
#: Microseconds between two lines of the same tick (at most; see the module docstring).
STEP_US = 1.0


def timestamps(records: Sequence[Record]) -> dict[int, float]:
    """seq -> ts in µs: the tick's start, plus ``step`` per earlier line of the same tick."""
    per_tick: dict[int, int] = {}
    for record in records:
        per_tick[int(record["t"])] = per_tick.get(int(record["t"]), 0) + 1
    stamps: dict[int, float] = {}
    index: dict[int, int] = {}
    for record in records:
        tick = int(record["t"])
        k = index.get(tick, 0)
        index[tick] = k + 1
        step = min(STEP_US, TICK_US / 2 / per_tick[tick])
        stamps[int(record["seq"])] = tick * TICK_US + k * step
    return stamps


def _step(stamps: dict[int, float]) -> float:
    """The smallest gap between two lines: the width of a delivery's slice."""
    values = sorted(stamps.values())
    gaps = [b - a for a, b in itertools.pairwise(values) if b > a]
    return min([STEP_US, *gaps])


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

    stamps = timestamps(records)
    dur = _num(_step(stamps))
    next_id = 1
    #: leg -> (async id, OID name, thread, ts of the request)
    open_legs: dict[tuple[Any, ...], tuple[int, str, int, float | int]] = {}
    indications: dict[tuple[Any, Any], tuple[float | int, int]] = {}  # (adapter, status) -> ...
    timed: list[dict[str, Any]] = []
    last_ts: float | int = 0
    for record in records:
        seq = int(record["seq"])
        ts = last_ts = _num(stamps[seq])
        kind = str(record["kind"])
        args = {k: v for k, v in record.items() if k not in ("kind", "t")}
        if notes.swaps.get(seq):
            args["out_of_fifo"] = "; ".join(notes.swaps[seq])
        if notes.waits.get(seq):
            args["waited"] = "; ".join(notes.waits[seq])
        if not is_delivery(record):
            timed.extend(_note_events(record, ts, args, tids))
            continue
        src, dst = str(record["src"]), str(record["dst"])
        timed.append({"ph": "X", "pid": PID, "tid": tids[dst], "ts": ts, "dur": dur,
                      "name": _name(record), "cat": kind, "args": args})  # fmt: skip
        if kind == "oid.request":
            leg = (record.get("adapter"), record.get("origin"), record.get("request_id"), src, dst)
            oid = str(record.get("oid", "OID"))
            open_legs[leg] = (next_id, oid, tids[dst], ts)
            timed.append({"ph": "b", "cat": "oid", "id": next_id, "pid": PID,
                          "tid": tids[dst], "ts": ts, "name": oid,
                          "args": {"leg": f"{src} -> {dst}"}})  # fmt: skip
            next_id += 1
        elif kind == "oid.complete":
            leg = (record.get("adapter"), record.get("origin"), record.get("request_id"), dst, src)
            slot = open_legs.pop(leg, None)
            if slot is not None:
                number, oid, owner, start = slot
                timed.append({"ph": "e", "cat": "oid", "id": number, "pid": PID, "tid": owner,
                              "ts": ts, "name": oid,
                              "args": {"status": record.get("status")}})  # fmt: skip
                # The flow is written once both ends are known, so none dangles.
                timed.append({"ph": "s", "cat": "oid", "id": number, "pid": PID,
                              "tid": owner, "ts": start, "name": f"{oid} completion"})  # fmt: skip
                timed.append({"ph": "f", "bp": "e", "cat": "oid", "id": number, "pid": PID,
                              "tid": tids[dst], "ts": ts,
                              "name": f"{oid} completion"})  # fmt: skip
        elif kind == "status.indicate":
            said = (record.get("adapter"), record.get("status"))
            if dst == "ndis":
                indications[said] = (ts, tids[dst])
            elif src == "ndis" and said in indications:
                start_ts, start_tid = indications[said]
                name = f"{record.get('status')} fan-out"
                timed.append({"ph": "s", "cat": "indication", "id": next_id, "pid": PID,
                              "tid": start_tid, "ts": start_ts, "name": name})  # fmt: skip
                timed.append({"ph": "f", "bp": "e", "cat": "indication", "id": next_id,
                              "pid": PID, "tid": tids[dst], "ts": ts,
                              "name": name})  # fmt: skip
                next_id += 1
    for number, oid, owner, _start in open_legs.values():
        timed.append({"ph": "e", "cat": "oid", "id": number, "pid": PID, "tid": owner,
                      "ts": _num(last_ts + dur), "name": oid,
                      "args": {"unfinished": True}})  # fmt: skip
    # Sorted by time (stable: the log's order among equals), so each track reads in order.
    events += sorted(timed, key=lambda e: e["ts"])
    other: dict[str, Any] = {
        "emulator": f"ndisemu {__version__}",
        "time_unit": f"1 virtual tick = {TICK_US} us ({1000 // TICKS_PER_SECOND} ms); lines of "
        f"one tick are {STEP_US:g} us apart in log order",
        **notes.metadata,
    }
    if notes.failure is not None:
        failure = notes.failure
        other["failure"] = {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason}
    return {"displayTimeUnit": "ms", "traceEvents": events, "otherData": other}


def _num(value: float) -> float | int:
    """An integral timestamp as an int (shorter JSON), any other as it is."""
    return int(value) if float(value).is_integer() else value


def _note_events(
    record: Record, ts: float | int, args: dict[str, Any], tids: dict[str, int]
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
