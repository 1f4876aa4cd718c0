r"""The ``.reg`` text format: what ``reg export`` and regedit write, and what we read back.

This module knows the text only (no adapters): bytes -> text -> parsed key blocks, and values
back to lines.  The live store is in ``_registry.py``.

The format, as Windows reads and writes it (KB 310516, "How to add, modify, or delete registry
subkeys and values by using a .reg file",
https://support.microsoft.com/en-gb/topic/9c7f37cf-a5e9-e1cd-c4fa-2a26218a1a23)::

    Windows Registry Editor Version 5.00            <- or REGEDIT4 (Windows 9x / NT 4 files)

    [HKEY_LOCAL_MACHINE\SYSTEM\...\0001]            <- a key: full path, root spelled out
    "DriverDesc"="Intel(R) Ethernet"                <- REG_SZ; \\ and \" are the escapes
    "*IfType"=dword:00000006                        <- REG_DWORD, 8 lower-case hex digits
    "DriverDateData"=hex:00,80,8c,a3,c5,94,c6,01    <- REG_BINARY
    "UpperBind"=hex(7):4e,00,64,00,69,00,73,00,\    <- any other type N as hex(N), bytes as
      00,00                                            stored; "\" continues the line
    @="text"                                        <- the key's default value
    "Obsolete"=-                                    <- delete a value
    [-HKEY_LOCAL_MACHINE\SOFTWARE\Old]              <- delete a key and its subkeys

Byte-level details of an export, which we reproduce so that an unchanged export saves back
byte-for-byte: ``reg export`` writes UTF-16 LE with a byte-order mark
(http://ugts.azurewebsites.net/data/UGTS/document/2/3/36.aspx) and CRLF line ends; every key
block is preceded by one blank line and the file ends with one; hex data wraps once a line
reaches 77 characters, with ``\`` and a continuation line indented by two spaces.  These match
Wine's re-implementation of ``reg export``/``reg import`` (programs/reg/export.c and import.c,
written against Windows' own output), which also documents the reader's rules we follow: data
type tags are lower case, ``\n``/``\r`` escapes are accepted, ``\0`` is not, a ``;`` after the
data starts a comment, and a lone CR also ends a line.

REGEDIT4 files are ANSI, and in them the bytes of hex(1)/hex(2)/hex(7) strings are ANSI, not
UTF-16: the version-5 header exists precisely so that older regedits reject Unicode files
(Windows' regedit source, regporte.c, as quoted at http://okturing.com/src/10583/body).  We
convert those bytes from Windows-1252, the ANSI code page of western-language Windows, and
always save in the version-5 format.

Where Windows ignores a line it cannot read, we raise ``RegFileError`` instead (house rule 7:
never silently wrong): one line, ``file:line: what is wrong``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from typing import Literal

import attrs

from stack.errors import BadInput

# Registry value types, with the C names and values of winnt.h.
REG_NONE = 0
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_DWORD_BIG_ENDIAN = 5
REG_LINK = 6
REG_MULTI_SZ = 7
REG_RESOURCE_LIST = 8
REG_FULL_RESOURCE_DESCRIPTOR = 9
REG_RESOURCE_REQUIREMENTS_LIST = 10
REG_QWORD = 11

HEADER_V5 = "Windows Registry Editor Version 5.00"
HEADER_V4 = "REGEDIT4"

# The root keys a .reg file may name; regedit wants them spelled out (HKLM is not accepted).
ROOT_KEYS = (
    "HKEY_CLASSES_ROOT",
    "HKEY_CURRENT_CONFIG",
    "HKEY_CURRENT_USER",
    "HKEY_DYN_DATA",
    "HKEY_LOCAL_MACHINE",
    "HKEY_USERS",
)
_ROOT_ABBREVIATIONS = {
    "HKCR": "HKEY_CLASSES_ROOT",
    "HKCC": "HKEY_CURRENT_CONFIG",
    "HKCU": "HKEY_CURRENT_USER",
    "HKLM": "HKEY_LOCAL_MACHINE",
    "HKU": "HKEY_USERS",
}

# Export wraps hex data once a line reaches this many characters (Wine: MAX_HEX_CHARS), which
# keeps every line, backslash included, within 80 columns.
_HEX_WRAP = 77
_HEX_INDENT = "  "

# reg.exe splits lines at CRLF, LF or a lone CR.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_HEX_TYPE = re.compile(r"hex\(([0-9a-fA-F]{1,8})\):")
_HEX_BYTE = re.compile(r"[0-9a-fA-F]{1,2}")
_DWORD = re.compile(r"[0-9a-fA-F]{1,8}")

Encoding = Literal["utf-16", "utf-8"]


class RegFileError(BadInput):
    """A ``.reg`` file that cannot be used: ``file:line: what is wrong``, on one line."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        # All three go to Exception.args so that the error pickles across worker processes.
        super().__init__(source, line, reason)
        self.source = source
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.reason}"


