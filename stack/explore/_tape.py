"""Choice tapes: a run's every decision, as versioned JSON data.

A tape replays a run exactly: the bus asks the same questions in the same order, and the tape
answers them (``stack.explore.Replay``).  The header pins what the answers mean: the emulator
version, the scenario (name, path, sha256 of its text), the strategy that found the run and its
parameters, and the seed (the scenario's own ``stack.random`` is derived from it).  The expected
outcome (failure and trace hash) is stored too, so ``replay`` can say whether it reproduced.

Format (``"format": "ndisemu-tape"``, ``"version": 1``)::

    {"format": "ndisemu-tape", "version": 1, "emulator": "0.1.0",
     "scenario": {"name": "mux_failover", "path": "scenarios/mux_failover.py",
                  "sha256": "..."},
     "strategy": {"name": "pct", "params": {"depth": 3, "k": 57, ...}},
     "registry": {"path": "/abs/nics.reg", "sha256": "..."} | null,
     "seed": 17,
     "expect": {"failure": {"rule": "...", "seq": 381, "reason": "..."} | null,
                "trace_sha256": "..."},
     "shrunk": {"deviations_before": 5, "deviations_after": 1, "candidate_runs": 23} | null,
     "entries": [["sched", 1, 3, "9f3a01c2", "nic1 -> ndis status.indicate before ..."],
                 ["wait", 0, 2, "77aa0b13"], ["miniport.oid.fail", 2, 4], ...]}

``scenario.path`` is relative to the directory the run was made from (``explore``) or to pytest's
rootdir (the plugin) when the file is below it, else absolute; ``replay`` looks for a relative
path from the working directory, then from each directory above the tape (``scenario_of``).
Tapes of older ndisemu builds hold absolute paths, which still load.

A tape written by the pytest plugin names a test: ``scenario.name`` is its node id, and
``scenario.pytest`` (absent from a scenario file's tape) says how to call it (``PytestNode``)::

     "pytest": {"mode": "ndis_race", "function": "TestLso.test_x",
                "params": {"preset": "intel-x710"}, "opaque": []}

An entry is ``[kind, index, count]`` plus, for delivery decisions (``sched``/``wait``), the digest
of the enabled set and, for deviations from the default, a readable note.  ``count`` 0 and an
empty digest mean "not known" (a bare ``bus.tape`` converted to a tape).

Loading is parsing and checking only: it never imports or executes anything from the tape, and
every way a file can be wrong (not JSON, not a tape, another format or emulator version, a
malformed field) is one ``BadInput`` line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from stack import __version__
from stack.errors import BadInput
from stack.scenario import Failure

TAPE_FORMAT = "ndisemu-tape"
TAPE_VERSION = 1
#: A tape larger than this is not something ndisemu wrote (a long run is a few MB).
MAX_TAPE_BYTES = 256 * 1024 * 1024

SCHED = "sched"
WAIT = "wait"


@attrs.frozen
class Decision:
    """One decision of a run.

    ``kind`` is ``sched`` (which enabled message goes next), ``wait`` (let a tick pass) or a
    fault-site name; ``index`` the option taken (0 = default); ``count`` how many options there
    were (0 = unknown); ``digest`` a CRC of the enabled set for delivery decisions; ``note`` a
    readable description of a deviation; ``seq`` the trace line it produced (-1 = unknown).
    """

    kind: str
    index: int
    count: int = 0
    digest: str = ""
    note: str = ""
    seq: int = -1

    @property
    def is_deviation(self) -> bool:
        """Anything but the default: a non-zero index, or a tick let pass."""
        return self.index != 0 or self.kind == WAIT

    def to_json(self) -> list[Any]:
        item: list[Any] = [self.kind, self.index, self.count]
        if self.kind in (SCHED, WAIT):
            item.append(self.digest)
            if self.note:
                item.append(self.note)
        elif self.note:
            item += ["", self.note]
        return item


def deviations(entries: Iterable[Decision]) -> int:
    return sum(1 for entry in entries if entry.is_deviation)


def from_bus_tape(tape: Iterable[tuple[str, int]]) -> tuple[Decision, ...]:
    """A bus's raw ``(kind, index)`` tape as decisions (counts and digests unknown)."""
    return tuple(Decision(kind, index) for kind, index in tape)


