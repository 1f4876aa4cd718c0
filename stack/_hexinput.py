"""Turn the hex text a user pastes into bytes.

Three shapes are accepted, and told apart line by line:

* free hex: one string (``80011400...``), space-separated bytes (``80 01 14 00``), or groups
  (``0x80011400 0x00000000``); ``0x`` prefixes, commas and dashes between items are allowed;
* a WinDbg ``db`` dump pasted whole (address column, 16 bytes with a dash between the 8th and the
  9th, then the ASCII column);
* WinDbg ``dw`` / ``dd`` / ``dc`` / ``dq`` dumps, whose little-endian words are turned back into
  memory order.

A line is a dump line when it starts with an address (``ffffb88a`12345678`` or ``00401000``)
followed by at least two spaces, which is what every ``d*`` command prints.  Debugger prompt
lines (``0: kd> db ...``) and blank lines are skipped.

The ASCII column can hold anything, including hex-looking words and dashes, so a dump line is
read by its structure, never by searching it for hex: after the address come the values, each
separated from the next by exactly one space (or the ``db`` dash); the first run of two or more
spaces ends them, and what follows is the text column.  The text column is then checked against
the bytes, and consecutive addresses must follow each other, so a paste whose spacing was
mangled fails loudly instead of decoding the wrong bytes.
"""

from __future__ import annotations

import itertools
import re

import attrs

from stack.errors import BadInput

__all__ = ["parse_hex"]

_HEX = "0-9a-fA-F"
# WinDbg prints a 64-bit address as two 8-digit halves joined by a backtick, a 32-bit one as 8
# digits; it always puts two spaces between the address and the values.
_DUMP_LINE = re.compile(rf"^\s*(?P<address>[{_HEX}]{{8}}(?:`[{_HEX}]{{8}})?)  +(?P<data>\S.*)$")
# kd> / lkd> / 0: kd> / 0:000> : a command echoed with the dump, not data.
_PROMPT = re.compile(r"^\s*(?:\d+:\s*)?(?:l?kd|\d+)>")
# One value of each d* command, as it appears on the line ("??" marks unreadable memory).
_UNIT_PATTERNS = {
    1: rf"[{_HEX}?]{{2}}",
    2: rf"[{_HEX}?]{{4}}",
    4: rf"[{_HEX}?]{{8}}",
    8: rf"[{_HEX}?]{{8}}`[{_HEX}?]{{8}}",
}
_COMMAND_FOR_SIZE = {1: "db", 2: "dw", 4: "dd", 8: "dq"}
_FREE_SEPARATORS = re.compile(r"[\s,]+|(?<=\w)-(?=\w)")