def fold(name: str) -> str:
    """The case-insensitive form of a key or value name, as Windows compares them.

    Windows upper-cases one UTF-16 unit at a time, so ``ß`` stays ``ß`` where ``str.upper``
    would make it ``SS``; ASCII names (nearly all of them) take the fast path.  Upper-casing
    (not ``casefold``) also gives regedit's subkey order: ``_`` sorts after letters.
    """
    if name.isascii():
        return name.upper()
    return "".join(u if len(u := c.upper()) == 1 else c for c in name)


@attrs.frozen(kw_only=True)
class RegValue:
    """One registry value as Windows stores it: a name, a type and the raw bytes.

    ``name == ""`` is the key's default value (``@`` in a .reg file).  String types hold UTF-16 LE
    with their terminating NUL, exactly as ``RegQueryValueEx`` would return them.
    """

    name: str = attrs.field()
    type: int
    data: bytes

    @name.validator
    def _check_name(self, _attribute: object, name: str) -> None:
        # Win32 value names end at a NUL, and a .reg file has no way to write one.
        if "\0" in name:
            raise BadInput(f"registry value name {name!r} contains a NUL character")

    @classmethod
    def sz(cls, name: str, text: str) -> RegValue:
        """A REG_SZ value holding ``text``."""
        return cls(name=name, type=REG_SZ, data=_utf16z(text))

    @classmethod
    def dword(cls, name: str, number: int) -> RegValue:
        """A REG_DWORD value holding ``number`` (0 to 0xFFFFFFFF)."""
        return cls(name=name, type=REG_DWORD, data=number.to_bytes(4, "little"))

    def as_text(self) -> str | None:
        """The value as NdisReadConfiguration would hand a string or integer back, or None.

        REG_SZ/REG_EXPAND_SZ give their text, REG_DWORD/REG_QWORD their decimal number; other
        types (binary, multi-string) have no single text form.
        """
        if self.type in (REG_SZ, REG_EXPAND_SZ):
            return _text_of(self.data)
        if (self.type, len(self.data)) in ((REG_DWORD, 4), (REG_QWORD, 8)):
            return str(int.from_bytes(self.data, "little"))
        return None


def _utf16z(text: str) -> bytes:
    # surrogatepass: registry strings are UTF-16 units and may hold a lone surrogate.
    return (text + "\0").encode("utf-16-le", "surrogatepass")


