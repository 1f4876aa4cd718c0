"""Laying views out: PowerShell-style tables and lists as plain text, or rich tables.

A view is a list of blocks (``Table`` or ``Lines``).  Off a terminal every block is plain text:
a table is PowerShell's default layout (header, a dashed underline, left-aligned columns at least
as wide as PowerShell makes them), never cut.  On a terminal tables become rich tables (rich
honours NO_COLOR and FORCE_COLOR itself); lines stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

__all__ = ["Block", "Lines", "Table", "format_list", "format_value", "plain_lines", "print_blocks"]

#: PowerShell's default table widths for these cmdlets: a 31-character Name column and 16 for
#: every other, each including the one space between columns (../shared/design/ux.md 1.1).
NAME_WIDTH = 31
COLUMN_WIDTH = 16


@attrs.frozen(kw_only=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    #: Columns just as wide as their contents (not PowerShell's minimum widths).
    compact: bool = False


@attrs.frozen(kw_only=True)
class Lines:
    lines: tuple[str, ...]


Block = Table | Lines


def format_value(value: Any) -> str:
    """A property value as PowerShell prints it: True/False, ``@{k=v; ...}`` for an object,
    ``{a, b}`` for an array, nothing for $null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, Mapping):
        return "@{" + "; ".join(f"{k}={format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(format_value(v) for v in value) + "}"
    return str(value)


def _table_lines(table: Table) -> list[str]:
    widths = []
    for index, column in enumerate(table.columns):
        least = NAME_WIDTH if index == 0 else COLUMN_WIDTH
        if table.compact:
            least = 0
        longest = max([len(column), *(len(row[index]) for row in table.rows)])
        widths.append(max(least, longest + (2 if table.compact else 1)))

    def line(cells: Sequence[str]) -> str:
        return "".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    out = [table.title, ""] if table.title else []
    out.append(line(table.columns))
    out.append(line(["-" * len(column) for column in table.columns]))
    out += [line(row) for row in table.rows]
    return out


def format_list(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """``Format-List *``: one ``Label : value`` line per property, a blank line between objects."""
    out: list[str] = []
    for record in records:
        if out:
            out.append("")
        width = max((len(label) for label in record), default=0)
        out += [f"{label.ljust(width)} : {format_value(value)}".rstrip() for label, value in
                record.items()]  # fmt: skip
    return out


def plain_lines(blocks: Sequence[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if out:
            out.append("")
        out += _table_lines(block) if isinstance(block, Table) else list(block.lines)
    return out


def print_blocks(blocks: Sequence[Block], console: Console) -> None:
    """Tables as rich tables on a terminal, plain text otherwise."""
    if not console.is_terminal:
        # Written as they are: rich would expand ethtool's tabs and wrap long lines.
        text = "".join(line + "\n" for line in plain_lines(blocks))
        console.file.write(text)
        console.file.flush()
        return
    for index, block in enumerate(blocks):
        if index:
            console.print()
        if isinstance(block, Lines):
            for line in block.lines:
                console.print(line, highlight=False, markup=False, emoji=False, soft_wrap=True)
            continue
        title = Text(block.title) if block.title else None
        table = RichTable(title=title, title_justify="left", show_edge=False)
        for column in block.columns:
            table.add_column(Text(column), overflow="fold")
        for row in block.rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
