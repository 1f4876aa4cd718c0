"""The .reg text format: encodings, line ends, data types, export layout, and every error."""

from __future__ import annotations

import codecs
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack.errors import BadInput
from stack.runtime._regfile import (
    HEADER_V5,
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_QWORD,
    REG_SZ,
    RegFileError,
    RegValue,
    decode_reg_bytes,
    encode_reg_text,
    format_document,
    format_value,
    parse_reg_text,
)

DATA = Path(__file__).parent / "data"
KEY = r"HKEY_LOCAL_MACHINE\SOFTWARE\ndisemu"


def parse_values(body: str, header: str = HEADER_V5) -> list[RegValue | None]:
    document = parse_reg_text(f"{header}\r\n\r\n[{KEY}]\r\n{body}")
    return [line.value for line in document.keys[0].values]


def one_value(body: str, header: str = HEADER_V5) -> RegValue:
    (value,) = parse_values(body, header)
    assert value is not None
    return value


def error_of(text: str) -> RegFileError:
    with pytest.raises(RegFileError) as info:
        parse_reg_text(text, source="nic.reg")
    return info.value


# --- encodings and line ends -----------------------------------------------------------------

TEXT = f'{HEADER_V5}\r\n\r\n[{KEY}]\r\n"DriverDesc"="Contoso® NIC"\r\n'


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-be"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-8"),
    ],
    ids=["utf16le-bom", "utf16le", "utf16be-bom", "utf16be", "utf8-bom", "utf8"],
)
def test_every_encoding_an_editor_or_reg_export_writes_decodes_to_the_same_text(
    data: bytes,
) -> None:
    assert decode_reg_bytes(data, source="nic.reg") == TEXT


def test_saving_writes_utf16_le_with_a_bom_or_utf8_without_one() -> None:
    assert encode_reg_text("x") == b"\xff\xfex\x00"
    assert encode_reg_text("x", encoding="utf-8") == b"x"


def test_crlf_lf_and_a_lone_cr_end_lines_alike() -> None:
    crlf = parse_reg_text(TEXT)
    assert parse_reg_text(TEXT.replace("\r\n", "\n")) == crlf
    assert parse_reg_text(TEXT.replace("\r\n", "\r")) == crlf


def test_a_bom_left_in_decoded_text_is_ignored() -> None:
    assert parse_reg_text("\ufeff" + TEXT) == parse_reg_text(TEXT)


# --- data types --------------------------------------------------------------------------------


def test_a_quoted_string_is_reg_sz_with_backslash_and_quote_escapes() -> None:
    value = one_value(r'"Path \"x\""="C:\\drivers\\\"e1d\".sys"')
    assert value == RegValue.sz('Path "x"', 'C:\\drivers\\"e1d".sys')
    assert value.data.endswith(b"\0\0")  # stored with its terminating NUL, as Windows does


def test_newline_and_carriage_return_escapes_are_read() -> None:
    assert one_value(r'"a"="one\ntwo\r"').as_text() == "one\ntwo\r"


def test_at_sign_names_the_default_value() -> None:
    value = one_value('@="default text"')
    assert value.name == ""
    assert format_value(value) == ('@="default text"',)
    assert one_value('"@"="x"').name == "@"  # quoted, it is an ordinary name


def test_dword_takes_one_to_eight_hex_digits_and_is_written_with_eight() -> None:
    value = one_value('"*JumboPacket"=dword:232A')
    assert value == RegValue.dword("*JumboPacket", 0x232A)
    assert value.as_text() == "9002"
    assert format_value(value) == ('"*JumboPacket"=dword:0000232a',)


def test_hex_is_binary_and_hex_n_carries_the_type_in_hex() -> None:
    assert one_value('"b"=hex:00,ff,1') == RegValue(name="b", type=REG_BINARY, data=b"\0\xff\1")
    assert one_value('"q"=hex(b):01,00,00,00,00,00,00,00').type == REG_QWORD
    assert one_value('"e"=hex(2):25,00,00,00').type == REG_EXPAND_SZ
    assert one_value('"n"=hex(0):').data == b""
    assert one_value('"t"=hex(ffff0001):01').type == 0xFFFF0001