def _text_of(data: bytes) -> str:
    # A string ends at its first NUL; an odd trailing byte is not a character.
    text = data[: len(data) // 2 * 2].decode("utf-16-le", "surrogatepass")
    return text.split("\0", 1)[0]


# --- parsed form ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ValueLine:
    """A ``"name"=data`` line (and its continuation lines) as read from a file."""

    line: int
    name: str
    value: RegValue | None  # None for a deletion, "name"=-
    raw: tuple[str, ...]  # the physical lines as written, line ends removed
    comments: tuple[str, ...]  # the ';' lines just above it


@attrs.frozen(kw_only=True)
class KeyBlock:
    """A ``[key]`` (or ``[-key]``) line and the value lines under it."""

    line: int
    path: str
    delete: bool
    comments: tuple[str, ...]
    values: tuple[ValueLine, ...]


@attrs.frozen(kw_only=True)
class RegDocument:
    """A whole .reg file: its header version and its key blocks in file order."""

    version: int  # 5 or 4
    keys: tuple[KeyBlock, ...]
    trailing_comments: tuple[str, ...]


# --- bytes <-> text ------------------------------------------------------------------------


def decode_reg_bytes(data: bytes, *, source: str) -> str:
    """Decode a .reg file: UTF-16 (LE or BE, BOM or not) or UTF-8 (BOM or not).

    Without a BOM, UTF-16 shows itself by a NUL in the first code unit, since every .reg file
    starts with an ASCII header.
    """
    if data.startswith(codecs.BOM_UTF16_LE):
        codec, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        codec, body = "utf-16-be", data[2:]
    elif data.startswith(codecs.BOM_UTF8):
        codec, body = "utf-8", data[3:]
    elif len(data) >= 2 and data[0] != 0 and data[1] == 0:
        codec, body = "utf-16-le", data
    elif len(data) >= 2 and data[0] == 0 and data[1] != 0:
        codec, body = "utf-16-be", data
    else:
        codec, body = "utf-8", data
    try:
        text = body.decode(codec, "surrogatepass" if codec != "utf-8" else "strict")
    except UnicodeDecodeError as exc:
        before = body[: exc.start].decode(codec, "replace")
        line = len(_LINE_BREAK.split(before))
        bad = body[exc.start : exc.end]
        what = f"byte {bad.hex()} is" if len(bad) == 1 else f"bytes {bad.hex(' ')} are"
        name = {"utf-8": "UTF-8", "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE"}[codec]
        raise RegFileError(
            source, line, f"{what} not {name} (save the file as UTF-16 LE or UTF-8)"
        ) from None
    return text


def encode_reg_text(text: str, *, encoding: Encoding = "utf-16", source: str = "<text>") -> bytes:
    """Encode for saving: ``utf-16`` is what ``reg export`` writes (LE, BOM); ``utf-8`` has no BOM,
    so that it diffs well and stays importable as long as it is ASCII."""
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le", "surrogatepass")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RegFileError(
            source, None, f"cannot write {text[exc.start]!r} as UTF-8; save as UTF-16"
        ) from None


# --- text -> document ----------------------------------------------------------------------


def parse_reg_text(text: str, *, source: str = "<text>") -> RegDocument:
    """Parse .reg text (already decoded) into key blocks; raise RegFileError on the first fault."""
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    for number, line in enumerate(lines, 1):
        if "\0" in line:
            # No name or string can hold one; in UTF-8 text it means UTF-16 without a BOM.
            raise RegFileError(
                source,
                number,
                "NUL character in the text (UTF-16 saved without its byte-order mark?)",
            )
    return _Parser(source, lines).parse()


@attrs.define
class _Block:
    line: int
    path: str
    delete: bool
    comments: tuple[str, ...]
    values: list[ValueLine] = attrs.Factory(list)

    def freeze(self) -> KeyBlock:
        return KeyBlock(
            line=self.line,
            path=self.path,
            delete=self.delete,
            comments=self.comments,
            values=tuple(self.values),
        )


