"""``ndisemu show``: PowerShell tables, Format-List, JSON, ethtool -k, --at, bindings, bad input."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stack.cli import cli
from stack.runtime import NET_CLASS_KEY

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
KEYWORD_AT_BOOT = str(SCENARIOS / "keyword_disabled_at_boot.py")
GATE = str(SCENARIOS / "encapsulation_gate.py")
MUX = str(SCENARIOS / "mux_failover_lso.py")
#: A trace line of keyword_disabled_at_boot after start() and before the RSC set: the scenario's
#: first expectation ("the hardware supports RSC IPv4").
BEFORE_THE_SET = "39"

LSO_REQUESTED = '''\
"""*LsoV2IPv4 = 0 at boot, set back to 1 without a restart; nic1 has no LSO at all."""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.miniport("nic1", preset="realtek-basic")
    stack.registry.adapter("nic0").set("*LsoV2IPv4", "0")
    stack.tcpip("tcpip", bind=["nic0", "nic1"])
    await stack.start()
    stack.cmdlet("Set-NetAdapterAdvancedProperty", "nic0", RegistryKeyword="*LsoV2IPv4",
                 RegistryValue="1", NoRestart=True)
    await stack.settle()
'''


def _show(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["show", *args])
    return result.exit_code, result.stdout, result.stderr


def _row(out: str, name: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.split()[:1] == [name])


@pytest.fixture
def lso_requested(tmp_path: Path) -> str:
    path = tmp_path / "lso_requested.py"
    path.write_text(LSO_REQUESTED, encoding="utf-8")
    return str(path)


# -- PowerShell style ----------------------------------------------------------------------------


def test_checksum_prints_get_netadapterchecksumoffload_columns_and_direction_values() -> None:
    code, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "checksum")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "Name",
        "IpIPv4Enabled",
        "TcpIPv4Enabled",
        "TcpIPv6Enabled",
        "UdpIPv4Enabled",
        "UdpIPv6Enabled",
    ]
    assert set(lines[1]) == {"-", " "}
    # PowerShell's widths: a 31-character Name column, 16 for the others.
    assert lines[0].index("IpIPv4Enabled") == 31
    assert lines[0].index("TcpIPv4Enabled") == 31 + 16
    assert _row(out, "nic0") == ["nic0"] + ["RxTxEnabled"] * 5


def test_each_bound_protocol_view_is_a_second_table() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "lso")
    assert "What each bound protocol believes" in out
    believed = [line.split() for line in out.splitlines() if "tcpip" in line]
    assert believed == [["nic0", "tcpip", "Running", "True", "True", "True"]]


def test_lso_shows_the_version_and_the_three_booleans() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "nic0", "lso")
    assert out.splitlines()[0].split() == [
        "Name",
        "Version",
        "V1IPv4Enabled",
        "IPv4Enabled",
        "IPv6Enabled",
    ]
    assert _row(out, "nic0") == ["nic0", "LSO", "Version", "2", "True", "True", "True"]


def test_at_seq_shows_the_earlier_state_keyword_off_then_enabled() -> None:
    code, early, err = _show(KEYWORD_AT_BOOT, "adapter", "rsc", "--at", BEFORE_THE_SET)
    assert code == 0
    assert _row(early, "nic0") == [
        "nic0",
        "False",
        "True",
        "False",
        "True",
        "NicPropertyDisabled",
        "NoFailure",
    ]
    assert f"state after trace seq {BEFORE_THE_SET}" in err
    _, final, _ = _show(KEYWORD_AT_BOOT, "adapter", "rsc")
    assert _row(final, "nic0") == ["nic0", "True", "True", "True", "True", "NoFailure", "NoFailure"]


def test_rsc_stopped_by_an_encapsulation_set_off_is_an_ndis_compatibility_failure() -> None:
    _, out, _ = _show(GATE, "adapter", "rsc")
    assert _row(out, "nic0")[3:] == ["False", "False", "NDISCompatibility", "NDISCompatibility"]


def test_advanced_properties_show_keywords_in_braces_with_display_names() -> None:
    _, early, _ = _show(KEYWORD_AT_BOOT, "adapter", "advanced", "--at", BEFORE_THE_SET)
    _, final, _ = _show(KEYWORD_AT_BOOT, "adapter", "advanced")
    header = early.splitlines()[0].split()
    assert header == ["Name", "DisplayName", "DisplayValue", "RegistryKeyword", "RegistryValue"]
    rsc = next(line for line in early.splitlines() if "*RscIPv4" in line)
    assert "Recv Segment Coalescing (IPv4)" in rsc
    assert rsc.split()[-3:] == ["Disabled", "*RscIPv4", "{0}"]
    rsc = next(line for line in final.splitlines() if "*RscIPv4" in line)
    assert rsc.split()[-3:] == ["Enabled", "*RscIPv4", "{1}"]
    # A keyword that is not in the registry reads as its default and has no registry value.
    lso = next(line for line in final.splitlines() if "*LsoV2IPv6" in line)
    assert lso.split()[-3:] == ["Enabled", "*LsoV2IPv6", "{}"]


def test_advanced_display_names_come_from_ndi_params_in_the_registry(tmp_path: Path) -> None:
    key = NET_CLASS_KEY + "\\0000"
    reg = tmp_path / "nic.reg"
    reg.write_text(
        "Windows Registry Editor Version 5.00\n\n"
        f"[{key}]\n"
        '"*LsoV2IPv4"="0"\n\n'
        f"[{key}\\Ndi\\params\\*LsoV2IPv4]\n"
        '"ParamDesc"="Large Send Offload V2 (IPv4)"\n'
        '"default"="1"\n\n'
        f"[{key}\\Ndi\\params\\*LsoV2IPv4\\enum]\n"
        '"0"="Off"\n'
        '"1"="On"\n',
        encoding="utf-8",
    )
    code, out, err = _show(KEYWORD_AT_BOOT, "adapter", "advanced", "--registry", str(reg), "--json")
    assert code == 0, err
    row = next(r for r in json.loads(out)["advanced"] if r["RegistryKeyword"] == "*LsoV2IPv4")
    assert row["DisplayName"] == "Large Send Offload V2 (IPv4)"
    assert row["DisplayValue"] == "Off"
    assert row["RegistryValue"] == ["0"]
    assert row["ValidDisplayValues"] == ["Off", "On"]
    assert reg.read_text(encoding="utf-8").count('"*LsoV2IPv4"="0"') == 1  # read, not written


def test_format_list_is_format_list_star_with_hardware_blocks_and_every_view() -> None:
    code, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "nic0", "checksum", "--format", "list")
    assert code == 0
    labels = {line.split(" : ")[0].strip(): line.split(" : ", 1)[1] for line in out.splitlines()}
    assert labels["Name"] == "nic0"
    assert labels["TcpIPv4Enabled"] == "RxTxEnabled"
    assert labels["ChecksumOffloadHardwareCapabilities"].startswith(
        "@{IPv4Transmit=@{Encapsulation=2;"
    )
    for label in ("Hardware", "Requested", "MiniportCurrent", "Operational"):
        assert labels[label].startswith("@{IpIPv4Enabled=")
    assert labels["ProtocolView(tcpip)"].startswith("@{IpIPv4Enabled=RxTxEnabled")
    assert labels["ProtocolView(ndisprot)"] == "(keeps no offload view)"
    # The colons line up, as Format-List aligns them.
    assert len({line.index(" : ") for line in out.splitlines() if line}) == 1


def test_json_keeps_the_cmdlet_property_names() -> None:
    code, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["scenario"] == "keyword_disabled_at_boot"
    assert data["at"] is None
    assert set(data) >= {"checksum", "lso", "rsc", "encapsulation", "advanced"}
    checksum = data["checksum"][0]
    assert checksum["Name"] == "nic0"
    assert checksum["UdpIPv6Enabled"] == "RxTxEnabled"
    assert data["lso"][0]["IPv4Enabled"] is True
    assert data["rsc"][0]["IPv4FailureReason"] == "NoFailure"
    assert data["lso"][0]["LargeSendOffloadV2HardwareCapabilities"]["IPv4"]["MaxOffLoadSize"] == (
        262144
    )
    assert data["checksum"][0]["ProtocolViews"]["tcpip"]["TcpIPv4Enabled"] == "RxTxEnabled"


def test_json_at_seq_names_the_last_delivery() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "rsc", "--format", "json", "--at", "39")
    at = json.loads(out)["at"]
    assert at["seq"] == 39
    assert at["delivery"]["seq"] <= 39 and "dst" in at["delivery"]


# -- ethtool style -------------------------------------------------------------------------------


def test_ethtool_marks_requested_on_where_a_keyword_asks_for_what_does_not_run(
    lso_requested: str,
) -> None:
    code, out, _ = _show(lso_requested, "adapter", "nic0", "lso", "--style", "ethtool")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Features for nic0:"
    assert "tcp-segmentation-offload: on" in lines
    assert "\ttx-tcp-segmentation: off [requested on]" in lines
    assert "\ttx-tcp6-segmentation: on" in lines
    assert "\ttcpip (Running): same" in lines


def test_ethtool_marks_fixed_where_the_hardware_lacks_the_feature(lso_requested: str) -> None:
    _, out, _ = _show(lso_requested, "adapter", "nic1", "lso", "--style", "ethtool")
    lines = out.splitlines()
    assert "tcp-segmentation-offload: off [fixed]" in lines
    assert "\ttx-tcp6-segmentation: off [fixed]" in lines


def test_ethtool_shows_receive_checksum_held_by_the_encapsulation_gate() -> None:
    _, out, _ = _show(GATE, "adapter", "checksum", "--style", "ethtool")
    lines = out.splitlines()
    assert "rx-checksumming: off" in lines
    assert "\trx-checksum-tcp-ipv4: off [requested on]" in lines
    assert "\ttx-checksum-tcp-ipv4: on" in lines
    assert "\tndisprot (Running): keeps no offload view" in lines


def test_ethtool_json_has_every_source_per_feature(lso_requested: str) -> None:
    _, out, _ = _show(lso_requested, "adapter", "nic0", "lso", "--style", "ethtool", "--json")
    feature = json.loads(out)["adapters"][0]["features"]["tx-tcp-segmentation"]
    assert feature == {
        "active": False,
        "requested": True,
        "fixed": False,
        "current": False,
        "miniport": False,
    }


# -- a MUX: the virtual adapter and its members --------------------------------------------------


def test_a_mux_team_is_listed_before_its_members_with_their_roles() -> None:
    _, out, _ = _show(MUX, "adapter", "checksum")
    names = [line.split()[0] for line in out.splitlines()[2:5]]
    assert names == ["team0", "nic0", "nic1"]
    _, out, _ = _show(MUX, "adapter", "team0", "lso", "--style", "ethtool")
    assert "\tmembers: nic0 (out), nic1 (active)" in out.splitlines()


# -- bindings ------------------------------------------------------------------------------------


def test_bindings_table_lists_every_open() -> None:
    code, out, _ = _show(MUX, "bindings")
    assert code == 0
    assert out.splitlines()[0].split() == [
        "Adapter",
        "Kind",
        "Miniport",
        "State",
        "Members",
        "Protocol",
        "Driver",
        "Binding",
        "OffloadEncapsulation",
    ]
    team0 = _row(out, "team0")
    assert team0[:7] == ["team0", "virtual", "mux", "Running", "nic0,", "nic1", "tcpip"]
    assert _row(out, "nic1")[:3] == ["nic1", "physical", "nic1"]


def test_bindings_dot_draws_the_stack_upwards() -> None:
    code, out, _ = _show(MUX, "bindings", "--format", "dot")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "digraph ndisemu {" and lines[-1] == "}"
    assert "  rankdir=BT;" in lines
    assert '  "driver:mux" -> "adapter:team0" [style=dashed, label="miniport"];' in lines
    assert '  "adapter:nic1" -> "driver:mux" [label="Running"];' in lines
    assert '  "adapter:team0" -> "driver:tcpip" [label="Running"];' in lines


def test_bindings_json() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "bindings", "--json")
    (adapter,) = json.loads(out)["adapters"]
    assert adapter["name"] == "nic0" and adapter["kind"] == "physical"
    assert [(b["protocol"], b["state"]) for b in adapter["bindings"]] == [
        ("ndisprot", "Running"),
        ("tcpip", "Running"),
    ]


def test_bindings_at_the_start_show_opens_still_opening() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "bindings", "--at", "14", "--json")
    bindings = json.loads(out)["adapters"][0]["bindings"]
    assert {b["state"] for b in bindings} == {"Opening"}


# -- replaying a tape ----------------------------------------------------------------------------


def test_a_tape_replays_its_scenario_and_seed(tmp_path: Path) -> None:
    explore = pytest.importorskip("stack.explore")
    import hashlib

    tape = explore.Tape(
        scenario_name="keyword_disabled_at_boot",
        scenario_path=KEYWORD_AT_BOOT,
        scenario_sha256=hashlib.sha256(Path(KEYWORD_AT_BOOT).read_bytes()).hexdigest(),
        strategy="fifo",
        params={},
        seed=0,
        entries=(),
    )
    path = tape.save(tmp_path / "fifo.tape.json")
    code, from_tape, err = _show("--tape", str(path), "adapter", "rsc", "--at", BEFORE_THE_SET)
    assert code == 0, err
    _, direct, _ = _show(KEYWORD_AT_BOOT, "adapter", "rsc", "--at", BEFORE_THE_SET)
    assert from_tape == direct
    code, _, err = _show("--tape", str(path), "--seed", "1", "adapter")
    assert code == 2 and "--seed and --tape" in err


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((KEYWORD_AT_BOOT, "adapter", "nic9", "lso"), "no adapter named 'nic9'"),
        ((KEYWORD_AT_BOOT, "adapter", "nic9"), "neither an adapter"),
        ((KEYWORD_AT_BOOT, "adapter", "nic0", "checksums"), "unknown view 'checksums'"),
        ((KEYWORD_AT_BOOT, "adapters"), "cannot show 'adapters'"),
        ((KEYWORD_AT_BOOT,), "say what to show"),
        ((KEYWORD_AT_BOOT, "adapter", "--at", "100000"), "the run has 61 trace lines"),
        ((KEYWORD_AT_BOOT, "adapter", "--at", "0"), "nothing has been delivered"),
        ((KEYWORD_AT_BOOT, "adapter", "--at", "-1"), "'--at'"),
        ((KEYWORD_AT_BOOT, "adapter", "--format", "dot"), "--format dot"),
        ((KEYWORD_AT_BOOT, "bindings", "--format", "list"), "show bindings prints"),
        ((KEYWORD_AT_BOOT, "adapter", "advanced", "--style", "ethtool"), "registry keywords"),
        ((KEYWORD_AT_BOOT, "adapter", "--json", "--format", "list"), "exclude each other"),
        (("missing.py", "adapter"), "no such scenario file"),
        ((KEYWORD_AT_BOOT, "adapter", "--registry", "missing.reg"), "no such registry file"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = _show(*args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert err.count("Error:") == 1


def test_the_same_point_shows_the_same_bytes() -> None:
    first = _show(MUX, "adapter", "--at", "120", "--style", "ethtool")
    assert _show(MUX, "adapter", "--at", "120", "--style", "ethtool") == first


def test_the_views_package_never_imports_the_cli() -> None:
    for path in sorted((ROOT / "stack" / "views").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("stack.cli"), path
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("stack.cli") for a in node.names), path


def test_on_a_terminal_tables_are_rich_and_no_color_is_honoured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from rich.console import Console

    from stack.views import print_blocks
    from stack.views._text import Block, Lines, Table

    blocks: list[Block] = [
        Table(columns=("Name", "IPv4Enabled"), rows=(("nic0", "True"),)),
        Lines(lines=("x",)),
    ]
    colored = io.StringIO()
    print_blocks(blocks, Console(file=colored, force_terminal=True, width=120))
    assert "\x1b[" in colored.getvalue() and "nic0" in colored.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = io.StringIO()
    print_blocks(blocks, Console(file=plain, force_terminal=True, width=120))
    assert "\x1b[3" not in plain.getvalue()  # no colour codes
    assert "IPv4Enabled" in plain.getvalue()


def test_no_lower_layer_imports_the_views() -> None:
    for layer in ("ndis", "runtime", "trace", "drivers", "scenario", "explore"):
        for path in sorted((ROOT / "stack" / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                assert not any(n.startswith("stack.views") for n in names), path
