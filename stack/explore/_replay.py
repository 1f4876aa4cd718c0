"""Replaying a tape: the ``Replay`` strategy, and running a scenario under any strategy.

``Replay`` answers the bus's questions from a tape, in order, and records the decisions it makes
with what it saw (how many options, a digest of the enabled set, a readable note for each
deviation).  Past the end of the tape it takes the default (0: FIFO, no fault), so a prefix of a
tape is itself a valid schedule: shrinking relies on that.

The tape is read as separate streams: delivery decisions (``sched`` and ``wait``) in order,
and each fault site's decisions in order.  A recorded run asks the same questions in the same
order, so this changes nothing for an exact replay; but when a shrinking candidate reorders a few
deliveries, the k-th question at ``miniport.oid.fail`` still gets the k-th recorded answer
instead of whatever entry happens to sit at that position of the tape.

Divergence (the scenario or the emulator changed since the tape was recorded) is detected per
decision, as Coyote's replay errors do: a *soft* divergence is a question asked at another
position than recorded, or an enabled set that differs from the recorded one (another count or
digest), while the recorded answer still fits; a *hard* divergence is an answer that no longer
fits (an index out of range) or a question the tape has no answer left for, and the default is
used instead.  The first divergence of either kind is kept.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import trio

from stack.errors import BadInput
from stack.runtime import Bus, Envelope, Registry, Strategy, load_reg
from stack.runtime._regfile import decode_reg_bytes
from stack.scenario import Failure, RunResult, ScenarioFile, load_scenario, run_stack

from ._tape import SCHED, WAIT, Decision, Tape

#: Trace fields worth showing right after the kind, in this order; the rest follow sorted.
_LEAD_FIELDS = ("oid", "status", "operation", "adapter")


def enabled_digest(enabled: Sequence[Envelope]) -> str:
    """A CRC-32 of what was enabled (links and kinds, in bus order): equal in every process."""
    text = "|".join(f"{e.src}>{e.dst}:{e.message.KIND}" for e in enabled)
    return f"{zlib.crc32(text.encode()):08x}"


def envelope_label(envelope: Envelope) -> str:
    """``nic1 -> ndis status.indicate NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG``."""
    fields = envelope.message.trace_fields()
    detail = next((str(fields[k]) for k in ("oid", "status", "operation") if k in fields), "")
    label = f"{envelope.src} -> {envelope.dst} {envelope.message.KIND}"
    return f"{label} {detail}" if detail else label


def record_detail(record: Mapping[str, Any]) -> str:
    """The fields of a trace line after src, dst and kind, most telling first."""
    skip = {"seq", "t", "kind", "src", "dst"}
    parts = [str(record[k]) for k in _LEAD_FIELDS if k in record and k != "adapter"]
    if "adapter" in record:
        parts.append(f"adapter={record['adapter']}")
    lead = set(_LEAD_FIELDS)
    for key in sorted(record):
        if key in skip or key in lead:
            continue
        value = record[key]
        if isinstance(value, list):
            value = ",".join(str(v) for v in value) or "-"
        parts.append(f"{key}={value}")
    return " ".join(parts)


@attrs.frozen
class Divergence:
    """Where a replay stopped matching its tape."""

    position: int
    expected: str
    actual: str
    hard: bool

    def describe(self) -> str:
        what = "no longer fits" if self.hard else "saw a different enabled set"
        return (
            f"decision {self.position} {what}: the tape has {self.expected}; "
            f"the run now {self.actual}"
        )


def _expected(entry: Decision) -> str:
    if entry.kind == WAIT:
        return "a wait" + (f" among {entry.count} enabled messages" if entry.count else "")
    if entry.kind == SCHED:
        among = f" of {entry.count} enabled" if entry.count else ""
        return f"delivery choice {entry.index}{among}"
    among = f" of {entry.count}" if entry.count else ""
    return f"fault site {entry.kind} option {entry.index}{among}"


@attrs.define(eq=False)
class Replay:
    """Answers from a tape, then defaults; see the module docstring.

    ``name`` is written in the trace's ``run.start`` line, so a replay under the recorded
    strategy's name produces the recorded run's trace byte for byte.  ``complete`` says the tape
    is a whole recording, so a run that asks for more decisions than it holds has diverged.
    """

    entries: Sequence[Decision]
    name: str = "replay"
    complete: bool = False
    decisions: list[Decision] = attrs.field(factory=list)
    divergence: Divergence | None = None
    _pos: int = 0
    _streams: dict[str, deque[tuple[int, Decision]]] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        for position, entry in enumerate(self.entries):
            key = SCHED if entry.kind in (SCHED, WAIT) else entry.kind
            self._streams.setdefault(key, deque()).append((position, entry))

    def _next(self, kind: str, count: int, digest: str) -> Decision | None:
        """The tape's answer to this question, or None when the default applies."""
        pos = self._pos
        self._pos += 1
        delivery = kind == SCHED
        asked = (
            f"chooses among {count} enabled messages"
            if delivery
            else (f"asks fault site {kind} with {count} options")
        )
        stream = self._streams.get(kind)
        if not stream:
            if self.complete:
                here = _expected(self.entries[pos]) if pos < len(self.entries) else "nothing more"
                self._diverge(pos, here, asked, True)
            return None
        at, entry = stream.popleft()
        if entry.kind != WAIT and entry.index >= count:
            self._diverge(at, _expected(entry), asked, True)
            return None
        if at != pos:
            here = _expected(self.entries[pos]) if pos < len(self.entries) else "nothing more"
            self._diverge(pos, here, asked, False)
        elif (entry.count and entry.count != count) or (
            delivery and entry.digest and entry.digest != digest
        ):
            offers = f"offers {count} {'enabled messages' if delivery else 'options'}"
            if entry.count == count:
                offers += " (other links or kinds)"
            self._diverge(at, _expected(entry), offers, False)
        return entry

    def _diverge(self, position: int, expected: str, actual: str, hard: bool) -> None:
        if self.divergence is None:
            self.divergence = Divergence(position, expected, actual, hard)

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        count = len(enabled)
        digest = enabled_digest(enabled)
        entry = self._next(SCHED, count, digest)
        if entry is not None and entry.kind == WAIT:
            note = f"tick {bus.now} let pass with {count} messages enabled"
            seq = len(bus.trace)
            self.decisions.append(Decision(WAIT, 0, count, digest, note, seq))
            return None
        index = 0 if entry is None else entry.index
        note = ""
        if index:
            note = f"{envelope_label(enabled[index])} before {envelope_label(enabled[0])}"
        # The delivery is the next trace line (Bus._deliver writes it first thing).
        seq = len(bus.trace)
        self.decisions.append(Decision(SCHED, index, count, digest, note, seq))
        return index

    def choose_data(self, site: str, count: int, bus: Bus) -> int:
        entry = self._next(site, count, "")
        index = 0 if entry is None else entry.index
        note = f"fault {site} fired (option {index} of {count})" if index else ""
        seq = len(bus.trace)
        self.decisions.append(Decision(site, index, count, "", note, seq))
        return index

    def finish(self) -> None:
        """Call after the run: a whole recording must have been used up."""
        left = sorted(at for stream in self._streams.values() for at, _ in stream)
        if self.complete and left:
            self._diverge(
                left[0],
                f"{len(left)} more decision{'s' * (len(left) != 1)}",
                f"ended after {self._pos}",
                True,
            )


