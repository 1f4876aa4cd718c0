"""The table of the fields that decide each rule covers every monitor and names real fields."""

from __future__ import annotations

from zoo_artifacts import ROOT, zoo_trace

from stack.drivers.mux import mux_monitors
from stack.drivers.zoo import BUGS
from stack.explore._artifacts import canonical_records
from stack.runtime import NdisLibrary, Registry
from stack.runtime._monitors import default_monitors, filter_monitors
from stack.scenario import run_scenario
from stack.trace import DECIDING_FIELDS
from stack.trace._mermaid import label


def _monitor_ids() -> set[str]:
    ndis = NdisLibrary(Registry())
    monitors = [*default_monitors(ndis), *filter_monitors(ndis), *mux_monitors(ndis, list)]
    return {m.id for m in monitors}


def test_every_monitor_has_an_entry_and_every_entry_a_monitor() -> None:
    ids = _monitor_ids()
    structural = {i for i in ids if i.startswith("INV-")}  # decided on buffers the log lacks
    assert ids - structural <= DECIDING_FIELDS.keys(), ids - structural - DECIDING_FIELDS.keys()
    assert DECIDING_FIELDS.keys() - ids == {"liveness-step-budget"}  # the bus's own rule
    assert all(not DECIDING_FIELDS.get(i) for i in structural)
    assert {bug.rule for bug in BUGS} <= DECIDING_FIELDS.keys()


def test_every_deciding_field_is_a_field_of_the_log() -> None:
    fields: set[str] = set()
    for bug in BUGS:
        fields |= {k for r in zoo_trace(bug.name) for k in r}
    for path in sorted((ROOT / "scenarios").glob("*.py")):
        fields |= {k for r in canonical_records(run_scenario(path).trace) for k in r}
    named = {f for names in DECIDING_FIELDS.values() for f in names}
    assert named <= fields, named - fields


def test_deciding_fields_lead_the_label() -> None:
    record = {"seq": 48, "t": 4, "kind": "receive", "src": "nic0", "dst": "ndis",
              "adapter": "nic0", "nbl": "nic0#rx4", "rsc": False, "rx_checksum": True}  # fmt: skip
    assert label(record) == "receive nbl=nic0#rx4"
    assert label(record, DECIDING_FIELDS["receive-gate"]) == (
        "receive rx_checksum=True nbl=nic0#rx4"
    )
