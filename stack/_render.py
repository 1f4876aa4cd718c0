"""Text and JSON views for the CLI: decoded structures, constants, plain tables, colour.

A decoded structure is shown as a tree of its C members, in two forms of the same content: plain
indented lines when the output is plain (a pipe, a file, the tests: stable and greppable) and a
rich Tree when it is styled (a terminal, or colour forced).  ``color_mode`` decides which, from
``--color`` and the NO_COLOR / FORCE_COLOR conventions.  Plain tables (``plain_table``) are
ASCII with no trailing spaces, wrapped to ``PLAIN_WIDTH``.  JSON is always one object with C
names in C order and integer values (``stack.ndis.to_cmap``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
from rich.text import Text
from rich.tree import Tree

from stack.ndis import (
    CMember,
    NdisDecodeError,
    at_revision,
    encode,
    family_of,
    is_versioned,
    to_cmap,
    walk,
)

__all__ = [
    "PLAIN_WIDTH",
    "ColorMode",
    "color_mode",
    "constant_lines",
    "decode_failure_json",
    "decode_failure_line",
    "format_int",
    "plain_table",
    "rich_tree",
    "structure_json",
    "structure_title",
    "to_json",
    "tree_lines",
    "wrap_cell",
]

# Codes whose hex spelling is the one in the headers and in WinDbg (0xC0010014), so hex first.
_HEX_FIRST_FAMILIES = frozenset({"status", "oid"})
_INDENT = "  "


def format_int(value: int, hex_first: bool = False) -> str:
    """``20 (0x14)``; small values alone (``4``); codes hex first (``0xC0010014 (3221291028)``)."""
    if value < 0:  # only a value no constant has gets here (statuses are read as 32-bit)
        return str(value)
    if hex_first:
        return f"0x{value:08X} ({value})"
    if value < 10:
        return str(value)
    return f"{value} (0x{value:X})"


def to_json(obj: object) -> str:
    """One JSON document, keys in the order given (C order, not sorted), two-space indented."""
    return json.dumps(obj, indent=2)


# -- constants -----------------------------------------------------------------------------------


def constant_lines(matches: Mapping[str, int]) -> list[str]:
    """One ``NAME = value`` line per constant, in the order given."""
    return [
        f"{name} = {format_int(value, hex_first=family_of(name) in _HEX_FIRST_FAMILIES)}"
        for name, value in matches.items()
    ]


# -- decoded structures --------------------------------------------------------------------------


@attrs.frozen
class _Row:
    depth: int
    name: str
    value: str | None  # None for a nested structure
    symbol: str | None


def structure_json(obj: object) -> str:
    """Every C member of ``obj``, nested, integer values (members past its revision are 0)."""
    return to_json(to_cmap(obj))


def structure_title(obj: object, buffer_size: int) -> str:
    """``NDIS_OFFLOAD_PARAMETERS  revision 1, 20 of 128 bytes`` -- what was read, from what."""
    c_name: str = type(obj).C_NAME  # type: ignore[attr-defined]
    used = len(encode(at_revision(obj) if is_versioned(type(obj)) else obj))
    read = f"{used} bytes" if used == buffer_size else f"{used} of {buffer_size} bytes"
    if not is_versioned(type(obj)):
        return f"{c_name}  {read}"
    given: int = obj.Header.Revision  # type: ignore[attr-defined]
    effective: int = at_revision(obj).Header.Revision  # type: ignore[attr-defined]
    revision = f"revision {given}"
    if effective != given:
        revision += f" (read as {effective}, the newest known)"
    return f"{c_name}  {revision}, {read}"


def _rows(obj: object) -> Iterator[_Row]:
    # Members that the buffer's revision does not carry are left out: they were not on the wire,
    # and printing them as zero would read as "disabled" rather than "absent".
    for member in walk(obj):
        if member.in_revision:
            yield _row(member)


def _row(member: CMember) -> _Row:
    if member.value is None:
        # Named typedefs help a reader find the docs page; anonymous inner structs do not.
        label = member.name if "." in member.c_type else f"{member.name} ({member.c_type})"
        return _Row(member.depth, label, None, None)
    return _Row(member.depth, member.name, format_int(member.value), member.symbol)


def tree_lines(obj: object, title: str) -> list[str]:
    """The plain-text tree: title, then one indented line per member."""
    lines = [title]
    for row in _rows(obj):
        text = row.name if row.value is None else f"{row.name} = {row.value}"
        if row.symbol:
            text += f"  {row.symbol}"
        lines.append(_INDENT * (row.depth + 1) + text)
    return lines


def rich_tree(obj: object, title: str) -> Tree:
    """The same tree for a terminal: member names bold, symbolic names highlighted."""
    root = Tree(Text(title, style="bold"))
    parents: list[Tree] = [root]
    for row in _rows(obj):
        del parents[row.depth + 1 :]
        label = Text(row.name, style="bold" if row.value is None else "")
        if row.value is not None:
            label.append(" = ").append(row.value, style="cyan")
        if row.symbol:
            label.append("  ").append(row.symbol, style="green")
        node = parents[-1].add(label)
        if row.value is None:
            parents.append(node)
    return root


def decode_failure_line(error: NdisDecodeError) -> str:
    """One line: what is wrong, then the NDIS status and BytesNeeded a driver would report."""
    return str(error)


def decode_failure_json(error: NdisDecodeError) -> dict[str, Any]:
    """``{"status": "NDIS_STATUS_INVALID_LENGTH", "bytes_needed": 26}``, as an OID completes."""
    return {"status": error.status.name, "bytes_needed": error.bytes_needed}


# -- colour and plain output -------------------------------------------------------------------

#: Plain output keeps its lines within this many characters wherever a space allows a break: a
#: word longer than that (a docs page, a path) is kept whole, never cut.
PLAIN_WIDTH = 100
COLOR_CHOICES = ("auto", "always", "never")


@attrs.frozen
class ColorMode:
    """How stdout is written.  ``styled``: rich tables and trees (as on a terminal); otherwise
    plain ASCII lines.  ``color``: ANSI styles (colours, bold); never without ``styled``."""

    styled: bool
    color: bool


def color_mode(choice: str, environ: Mapping[str, str], is_terminal: bool) -> ColorMode:
    """Resolve ``--color`` (auto, always, never) for an output that is or is not a terminal.

    Precedence, first match wins: ``--color always`` / ``--color never``; then FORCE_COLOR set
    and not empty (styled, coloured, even in a pipe: https://force-color.org/, whose reference
    code lets it override NO_COLOR); then NO_COLOR set and not empty (no ANSI escape at all:
    https://no-color.org/); then whether the output is a terminal.  ``never`` and NO_COLOR keep
    a terminal's table layout, only without escapes; a pipe is always plain unless colour is
    forced.
    """
    if choice not in COLOR_CHOICES:
        raise ValueError(f"--color takes auto, always or never, not {choice!r}")
    if choice == "always":
        return ColorMode(styled=True, color=True)
    if choice == "never":
        return ColorMode(styled=is_terminal, color=False)
    if environ.get("FORCE_COLOR", ""):
        return ColorMode(styled=True, color=True)
    if environ.get("NO_COLOR", ""):
        return ColorMode(styled=is_terminal, color=False)
    return ColorMode(styled=is_terminal, color=is_terminal)


def wrap_cell(text: str, width: int, indent: int = 4, sep: str | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` characters where it can break, continuation lines
    indented by ``indent``.  Text made of parts joined by ``sep`` (by default ``" | "`` when
    the text has one, as an offload digest does) breaks only between parts, the separator
    ending the line; other text breaks at spaces.  Words are never cut."""
    if len(text) <= width:
        return [text]
    if sep is None and " | " in text:
        sep = " | "
    pad = " " * indent
    if sep is None:
        return textwrap.wrap(
            text, width, subsequent_indent=pad, break_long_words=False, break_on_hyphens=False
        ) or [text]
    tail = sep.rstrip()
    parts = text.split(sep)
    lines: list[str] = []
    line = parts[0]
    for index, part in enumerate(parts[1:], start=1):
        lead = pad if lines else ""
        last = index == len(parts) - 1
        if len(lead + line + sep + part + ("" if last else tail)) <= width:
            line = line + sep + part
        else:
            lines.append(lead + line + tail)
            line = part
    lines.append((pad if lines else "") + line)
    return [out.rstrip() for out in lines]


def plain_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str = "",
    width: int = PLAIN_WIDTH,
) -> list[str]:
    """A table as plain ASCII lines: an optional title, the header, a dashed underline (as
    PowerShell prints its tables), then the rows; two spaces between columns, no trailing
    spaces.  The last column wraps (``wrap_cell``) to keep lines within ``width``."""
    count = len(columns)
    widths = [max([len(columns[i]), *(len(row[i]) for row in rows)]) for i in range(count - 1)]
    left = sum(w + 2 for w in widths)
    last_width = max(width - left, 30)

    def line(cells: Sequence[str]) -> str:
        head = "".join(cell.ljust(w + 2) for cell, w in zip(cells, widths, strict=False))
        return (head + cells[-1]).rstrip()

    out = [title] if title else []
    out.append(line(columns))
    out.append(line(["-" * len(column) for column in columns]))
    for row in rows:
        first, *more = wrap_cell(row[-1], last_width)
        out.append(line([*row[:-1], first]))
        out += [(" " * left + extra).rstrip() for extra in more]
    return out
