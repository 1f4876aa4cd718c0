"""What a delivery depends on, read back from the log: its causal past.

The bus delivers one message at a time and a handler runs to completion before the next
delivery (``Bus._deliver``), so an actor's state when it handles a delivery is the result of
every earlier delivery *to it*, and a message it posts depends on the delivery it was handling.
Per delivery, pointing back:

* ``before``: the previous delivery to the same actor (its destination): "same actor earlier";
* ``sender``: the latest delivery to its sender before it.  The message was posted while the
  sender handled that delivery or an earlier one, so the sender's state when it posted is in the
  causal past of ``sender`` (through its ``before`` chain): following ``sender`` and ``before``
  never misses a dependency (it may add a few: the past is an over-approximation, never less);
* ``cause``: the delivery during which the message was most likely posted, for telling the
  story (the chain of causes is drawn first when a window is capped).  The log records
  deliveries, not posts (golden traces pin its bytes), so this is inferred: each link (X, Y) is
  FIFO (``Bus.post``), so the cause is one of the deliveries to X since the cause of the
  previous message on that link; among them the latest that carries the same correlation key
  (the same request: adapter, originator and RequestId; the same NBL; the same status on the
  same adapter), else the latest.  What the scenario script posts between steps has neither
  ``sender`` nor ``cause``.

The causal past of a delivery is everything reachable over ``sender`` and ``before`` (Lamport's
happened-before); a failure window draws that past, not every line before the failure.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from stack.trace._records import Record, is_delivery

#: The actor that posts between steps (scenario scripts); its messages have no cause.
SCENARIO = "scenario"


def correlation_key(record: Record) -> tuple[Any, ...] | None:
    """What ties a delivery to the one it answers or forwards, or ``None``.

    A request, its clones through NDIS and its completions share (adapter, originator,
    RequestId); a WMI request names its originator only as its sender (or, completed, as the
    receiver).  A send, its completion and a receive indicated up share the NBL; an indication and
    NDIS's fan-out of it share (adapter, status)."""
    kind = str(record["kind"])
    if "request_id" in record:
        origin = record.get("origin")
        if origin is None:
            origin = record["src"] if kind.endswith(".request") else record["dst"]
        return ("request", record.get("adapter"), origin, record["request_id"])
    if "nbl" in record:
        return ("nbl", record["nbl"])
    if kind == "status.indicate":
        return ("status", record.get("adapter"), record.get("status"))
    return None


@attrs.frozen
class Links:
    """Per delivery seq: the delivery that likely caused it, the latest one to its sender and
    the previous one to its actor (see the module docstring)."""

    cause: Mapping[int, int]
    sender: Mapping[int, int]
    before: Mapping[int, int]

    def parents(self, seq: int) -> list[int]:
        found = [self.sender.get(seq), self.before.get(seq)]
        return [p for p in found if p is not None]


def infer_links(records: Iterable[Record]) -> Links:
    cause: dict[int, int] = {}
    sender: dict[int, int] = {}
    before: dict[int, int] = {}
    #: actor -> seqs of the deliveries it handled, in order
    handled: dict[str, list[int]] = {}
    #: actor -> correlation key -> seqs of deliveries to it with that key
    keyed: dict[str, dict[tuple[Any, ...], list[int]]] = {}
    #: (src, dst) -> cause of the latest delivery on that link (the FIFO floor)
    floor: dict[tuple[str, str], int] = {}
    for record in records:
        if not is_delivery(record):
            continue
        seq = int(record["seq"])
        src, dst = str(record["src"]), str(record["dst"])
        key = correlation_key(record)
        mine = handled.get(src, [])
        if src != SCENARIO and mine:
            sender[seq] = mine[-1]
            low = floor.get((src, dst), -1)
            found = None
            if key is not None:
                matches = keyed.get(src, {}).get(key, [])
                if matches and matches[-1] >= low:
                    found = matches[-1]
            if found is None and mine[-1] >= low:
                found = mine[-1]
            if found is not None:
                cause[seq] = found
                floor[(src, dst)] = found
        previous = handled.setdefault(dst, [])
        if previous:
            before[seq] = previous[-1]
        previous.append(seq)
        if key is not None:
            keyed.setdefault(dst, {}).setdefault(key, []).append(seq)
    return Links(cause=cause, sender=sender, before=before)


def causal_past(links: Links, sources: Iterable[int]) -> dict[int, int]:
    """Every delivery the ``sources`` depend on (themselves included) -> its distance in links
    from the nearest source (breadth first, so the numbers are hop counts)."""
    distance: dict[int, int] = {}
    queue: deque[int] = deque()
    for seq in sorted(set(sources)):
        distance[seq] = 0
        queue.append(seq)
    while queue:
        seq = queue.popleft()
        for parent in links.parents(seq):
            if parent not in distance:
                distance[parent] = distance[seq] + 1
                queue.append(parent)
    return distance


def cause_chain(links: Links, seq: int) -> list[int]:
    """``seq``, the delivery that caused it, the one that caused that, ... back to a root."""
    chain = [seq]
    while chain[-1] in links.cause:
        chain.append(links.cause[chain[-1]])
    return chain