@attrs.define
class _Parser:
    source: str
    lines: list[str]
    pos: int = 0  # index of the line being read; its number is pos + 1
    version: int = 5

    def fail(self, reason: str, line: int | None = None) -> RegFileError:
        return RegFileError(self.source, self.pos + 1 if line is None else line, reason)

    def parse(self) -> RegDocument:
        self.read_header()
        blocks: list[_Block] = []
        comments: list[str] = []
        while self.pos + 1 < len(self.lines):
            # value_line() moves self.pos on past any continuation lines it reads.
            self.pos += 1
            line = self.lines[self.pos]
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith(";"):
                comments.append(line)
            elif stripped.startswith("["):
                blocks.append(self.key_line(stripped, tuple(comments)))
                comments = []
            elif stripped.startswith(('"', "@")):
                if not blocks:
                    raise self.fail(f"value {_shorten(stripped)} comes before any [key] line")
                if blocks[-1].delete:
                    raise self.fail(f"value {_shorten(stripped)} is under a [-key] deletion line")
                blocks[-1].values.append(self.value_line(tuple(comments)))
                comments = []
            else:
                raise self.fail(f'expected "name"=value or [key], got {_shorten(stripped)}')
        return RegDocument(
            version=self.version,
            keys=tuple(block.freeze() for block in blocks),
            trailing_comments=tuple(comments),
        )

    def read_header(self) -> None:
        first = self.lines[0].strip()
        if first == HEADER_V5:
            self.version = 5
        elif first == HEADER_V4:
            self.version = 4
        else:
            got = "an empty file" if len(self.lines) == 1 and not first else _shorten(first)
            raise self.fail(f'expected the header "{HEADER_V5}" or "{HEADER_V4}", got {got}', 1)

    def key_line(self, stripped: str, comments: tuple[str, ...]) -> _Block:
        if not stripped.endswith("]"):
            raise self.fail(f"key line {_shorten(stripped)} has no closing ']'")
        inner = stripped[1:-1]
        delete = inner.startswith("-")
        path = inner[1:] if delete else inner
        try:
            check_key_path(path)
        except BadInput as exc:
            raise self.fail(str(exc)) from None
        return _Block(line=self.pos + 1, path=path, delete=delete, comments=comments)

    def value_line(self, comments: tuple[str, ...]) -> ValueLine:
        start = self.pos
        line = self.lines[start]
        text = line.lstrip()
        if text.startswith("@"):
            name, rest = "", text[1:]
        else:
            name, rest = self.string(text, what="value name")
        rest = rest.lstrip(" \t")
        if not rest.startswith("="):
            raise self.fail(f'expected "=" after the value name, got {_shorten(rest or line)}')
        value = self.data(name, rest[1:].strip(" \t"))
        return ValueLine(
            line=start + 1,
            name=name,
            value=value,
            raw=tuple(self.lines[start : self.pos + 1]),
            comments=comments,
        )

    def data(self, name: str, text: str) -> RegValue | None:
        if text == "-" or (text.startswith("-") and _is_comment(text[1:])):
            return None
        if text.startswith('"'):
            string, rest = self.string(text, what="string")
            if not _is_comment(rest):
                raise self.fail(f"unexpected {_shorten(rest.strip())} after the string")
            return RegValue.sz(name, string)
        if text.startswith("dword:"):
            digits = _strip_comment(text[6:])
            if not _DWORD.fullmatch(digits):
                raise self.fail(f"dword needs 1 to 8 hex digits, got {_shorten(digits)}")
            return RegValue.dword(name, int(digits, 16))
        if text.startswith("hex:"):
            return self.hex_data(name, REG_BINARY, text[4:])
        if match := _HEX_TYPE.match(text):
            return self.hex_data(name, int(match[1], 16), text[match.end() :])
        raise self.fail(
            f'unknown data {_shorten(text)}: expected "text", dword:, hex: or hex(N): (lower case)'
        )

    def string(self, text: str, *, what: str) -> tuple[str, str]:
        """Read ``"..."`` at the start of ``text``; return the unescaped string and the rest."""
        out: list[str] = []
        i = 1
        while i < len(text):
            char = text[i]
            if char == '"':
                return "".join(out), text[i + 1 :]
            if char == "\\":
                escaped = text[i + 1 : i + 2]
                if escaped in ('"', "\\"):
                    out.append(escaped)
                elif escaped in ("n", "r"):
                    out.append("\n" if escaped == "n" else "\r")
                elif escaped:
                    raise self.fail(
                        f"unknown escape '\\{escaped}' in a {what} (write a backslash as \\\\)"
                    )
                else:
                    break
                i += 2
                continue
            out.append(char)
            i += 1
        raise self.fail(f"unterminated {what}: {_shorten(text)} has no closing quote")

    def hex_data(self, name: str, type_: int, text: str) -> RegValue:
        data = bytearray()
        while True:
            body = _strip_comment(text)
            more = body.endswith("\\")
            if more:
                body = body[:-1].rstrip()
            tokens = body.split(",") if body else []
            if tokens and not tokens[-1].strip():
                tokens.pop()  # "01,02," before a continuation (or at the end) is fine
            for token in tokens:
                token = token.strip()
                if not _HEX_BYTE.fullmatch(token):
                    shown = "an empty byte" if not token else _shorten(token)
                    raise self.fail(f"bad hex byte {shown} (bytes are 00 to ff, comma-separated)")
                data.append(int(token, 16))
            if not more:
                break
            if self.pos + 1 >= len(self.lines):
                raise self.fail("hex data continues ('\\' at the end) past the end of the file")
            self.pos += 1
            text = self.lines[self.pos]
        if self.version == 4 and type_ in (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ):
            try:
                data = bytearray(_utf16_from_ansi(bytes(data)))
            except UnicodeDecodeError as exc:
                raise self.fail(f"byte {data[exc.start]:02x} is not Windows-1252 text") from None
        return RegValue(name=name, type=type_, data=bytes(data))