def test_hex_continues_over_lines_ending_in_a_backslash() -> None:
    value, after = parse_values(
        '"UpperBind"=hex(7):4e,00,64,00, \\\r\n  69,00,73,00,\\\r\n  00,00 ; end\r\n"next"="1"\r\n'
    )
    assert after == RegValue.sz("next", "1")
    assert value is not None
    assert value.type == REG_MULTI_SZ
    assert value.data == "Ndis\0".encode("utf-16-le")


def test_value_and_key_deletions_are_parsed() -> None:
    document = parse_reg_text(f'{HEADER_V5}\r\n\r\n[-{KEY}]\r\n[{KEY}]\r\n"gone"=-\r\n')
    assert [(k.path, k.delete) for k in document.keys] == [(KEY, True), (KEY, False)]
    assert document.keys[1].values[0].value is None


def test_comments_are_kept_with_the_line_below_and_at_the_end() -> None:
    document = parse_reg_text(
        f'{HEADER_V5}\r\n; about the key\r\n[{KEY}]\r\n; about a\r\n"a"="1"\r\n; end'
    )
    assert document.keys[0].comments == ("; about the key",)
    assert document.keys[0].values[0].comments == ("; about a",)
    assert document.trailing_comments == ("; end",)


def test_regedit4_hex_strings_are_ansi_and_become_utf16() -> None:
    value = one_value('"p"=hex(2):25,54,45,4d,50,25,e9,00', header="REGEDIT4")
    assert value.data == "%TEMP%é\0".encode("utf-16-le")


def test_as_text_reads_strings_and_numbers_but_not_binary() -> None:
    assert RegValue.sz("a", "3").as_text() == "3"
    assert RegValue(name="q", type=REG_QWORD, data=(2**40).to_bytes(8, "little")).as_text() == str(
        2**40
    )
    assert RegValue(name="b", type=REG_BINARY, data=b"1").as_text() is None
    assert RegValue(name="m", type=REG_MULTI_SZ, data=b"a\0\0\0").as_text() is None
    assert RegValue(name="odd", type=REG_SZ, data=b"a\0b").as_text() == "a"


# --- the export layout --------------------------------------------------------------------------


def test_every_value_line_of_a_reg_export_is_reproduced_exactly() -> None:
    """The sample's hex(7) lines wrap at column 80 with two-space continuations, as regedit does."""
    text = decode_reg_bytes((DATA / "intel-i219-export.reg").read_bytes(), source="sample")
    document = parse_reg_text(text)
    lines = 0
    for key in document.keys:
        for line in key.values:
            assert line.value is not None
            assert format_value(line.value) == line.raw
            lines += len(line.raw)
    # ...and those are all the lines of the file but the header, the keys and the blank ones.
    assert lines == sum(1 for t in text.splitlines()[1:] if t and not t.startswith("["))


def test_a_document_has_a_blank_line_before_each_key_and_at_the_end() -> None:
    text = format_document([(KEY, (), [('"a"="1"',)]), (KEY + r"\sub", (), [])])
    assert text == f'{HEADER_V5}\r\n\r\n[{KEY}]\r\n"a"="1"\r\n\r\n[{KEY}\\sub]\r\n\r\n'


@pytest.mark.parametrize(
    "value",
    [
        RegValue(name="nul", type=REG_SZ, data=b""),
        RegValue(name="odd", type=REG_SZ, data=b"a\0b"),
        RegValue(name="unterminated", type=REG_SZ, data=b"a\0"),
        RegValue(name="embedded", type=REG_SZ, data="a\0b\0".encode("utf-16-le")),
        RegValue.sz("newline", "a\nb"),
        RegValue.sz("surrogate", "\udc00"),
        RegValue(name="short dword", type=REG_DWORD, data=b"\1\2"),
    ],
    ids=lambda value: value.name,
)
def test_data_a_quoted_string_or_dword_cannot_hold_is_written_as_hex(value: RegValue) -> None:
    (line,) = format_value(value)
    assert "=hex(" in line
    assert one_value(line) == value


