"""The hex a user pastes comes back as exactly the bytes it spells, or as one clear error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack._hexinput import parse_hex
from stack.errors import BadInput

# -- renderers: written from WinDbg's documented layout, independently of the parser -------------


def _address(value: int, wide: bool) -> str:
    return f"{value >> 32:08x}`{value & 0xFFFFFFFF:08x}" if wide else f"{value:08x}"


def _ascii(chunk: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)


def render_db(data: bytes, address: int, wide: bool = True) -> str:
    """What `db` prints: 16 bytes a line, a dash after the 8th, the ASCII column aligned."""
    lines = []
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        cells = [f"{b:02x}" for b in chunk]
        values = " ".join(cells[:8]) + ("-" + " ".join(cells[8:]) if len(cells) > 8 else "")
        lines.append(f"{_address(address + offset, wide)}  {values:<47}  {_ascii(chunk)}")
    return "\n".join(lines) + "\n"


def render_words(data: bytes, address: int, size: int, wide: bool = True) -> str:
    """What `dw` (2), `dd` (4) and `dq` (8) print: little-endian values, 16 bytes a line."""
    lines = []
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        values = []
        for start in range(0, len(chunk), size):
            value = int.from_bytes(chunk[start : start + size], "little")
            text = f"{value:0{2 * size}x}"
            values.append(f"{text[:8]}`{text[8:]}" if size == 8 else text)
        lines.append(f"{_address(address + offset, wide)}  {' '.join(values)}")
    return "\n".join(lines) + "\n"


addresses = st.integers(min_value=0, max_value=2**64 - 2**20)
# Bytes that print as hex digits, dashes, spaces and backticks make the ASCII column look like
# values; mix them in so the parser must tell the columns apart by position.
_lookalike = st.lists(st.sampled_from(b"0123456789abcdefABCDEF -`?. "), min_size=1, max_size=80)
any_bytes = st.one_of(st.binary(min_size=1, max_size=200), _lookalike.map(bytes))


# -- properties ----------------------------------------------------------------------------------


@given(data=any_bytes, address=addresses, wide=st.booleans())
def test_any_bytes_rendered_as_db_output_parse_back(data: bytes, address: int, wide: bool) -> None:
    if not wide:
        address &= 0xFFFFFFF0
    assert parse_hex(render_db(data, address, wide)) == data


@given(data=any_bytes, address=addresses, prompt=st.sampled_from(["0: kd> ", "kd> ", "0:000> "]))
def test_a_db_paste_with_its_prompt_line_and_crlf_parses_back(
    data: bytes, address: int, prompt: str
) -> None:
    text = f"{prompt}db {address:x} L{len(data):x}\n" + render_db(data, address)
    assert parse_hex(text.replace("\n", "\r\n")) == data


@given(
    size=st.sampled_from([2, 4, 8]),
    units=st.integers(min_value=1, max_value=24),
    seed=st.binary(min_size=192, max_size=192),
    address=addresses,
)
def test_dw_dd_dq_output_parses_back_in_memory_order(
    size: int, units: int, seed: bytes, address: int
) -> None:
    data = seed[: size * units]
    assert parse_hex(render_words(data, address, size)) == data


@given(data=any_bytes, separator=st.sampled_from([" ", ", ", "\n", "  "]), prefix=st.booleans())
def test_spaced_bytes_parse_back(data: bytes, separator: str, prefix: bool) -> None:
    cells = [("0x" if prefix else "") + f"{b:02x}" for b in data]
    assert parse_hex(separator.join(cells)) == data


@given(data=any_bytes, prefix=st.booleans(), upper=st.booleans())
def test_one_plain_string_parses_back(data: bytes, prefix: bool, upper: bool) -> None:
    text = data.hex().upper() if upper else data.hex()
    assert parse_hex(("0x" if prefix else "") + text) == data


# -- examples: the shapes users paste ------------------------------------------------------------

KERNEL_DUMP = """\
1: kd> db ffffb88a`12345678 L24
ffffb88a`12345678  a7 01 70 00 00 00 00 00-02 00 00 00 20 61 62 63  ..p......... abc
ffffb88a`12345688  2d 2d 61 62 00 00 00 00-00 00 00 00 00 00 00 20  --ab........... \n\
ffffb88a`12345698  20 62 20 63                                       b c
"""


def test_the_ascii_column_may_hold_hex_words_dashes_and_leading_spaces() -> None:
    assert parse_hex(KERNEL_DUMP) == bytes.fromhex(
        "a70170000000000002000000206162632d2d616200000000000000000000002020622063"
    )


def test_an_editor_may_trim_trailing_spaces_of_the_ascii_column() -> None:
    assert parse_hex(KERNEL_DUMP.replace(". \n", ".\n")) == parse_hex(KERNEL_DUMP)


def test_dc_output_keeps_its_ascii_column_out_of_the_values() -> None:
    text = "ffffc000`ec7510b0  00000003 0037200e 200e002f 00390032  ..... 7./.. 2.9.\n"
    assert parse_hex(text) == bytes.fromhex("030000000e2037002f000e2032003900")


def test_the_hex_area_of_a_db_line_alone_is_free_hex() -> None:
    text = "80 01 14 00 04 04 04 04-04 00 00 02 02 00 00 00"
    assert parse_hex(text) == bytes.fromhex("80011400040404040400000202000000")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no hex given"),
        ("   \n  ", "no hex given"),
        ("80 01 zz", "not hex: 'zz'"),
        ("8001140", "odd number of hex digits"),
        ("80 1 14", "odd number of hex digits in '1'"),
        ("00401000 4d 5a 90 00", "keep the two spaces after the address"),
        ("0x", "not hex"),
        ("056fcff0  00 00 ?? ??", "the dump shows ?? at 056fcff2"),
        ("ffffb88a`12345678  61 62 ab c", "cannot tell the values from the ASCII column"),
        (
            "ffffb88a`12345678  61 62 61 00 00 00 00 00-00 00 00 00 00 00 00 00  abc.............",
            "does not match the values",
        ),
        (KERNEL_DUMP.replace("`12345688", "`12345689"), "line 3: address ffffb88a`12345689"),
        (KERNEL_DUMP + "80 01 14 00\n", "line 5 is not a WinDbg dump line"),
        (
            KERNEL_DUMP.replace("00 20  --ab........... ", "00 20"),
            "line 3 has no ASCII column",
        ),
        ("ffffb88a`12345678  zz zz", "cannot tell which of db, dw, dd or dq"),
    ],
)
def test_bad_hex_is_one_line_saying_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_hex(text)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message
