"""A Graphviz DOT graph of who talked to whom in a trace window.

One node per actor and one edge per pair of actors that exchanged messages (``dir=both`` when
both sides sent), labelled with one line per direction: the kinds of message that crossed it and
how many of each ("ndis→nic0: oid.request x2, pnp x2", with a multiplication sign for x).  OID
and indication traffic are drawn in their own colours so the NDIS-in-the-middle shape of the
stack stands out.

Left to right (``rankdir=LR``), so the labels stack down the page instead of side by side: the
hub's edges made the top-to-bottom layout of a two-member MUX run 3,700 px wide, this one about
1,200 (benchmarks/render_windows.py measures with ``dot -Tsvg``).

Escaping follows the DOT language (graphviz.org/doc/info/lang.html, "In quoted strings in DOT,
the only escaped character is double-quote"; graphviz.org/docs/attr-types/escString/ for
labels): a backslash is written ``\\\\``, a quote ``\\"``, and a line break in a label is the
escape ``\\l`` (the line before it left-justified), written once: the text itself holds real
newlines until it is quoted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from stack.trace._records import Annotations, Record, is_delivery

TIMES = "\N{MULTIPLICATION SIGN}"
_COLOURS = {"oid": "#1f77b4", "status": "#d62728", "pnp": "#7f7f7f", "send": "#2ca02c"}


def quote(text: str, *, label: bool = False) -> str:
    """``text`` as a DOT quoted string; in a ``label``, each newline ends a left-justified
    line (``\\l``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if label:
        lines = escaped.split("\n")
        escaped = "".join(line + "\\l" for line in lines)
    else:
        escaped = escaped.replace("\n", " ")
    return f'"{escaped}"'


#: A label line is wrapped after about this many characters (the graph's width is its labels').
WRAP = 40


def _wrap(lead: str, items: Sequence[str]) -> str:
    lines = [lead]
    for item in items:
        if len(lines[-1]) + len(item) + 2 > WRAP and lines[-1] != lead:
            lines[-1] += ","
            lines.append("    " + item)
        else:
            lines[-1] += (" " if lines[-1] == lead or lines[-1].endswith(",") else ", ") + item
    return "\n".join(lines)


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
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for src, dst in links:
        pair = (src, dst) if (dst, src) not in pairs else (dst, src)
        pairs.setdefault(pair, []).append((src, dst))
    lines = [
        f"digraph {quote(notes.title or 'ndisemu')} {{",
        "    rankdir=LR; nodesep=0.25; ranksep=0.5;",
        '    node [shape=box, fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for actor in actors:
        shape = ", shape=ellipse" if actor in ("ndis", "scenario") else ""
        lines.append(f"    {quote(actor)} [label={quote(actor)}{shape}];")
    for (src, dst), directions in pairs.items():
        text = "\n".join(
            _wrap(f"{a}→{b}:", [f"{kind} {TIMES}{n}" for kind, n in sorted(links[(a, b)].items())])
            for a, b in directions
        )
        kinds = sum((links[d] for d in directions), Counter())
        main = kinds.most_common(1)[0][0].split(".")[0]
        colour = _COLOURS.get(main, "#000000")
        both = ", dir=both" if len(directions) == 2 else ""
        lines.append(
            f"    {quote(src)} -> {quote(dst)} "
            f"[label={quote(text, label=True)}, color={quote(colour)}{both}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