# -- running -------------------------------------------------------------------------------------


def read_registry(path: str | Path) -> tuple[Registry, str]:
    """A .reg file as a Registry, with the sha256 of its bytes (what tapes record)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read registry file {str(path)!r}: {exc.strerror or exc}") from None
    return load_reg(path), hashlib.sha256(raw).hexdigest()


def registry_from_bytes(name: str, data: bytes) -> tuple[Registry, str]:
    """A .reg file's bytes (shipped in a campaign plan) as a Registry, with their sha256."""
    text = decode_reg_bytes(data, source=name)
    return Registry.from_reg_text(text, source=name), hashlib.sha256(data).hexdigest()


def run_once(
    scenario: ScenarioFile, seed: int, strategy: Strategy, registry: Registry | None = None
) -> RunResult:
    """One run of ``scenario`` in a fresh trio run, on a copy of ``registry`` (runs mutate it)."""
    fresh = registry.copy() if registry is not None else None
    return trio.run(lambda: run_stack(scenario, seed=seed, strategy=strategy, registry=fresh))


@attrs.frozen
class Replayed:
    """A run driven by a tape, with what the replay saw."""

    result: RunResult
    decisions: tuple[Decision, ...]
    divergence: Divergence | None

    @property
    def failure(self) -> Failure | None:
        return self.result.failure

    @property
    def trace_sha256(self) -> str:
        return self.result.trace.sha256()