def _utf16_from_ansi(data: bytes) -> bytes:
    return data.decode("cp1252").encode("utf-16-le")


def _strip_comment(text: str) -> str:
    return text.split(";", 1)[0].strip(" \t")


def _is_comment(rest: str) -> bool:
    rest = rest.strip(" \t")
    return not rest or rest.startswith(";")


def _shorten(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def check_key_path(path: str) -> list[str]:
    """Split a key path into its names, or raise BadInput saying what is wrong with it."""
    if not path:
        raise BadInput("empty key name")
    parts = path.split("\\")
    root = parts[0]
    if fold(root) not in ROOT_KEYS:
        spelled = _ROOT_ABBREVIATIONS.get(fold(root))
        hint = f" (spell it out: {spelled})" if spelled else ""
        raise BadInput(f"unknown root key {_shorten(root)}{hint}")
    if any(not part for part in parts[1:]):
        raise BadInput(f"empty key name in {_shorten(path)}")
    return parts


# --- value -> lines ------------------------------------------------------------------------


def format_value(value: RegValue) -> tuple[str, ...]:
    """The lines ``reg export`` would write for ``value`` (without line ends).

    A REG_SZ whose text would not survive a quoted string (no terminating NUL, an embedded NUL,
    a line break, a lone surrogate) is written as hex(1) instead, so that nothing is lost.
    """
    head = "@=" if value.name == "" else f'"{_escape(value.name)}"='
    if value.type == REG_SZ and (text := _quotable(value.data)) is not None:
        return (f'{head}"{_escape(text)}"',)
    if value.type == REG_DWORD and len(value.data) == 4:
        return (f"{head}dword:{int.from_bytes(value.data, 'little'):08x}",)
    tag = "hex:" if value.type == REG_BINARY else f"hex({value.type:x}):"
    return tuple(_wrap_hex(head + tag, value.data))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")


def _quotable(data: bytes) -> str | None:
    if len(data) < 2 or len(data) % 2 or not data.endswith(b"\0\0"):
        return None
    try:
        text = data[:-2].decode("utf-16-le")  # strict: a lone surrogate is not quotable
    except UnicodeDecodeError:
        return None
    if "\0" in text or "\r" in text or "\n" in text:
        return None
    return text


def _wrap_hex(start: str, data: bytes) -> Iterator[str]:
    line, width = start, len(start)
    for index, byte in enumerate(data):
        if index == len(data) - 1:
            line += f"{byte:02x}"
            break
        line += f"{byte:02x},"
        width += 3
        if width >= _HEX_WRAP:
            yield line + "\\"
            line, width = _HEX_INDENT, len(_HEX_INDENT)
    yield line


def format_document(
    keys: Sequence[tuple[str, tuple[str, ...], Sequence[tuple[str, ...]]]],
    trailing_comments: Sequence[str] = (),
) -> str:
    """Lay out a whole file the way ``reg export`` does: header, and a blank line before every
    key and at the end; CRLF line ends.

    ``keys`` holds, per key: its path, the comment lines above it, and the lines of each value
    (comments included)."""
    lines = [HEADER_V5]
    for path, comments, values in keys:
        lines.append("")
        lines.extend(comments)
        lines.append(f"[{path}]")
        for value_lines in values:
            lines.extend(value_lines)
    lines.append("")
    lines.extend(trailing_comments)
    return "\r\n".join(lines) + "\r\n"
