"""Shrinking a failing tape toward the default schedule (FIFO, no faults).

The tape is a choice sequence whose canonical value is all zeros, as in Hypothesis; the seed is
never shrunk (it says nothing about the schedule).  A candidate is a copy of the current tape with
some deviations set back to the default (a ``wait`` is removed; any other entry gets index 0), or
cut short (everything after the cut is default).  A candidate is kept only when the run fails
with the *same rule* and its recorded tape is strictly smaller by ``(deviations, sum of
indices)``, so shrinking always terminates.  The kept tape is the candidate run's *recorded*
decisions, never the edited candidate, so it replays exactly.

Passes, repeated until a round changes nothing or the budget of candidate runs is spent
(../shared/design/exploration.md 11(d)):

1. truncate the tail (binary search on how many leading deviations must stay);
2. ddmin over the deviations (Zeller & Hildebrandt, TSE 2002);
3. zero single deviations, last first;
4. lower indices (``c -> 1``, else ``c -> c - 1``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import attrs

from stack.runtime import Registry
from stack.scenario import Failure, ScenarioFile

from ._replay import Replayed, replay_entries
from ._tape import WAIT, Decision, deviations

#: Candidate runs a shrink may spend (the design's target is a minimal tape in <= 200 runs).
DEFAULT_BUDGET = 200


@attrs.frozen
class ShrinkResult:
    """The smallest failing tape found, and what it took."""

    run: Replayed
    deviations_before: int
    candidate_runs: int

    @property
    def entries(self) -> tuple[Decision, ...]:
        return self.run.decisions

    @property
    def deviations_after(self) -> int:
        return deviations(self.run.decisions)

    @property
    def failure(self) -> Failure:
        failure = self.run.failure
        assert failure is not None
        return failure


def _key(entries: Sequence[Decision]) -> tuple[int, int]:
    return deviations(entries), sum(e.index for e in entries)


def _positions(entries: Sequence[Decision]) -> list[int]:
    return [i for i, entry in enumerate(entries) if entry.is_deviation]


def _zeroed(entries: Sequence[Decision], positions: Collection[int]) -> list[Decision]:
    out = []
    for i, entry in enumerate(entries):
        if i in positions:
            if entry.kind == WAIT:
                continue
            entry = attrs.evolve(entry, index=0, note="")
        out.append(entry)
    return out


class _Shrinker:
    def __init__(
        self,
        run: Callable[[Sequence[Decision]], Replayed],
        start: Replayed,
        rule: str,
        budget: int,
    ) -> None:
        self._run = run
        self.current = start
        self.rule = rule
        self.budget = budget
        self.runs = 0

    @property
    def entries(self) -> tuple[Decision, ...]:
        return self.current.decisions

    @property
    def spent(self) -> bool:
        return self.runs >= self.budget

    def attempt(self, candidate: Sequence[Decision]) -> bool:
        """Run ``candidate``; keep its recorded tape if it fails the same way and is smaller."""
        if self.spent:
            return False
        self.runs += 1
        run = self._run(candidate)
        failure = run.failure
        if failure is None or failure.rule != self.rule:
            return False
        if _key(run.decisions) >= _key(self.entries):
            return False
        self.current = run
        return True

    def truncate(self) -> None:
        positions = _positions(self.entries)
        entries = self.entries
        lo, hi = 0, len(positions)
        while lo < hi and not self.spent:
            mid = (lo + hi) // 2
            cut = positions[mid - 1] + 1 if mid else 0
            # attempt() compares against the current tape, which only shrinks, so a success
            # here is also smaller than the tape the search started from.
            if self.attempt(entries[:cut]):
                hi = mid
            else:
                lo = mid + 1

    def ddmin(self) -> None:
        granularity = 2
        while not self.spent:
            positions = _positions(self.entries)
            if len(positions) < 2:
                return
            granularity = min(granularity, len(positions))
            size = -(-len(positions) // granularity)
            chunks = [positions[i : i + size] for i in range(0, len(positions), size)]
            reduced = False
            # Keep one chunk only (zero the rest), then drop one chunk (zero it).
            for chunk in chunks:
                rest = set(positions) - set(chunk)
                if self.attempt(_zeroed(self.entries, rest)):
                    granularity, reduced = 2, True
                    break
            if not reduced:
                for chunk in chunks:
                    if self.attempt(_zeroed(self.entries, set(chunk))):
                        granularity, reduced = max(granularity - 1, 2), True
                        break
            if not reduced:
                if granularity >= len(positions):
                    return
                granularity = min(len(positions), granularity * 2)

    def zero_singles(self) -> None:
        i = len(self.entries) - 1
        while i >= 0 and not self.spent:
            if i < len(self.entries) and self.entries[i].is_deviation:
                self.attempt(_zeroed(self.entries, {i}))
            i -= 1

    def lower(self) -> None:
        i = 0
        while i < len(self.entries) and not self.spent:
            entry = self.entries[i]
            if entry.kind != WAIT and entry.index > 1:
                for value in sorted({1, entry.index - 1}):
                    candidate = list(self.entries)
                    candidate[i] = attrs.evolve(entry, index=value, note="")
                    if self.attempt(candidate):
                        break
            i += 1


def shrink(
    scenario: ScenarioFile,
    seed: int,
    start: Replayed,
    *,
    name: str = "replay",
    budget: int = DEFAULT_BUDGET,
    registry: Registry | None = None,
) -> ShrinkResult:
    """Shrink the failing run ``start`` (a replay of ``scenario`` at ``seed``)."""
    failure = start.failure
    if failure is None:
        raise ValueError("shrink: the starting run did not fail")

    def run(candidate: Sequence[Decision]) -> Replayed:
        return replay_entries(scenario, seed, candidate, name=name, registry=registry)

    shrinker = _Shrinker(run, start, failure.rule, budget)
    before = deviations(start.decisions)
    while not shrinker.spent and deviations(shrinker.entries) > 0:
        key = _key(shrinker.entries)
        shrinker.truncate()
        shrinker.ddmin()
        shrinker.zero_singles()
        shrinker.lower()
        if _key(shrinker.entries) == key:
            break
    return ShrinkResult(shrinker.current, before, shrinker.runs)