def replay_entries(
    scenario: ScenarioFile,
    seed: int,
    entries: Sequence[Decision],
    *,
    name: str = "replay",
    complete: bool = False,
    registry: Registry | None = None,
) -> Replayed:
    """Run ``scenario`` answering from ``entries`` (then defaults)."""
    replay = Replay(entries, name=name, complete=complete)
    result = run_once(scenario, seed, replay, registry)
    replay.finish()
    return Replayed(result, tuple(replay.decisions), replay.divergence)


@attrs.frozen
class TapeReplay:
    """The outcome of ``replay_tape``."""

    tape: Tape
    scenario: ScenarioFile
    run: Replayed
    #: The sha256 of the registry file the replay used ("" when none).
    registry_sha256: str = ""

    @property
    def scenario_changed(self) -> bool:
        return self.scenario.sha256 != self.tape.scenario_sha256

    @property
    def registry_changed(self) -> bool:
        return self.registry_sha256 != self.tape.registry_sha256

    @property
    def failure(self) -> Failure | None:
        return self.run.failure

    @property
    def trace_sha256(self) -> str:
        return self.run.trace_sha256

    @property
    def reproduced(self) -> bool:
        """The recorded failure happened again: the same rule at the same trace line."""
        expected, got = self.tape.failure, self.failure
        return (
            expected is not None
            and got is not None
            and (expected.rule, expected.seq) == (got.rule, got.seq)
        )

    @property
    def same_trace(self) -> bool:
        return bool(self.tape.trace_sha256) and self.tape.trace_sha256 == self.trace_sha256


def _sha256_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def find_recorded(recorded: str, tape: Tape, sha256: str, what: str, option: str) -> Path:
    """The file a tape records by ``recorded`` path: an absolute path as it is; a relative one
    (``recorded_path``) from the working directory, else from the tape's directory and each
    one above it, preferring a file whose sha256 is the recorded one.  BadInput naming
    ``option`` when there is none."""
    path = Path(recorded)
    if path.is_absolute():
        candidates = [path]
    else:
        bases = [Path.cwd()]
        if tape.origin is not None:
            here = tape.origin.resolve().parent
            bases += [here, *here.parents]
        candidates = list(dict.fromkeys(base / path for base in bases))
    found = [candidate for candidate in candidates if candidate.is_file()]
    if not found:
        where = "" if path.is_absolute() else " (from here or any directory above the tape)"
        raise BadInput(
            f"the tape's {what} {recorded} does not exist{where}; give its place with {option}"
        )
    if sha256:
        same = next((c for c in found if _sha256_of(c) == sha256), None)
        if same is not None:
            return same
    return found[0]


def scenario_of(tape: Tape, override: str | Path | None = None) -> ScenarioFile:
    """Load the tape's scenario (or ``override``); BadInput when it cannot be found.

    A tape of the pytest plugin names a test: its file is imported and the test becomes the
    scenario (``_pytest_node.load_test``)."""
    if override is not None:
        path = Path(override)
    else:
        path = find_recorded(
            tape.scenario_path, tape, tape.scenario_sha256, "scenario", "--scenario"
        )
    if tape.test is not None:
        from ._pytest_node import load_test

        return load_test(tape, path)
    return load_scenario(path)


def registry_of(tape: Tape, override: str | Path | None = None) -> tuple[Registry | None, str]:
    """The registry a tape's run started from (or ``override``), with its file's sha256."""
    if override is None and not tape.registry_path:
        return None, ""
    if override is not None:
        path = Path(override)
    else:
        path = find_recorded(
            tape.registry_path, tape, tape.registry_sha256, "registry file", "--registry"
        )
    return read_registry(path)


def replay_tape(
    tape: Tape,
    scenario: ScenarioFile | None = None,
    registry: tuple[Registry | None, str] | None = None,
) -> TapeReplay:
    """Reproduce the run a tape recorded (its scenario, registry, seed and every decision)."""
    scenario = scenario if scenario is not None else scenario_of(tape)
    start, registry_sha = registry if registry is not None else registry_of(tape)
    run = replay_entries(
        scenario, tape.seed, tape.entries, name=tape.strategy, complete=True, registry=start
    )
    return TapeReplay(tape, scenario, run, registry_sha)