# --- errors -------------------------------------------------------------------------------------

HEAD = f"{HEADER_V5}\r\n\r\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "",
            1,
            'expected the header "Windows Registry Editor Version 5.00" or "REGEDIT4", got an ',
        ),
        (f"[{KEY}]\r\n", 1, f"got {f'[{KEY}]'!r}"),
        (
            "Windows Registry Editor Version 4.00\r\n",
            1,
            "got 'Windows Registry Editor Version 4.00'",
        ),
        (
            HEAD + f"[{KEY}]\r\nLsoV2IPv4=1\r\n",
            4,
            "expected \"name\"=value or [key], got 'LsoV2IPv4=1'",
        ),
        (HEAD + '"a"="1"\r\n', 3, 'value \'"a"="1"\' comes before any [key] line'),
        (HEAD + f'[-{KEY}]\r\n"a"="1"\r\n', 4, "is under a [-key] deletion line"),
        (HEAD + f'[{KEY}]\r\n"a"="1\r\n', 4, "unterminated string: '\"1' has no closing quote"),
        (HEAD + f'[{KEY}]\r\n"a=1\r\n', 4, "unterminated value name"),
        (HEAD + f'[{KEY}]\r\n"a"="\\"\r\n', 4, "unterminated string"),
        (HEAD + f'[{KEY}]\r\n"p"="C:\\Windows"\r\n', 4, "unknown escape '\\W' in a string"),
        (HEAD + f'[{KEY}]\r\n"p"="\\0"\r\n', 4, "unknown escape '\\0'"),
        (HEAD + f'[{KEY}]\r\n"a"="1" x\r\n', 4, "unexpected 'x' after the string"),
        (HEAD + f'[{KEY}]\r\n"a" "1"\r\n', 4, 'expected "=" after the value name, got \'"1"\''),
        (HEAD + f'[{KEY}]\r\n"b"=hex:01,zz\r\n', 4, "bad hex byte 'zz'"),
        (HEAD + f'[{KEY}]\r\n"b"=hex:01,,02\r\n', 4, "bad hex byte an empty byte"),
        (HEAD + f'[{KEY}]\r\n"b"=hex:123\r\n', 4, "bad hex byte '123'"),
        (HEAD + f'[{KEY}]\r\n"b"=hex:01,\\\r\n  02,x1\r\n', 5, "bad hex byte 'x1'"),
        (
            HEAD + f'[{KEY}]\r\n"b"=hex:01,\\',
            4,
            "continues ('\\' at the end) past the end of the file",
        ),
        (HEAD + f'[{KEY}]\r\n"b"=hex(zz):01\r\n', 4, "unknown data 'hex(zz):01'"),
        (
            HEAD + f'[{KEY}]\r\n"d"=dword:123456789\r\n',
            4,
            "dword needs 1 to 8 hex digits, got '123456789'",
        ),
        (HEAD + f'[{KEY}]\r\n"d"=dword:\r\n', 4, "dword needs 1 to 8 hex digits, got ''"),
        (
            HEAD + f'[{KEY}]\r\n"d"=DWORD:1\r\n',
            4,
            "unknown data 'DWORD:1': expected \"text\", dword:, hex:",
        ),
        (HEAD + f'[{KEY}]\r\n"d"=qword:1\r\n', 4, "unknown data 'qword:1'"),
        (HEAD + f"[{KEY}\r\n", 3, "has no closing ']'"),
        (
            HEAD + "[HKLM\\SOFTWARE]\r\n",
            3,
            "unknown root key 'HKLM' (spell it out: HKEY_LOCAL_MACHINE)",
        ),
        (HEAD + "[HKEY_NOWHERE\\x]\r\n", 3, "unknown root key 'HKEY_NOWHERE'"),
        (HEAD + "[]\r\n", 3, "empty key name"),
        (HEAD + f"[{KEY}\\\\x]\r\n", 3, "empty key name in"),
        (
            "REGEDIT4\r\n\r\n" + f'[{KEY}]\r\n"p"=hex(2):81,00\r\n',
            4,
            "byte 81 is not Windows-1252 text",
        ),
    ],
)
def test_a_malformed_file_fails_with_file_line_and_what_is_wrong(
    text: str, line: int, message: str
) -> None:
    error = error_of(text)
    assert error.line == line
    assert str(error).startswith(f"nic.reg:{line}: ")
    assert message in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (
            f'{HEADER_V5}\r\n\r\n[{KEY}]\r\n"a"="\xe9"'.encode("latin-1"),
            4,
            "byte e9 is not UTF-8 (save the file as UTF-16 LE or UTF-8)",
        ),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x41", 5, "byte 41 is not UTF-16 LE"),
    ],
    ids=["bad-utf8", "odd-length-utf16"],
)
def test_undecodable_bytes_fail_with_the_line_they_are_on(
    data: bytes, line: int, message: str
) -> None:
    with pytest.raises(RegFileError) as info:
        decode_reg_bytes(data, source="nic.reg")
    assert info.value.line == line
    assert str(info.value).startswith(f"nic.reg:{line}: ")
    assert message in str(info.value)


