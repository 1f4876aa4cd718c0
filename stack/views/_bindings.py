"""The binding topology: adapters, who plays each miniport, the filter modules of each adapter's
stack, protocols bound and their states.

As tables (``!ndiskd.netadapter``'s BINDINGS section, one row per open, then its FILTERS
section, one row per filter module, from the miniport up, when any adapter has one), as
Graphviz DOT (a text file; ``dot -Tsvg`` draws it) and as JSON.  In the drawing the stack grows
upwards as in ``!ndiskd.netreport``: adapters at the bottom, each adapter's filter modules above
it in their order (N/ndis-filter-drivers.md: miniport, filter modules, protocols), the
protocols bound to the adapter on top of its last filter, and a MUX in between, bound to its
members below and playing its virtual adapters' miniport above (a dashed edge).  A detached
filter module stays in its place, drawn dotted: it is installed and out of the data path.

DOT strings are quoted by the DOT language's rule (graphviz.org/doc/info/lang.html: in a quoted
string the only escaped character is the double quote; a backslash is written ``\\\\`` so that
an escString label keeps it, graphviz.org/docs/attr-types/escString/), each newline of a label
written ``\\n`` (a centred line), and non-ASCII text left as UTF-8 (DOT's default charset).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stack.ndis import FilterModuleState, ProtocolBindingState
from stack.views._powershell import describe_encapsulation
from stack.views._snapshot import AdapterSnapshot, LayerSnapshot, StackSnapshot
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
    blocks: list[Block] = [Table(columns=columns, rows=tuple(rows), compact=True)]
    filters = _filter_rows(snapshot.adapters)
    if filters:
        blocks.append(
            Table(
                columns=("Adapter", "Layer", "Filter", "Driver", "FilterClass", "State"),
                rows=tuple(filters),
                title=FILTERS_TITLE,
                compact=True,
            )
        )
    return blocks


#: Above the filter modules' table (printed when an adapter has one).
FILTERS_TITLE = "Filter modules, from the miniport up (layer 1 is just above it)"


def _filter_rows(adapters: Sequence[AdapterSnapshot]) -> list[tuple[str, ...]]:
    """One row per filter module, from the miniport up; Layer 1 is the one just above it."""
    rows: list[tuple[str, ...]] = []
    for adapter in adapters:
        for index, layer in enumerate(adapter.filters, start=1):
            rows.append(
                (
                    adapter.name if index == 1 else "",
                    str(index),
                    layer.name,
                    layer.driver,
                    layer.filter_class or "-",
                    layer.state,
                )
            )
    return rows


def dot_quote(text: str) -> str:
    """``text`` as a DOT quoted string: backslash and double quote escaped, a newline as the
    escString ``\\n`` (a centred line break in a label)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + escaped.replace("\n", "\\n") + '"'


def _filter_node(adapter: AdapterSnapshot, layer: LayerSnapshot) -> str:
    return f"filter:{adapter.name}/{layer.name}"


def _attached(layer: LayerSnapshot) -> bool:
    return layer.state != FilterModuleState.Detached.value


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
        node = dot_quote("adapter:" + adapter.name)
        lines.append(f"  {node} [shape=box, label={dot_quote(box)}];")
        for layer in adapter.filters:
            text = "\n".join(
                (layer.name, layer.driver, f"{layer.filter_class or 'filter'}, {layer.state}")
            )
            lines.append(
                f"  {dot_quote(_filter_node(adapter, layer))}"
                f" [shape=box, style=rounded, label={dot_quote(text)}];"
            )
    virtual_players = {a.miniport for a in snapshot.adapters if a.kind == "virtual"}
    for actor in [*drivers, *sorted(virtual_players - set(drivers))]:
        kind = drivers.get(actor, "")
        oval = f"{actor}\n{kind}" if kind else actor
        lines.append(f"  {dot_quote('driver:' + actor)} [shape=ellipse, label={dot_quote(oval)}];")
    for adapter in snapshot.adapters:
        if adapter.kind == "virtual":
            lines.append(
                f"  {dot_quote('driver:' + adapter.miniport)}"
                f" -> {dot_quote('adapter:' + adapter.name)}"
                ' [style=dashed, label="miniport"];'
            )
        below = "adapter:" + adapter.name
        for layer in adapter.filters:
            node = _filter_node(adapter, layer)
            dotted = "" if _attached(layer) else " [style=dotted]"
            lines.append(f"  {dot_quote(below)} -> {dot_quote(node)}{dotted};")
            below = node
        for protocol in adapter.protocols:
            style = ", style=dotted" if protocol.binding is ProtocolBindingState.Unbound else ""
            lines.append(
                f"  {dot_quote(below)} -> {dot_quote('driver:' + protocol.protocol)}"
                f" [label={dot_quote(protocol.binding.value)}{style}];"
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
            "filters": [
                {
                    "name": layer.name,
                    "driver": layer.driver,
                    "filter_class": layer.filter_class,
                    "state": layer.state,
                }
                for layer in adapter.filters
            ],
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
