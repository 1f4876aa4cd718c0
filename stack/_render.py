"""Text and JSON views of decoded structures and constants, for the CLI.

A decoded structure is shown as a tree of its C members, in two forms of the same content: plain
indented lines when stdout is not a terminal (stable and greppable: pipes, files, the tests) and
a rich Tree on a terminal.  rich honours NO_COLOR and FORCE_COLOR by itself.  JSON is always one
object with C names in C order and integer values (``stack.ndis.to_cmap``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
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
    "constant_lines",
    "decode_failure_json",
    "decode_failure_line",
    "format_int",
    "rich_tree",
    "structure_json",
    "structure_title",
    "to_json",
    "tree_lines",
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
