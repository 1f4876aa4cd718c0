"""A Graphviz DOT graph of who talked to whom in a trace window.

One node per actor, one edge per (source, destination) link, labelled with the kinds of message
that crossed it and how many of each; OID and indication traffic are drawn in their own colours
so the NDIS-in-the-middle shape of the stack stands out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from stack.trace._records import Annotations, Record, is_delivery

_COLOURS = {"oid": "#1f77b4", "status": "#d62728", "pnp": "#7f7f7f", "send": "#2ca02c"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(records: Sequence[Record], annotations: Annotations | None = None) -> str:
    notes = annotations or Annotations()
    actors: list[str] = []
    links: dict[tuple[str, str], Counter[str]] = {}
    for record in records:
        if not is_delivery(record):
            continue
        src, dst = str(record["src"]), str(record["dst"])
        for actor in (src, dst):
            if actor not in actors:
                actors.append(actor)
        links.setdefault((src, dst), Counter())[str(record["kind"])] += 1
    lines = [f"digraph {_quote(notes.title or 'ndisemu')} {{", "    rankdir=TB;"]
    lines.append('    node [shape=box, fontname="Helvetica"];')
    for actor in actors:
        shape = ", shape=ellipse" if actor in ("ndis", "scenario") else ""
        lines.append(f"    {_quote(actor)} [label={_quote(actor)}{shape}];")
    for (src, dst), kinds in links.items():
        label = "\\n".join(f"{kind} x{count}" for kind, count in sorted(kinds.items()))
        main = kinds.most_common(1)[0][0].split(".")[0]
        colour = _COLOURS.get(main, "#000000")
        lines.append(
            f"    {_quote(src)} -> {_quote(dst)} [label={_quote(label)}, color={_quote(colour)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
