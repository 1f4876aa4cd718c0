"""A checker for Chrome's Trace Event Format (JSON Object Format), as Perfetto reads it.

From Google's "Trace Event Format" document (the phases, their required keys, async events
matched by category and id, flow events bound to the enclosing slice) and Perfetto's JSON
importer (a flow whose start or end has no enclosing slice is dropped; overlapping complete
events on one thread that do not nest are out of spec).  ``check(doc)`` returns the list of
problems, empty when the document is well formed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

#: Phases and the keys each needs besides ``ph`` (``pid`` for all).
REQUIRED: dict[str, tuple[str, ...]] = {
    "X": ("name", "ts", "dur", "pid", "tid"),
    "B": ("name", "ts", "pid", "tid"),
    "E": ("ts", "pid", "tid"),
    "i": ("name", "ts", "pid"),
    "I": ("name", "ts", "pid"),
    "C": ("name", "ts", "pid", "args"),
    "b": ("name", "cat", "id", "ts", "pid"),
    "n": ("name", "cat", "id", "ts", "pid"),
    "e": ("name", "cat", "id", "ts", "pid"),
    "s": ("name", "cat", "id", "ts", "pid", "tid"),
    "t": ("name", "cat", "id", "ts", "pid", "tid"),
    "f": ("name", "cat", "id", "ts", "pid", "tid"),
    "M": ("name", "pid", "args"),
}
METADATA = frozenset({"process_name", "process_labels", "process_sort_index", "thread_name",
                      "thread_sort_index"})  # fmt: skip


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check(doc: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["not an object with a traceEvents list"]
    if doc.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        problems.append(f"displayTimeUnit {doc['displayTimeUnit']!r} is neither ms nor ns")
    events: list[dict[str, Any]] = doc["traceEvents"]
    last_ts: dict[tuple[Any, ...], float] = {}
    slices: dict[tuple[Any, Any], list[tuple[float, float]]] = defaultdict(list)
    flows: dict[tuple[Any, Any], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    open_async: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for index, event in enumerate(events):
        where = f"event {index} ({event.get('ph')} {event.get('name')!r})"
        phase = event.get("ph")
        if phase not in REQUIRED:
            problems.append(f"{where}: unknown phase")
            continue
        missing = [key for key in REQUIRED[phase] if key not in event]
        if missing:
            problems.append(f"{where}: missing {missing}")
            continue
        if not isinstance(event["pid"], int) or (
            "tid" in event and not isinstance(event["tid"], int)
        ):
            problems.append(f"{where}: pid and tid must be integers")
        if phase == "M":
            if event["name"] not in METADATA:
                problems.append(f"{where}: unknown metadata event")
            continue
        if not _number(event["ts"]) or event["ts"] < 0:
            problems.append(f"{where}: ts {event['ts']!r} is not a non-negative number")
            continue
        ts = float(event["ts"])
        scope = event.get("s", "t") if phase in ("i", "I") else "t"
        if phase in ("i", "I") and scope not in ("g", "p", "t"):
            problems.append(f"{where}: instant scope {scope!r} is not g, p or t")
        if phase in ("i", "I") and scope == "t" and "tid" not in event:
            problems.append(f"{where}: a thread instant needs a tid")
        # Timestamps run forward on every track in file order.
        if phase in ("b", "e", "n"):
            track: tuple[Any, ...] = ("async", event["pid"], event["cat"], event["id"])
        elif phase == "C":
            track = ("counter", event["pid"], event["name"])
        elif phase in ("i", "I") and scope != "t":
            track = ("global", event["pid"])
        else:
            track = ("thread", event["pid"], event["tid"])
        if ts < last_ts.get(track, -1.0):
            problems.append(f"{where}: ts {ts} goes back on track {track}")
        last_ts[track] = max(ts, last_ts.get(track, -1.0))
        if phase == "X":
            if not _number(event["dur"]) or event["dur"] < 0:
                problems.append(f"{where}: dur {event['dur']!r} is not a non-negative number")
            else:
                slices[(event["pid"], event["tid"])].append((ts, ts + float(event["dur"])))
        elif phase == "C":
            if not isinstance(event["args"], dict) or not all(
                _number(v) for v in event["args"].values()
            ):
                problems.append(f"{where}: counter args must be numbers")
        elif phase in ("s", "t", "f"):
            flows[(event["cat"], event["id"])][phase].append(event)
            if phase == "f" and event.get("bp", "e") not in ("e", "n"):
                problems.append(f"{where}: bp must be 'e' (or absent)")
        elif phase == "b":
            open_async[(event["pid"], event["cat"], event["id"])].append(event)
        elif phase == "e":
            started = open_async[(event["pid"], event["cat"], event["id"])]
            if not started:
                problems.append(f"{where}: async end without a begin (cat {event['cat']!r})")
            else:
                begin = started.pop()
                if begin["name"] != event["name"]:
                    problems.append(f"{where}: ends {begin['name']!r} under another name")
                if ts < float(begin["ts"]):
                    problems.append(f"{where}: async end before its begin")
    for key, started in open_async.items():
        for begin in started:
            problems.append(f"async {begin['name']!r} {key} begins and never ends")
    for track, spans in slices.items():
        spans.sort(key=lambda s: (s[0], -s[1]))
        stack: list[tuple[float, float]] = []
        for start, end in spans:
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack and end > stack[-1][1]:
                problems.append(f"slices {stack[-1]} and {(start, end)} on {track} overlap")
            stack.append((start, end))
    for (cat, flow_id), phases in flows.items():
        starts, finishes = phases["s"], phases["f"]
        if len(starts) != 1 or len(finishes) != 1:
            problems.append(
                f"flow {cat}/{flow_id}: {len(starts)} start(s), {len(finishes)} finish(es)"
            )
            continue
        start, finish = starts[0], finishes[0]
        if float(finish["ts"]) < float(start["ts"]):
            problems.append(f"flow {cat}/{flow_id} finishes before it starts")
        for end in (start, finish):
            spans = slices.get((end["pid"], end["tid"]), [])
            at = float(end["ts"])
            if not any(a <= at <= b for a, b in spans):
                problems.append(
                    f"flow {cat}/{flow_id}: its {end['ph']} at {at} has no enclosing slice"
                )
    return problems