def test_a_nul_in_the_text_fails_with_its_line() -> None:
    error = error_of("REGEDIT4\r\n\r\n\0")
    assert str(error) == (
        "nic.reg:3: NUL character in the text (UTF-16 saved without its byte-order mark?)"
    )


def test_a_lone_surrogate_in_utf16_is_registry_data_not_an_encoding_error() -> None:
    text = decode_reg_bytes(
        codecs.BOM_UTF16_LE + "R\udc00".encode("utf-16-le", "surrogatepass"), source="x"
    )
    assert text == "R\udc00"


def test_a_value_name_cannot_hold_a_nul() -> None:
    with pytest.raises(BadInput, match="contains a NUL character"):
        RegValue.sz("a\0b", "1")


def test_reg_file_error_is_bad_input_and_survives_pickling() -> None:
    error = RegFileError("nic.reg", 14, "broken")
    assert isinstance(error, BadInput)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.line) == ("nic.reg:14: broken", 14)
    assert str(RegFileError("nic.reg", None, "cannot read")) == "nic.reg: cannot read"


def test_text_that_utf8_cannot_hold_fails_to_save_as_utf8_only() -> None:
    with pytest.raises(RegFileError, match=r"^out\.reg: cannot write '\\udc00' as UTF-8"):
        encode_reg_text("\udc00", encoding="utf-8", source="out.reg")
    assert encode_reg_text("\udc00").endswith(b"\x00\xdc")


# --- property: whatever is formatted parses back -------------------------------------------------

# The characters the format escapes or gives a meaning to, often; then anything but surrogates.
tricky = st.sampled_from(list('"\\;=@[]-\r\n\t '))
names = st.text(
    tricky | st.characters(exclude_categories=["Cs"], exclude_characters="\0"), max_size=12
)
texts = st.text(tricky | st.characters(exclude_categories=["Cs"]), max_size=40)
values = st.one_of(
    st.builds(RegValue.sz, names, texts),
    st.builds(RegValue.dword, names, st.integers(0, 2**32 - 1)),
    st.builds(
        RegValue,
        name=names,
        type=st.sampled_from(
            [0, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, 11, 0x1234]
        ),
        data=st.binary(max_size=120),
    ),
)


@given(st.lists(values, max_size=6))
def test_formatted_values_parse_back_identical(items: list[RegValue]) -> None:
    lines = [format_value(value) for value in items]
    text = format_document([(KEY, (), lines)])
    for encoding in ("utf-16", "utf-8"):
        decoded = decode_reg_bytes(encode_reg_text(text, encoding=encoding), source="x")
        document = parse_reg_text(decoded)
        assert [line.value for line in document.keys[0].values] == items
        assert [line.raw for line in document.keys[0].values] == lines
