"""The binding topology: adapters, who plays each miniport, protocols bound and their states.

As a table (``!ndiskd.netadapter``'s BINDINGS section, one row per open), as Graphviz DOT (a
text file; ``dot -Tsvg`` draws it) and as JSON.  In the drawing the stack grows upwards as in
``!ndiskd.netreport``: adapters below the protocols bound to them, and a MUX in between, bound to
its members below and playing its virtual adapters' miniport above (a dashed edge).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stack.ndis import ProtocolBindingState
from stack.views._powershell import describe_encapsulation
from stack.views._snapshot import AdapterSnapshot, StackSnapshot
from stack.views._text import Block, Table

__all__ = ["bindings_blocks", "bindings_dot", "bindings_json"]


def _state(adapter: AdapterSnapshot) -> str:
    return adapter.state.value + (" (surprise removed)" if adapter.surprise_removed else "")


def bindings_blocks(snapshot: StackSnapshot) -> list[Block]:
    rows: list[tuple[str, ...]] = []
    for adapter in snapshot.adapters:
        first: tuple[str, ...] = (
            adapter.name,
            adapter.kind,
            adapter.miniport,
            _state(adapter),
            ", ".join(adapter.members) or "-",
        )
        if not adapter.protocols:
            rows.append((*first, "-", "-", "-", "-"))
        for index, protocol in enumerate(adapter.protocols):
            lead = first if index == 0 else ("",) * len(first)
            rows.append(
                (
                    *lead,
                    protocol.protocol,
                    protocol.driver,
                    protocol.binding.value,
                    describe_encapsulation(protocol.encapsulation) or "-",
                )
            )
    columns = (
        "Adapter",
        "Kind",
        "Miniport",
        "State",
        "Members",
        "Protocol",
        "Driver",
        "Binding",
        "OffloadEncapsulation",
    )
    return [Table(columns=columns, rows=tuple(rows), compact=True)]


def _quote(text: str) -> str:
    return json.dumps(text)  # a DOT ID in double quotes escapes like a JSON string


def bindings_dot(snapshot: StackSnapshot) -> list[str]:
    where = f"after trace seq {snapshot.at.seq}" if snapshot.at else "at the end of the run"
    lines = [
        "digraph ndisemu {",
        f"  // scenario {snapshot.scenario}, seed {snapshot.seed}, {where}",
        "  rankdir=BT;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    drivers: dict[str, str] = {}
    for adapter in snapshot.adapters:
        for protocol in adapter.protocols:
            drivers.setdefault(protocol.protocol, protocol.driver)
    for adapter in snapshot.adapters:
        role = (
            f"miniport {adapter.miniport} ({adapter.description})"
            if adapter.kind == "physical"
            else "virtual miniport"
        )
        box = "\n".join((adapter.name, role, _state(adapter)))
        lines.append(f"  {_quote('adapter:' + adapter.name)} [shape=box, label={_quote(box)}];")
    virtual_players = {a.miniport for a in snapshot.adapters if a.kind == "virtual"}
    for actor in [*drivers, *sorted(virtual_players - set(drivers))]:
        kind = drivers.get(actor, "")
        oval = f"{actor}\n{kind}" if kind else actor
        lines.append(f"  {_quote('driver:' + actor)} [shape=ellipse, label={_quote(oval)}];")
    for adapter in snapshot.adapters:
        if adapter.kind == "virtual":
            lines.append(
                f"  {_quote('driver:' + adapter.miniport)} -> {_quote('adapter:' + adapter.name)}"
                ' [style=dashed, label="miniport"];'
            )
        for protocol in adapter.protocols:
            style = ", style=dotted" if protocol.binding is ProtocolBindingState.Unbound else ""
            lines.append(
                f"  {_quote('adapter:' + adapter.name)} -> {_quote('driver:' + protocol.protocol)}"
                f" [label={_quote(protocol.binding.value)}{style}];"
            )
    lines.append("}")
    return lines


def bindings_json(adapters: Sequence[AdapterSnapshot]) -> list[dict[str, Any]]:
    return [
        {
            "name": adapter.name,
            "kind": adapter.kind,
            "miniport": adapter.miniport,
            "description": adapter.description,
            "state": adapter.state.value,
            "surprise_removed": adapter.surprise_removed,
            "members": list(adapter.members),
            "active_members": list(adapter.active_members),
            "member_roles": dict(adapter.member_roles),
            "member_of": list(adapter.member_of),
            "bindings": [
                {
                    "protocol": p.protocol,
                    "driver": p.driver,
                    "state": p.binding.value,
                    "offload_encapsulation": describe_encapsulation(p.encapsulation),
                }
                for p in adapter.protocols
            ],
        }
        for adapter in adapters
    ]
