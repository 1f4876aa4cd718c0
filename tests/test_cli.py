"""The decode, encode and lookup commands, as a user runs them."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stack.cli import cli
from stack.ndis import ALL_CONSTANTS, STRUCTURES

# NDIS_OFFLOAD_PARAMETERS revision 1, built by hand from spec 3.2's offsets: header (Type DEFAULT
# 0x80, Revision 1, Size 20), the five checksum members TX_RX_ENABLED (4), LsoV1 and IPsecV1
# NO_CHANGE, LsoV2IPv4/IPv6 LSOV2_ENABLED (2), TcpConnection NO_CHANGE, pad, Flags 0.
PARAMETERS_HEX = "80 01 14 00 04 04 04 04 04 00 00 02 02 00 00 00 00 00 00 00"

PARAMETERS_TREE = """\
NDIS_OFFLOAD_PARAMETERS  revision 1, 20 bytes
  Header (NDIS_OBJECT_HEADER)
    Type = 128 (0x80)  NDIS_OBJECT_TYPE_DEFAULT
    Revision = 1  NDIS_OFFLOAD_PARAMETERS_REVISION_1
    Size = 20 (0x14)  NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1
  IPv4Checksum = 4  NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
  TCPIPv4Checksum = 4  NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
  UDPIPv4Checksum = 4  NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
  TCPIPv6Checksum = 4  NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
  UDPIPv6Checksum = 4  NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
  LsoV1 = 0  NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
  IPsecV1 = 0  NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
  LsoV2IPv4 = 2  NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED
  LsoV2IPv6 = 2  NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED
  TcpConnectionIPv4 = 0  NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
  TcpConnectionIPv6 = 0  NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
  Flags = 0
"""

# An NDIS_OFFLOAD revision 1 (112 bytes) as `db` prints it in a kernel debugger, typed by hand
# from spec 3.3's offsets: checksum blocks with Encapsulation IEEE_802_3 (2) and every bit
# SUPPORTED (0x155 for IPv4, 0x55 for IPv6), LsoV1.IPv4 MaxOffLoadSize 65536 MinSegmentCount 2,
# IPsecV1 all zero, LsoV2 IPv4/IPv6 65536/2.  The ASCII column carries a 'p' (Size 0x70) and 'U's.
OFFLOAD_DUMP = """\
0: kd> db ffffb88a`1f2e3d40 L70
ffffb88a`1f2e3d40  a7 01 70 00 02 00 00 00-55 01 00 00 02 00 00 00  ..p.....U.......
ffffb88a`1f2e3d50  55 01 00 00 02 00 00 00-55 00 00 00 02 00 00 00  U.......U.......
ffffb88a`1f2e3d60  55 00 00 00 02 00 00 00-00 00 01 00 02 00 00 00  U...............
ffffb88a`1f2e3d70  05 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00  ................
ffffb88a`1f2e3d80  00 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00  ................
ffffb88a`1f2e3d90  02 00 00 00 00 00 01 00-02 00 00 00 02 00 00 00  ................
ffffb88a`1f2e3da0  00 00 01 00 02 00 00 00-05 00 00 00 00 00 00 00  ................
"""


@pytest.fixture
def run() -> CliRunnerCall:
    return CliRunnerCall()


class CliRunnerCall:
    """``run("decode", ...)``: invoke the CLI in-process, stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return self.runner.invoke(cli, list(args), input=input, env=env)


def _one_error_line(result: Result) -> str:
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# -- decode --------------------------------------------------------------------------------------


def test_decode_prints_the_golden_buffer_as_a_tree_of_c_members(run: CliRunnerCall) -> None:
    result = run("decode", "NDIS_OFFLOAD_PARAMETERS", PARAMETERS_HEX)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == PARAMETERS_TREE


def test_decode_accepts_the_bytes_as_separate_arguments_or_one_0x_string(
    run: CliRunnerCall,
) -> None:
    spaced = run("decode", "NDIS_OFFLOAD_PARAMETERS", *PARAMETERS_HEX.split())
    plain = run("decode", "NDIS_OFFLOAD_PARAMETERS", "0x" + PARAMETERS_HEX.replace(" ", ""))
    assert spaced.stdout == plain.stdout == PARAMETERS_TREE


