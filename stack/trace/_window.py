"""The failure window: what a diagram of a failing run draws, chosen from the log.

* **What:** the causal past of the failing delivery (``stack.trace._causal``: the deliveries it
  depends on through the messages that caused it and each actor's earlier deliveries) and of the
  deviations the explorer's shrinker kept (out-of-FIFO deliveries, let-pass ticks, fired
  faults).  Deliveries outside it (a protocol's fan-out copy that nothing read back) are left
  out.  A log without a failure shows its deliveries in order.
* **Cycles:** a block of deliveries that repeats with the same shape (sender, receiver, kind and
  C names; ids such as RequestId and NBL may differ) is one ``Cycle`` drawn once with its count,
  so a livelock's 300 near-identical arrows are six arrows in a "loop x 50" (a multiplication
  sign in the diagram).  The failing delivery and the deviations never fold into a cycle.
* **Cap:** at most ``max_arrows`` arrows (a cycle costs its body).  When the past is larger, the
  failing delivery, the deviations and the chains of causes leading to them come first, then the
  rest by distance in links (nearest first, later first among equals); what is cut becomes
  ``Elided`` runs ("… N deliveries elided …").
* **Order:** what is kept is drawn in log order, numbered by trace ``seq`` alone.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from stack.trace._causal import (
    causal_past,
    cause_chain,
    infer_links,
)
from stack.trace._records import Annotations, Record, is_delivery

#: A window is capped here by default: about one screen (≈ 45 px an arrow in Mermaid).
MAX_ARROWS = 40
#: Notes (trace lines that are not deliveries) worth drawing: what an actor did on its own that
#: explains a failure.  State changes and queue depths stay in the log.
NOTE_KINDS = frozenset({"registry.write", "registry.skip", "send.offload_off", "mux.replay",
                        "oid.refused", "fault"})  # fmt: skip
#: Fields that may differ between iterations of one cycle: ids, counters and the clock.
ID_FIELDS = frozenset({"seq", "t", "request_id", "nbl", "token"})
#: The longest cycle body looked for, in deliveries.
MAX_PERIOD = 12


@attrs.frozen
class Arrow:
    """One delivery, the notes its handler wrote, and what the explorer knows about it."""

    record: Record
    notes: tuple[Record, ...] = ()
    failing: bool = False
    #: time the schedule let pass before it / why it left FIFO order (from the tape)
    waits: tuple[str, ...] = ()
    swaps: tuple[str, ...] = ()

    @property
    def seq(self) -> int:
        return int(self.record["seq"])

    @property
    def pinned(self) -> bool:
        """The failing delivery and the deviations are always drawn on their own."""
        return (
            self.failing
            or bool(self.waits or self.swaps)
            or any(n["kind"] == "fault" for n in self.notes)
        )


@attrs.frozen
class Cycle:
    """``body`` (the first iteration) happened ``times`` times in a row."""

    body: tuple[Arrow, ...]
    times: int
    #: the seq of every delivery of every iteration
    members: tuple[int, ...]

    @property
    def arrows(self) -> int:
        return len(self.body)

    @property
    def first_seq(self) -> int:
        return self.members[0]

    @property
    def last_seq(self) -> int:
        return self.members[-1]


@attrs.frozen
class Elided:
    """``count`` deliveries of the causal past that the cap left out here."""

    count: int


Item = Arrow | Cycle | Elided


@attrs.frozen
class Window:
    items: tuple[Item, ...]
    #: seq of the failing delivery, or None when the log records no failure in range
    failing: int | None
    #: deliveries up to the failure (or in the log), and how many of them are in the window
    deliveries: int
    past: int

    @property
    def arrows(self) -> int:
        return sum(_cost(i) for i in self.items if not isinstance(i, Elided))

    @property
    def elided(self) -> int:
        return sum(i.count for i in self.items if isinstance(i, Elided))


def shape(record: Record) -> tuple[Any, ...]:
    """A delivery without its ids and time: two arrows of one cycle have the same shape."""
    return tuple((key, repr(record[key])) for key in sorted(record) if key not in ID_FIELDS)


def failure_window(
    records: Sequence[Record],
    annotations: Annotations | None = None,
    *,
    max_arrows: int = MAX_ARROWS,
) -> Window:
    notes = annotations or Annotations()
    failing = _failing(records, notes)
    end = failing if failing is not None else max((r["seq"] for r in records), default=-1)
    scope = [r for r in records if r["seq"] <= end]
    arrows = _arrows(scope, notes, failing)
    if failing is not None:
        links = infer_links(scope)
        sources = [a.seq for a in arrows.values() if a.pinned]
        distance = causal_past(links, sources)
        chains = {s for source in sources for s in cause_chain(links, source)}

        def rank(seq: int) -> tuple[int, int, int]:
            tier = 0 if seq == failing else 1 if arrows[seq].pinned or seq in chains else 2
            return (tier, distance[seq], -seq)

        members = sorted(distance)
    else:
        members = sorted(arrows)

        def rank(seq: int) -> tuple[int, int, int]:
            return (0, 0, -seq)

    folded = fold_cycles([arrows[s] for s in members])
    if sum(_cost(item) for item in folded) <= max_arrows:
        items: list[Item] = list(folded)
    else:
        items = _cap(folded, rank, max_arrows)
    return Window(items=tuple(items), failing=failing, deliveries=len(arrows), past=len(members))


def _arrows(records: Sequence[Record], notes: Annotations, failing: int | None) -> dict[int, Arrow]:
    """Every delivery as an ``Arrow`` with its handler's notes and the tape's remarks."""
    found: dict[int, Arrow] = {}
    attached: dict[int, list[Record]] = {}
    current: int | None = None
    for record in records:
        if is_delivery(record):
            current = int(record["seq"])
            found[current] = Arrow(record=record)
        elif current is not None and record["kind"] in NOTE_KINDS:
            attached.setdefault(current, []).append(record)
    waits: dict[int, list[str]] = {}
    order = sorted(found)
    for seq, texts in sorted(notes.waits.items()):
        # A wait belongs to the first delivery at or after the line it is stamped with.
        at = bisect.bisect_left(order, seq)
        if at < len(order):
            waits.setdefault(order[at], []).extend(texts)
    for seq, arrow in found.items():
        found[seq] = attrs.evolve(
            arrow,
            notes=tuple(attached.get(seq, ())),
            failing=seq == failing,
            waits=tuple(waits.get(seq, ())),
            swaps=tuple(notes.swaps.get(seq, ())),
        )
    return found


def fold_cycles(arrows: Sequence[Arrow]) -> list[Arrow | Cycle]:
    """``arrows`` with every run of a repeated block replaced by one ``Cycle``.

    Greedy from the left: at each position, the period (up to ``MAX_PERIOD``) whose repeats
    cover the most arrows, the shorter period on a tie; a fold must save at least two arrows.
    """
    shapes = [shape(a.record) for a in arrows]
    pinned = [a.pinned for a in arrows]
    out: list[Arrow | Cycle] = []
    i = 0
    while i < len(arrows):
        best_period, best_times = 0, 0
        for period in range(1, MAX_PERIOD + 1):
            if i + 2 * period > len(arrows):
                break
            if any(pinned[i : i + period]):
                break
            j = i + period
            while j < len(arrows) and not pinned[j] and shapes[j] == shapes[j - period]:
                j += 1
            times = (j - i) // period
            saves = period * (times - 1)
            if times >= 2 and saves >= 2 and period * times > best_period * best_times:
                best_period, best_times = period, times
        if best_times:
            span = arrows[i : i + best_period * best_times]
            out.append(Cycle(tuple(span[:best_period]), best_times, tuple(a.seq for a in span)))
            i += best_period * best_times
        else:
            out.append(arrows[i])
            i += 1
    return out


def _cost(item: Arrow | Cycle) -> int:
    return 1 if isinstance(item, Arrow) else item.arrows


def _members(item: Arrow | Cycle) -> tuple[int, ...]:
    return (item.seq,) if isinstance(item, Arrow) else item.members


def _count(item: Arrow | Cycle) -> int:
    return 1 if isinstance(item, Arrow) else item.arrows * item.times


def _cap(
    folded: Sequence[Arrow | Cycle], rank: Callable[[int], tuple[int, int, int]], max_arrows: int
) -> list[Item]:
    """The best-ranked items that fit in ``max_arrows``, in log order, with the cuts marked."""
    best: Mapping[int, tuple[int, int, int]] = {
        index: min(rank(seq) for seq in _members(item)) for index, item in enumerate(folded)
    }
    keep: set[int] = set()
    budget = max_arrows
    for index in sorted(best, key=lambda i: (best[i], i)):
        cost = _cost(folded[index])
        if cost <= budget:
            keep.add(index)
            budget -= cost
        if budget == 0:
            break
    items: list[Item] = []
    cut = 0
    for index, item in enumerate(folded):
        if index in keep:
            if cut:
                items.append(Elided(cut))
                cut = 0
            items.append(item)
        else:
            cut += _count(item)
    if cut:
        items.append(Elided(cut))
    return items


def failure_past(records: Sequence[Record], annotations: Annotations | None = None) -> list[Record]:
    """The lines of the failure's causal past, uncapped (``trace export --window failure``):
    its deliveries, the lines their handlers wrote, and the lines outside any delivery (the run's
    start and end, the failure).  A log without a failure is returned whole."""
    notes = annotations or Annotations()
    failing = _failing(records, notes)
    if failing is None:
        return list(records)
    scope = [r for r in records if r["seq"] <= failing]
    arrows = _arrows(scope, notes, failing)
    past = causal_past(infer_links(scope), [a.seq for a in arrows.values() if a.pinned])
    kept: list[Record] = []
    current: int | None = None
    for record in records:
        if is_delivery(record):
            current = int(record["seq"])
        inside = current is not None and record["seq"] <= failing
        if not inside or current in past:
            kept.append(record)
    return kept


def _failing(records: Sequence[Record], notes: Annotations) -> int | None:
    """The seq of the failing delivery, when the failure is recorded and in ``records``."""
    failure = notes.failure
    if failure is None:
        return None
    hit = any(is_delivery(r) and r["seq"] == failure.seq for r in records)
    return failure.seq if hit else None
