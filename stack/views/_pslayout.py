"""Windows PowerShell 5.1's ``Format-Table`` and ``Format-List`` layout, as plain text.

The rules, from PowerShell's own formatter (github.com/PowerShell/PowerShell,
``src/System.Management.Automation/FormatAndOutput/common/``: ``TableWriter.cs``,
``ColumnWidthManager.cs``, ``StringManipulationHelper``):

* columns are separated by one space; a column's width comes from the cmdlet's format file
  (``<Width>``), and the columns without one share what is left of the line
  (``ColumnWidthManager.AssignColumnWidths``: one character at a time, left to right); when the
  fixed widths do not fit, the last column shrinks (``TrimToFit``);
* the line is a 120-column console's (ndisemu's choice, PowerShell's default window width):
  the host writes at most 119 cells, so ``TABLE_WIDTH`` is 119;
* a value wider than its column is cut and ends in ``...`` (Windows PowerShell 5.1's ellipsis
  is three dots; PowerShell 7 uses one ``…``): ``*InterruptMo...`` in a 15-wide column;
* a header label wider than its column wraps onto the next lines (``GenerateHeader`` writes the
  label row multi-line; ``GenerateLinesWithWordWrap`` breaks a word longer than the column at
  the column width): ``IPv4OperationalState`` in a 15-wide column is ``IPv4Operational`` over
  ``State``;
* under the labels, a dash line as long as the label, at most the column width;
* PowerShell pads every cell but the last with spaces; here no line ends in spaces (issue 12:
  piped output has no trailing blanks), which changes no visible character.

``Format-List``: one ``Label : value`` line per property, the labels padded to the longest; a
collection is ``{a, b, c, d...}`` (``$FormatEnumerationLimit`` = 4); a value longer than the
line wraps onto lines indented under the value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

__all__ = [
    "ELLIPSIS",
    "ENUMERATION_LIMIT",
    "TABLE_WIDTH",
    "Column",
    "column_widths",
    "format_list",
    "format_value",
    "render_table",
    "truncate",
    "wrap",
]

TABLE_WIDTH: Final = 119
ELLIPSIS: Final = "..."
ENUMERATION_LIMIT: Final = 4


@attrs.frozen
class Column:
    """One table column: its label and the format file's width (None: shares the rest)."""

    label: str
    width: int | None = None


def column_widths(columns: Sequence[Column], table_width: int = TABLE_WIDTH) -> list[int]:
    """``ColumnWidthManager.CalculateColumnWidths``: fixed widths kept, the others share the
    rest one character at a time, left to right; then the last columns shrink (or vanish, -1)
    until the table fits."""
    widths = [c.width if c.width else 0 for c in columns]
    free = [w == 0 for w in widths]
    widths = [w if w else 1 for w in widths]

    def total() -> int:
        visible = [w for w in widths if w > 0]
        return sum(visible) + len(visible) - 1

    available = table_width - total()
    if any(free) and available > 0:
        while available > 0:
            for k, is_free in enumerate(free):
                if is_free:
                    widths[k] += 1
                    available -= 1
                    if available == 0:
                        break
    while total() > table_width:
        last = next((k - 1 for k, w in enumerate(widths) if w < 0), len(widths) - 1)
        if last < 0:
            break
        shrunk = widths[last] - (total() - table_width)
        widths[last] = shrunk if shrunk >= 1 else -1
    return widths


def truncate(value: str, width: int) -> str:
    """``TableWriter.GenerateRowField`` for a left-aligned cell (no padding)."""
    if len(value) <= width:
        return value
    if width - len(ELLIPSIS) > 0:
        return value[: width - len(ELLIPSIS)] + ELLIPSIS
    return value[:width]


def wrap(text: str, width: int) -> list[str]:
    """``StringManipulationHelper.GenerateLinesWithWordWrap`` (English culture): break at
    spaces, and a word longer than the line at the line width."""
    if len(text) <= width or width <= 0:
        return [text]
    lines: list[str] = []
    current = ""
    room = width
    words = text.split(" ")
    for index, word in enumerate(words):
        if index < len(words) - 1:
            word += " "
        if len(word) > width:
            for char in word:
                if room < 1:
                    lines.append(current)
                    current, room = "", width
                current += char
                room -= 1
        elif len(word) > room:
            lines.append(current)
            current, room = word, width - len(word)
        else:
            current += word
            room -= len(word)
    lines.append(current)
    return [line.rstrip() for line in lines]


def render_table(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], table_width: int = TABLE_WIDTH
) -> list[str]:
    """The header (wrapped labels, dash line) and one line per row, trailing blanks removed."""
    widths = column_widths(columns, table_width)
    shown = [k for k, w in enumerate(widths) if w > 0]

    def line(cells: Sequence[str]) -> str:
        return " ".join(cells[k].ljust(widths[k]) for k in shown).rstrip()

    labels = [wrap(c.label, widths[k]) if widths[k] > 0 else [] for k, c in enumerate(columns)]
    height = max((len(labels[k]) for k in shown), default=0)
    out = [
        line([label[row] if row < len(label) else "" for label in labels]) for row in range(height)
    ]
    pairs = list(zip(columns, widths, strict=True))
    out.append(line(["-" * min(len(c.label), max(w, 0)) for c, w in pairs]))
    for row in rows:
        out.append(line([truncate(cell, max(w, 0)) for cell, w in zip(row, widths, strict=True)]))
    return out


def format_value(value: Any) -> str:
    """A property value as PowerShell prints it: True/False, ``{a, b}`` for a collection (at
    most four items, then ``...``), ``@{k=v; ...}`` for a hashtable-like object (ndisemu's own
    blocks only), nothing for $null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, Mapping):
        return "@{" + "; ".join(f"{k}={format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        items = [format_value(v) for v in value]
        more = "..." if len(items) > ENUMERATION_LIMIT else ""
        return "{" + ", ".join(items[:ENUMERATION_LIMIT]) + more + "}"
    return str(value)


def format_list(records: Sequence[Mapping[str, Any]], table_width: int = TABLE_WIDTH) -> list[str]:
    """``Format-List``: ``Label : value`` lines, a blank line between objects."""
    out: list[str] = []
    for record in records:
        if out:
            out.append("")
        width = max((len(label) for label in record), default=0)
        room = max(table_width - width - 3, 1)
        for label, value in record.items():
            parts = wrap(format_value(value), room)
            out.append(f"{label.ljust(width)} : {parts[0]}".rstrip())
            out += [(" " * (width + 3) + part).rstrip() for part in parts[1:]]
    return out