def test_decode_json_is_one_object_of_c_members_with_integer_values(run: CliRunnerCall) -> None:
    result = run("decode", "--json", "NDIS_OFFLOAD_PARAMETERS", PARAMETERS_HEX)
    assert result.exit_code == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["Header"] == {"Type": 0x80, "Revision": 1, "Size": 20}
    assert decoded["IPv4Checksum"] == 4
    assert decoded["LsoV2IPv6"] == 2
    assert decoded["Flags"] == 0
    assert decoded["UdpSegmentation"] == {"IPv4": 0, "IPv6": 0}  # nested as C reaches it
    assert list(decoded)[:3] == ["Header", "IPv4Checksum", "TCPIPv4Checksum"]  # C order


def test_decode_reads_a_pasted_windbg_db_dump_of_an_ndis_offload(run: CliRunnerCall) -> None:
    result = run("decode", "--json", "NDIS_OFFLOAD", "-", input=OFFLOAD_DUMP)
    assert result.exit_code == 0, result.stderr
    offload = json.loads(result.stdout)
    assert offload["Header"] == {"Type": 0xA7, "Revision": 1, "Size": 112}
    assert offload["Checksum"]["IPv4Transmit"] == {
        "Encapsulation": 2,
        "IpOptionsSupported": 1,
        "TcpOptionsSupported": 1,
        "TcpChecksum": 1,
        "UdpChecksum": 1,
        "IpChecksum": 1,
    }
    assert offload["Checksum"]["IPv6Receive"]["UdpChecksum"] == 1
    assert offload["LsoV1"]["IPv4"]["MaxOffLoadSize"] == 65536
    assert offload["LsoV2"]["IPv6"]["MinSegmentCount"] == 2
    assert offload["LsoV2"]["IPv6"]["TcpOptionsSupported"] == 1


def test_decode_tree_of_the_dump_names_the_encapsulation_and_hides_later_revisions(
    run: CliRunnerCall,
) -> None:
    result = run("decode", "NDIS_OFFLOAD", "-", input=OFFLOAD_DUMP)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "NDIS_OFFLOAD  revision 1, 112 bytes"
    assert "  Checksum (NDIS_TCP_IP_CHECKSUM_OFFLOAD)" in lines
    assert "      Encapsulation = 2  NDIS_ENCAPSULATION_IEEE_802_3" in lines
    assert "      MaxOffLoadSize = 65536 (0x10000)" in lines
    assert not any("IPsecV2" in line or "Rsc" in line for line in lines)  # not in revision 1


