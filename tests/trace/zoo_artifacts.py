"""The zoo's failure artifacts, as explore writes them, for the exporter tests (conftest.py
makes the session fixture ``zoo`` of ``zoo_failures``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from stack.drivers.zoo import BUGS
from stack.explore import Artifacts, load_tape, replay_tape, tape_of, write_artifacts
from stack.explore._artifacts import canonical_records
from stack.explore._tape import Tape
from stack.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TAPES = ROOT / "tests" / "explore" / "data" / "zoo"


@attrs.frozen
class ZooFailure:
    name: str
    rule: str
    records: list[dict[str, Any]]
    tape: Tape
    artifacts: Artifacts

    @property
    def mermaid(self) -> str:
        return self.artifacts.mermaid.read_text(encoding="utf-8")


def zoo_failures(out: Path) -> dict[str, ZooFailure]:
    """Every zoo bug's committed tape replayed and written out into ``out`` exactly as explore
    does."""
    found = {}
    for bug in BUGS:
        scenario = load_scenario(ROOT / bug.scenario)
        replayed = replay_tape(load_tape(TAPES / f"{bug.name}.tape.json"), scenario=scenario)
        assert replayed.reproduced
        stored = replayed.tape
        # The decisions of the replay carry the trace seq of each deviation (a loaded tape's
        # do not), as the explorer's own tape does.
        tape = tape_of(replayed.scenario, stored.seed, stored.strategy, stored.params,
                       replayed.run, stored.shrunk)  # fmt: skip
        trace = replayed.run.result.trace
        artifacts = write_artifacts(out, bug.name, tape=tape, trace=trace)
        found[bug.name] = ZooFailure(bug.name, bug.rule, canonical_records(trace), tape,
                                     artifacts)  # fmt: skip
    return found


def zoo_trace(name: str) -> list[dict[str, Any]]:
    """The trace of zoo bug ``name``'s committed tape, as `ndisemu replay --trace` writes it."""
    bug = next(b for b in BUGS if b.name == name)
    scenario = load_scenario(ROOT / bug.scenario)
    replayed = replay_tape(load_tape(TAPES / f"{name}.tape.json"), scenario=scenario)
    return canonical_records(replayed.run.result.trace)
