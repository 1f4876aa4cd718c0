"""Determinism self-check: replay a tape in a fresh process and compare traces.

FoundationDB's "unseed" comparison and shuttle's uncontrolled-nondeterminism check, for us: the
tape is replayed by ``python -m stack replay --trace FILE`` in a new interpreter, under a
different ``PYTHONHASHSEED`` than this one, and the sha256 of the trace it writes must equal the
one recorded in the tape; the rule that failed is read from the trace's ``run.end`` line.  Any
difference means something outside (scenario, seed, decisions) leaked into the run (a set's
iteration order, ``id()``, the wall clock, trio's own scheduling): a bug in ndisemu, reported as
such, never in the user's scenario.

Only the trace is compared, never the fresh process's stdout: a scenario may ``print()`` (its
output is discarded), and nothing it prints can pass for, or spoil, the answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import attrs

from stack.runtime import current_monitor_level

from ._tape import Tape

#: A fresh replay is one run plus an interpreter start; a minute means something hangs.
TIMEOUT_S = 120


@attrs.frozen
class SelfCheck:
    """``ok``: the fresh process produced the recorded trace hash (and failure)."""

    ok: bool
    expected: str
    got: str
    detail: str = ""
    #: The check could not be made fairly: the emulator's or the scenario's code changed on
    #: disk since the run, so the fresh process ran other code.  Not an emulator bug.
    inconclusive: bool = False

    @property
    def emulator_bug(self) -> bool:
        return not self.ok and not self.inconclusive

    def describe(self) -> str:
        if self.ok:
            return f"same trace hash in a fresh process (sha256 {self.got[:12]})"
        if self.inconclusive:
            return f"inconclusive: {self.detail}"
        return f"EMULATOR BUG: nondeterminism: {self.detail}"

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "inconclusive": self.inconclusive,
            "expected": self.expected,
            "got": self.got,
            "detail": self.detail,
        }


def code_fingerprint() -> str:
    """A sha256 over the emulator's own source files as they are on disk now.

    Taken when a campaign starts and again before a self-check: when the two differ, someone
    edited ndisemu meanwhile and the fresh process runs other code than this one.
    """
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def _other_hash_seed() -> str:
    current = os.environ.get("PYTHONHASHSEED", "")
    return "4242" if current != "4242" else "2424"


def _scenario_changed(tape: Tape) -> bool:
    """The tape's scenario file is not, byte for byte, the one the tape recorded."""
    try:
        now = hashlib.sha256(Path(tape.scenario_path).read_bytes()).hexdigest()
    except OSError:
        return True
    return now != tape.scenario_sha256


def _failed_rule(trace_text: str) -> str | None:
    """The rule named by the trace's last line (``run.end``), None for a passing run."""
    lines = trace_text.splitlines()
    end = json.loads(lines[-1]) if lines else {}
    if not isinstance(end, dict) or end.get("kind") != "run.end":
        raise ValueError("the trace does not end with run.end")
    rule = end.get("rule")
    return None if rule is None else str(rule)


def selfcheck(tape_path: Path, tape: Tape, code_at_start: str = "") -> SelfCheck:
    """Replay ``tape_path`` in a new Python process; compare its trace with what ``tape``
    expects (trace sha256, failed rule).

    ``code_at_start`` is ``code_fingerprint()`` from when the run was made; a mismatch, like a
    changed scenario file, makes a differing hash inconclusive rather than an emulator bug.
    """
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = _other_hash_seed()
    expected = tape.trace_sha256
    with tempfile.TemporaryDirectory(prefix="ndisemu-selfcheck-") as scratch:
        trace_path = Path(scratch) / "trace.jsonl"
        command = [
            sys.executable, "-m", "stack", "--color", "never", "replay",
            "--level", current_monitor_level().value,
            "--trace", str(trace_path), str(tape_path),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=TIMEOUT_S,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return SelfCheck(False, expected, "", f"the fresh replay took over {TIMEOUT_S} s")
        except OSError as exc:
            return SelfCheck(False, expected, "", f"could not start a fresh replay: {exc}")
        try:
            data = trace_path.read_bytes()
            rule = _failed_rule(data.decode("utf-8"))
        except (OSError, ValueError):
            err = (done.stderr or "").strip().splitlines()
            last = err[-1] if err else f"exit {done.returncode}, no trace written"
            detail = f"the fresh replay did not answer: {last}"
            if _scenario_changed(tape):
                detail += ", and the scenario file changed on disk since the run"
                return SelfCheck(False, expected, "", detail, inconclusive=True)
            return SelfCheck(False, expected, "", detail)
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        detail = (
            f"replaying the tape in a fresh process gave trace sha256 {got[:12]}, "
            f"this process {expected[:12]}"
        )
        if _scenario_changed(tape):
            return SelfCheck(
                False,
                expected,
                got,
                f"{detail}, but the scenario file changed on disk since the run",
                inconclusive=True,
            )
        if code_at_start and code_fingerprint() != code_at_start:
            return SelfCheck(
                False,
                expected,
                got,
                f"{detail}, but ndisemu's own source files changed on disk since the run",
                inconclusive=True,
            )
        return SelfCheck(False, expected, got, detail)
    expected_rule = tape.failure.rule if tape.failure is not None else None
    if rule != expected_rule:
        return SelfCheck(
            False, expected, got, f"the fresh replay ended with {rule}, not {expected_rule}"
        )
    return SelfCheck(True, expected, got)