def test_a_truncated_buffer_prints_the_ndis_status_and_bytes_needed_and_exits_1(
    run: CliRunnerCall,
) -> None:
    revision_3_header_on_20_bytes = "80 03 1a 00" + PARAMETERS_HEX[11:]
    result = run("decode", "--json", "NDIS_OFFLOAD_PARAMETERS", revision_3_header_on_20_bytes)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"status": "NDIS_STATUS_INVALID_LENGTH", "bytes_needed": 26}

    text = run("decode", "NDIS_OFFLOAD_PARAMETERS", revision_3_header_on_20_bytes)
    assert text.exit_code == 1
    line = _one_error_line(text)
    assert "NDIS_STATUS_INVALID_LENGTH" in line
    assert "26" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["decode", "NDIS_OFFLOAD_PARAMETERS", "80 01 zz"], "not hex: 'zz'"),
        (["decode", "NDIS_OFFLOAD_PARAMETERS", "80011"], "odd number of hex digits"),
        (["decode", "NDIS_OFFLOAD_PARAMETER", "80"], "did you mean NDIS_OFFLOAD_PARAMETERS?"),
        (["decode", "ndis_offload", "80"], "did you mean NDIS_OFFLOAD?"),
        (["decode", "NDIS_OFFLOAD", "80", "-"], "give - alone"),
        (["encode", "NDIS_OFFLOAD", "no/such/file.json"], "cannot read JSON file"),
        (["encode", "NO_SUCH_STRUCT", "-"], "unknown structure 'NO_SUCH_STRUCT'"),
        (["lookup", "NDIS_STATUS_INVALID_LENGHT"], "did you mean NDIS_STATUS_INVALID_LENGTH"),
        (["lookup"], "--json alone"),
    ],
)
def test_bad_input_exits_2_with_one_line_saying_what_is_wrong(
    run: CliRunnerCall, args: list[str], says: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert line.startswith("Error: ")
    assert says in line


@pytest.mark.parametrize(
    ("json_text", "says"),
    [
        ('{"IPv4Checksum": 4,', "bad JSON in stdin"),
        ('{"IPv4Checksum": 4, "IPv4Chksum": 1}', "IPv4Chksum: no such member"),
        ("[4, 4]", "one JSON object"),
        ('{"IPv4Checksum": 256}', "does not fit"),
        ('{"IPv4Checksum": "NDIS_OFFLOAD_SET_ON"}', "is not one of"),
        ('{"Header": {"Revision": 2}}', "disagrees with Header.Revision 2"),
    ],
)
def test_bad_json_exits_2_with_one_line(run: CliRunnerCall, json_text: str, says: str) -> None:
    result = run("encode", "--revision", "1", "NDIS_OFFLOAD_PARAMETERS", "-", input=json_text)
    assert result.exit_code == 2
    assert says in _one_error_line(result)


# -- encode --------------------------------------------------------------------------------------


def test_encode_inverts_decode_json_through_the_cli(run: CliRunnerCall) -> None:
    decoded = run("decode", "--json", "NDIS_OFFLOAD", "-", input=OFFLOAD_DUMP)
    encoded = run("encode", "NDIS_OFFLOAD", "-", input=decoded.stdout)
    assert encoded.exit_code == 0, encoded.stderr
    hex_text = encoded.stdout.strip()
    assert hex_text == hex_text.lower()
    again = run("decode", "--json", "NDIS_OFFLOAD", hex_text)
    assert json.loads(again.stdout) == json.loads(decoded.stdout)
    assert len(hex_text) == 2 * 112


def test_encode_reads_a_json_file_and_fills_missing_members_with_zero(
    run: CliRunnerCall, tmp_path: Path
) -> None:
    path = tmp_path / "params.json"
    path.write_text(json.dumps({"IPv4Checksum": "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED"}))
    result = run("encode", "--revision", "1", "NDIS_OFFLOAD_PARAMETERS", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "8001140004" + "00" * 15 + "\n"


def test_encode_without_header_or_revision_writes_the_newest_revision(run: CliRunnerCall) -> None:
    result = run("encode", "NDIS_OFFLOAD_PARAMETERS", "-", input="{}")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("800623")  # revision 6, 35 bytes


@pytest.mark.parametrize("struct_name", list(STRUCTURES))
def test_every_structure_round_trips_through_encode_and_decode(
    run: CliRunnerCall, struct_name: str
) -> None:
    encoded = run("encode", struct_name, "-", input="{}")
    assert encoded.exit_code == 0, encoded.stderr
    decoded = run("decode", "--json", struct_name, encoded.stdout.strip())
    assert decoded.exit_code == 0, decoded.stderr
    again = run("encode", struct_name, "-", input=decoded.stdout)
    assert again.stdout == encoded.stdout
    assert run("decode", struct_name, encoded.stdout.strip()).stdout.startswith(struct_name)


# -- lookup --------------------------------------------------------------------------------------


def test_lookup_by_name_prints_the_value_in_hex_and_decimal(run: CliRunnerCall) -> None:
    result = run("lookup", "NDIS_STATUS_INVALID_LENGTH")
    assert result.exit_code == 0
    assert result.stdout == "NDIS_STATUS_INVALID_LENGTH = 0xC0010014 (3221291028)\n"


def test_lookup_by_name_falls_back_to_any_case(run: CliRunnerCall) -> None:
    assert run("lookup", "oid_tcp_offload_parameters").stdout.startswith(
        "OID_TCP_OFFLOAD_PARAMETERS = 0xFC01020C"
    )


@pytest.mark.parametrize("value", ["0xC0010014", "0xc0010014", "3221291028", "-1073676268"])
def test_lookup_by_value_names_the_status_like_windbg_error(run: CliRunnerCall, value: str) -> None:
    result = run("lookup", value)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("NDIS_STATUS_INVALID_LENGTH = ")


def test_lookup_of_an_oid_value_gives_its_name(run: CliRunnerCall) -> None:
    assert run("lookup", "0xFC01020B").stdout.startswith("OID_TCP_OFFLOAD_CURRENT_CONFIG = ")


def test_lookup_of_a_shared_value_prints_every_name_status_and_oid_names_first(
    run: CliRunnerCall,
) -> None:
    lines = run("lookup", "0").stdout.splitlines()
    assert lines[0].startswith("NDIS_STATUS_SUCCESS = ")
    assert "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE = 0" in lines
    assert "NDIS_OFFLOAD_SET_NO_CHANGE = 0" in lines


def test_lookup_of_a_value_no_constant_has_exits_1(run: CliRunnerCall) -> None:
    result = run("lookup", "0x12345678")
    assert result.exit_code == 1
    assert "no known constant has the value 0x12345678" in _one_error_line(result)


def test_lookup_json_alone_prints_every_constant(run: CliRunnerCall) -> None:
    result = run("lookup", "--json")
    assert result.exit_code == 0
    table = json.loads(result.stdout)
    assert table == dict(ALL_CONSTANTS)
    assert table["NDIS_STATUS_INVALID_LENGTH"] == 0xC0010014


def test_lookup_json_with_a_value_prints_the_matches(run: CliRunnerCall) -> None:
    result = run("lookup", "--json", "0xC0010014")
    assert json.loads(result.stdout) == {"NDIS_STATUS_INVALID_LENGTH": 0xC0010014}


# -- output and entry points ---------------------------------------------------------------------


def test_a_terminal_gets_a_rich_tree_and_a_pipe_gets_plain_lines(run: CliRunnerCall) -> None:
    forced = run("decode", "NDIS_OFFLOAD_PARAMETERS", PARAMETERS_HEX, env={"FORCE_COLOR": "1"})
    assert "├── " in forced.stdout
    assert "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED" in forced.stdout
    plain = run("decode", "NDIS_OFFLOAD_PARAMETERS", PARAMETERS_HEX)
    assert "├" not in plain.stdout
    assert "\x1b[" not in plain.stdout


def test_help_documents_the_exit_codes(run: CliRunnerCall) -> None:
    for args in ([], ["decode"], ["encode"], ["lookup"]):
        result = run(*args, "--help")
        assert "Exit codes:" in result.stdout
        assert "2  bad input" in result.stdout


def test_python_dash_m_stack_is_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stack", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("decode", "encode", "lookup"):
        assert command in done.stdout


# -- the README shows what the commands really do ------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_console_examples() -> list[tuple[str, list[str]]]:
    """(command line, expected output lines) for every ``$ ndisemu`` / ``$ echo`` example."""
    examples: list[tuple[str, list[str]]] = []
    in_console = False
    command: str | None = None
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_console = line == "```console"
            command = None
            continue
        if not in_console:
            continue
        if line.startswith("$ "):
            command = line[2:]
            examples.append((command, []))
        elif command is not None and command.endswith("\\"):
            command = command[:-1] + line.strip()
            examples[-1] = (command, [])
        elif command is not None:
            examples[-1][1].append(line)
    return examples


def _run_readme_command(run: CliRunnerCall, command: str) -> Result:
    stdin = None
    if " | " in command:
        producer, command = command.split(" | ", 1)
        assert producer.startswith("echo ")
        stdin = shlex.split(producer)[1] + "\n"
    argv = shlex.split(command)
    assert argv[0] == "ndisemu"
    return run(*argv[1:], input=stdin)


@pytest.mark.parametrize(("command", "expected"), _readme_console_examples())
def test_every_readme_example_prints_what_the_readme_shows(
    run: CliRunnerCall, command: str, expected: list[str]
) -> None:
    result = _run_readme_command(run, command)
    shown = expected[: expected.index("  ...")] if "  ..." in expected else expected
    assert result.stdout.splitlines()[: len(shown)] == shown
    assert result.exit_code == (1 if '"status"' in "".join(expected) else 0)