def is_json_data(value: Any) -> bool:
    """Whether ``value`` comes back from JSON as itself: None, bool, int, finite float, str,
    and lists and str-keyed dicts of those (exact types: a tuple or an enum would not)."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is list:
        return all(is_json_data(v) for v in value)
    if kind is dict:
        return all(type(k) is str and is_json_data(v) for k, v in value.items())
    return False


#: ``PytestNode.mode``: how the plugin ran the test.
NDIS_RACE = "ndis_race"
NDIS_STACK = "ndis_stack"


@attrs.frozen
class PytestNode:
    """A pytest test a tape was recorded from, and what ``replay`` needs to call it.

    ``mode`` is ``ndis_race`` (the marked test's body is the scenario, given ``stack``) or
    ``ndis_stack`` (a test using the fixture, given ``ndis_stack``); ``function`` is its
    qualified name in the module (``test_x``, ``TestClass.test_x``); ``params`` the arguments
    that are data: ``parametrize`` values (and ``ndis_seed``), as JSON; ``opaque`` the names of
    parametrize arguments whose values are not JSON data, which only pytest can give again.
    """

    mode: str
    function: str
    params: Mapping[str, Any] = attrs.field(factory=dict)
    opaque: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "function": self.function,
            "params": dict(self.params),
            "opaque": list(self.opaque),
        }


def recorded_path(path: str | Path, root: str | Path) -> str:
    """``path`` as a tape records it: relative to ``root`` (POSIX separators) when below it,
    so a tape does not carry the checkout's place on one machine; else absolute."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(absolute)


def _scalar_params(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in sorted(params.items()):
        if not isinstance(value, str | int | float | bool) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            raise BadInput(f"strategy parameter {key}={value!r} is not a JSON scalar")
        out[key] = value
    return out


@attrs.frozen
class Tape:
    """A replayable run: the header and the decisions."""

    scenario_name: str
    scenario_path: str
    scenario_sha256: str
    strategy: str
    params: Mapping[str, Any]
    seed: int
    entries: tuple[Decision, ...]
    failure: Failure | None = None
    trace_sha256: str = ""
    shrunk: Mapping[str, int] | None = None
    #: The .reg file the run started from, and the sha256 of its bytes ("" when none).
    registry_path: str = ""
    registry_sha256: str = ""
    emulator: str = __version__
    #: The pytest test the tape was recorded from (the plugin's tapes), else None.
    test: PytestNode | None = None
    #: Where the tape was loaded from (``load_tape``): not part of the file.
    origin: Path | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def deviations(self) -> int:
        return deviations(self.entries)

    def describe_strategy(self) -> str:
        own = {k: v for k, v in self.params.items() if k not in ("faults", "site_p", "fire_p")}
        inner = ",".join(f"{k}={v}" for k, v in own.items())
        return f"{self.strategy}({inner})" if inner else self.strategy

    def to_dict(self) -> dict[str, Any]:
        failure = self.failure
        return {
            "format": TAPE_FORMAT,
            "version": TAPE_VERSION,
            "emulator": self.emulator,
            "scenario": {
                "name": self.scenario_name,
                "path": self.scenario_path,
                "sha256": self.scenario_sha256,
                # Only in the plugin's tapes: a scenario file's tape is as it always was.
                **({"pytest": self.test.to_json()} if self.test is not None else {}),
            },
            "strategy": {"name": self.strategy, "params": _scalar_params(self.params)},
            "registry": {"path": self.registry_path, "sha256": self.registry_sha256}
            if self.registry_path
            else None,
            "seed": self.seed,
            "expect": {
                "failure": None
                if failure is None
                else {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason},
                "trace_sha256": self.trace_sha256,
            },
            "shrunk": dict(self.shrunk) if self.shrunk is not None else None,
            "entries": [entry.to_json() for entry in self.entries],
        }

    def to_json(self) -> str:
        # One entry per line: diffs of two tapes stay readable, and the file stays small.
        head = self.to_dict()
        entries = head.pop("entries")
        text = json.dumps(head, indent=1, sort_keys=True)
        body = ",\n".join("  " + json.dumps(e, separators=(",", ":")) for e in entries)
        return text[:-2] + ',\n "entries": [\n' + body + ("\n ]\n}\n" if body else " ]\n}\n")

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path


# -- loading ---------------------------------------------------------------------------------------


class _Checker:
    """Field access that turns every malformation into one BadInput line naming the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def bad(self, what: str) -> BadInput:
        return BadInput(f"{self.source}: corrupt tape: {what}")

    def get(
        self, obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str
    ) -> Any:
        if key not in obj:
            raise self.bad(f"missing {where}{key}")
        value = obj[key]
        # bool is an int in Python; a tape never means True where it says a number.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.bad(f"{where}{key} is {value!r}, not {_kind_name(kind)}")
        if not isinstance(value, kind):
            raise self.bad(f"{where}{key} is {_short(value)}, not {_kind_name(kind)}")
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", int: "an integer", dict: "an object", list: "a list"}
    return " or ".join(names.get(k, k.__name__) for k in kinds if k is not type(None)) + (
        " or null" if type(None) in kinds else ""
    )


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _entry(check: _Checker, item: Any, position: int) -> Decision:
    where = f"entry {position}"
    if not isinstance(item, list) or not 3 <= len(item) <= 5:
        raise check.bad(f"{where} is {_short(item)}, not [kind, index, count, ...]")
    kind, index, count, *rest = item
    if not isinstance(kind, str) or not kind:
        raise check.bad(f"{where}: kind {_short(kind)} is not a site name")
    for label, value in (("index", index), ("count", count)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise check.bad(f"{where}: {label} {_short(value)} is not a non-negative integer")
    if count and index >= count:
        raise check.bad(f"{where}: index {index} is not below its count {count}")
    if kind == WAIT and index != 0:
        raise check.bad(f"{where}: a wait has index 0, not {index}")
    if not all(isinstance(value, str) for value in rest):
        raise check.bad(f"{where}: digest and note must be strings")
    digest = rest[0] if rest else ""
    note = rest[1] if len(rest) > 1 else ""
    return Decision(kind, index, count, digest, note)


def parse_tape(text: str, source: str) -> Tape:
    """Check and convert a tape's JSON text; ``source`` names it in errors."""
    check = _Checker(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{source}: not a tape: invalid JSON at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise BadInput(f"{source}: not a tape: JSON nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != TAPE_FORMAT:
        raise BadInput(f'{source}: not an ndisemu tape (no "format": "{TAPE_FORMAT}")')
    version = data.get("version")
    if version != TAPE_VERSION:
        raise BadInput(
            f"{source}: tape format version {_short(version)}; "
            f"ndisemu {__version__} reads version {TAPE_VERSION}"
        )
    emulator = check.get(data, "emulator", str, "")
    if emulator != __version__:
        raise BadInput(
            f"{source}: tape recorded by ndisemu {emulator}; this is ndisemu {__version__} "
            "(a tape replays only under the version that recorded it)"
        )
    scenario = check.get(data, "scenario", dict, "")
    strategy = check.get(data, "strategy", dict, "")
    params = check.get(strategy, "params", dict, "strategy.")
    for key, value in params.items():
        if not isinstance(value, str | int | float | bool):
            raise check.bad(f"strategy.params.{key} is {_short(value)}, not a scalar")
    seed = check.get(data, "seed", int, "")
    expect = check.get(data, "expect", dict, "")
    failure_data = check.get(expect, "failure", (dict, type(None)), "expect.")
    failure = None
    if failure_data is not None:
        failure = Failure(
            check.get(failure_data, "rule", str, "expect.failure."),
            check.get(failure_data, "seq", int, "expect.failure."),
            check.get(failure_data, "reason", str, "expect.failure."),
        )
    registry = data.get("registry")
    registry_path = registry_sha = ""
    if registry is not None:
        registry = check.get(data, "registry", dict, "")
        registry_path = check.get(registry, "path", str, "registry.")
        registry_sha = check.get(registry, "sha256", str, "registry.")
    shrunk = check.get(data, "shrunk", (dict, type(None)), "")
    if shrunk is not None:
        for key in ("deviations_before", "deviations_after", "candidate_runs"):
            check.get(shrunk, key, int, "shrunk.")
    test = _pytest_node(check, scenario)
    raw_entries = check.get(data, "entries", list, "")
    entries = tuple(_entry(check, item, i) for i, item in enumerate(raw_entries))
    sha = check.get(scenario, "sha256", str, "scenario.")
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise check.bad("scenario.sha256 is not a SHA-256 hex digest")
    return Tape(
        scenario_name=check.get(scenario, "name", str, "scenario."),
        scenario_path=check.get(scenario, "path", str, "scenario."),
        scenario_sha256=sha,
        strategy=check.get(strategy, "name", str, "strategy."),
        params=dict(params),
        seed=seed,
        entries=entries,
        failure=failure,
        trace_sha256=check.get(expect, "trace_sha256", str, "expect."),
        shrunk={k: int(v) for k, v in shrunk.items()} if shrunk is not None else None,
        registry_path=registry_path,
        registry_sha256=registry_sha,
        emulator=emulator,
        test=test,
    )


def _pytest_node(check: _Checker, scenario: Mapping[str, Any]) -> PytestNode | None:
    """``scenario.pytest``; absent (or null) for a scenario file."""
    data = scenario.get("pytest")
    if data is None:
        return None
    data = check.get(scenario, "pytest", dict, "scenario.")
    where = "scenario.pytest."
    mode = check.get(data, "mode", str, where)
    if mode not in (NDIS_RACE, NDIS_STACK):
        raise check.bad(f"{where}mode is {_short(mode)}, not {NDIS_RACE!r} or {NDIS_STACK!r}")
    function = check.get(data, "function", str, where)
    if not function or not all(part.isidentifier() for part in function.split(".")):
        raise check.bad(f"{where}function is {_short(function)}, not a qualified name")
    params = check.get(data, "params", dict, where)
    for key, value in params.items():
        if not key.isidentifier() or not is_json_data(value):
            raise check.bad(f"{where}params.{key} is not an argument name with JSON data")
    opaque = check.get(data, "opaque", list, where)
    if not all(isinstance(name, str) and name.isidentifier() for name in opaque):
        raise check.bad(f"{where}opaque is {_short(opaque)}, not a list of argument names")
    return PytestNode(mode, function, dict(params), tuple(opaque))


def load_tape(path: str | Path) -> Tape:
    """Read and check a tape file; BadInput (one line) when it is not a usable tape."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_TAPE_BYTES:
            raise BadInput(f"{source}: not a tape: {size} bytes is larger than any tape")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{source}: no such tape file") from None
    except IsADirectoryError:
        raise BadInput(f"{source}: is a directory, not a tape file") from None
    except OSError as exc:
        raise BadInput(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{source}: not a tape: not UTF-8 text") from None
    return attrs.evolve(parse_tape(text, source), origin=path)


def entries_summary(entries: Sequence[Decision]) -> str:
    """``"142 decisions, 3 deviations"``."""
    n = len(entries)
    d = deviations(entries)
    return f"{n} decision{'s' * (n != 1)}, {d} deviation{'s' * (d != 1)}"