def parse_hex(text: str) -> bytes:
    """Return the bytes that *text* spells, or raise BadInput saying what is wrong with it."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not _PROMPT.match(line)
    ]
    if not lines:
        raise BadInput("no hex given")
    dump_lines = [(number, _DUMP_LINE.match(line)) for number, line in lines]
    if any(match for _, match in dump_lines):
        return _parse_dump(dump_lines)
    return _parse_free_hex(lines)


# -- free hex ------------------------------------------------------------------------------------


def _parse_free_hex(lines: list[tuple[int, str]]) -> bytes:
    out = bytearray()
    for number, line in lines:
        items = [item for item in _FREE_SEPARATORS.split(line.strip()) if item]
        digits = [_strip_0x(item) for item in items]
        for item, item_digits in zip(items, digits, strict=True):
            _check_free_item(item, item_digits, number)
        _check_group_sizes(items, digits, number)
        out += bytes.fromhex("".join(digits))
    return bytes(out)


def _strip_0x(item: str) -> str:
    return item[2:] if item[:2] in ("0x", "0X") else item


def _check_free_item(item: str, digits: str, number: int) -> None:
    if not digits or not all(char in "0123456789abcdefABCDEF" for char in digits):
        raise BadInput(f"not hex: {_quote(item)} (line {number})")
    if len(digits) % 2:
        raise BadInput(
            f"odd number of hex digits in {_quote(item)} (line {number}); "
            "write every byte as two digits"
        )


def _check_group_sizes(items: list[str], digits: list[str], number: int) -> None:
    # Groups on one line share a size (the last may be shorter).  This catches a dump line whose
    # two spaces after the address were collapsed: "00401000 4d 5a" would otherwise silently
    # decode the address as four data bytes.
    sizes = [len(group) for group in digits]
    for index, size in enumerate(sizes[1:], start=1):
        last = index == len(sizes) - 1
        if size > sizes[0] or (size < sizes[0] and not last):
            raise BadInput(
                f"line {number}: groups of different sizes ({_quote(items[0])}, then "
                f"{_quote(items[index])}); if this is a WinDbg dump, keep the two spaces "
                "after the address"
            )


# -- WinDbg d* dumps ------------------------------------------------------------------------------


@attrs.frozen
class _DumpLine:
    number: int  # line number in the paste, for messages
    address_text: str
    address: int
    data: bytes
    values_width: int  # characters from the start of the first value to the end of the last
    rest: str  # what follows the values: padding, then the ASCII column of db/dc if any


def _parse_dump(lines: list[tuple[int, re.Match[str] | None]]) -> bytes:
    first_number, first = next((number, match) for number, match in lines if match)
    unit = _unit_size(first.group("data"), first_number)
    parsed: list[_DumpLine] = []
    for number, match in lines:
        if match is None:
            raise BadInput(
                f"line {number} is not a WinDbg dump line (address, two spaces, values), "
                "but other lines are"
            )
        parsed.append(_parse_dump_line(number, match, unit))
    _check_continuity(parsed)
    _check_text_columns(parsed, unit)
    return b"".join(line.data for line in parsed)


def _unit_size(data: str, number: int) -> int:
    # The first value says which d* command printed the dump: db 2 digits, dw 4, dd/dc 8,
    # dq 8`8.  Longest first, so "0037200e`00000003" is a qword, not a dword.
    for size in (8, 4, 2, 1):
        if re.match(_UNIT_PATTERNS[size] + r"(?=[ -]|$)", data):
            return size
    raise BadInput(
        f"line {number}: cannot tell which of db, dw, dd or dq printed {_quote(data.split()[0])}"
    )


def _parse_dump_line(number: int, match: re.Match[str], unit: int) -> _DumpLine:
    # Values are joined by exactly one space (or db's dash), so the greedy match stops at the
    # first run of two spaces, which is where WinDbg puts the ASCII column.
    unit_re = _UNIT_PATTERNS[unit]
    data = match.group("data")
    values = re.match(rf"{unit_re}(?:[ -]{unit_re})*", data)
    if values is None:
        raise BadInput(
            f"line {number}: expected {_COMMAND_FOR_SIZE[unit]} values after the address, "
            f"got {_quote(data)}"
        )
    address_text = match.group("address")
    address = int(address_text.replace("`", ""), 16)
    chunks = [
        _unit_bytes(token, unit, number, _format_address(address + index * unit, address_text))
        for index, token in enumerate(re.split(r"[ -]", values.group()))
    ]
    return _DumpLine(
        number=number,
        address_text=address_text,
        address=address,
        data=b"".join(chunks),
        values_width=values.end(),
        rest=data[values.end() :],
    )


def _unit_bytes(token: str, unit: int, number: int, where: str) -> bytes:
    if "?" in token:
        raise BadInput(
            f"line {number}: the dump shows {token} at {where}; that memory was not readable, "
            "so the buffer is incomplete"
        )
    # dw/dd/dq print little-endian integers; memory order is the reverse of the digits.
    return int(token.replace("`", ""), 16).to_bytes(unit, "little")


def _format_address(address: int, like: str) -> str:
    if "`" in like:
        return f"{address >> 32:08x}`{address & 0xFFFFFFFF:08x}"
    return f"{address:08x}"


def _check_continuity(lines: list[_DumpLine]) -> None:
    for previous, line in itertools.pairwise(lines):
        expected = previous.address + len(previous.data)
        if line.address != expected:
            raise BadInput(
                f"line {line.number}: address {line.address_text} does not follow line "
                f"{previous.number} (expected {_format_address(expected, line.address_text)}); "
                "is a line missing or mangled?"
            )


# WinDbg's default values per line for the commands that print an ASCII column (db 16 bytes,
# dc 4 dwords): used to place the column when the dump is a single short line.
_DEFAULT_VALUES_PER_LINE = {1: 16, 2: 8, 4: 4, 8: 2}


def _check_text_columns(lines: list[_DumpLine], unit: int) -> None:
    """Prove the values were split from the ASCII column in the right place.

    The column never contributes bytes; it is read only to check that no ASCII character was
    taken for a value, which can happen only when the spacing of the paste was changed.
    """
    if not any(line.rest.strip() for line in lines):
        return  # dw/dd/dq, or a db paste without its ASCII column
    if len(lines) > 1:
        full_width = max(line.values_width for line in lines)
    else:
        full_width = _DEFAULT_VALUES_PER_LINE[unit] * (2 * unit + 1 + (unit == 8)) - 1
    for line in lines:
        _check_text_column(line, _text_column(line, full_width))


def _text_column(line: _DumpLine, full_width: int) -> str:
    # WinDbg pads a short last line so that its ASCII column lines up with the others; the
    # column may itself start with spaces (bytes 0x20), so it is found by position.
    start = full_width - line.values_width + 2
    rest = line.rest
    if not rest.strip():
        if all(byte == 0x20 for byte in line.data):
            return ""  # a column of spaces only, trimmed away
        raise BadInput(
            f"line {line.number} has no ASCII column but other lines do; was its spacing changed?"
        )
    if len(rest) > start and not rest[:start].strip():
        return rest[start:]
    if rest.startswith("  "):
        return rest[2:]  # spacing changed: WinDbg's own gap is two spaces; the check decides
    raise BadInput(
        f"line {line.number}: cannot tell the values from the ASCII column in "
        f"{_quote(rest.strip())}; was the dump's spacing changed?"
    )


def _check_text_column(line: _DumpLine, text: str) -> None:
    # One character per byte: printable ASCII as itself, anything else as '.' (or, in some
    # code pages, a non-ASCII glyph).  An editor may have trimmed trailing spaces (0x20).
    trimmed = line.data[len(text) :]
    if len(text) > len(line.data) or any(byte != 0x20 for byte in trimmed):
        consistent = False
    else:
        consistent = all(_shows(char, byte) for char, byte in zip(text, line.data, strict=False))
    if not consistent:
        raise BadInput(
            f"line {line.number}: the ASCII column {_quote(text)} does not match the values; "
            "was the dump's spacing changed?"
        )


def _shows(char: str, byte: int) -> bool:
    if 0x20 <= byte < 0x7F:
        return char == chr(byte)
    return char == "." or not 0x20 <= ord(char) < 0x7F


def _quote(text: str, limit: int = 24) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(shown)
