"""``ndisemu show``: the cmdlets' tables and Format-List *, ethtool -k, JSON, --at, bindings.

Each table test names the reference it follows; the layout rules themselves are checked against
the published transcripts in ``test_pslayout.py``.
"""

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

#: Every name ``ethtool -k`` can print for these features: the legacy flags' long names
#: (ethtool common.c ``off_flag_def``) and the kernel's ``netdev_features_strings`` (Linux
#: net/ethtool/common.c) that an NDIS bit maps to or that share a printed flag.
ETHTOOL_NAMES = {
    "rx-checksumming", "tx-checksumming", "tcp-segmentation-offload", "large-receive-offload",
    "rx-checksum", "tx-checksum-ipv4", "tx-checksum-ip-generic", "tx-checksum-ipv6",
    "tx-checksum-fcoe-crc", "tx-checksum-sctp", "tx-tcp-segmentation", "tx-tcp-ecn-segmentation",
    "tx-tcp-mangleid-segmentation", "tx-tcp6-segmentation", "rx-lro", "tx-gre-segmentation",
    "tx-udp_tnl-segmentation", "tx-udp-segmentation",
}  # fmt: skip


STATES = {"on", "off", "on [fixed]", "off [fixed]", "on [requested off]", "off [requested on]"}


def _show(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["show", *args])
    return result.exit_code, result.stdout, result.stderr


def _row(out: str, name: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.split()[:1] == [name])


def _first_block(out: str) -> list[str]:
    lines = out.splitlines()
    return lines[: lines.index("")] if "" in lines else lines


@pytest.fixture
def lso_requested(tmp_path: Path) -> str:
    path = tmp_path / "lso_requested.py"
    path.write_text(LSO_REQUESTED, encoding="utf-8")
    return str(path)


# -- PowerShell tables ---------------------------------------------------------------------------


def test_checksum_is_get_netadapterchecksumoffload_exactly() -> None:
    """Get-NetAdapterChecksumOffload's default table: Name (30) and the five Direction
    columns (15), as in the 2019 "Nic Fixes for X11's" transcript (``test_pslayout``); values
    from MSFT_NetAdapterChecksumOffloadSettingData's Direction enumeration."""
    code, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "checksum")
    assert code == 0
    assert _first_block(out) == [
        "Name                           IpIPv4Enabled   TcpIPv4Enabled  TcpIPv6Enabled  UdpIPv4Enabled  UdpIPv6Enabled",  # noqa: E501
        "----                           -------------   --------------  --------------  --------------  --------------",  # noqa: E501
        "nic0                           RxTxEnabled     RxTxEnabled     RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
    ]


def test_lso_is_get_netadapterlso_with_its_version_column() -> None:
    """Get-NetAdapterLso: ``Name Version V1IPv4Enabled IPv4Enabled IPv6Enabled``.  ``Version``
    is the module's ScriptProperty over MaximumLsoVersionSupported (a real ``Select-Object *``
    list, SobolevD/monitoring_app NetAdapterLsoInfo.java, holds it); the widths are recalled,
    not confirmed by a transcript (``_powershell`` docstring)."""
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "nic0", "lso")
    assert _first_block(out) == [
        "Name                           Version         V1IPv4Enabled  IPv4Enabled  IPv6Enabled",
        "----                           -------         -------------  -----------  -----------",
        "nic0                           LSO Version 2   True           True         True",
    ]


def test_uso_is_get_netadapteruso() -> None:
    """Get-NetAdapterUso: the two properties Set-NetAdapterUso sets (PS/Set-NetAdapterUso.yml:
    -IPv4Enabled, -IPv6Enabled); widths unconfirmed."""
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "uso")
    assert _first_block(out) == [
        "Name                           IPv4Enabled  IPv6Enabled",
        "----                           -----------  -----------",
        "nic0                           True         True",
    ]


def test_rsc_is_get_netadapterrsc_with_wrapped_labels_at_both_points() -> None:
    """Get-NetAdapterRsc as in the ask.wireshark.org transcript (``test_pslayout``): the
    OperationalState labels wrap onto ``State``; on a 120-column console Name and
    IPv6FailureReason share the rest (21 each).  ``NicPropertyDisabled`` does not fit the
    17-wide IPv4FailureReason column, so PowerShell 5.1 cuts it to ``NicPropertyDis...``."""
    code, early, err = _show(KEYWORD_AT_BOOT, "adapter", "rsc", "--at", BEFORE_THE_SET)
    assert code == 0
    assert f"state after trace seq {BEFORE_THE_SET}" in err
    header = [
        "Name                  IPv4Enabled  IPv6Enabled  IPv4Operational IPv6Operational IPv4FailureReason IPv6FailureReason",  # noqa: E501
        "                                                State           State",
        "----                  -----------  -----------  --------------- --------------- ----------------- -----------------",  # noqa: E501
    ]
    assert _first_block(early) == [
        *header,
        "nic0                  False        True         False           True            NicPropertyDis... NoFailure",  # noqa: E501
    ]
    _, final, _ = _show(KEYWORD_AT_BOOT, "adapter", "rsc")
    assert _first_block(final) == [
        *header,
        "nic0                  True         True         True            True            NoFailure         NoFailure",  # noqa: E501
    ]


def test_rsc_stopped_by_an_encapsulation_set_off_is_an_ndis_compatibility_failure() -> None:
    _, out, _ = _show(GATE, "adapter", "rsc")
    assert _row(out, "nic0")[3:] == ["False", "False", "NDISCompatibility", "NDISCompatibility"]


def test_encapsulation_is_name_enabled_as_windows_prints_it() -> None:
    """Get-NetAdapterEncapsulatedPacketTaskOffload prints ``Name Enabled`` only (the 2019
    "Nic Fixes for X11's" transcript); Enabled is EncapsulatedPacketTaskOffloadEnabled
    (msft-netadapterencapsulatedpackettaskoffloadsettingdata.md)."""
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "encapsulation")
    assert _first_block(out) == [
        "Name                           Enabled",
        "----                           -------",
        "nic0                           True",
    ]
    _, listed, _ = _show(KEYWORD_AT_BOOT, "adapter", "encapsulation", "--format", "list")
    labels = [line.split(" : ")[0].strip() for line in _first_block(listed)]
    assert labels[11:16] == [
        "EncapsulatedPacketTaskOffloadEnabled",
        "EncapsulatedPacketTaskOffloadHardwareCapabilities",
        "NvgreEncapsulatedPacketTaskOffloadEnabled",
        "VxlanEncapsulatedPacketTaskOffloadEnabled",
        "VxlanUDPPortNumber",
    ]


def test_advanced_properties_use_the_transcript_widths_and_cut_long_keywords() -> None:
    """Get-NetAdapterAdvancedProperty: widths 25/30/30/15 and ``...`` cuts as in the 2019
    transcript (``*InterruptMo...``); RegistryValue in braces, ``{}`` for a keyword not in the
    registry (ndisemu lists it with the default the miniport reads)."""
    _, early, _ = _show(KEYWORD_AT_BOOT, "adapter", "advanced", "--at", BEFORE_THE_SET)
    _, final, _ = _show(KEYWORD_AT_BOOT, "adapter", "advanced")
    assert early.splitlines()[:4] == [
        "Name                      DisplayName                    DisplayValue                   RegistryKeyword RegistryValue",  # noqa: E501
        "----                      -----------                    ------------                   --------------- -------------",  # noqa: E501
        "nic0                      Encapsulated Task Offload      Enabled                        *Encapsulate... {}",  # noqa: E501
        "nic0                      IPv4 Checksum Offload          Rx & Tx Enabled                *IPChecksumO... {}",  # noqa: E501
    ]
    rsc = next(line for line in early.splitlines() if "*RscIPv4" in line)
    expected = "nic0                      Recv Segment Coalescing (IPv4) Disabled                       *RscIPv4        {0}"  # noqa: E501
    assert rsc == expected
    rsc = next(line for line in final.splitlines() if "*RscIPv4" in line)
    assert rsc.split()[-3:] == ["Enabled", "*RscIPv4", "{1}"]
    lso = next(line for line in final.splitlines() if "*LsoV2IPv6" in line)
    assert lso.startswith("nic0                      Large Send Offload Version ... Enabled")


def test_advanced_display_names_come_from_ndi_params_in_the_registry(tmp_path: Path) -> None:
    key = NET_CLASS_KEY + "\\0000"
    reg = tmp_path / "nic.reg"
    reg.write_text(
        "Windows Registry Editor Version 5.00\n\n"
        f"[{key}]\n"
        '"*LsoV2IPv4"="0"\n\n'
        f"[{key}\\Ndi\\params\\*LsoV2IPv4]\n"
        '"ParamDesc"="Large Send Offload V2 (IPv4)"\n'
        '"default"="1"\n"type"="enum"\n\n'
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
    assert row["RegistryValue"] == ["0"] and row["ValueData"] == ["0"]
    assert row["ValidDisplayValues"] == ["Off", "On"]
    assert row["DisplayParameterType"] == 5  # enum (msft-netadapteradvancedpropertysettingdata)
    assert row["InstanceID"].endswith("}::*LsoV2IPv4")
    assert reg.read_text(encoding="utf-8").count('"*LsoV2IPv4"="0"') == 1  # read, not written


def test_adapters_without_the_feature_are_left_out_as_the_cmdlets_do(lso_requested: str) -> None:
    """The cmdlets get "the network adapters that support" the feature (PS/Get-NetAdapterRsc.md,
    PS/Get-NetAdapterEncapsulatedPacketTaskOffload.md): the realtek-basic nic1 (checksum only)
    is in Get-NetAdapterChecksumOffload only; named, it gets the cmdlet's error record."""
    for view in ("lso", "uso", "rsc", "encapsulation"):
        _, out, _ = _show(lso_requested, "adapter", view)
        names = [line.split()[0] for line in _first_block(out) if line.strip()]
        assert "nic0" in names and "nic1" not in names, view
    _, out, _ = _show(lso_requested, "adapter", "checksum")
    assert [line.split()[0] for line in _first_block(out)[2:]] == ["nic0", "nic1"]
    code, out, _ = _show(lso_requested, "adapter", "nic1", "rsc")
    assert code == 0
    assert out.splitlines() == [
        "Get-NetAdapterRsc : No MSFT_NetAdapterRscSettingData objects found with property 'Name' "
        "equal to 'nic1'.  Verify the value of the property and retry."
    ]


def test_a_surprise_removed_adapter_is_gone_from_the_cmdlets() -> None:
    _, out, _ = _show(MUX, "adapter", "checksum")
    assert [line.split()[0] for line in _first_block(out)[2:]] == ["team0", "nic1"]


def test_each_bound_protocol_view_is_a_table_labelled_as_ndisemus() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "lso")
    lines = out.splitlines()
    title = lines.index("ndisemu: what each bound protocol believes (no cmdlet prints this)")
    assert lines[title + 2 :] == [
        "Name Protocol Binding V1IPv4Enabled IPv4Enabled IPv6Enabled",
        "---- -------- ------- ------------- ----------- -----------",
        "nic0 tcpip    Running True          True        True",
    ]


# -- Format-List * and JSON ----------------------------------------------------------------------


def test_format_list_star_is_the_cim_object_in_windows_order() -> None:
    """``Get-NetAdapterRsc | Format-List *``: the module's aliases, the inherited CIM properties,
    MSFT_NetAdapterRscSettingData's own (msft-netadapterrscsettingdata.md) alphabetically, then
    the CimInstance wrapper's; order as a real ``Select-Object *`` list gives it (SobolevD/
    monitoring_app NetAdapterLsoInfo.java, see ``stack.views._cim``)."""
    code, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "nic0", "rsc", "--format", "list")
    assert code == 0
    assert _first_block(out) == [
        "ifAlias                 : nic0",
        "InterfaceAlias          : nic0",
        "ifDesc                  : intel-x710",
        "Caption                 :",
        "Description             :",
        "ElementName             :",
        "InstanceID              : {341169B0-7D1C-5205-B997-8D33D4236960}",
        "InterfaceDescription    : intel-x710",
        "Name                    : nic0",
        "Source                  : 2",
        "SystemName              : NDISEMU",
        "IPv4Enabled             : True",
        "IPv4FailureReason       : NoFailure",
        "IPv4OperationalState    : True",
        "IPv6Enabled             : True",
        "IPv6FailureReason       : NoFailure",
        "IPv6OperationalState    : True",
        "RscHardwareCapabilities : MSFT_NetAdapterRscCapabilities",
        "PSComputerName          :",
        "CimClass                : ROOT/StandardCimv2:MSFT_NetAdapterRscSettingData",
        "CimInstanceProperties   : {Caption, Description, ElementName, InstanceID...}",
        "CimSystemProperties     : Microsoft.Management.Infrastructure.CimSystemProperties",
    ]


def test_format_list_then_ndisemus_sources_with_the_capability_property_names() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "nic0", "checksum", "--format", "list")
    lines = out.splitlines()
    start = lines.index("ndisemu: every source of these settings (no cmdlet prints this)")
    ours = " ".join(line.strip() for line in lines[start:])
    for label in ("Hardware", "Requested", "Current", "MiniportCurrent", "Operational"):
        assert f"{label}" in ours
    # The embedded MSFT_NetAdapterChecksumOffloadCapabilities, by its own property names.
    assert "IPv4TransmitTcpChecksumSupported=True" in ours
    assert "ProtocolView(ndisprot) : (keeps no offload view)" in " ".join(ours.split())
    windows = lines[:start]
    assert "ChecksumOffloadHardwareCapabilities : MSFT_NetAdapterChecksumOffloadCapabilities" in (
        " ".join(line.split()) for line in windows
    )
    # The colons line up within each object, as Format-List aligns them.
    assert len({line.index(" :") for line in _first_block(out)}) == 1


def test_json_keeps_the_cim_property_names_and_expands_capabilities() -> None:
    code, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["scenario"] == "keyword_disabled_at_boot"
    assert data["at"] is None
    assert set(data) >= {"checksum", "lso", "uso", "rsc", "encapsulation", "advanced"}
    checksum = data["checksum"][0]
    assert checksum["Name"] == "nic0" and checksum["ifAlias"] == "nic0"
    assert checksum["UdpIPv6Enabled"] == "RxTxEnabled"
    caps = checksum["ChecksumOffloadHardwareCapabilities"]
    assert caps["IPv4TransmitTcpChecksumSupported"] is True
    assert caps["IPv4TransmitEncapsulation"] == ["NdisEncapsulationIeee802_3"]
    lso = data["lso"][0]
    assert lso["IPv4Enabled"] is True and lso["Version"] == "LSO Version 2"
    assert lso["LargeSendOffloadV2HardwareCapabilities"]["IPv4MaxOffloadSizeSupported"] == 262144
    assert data["rsc"][0]["IPv4FailureReason"] == "NoFailure"
    ours = checksum["ndisemu"]
    assert ours["ProtocolViews"]["tcpip"]["TcpIPv4Enabled"] == "RxTxEnabled"
    assert ours["Hardware"]["IpIPv4Enabled"] == "RxTxEnabled"


def test_json_at_seq_names_the_last_delivery() -> None:
    _, out, _ = _show(KEYWORD_AT_BOOT, "adapter", "rsc", "--format", "json", "--at", "39")
    at = json.loads(out)["at"]
    assert at["seq"] == 39
    assert at["delivery"]["seq"] <= 39 and "dst" in at["delivery"]


# -- ethtool style -------------------------------------------------------------------------------


def _ethtool_part(out: str) -> list[str]:
    """The ``ethtool -k`` lines of the first adapter: up to the first blank line."""
    return _first_block(out)


def test_ethtool_checksum_is_ethtool_k_exactly() -> None:
    """``ethtool -k`` layout (ethtool netlink/features.c ``dump_features``, common.c
    ``off_flag_def``; a real output: ``rx-checksumming: on`` / ``tx-checksumming: on`` /
    ``<tab>tx-checksum-ipv4: off [fixed]`` / ``<tab>tx-checksum-ip-generic: on`` / ...
    ``tx-checksum-sctp: off [fixed]``): rx-checksumming matches the one feature rx-checksum and
    is a single line with its state; tx-checksumming lists its five features in kernel bit
    order.  Here the encapsulation gate holds every receive checksum."""
    _, out, _ = _show(GATE, "adapter", "checksum", "--style", "ethtool")
    assert _ethtool_part(out) == [
        "Features for nic0:",
        "rx-checksumming: off [requested on]",
        "tx-checksumming: on",
        "\ttx-checksum-ipv4: on",
        "\ttx-checksum-ip-generic: off [fixed]",
        "\ttx-checksum-ipv6: on",
        "\ttx-checksum-fcoe-crc: off [fixed]",
        "\ttx-checksum-sctp: off [fixed]",
    ]
    lines = out.splitlines()
    ndis = lines.index("NDIS offloads without an ethtool name (ndisemu's lines, not ethtool's):")
    assert lines[ndis + 1 : ndis + 3] == [
        "Checksum.IPv4Transmit.IpChecksum: on",
        "Checksum.IPv4Receive.IpChecksum: off [requested on]",
    ]
    assert "\tndisprot (Running): keeps no offload view" in lines


def test_ethtool_marks_requested_on_where_a_keyword_asks_for_what_does_not_run(
    lso_requested: str,
) -> None:
    """tcp-segmentation-offload and its four features (``tx-tcp*-segmentation``, bit order
    TSO, TSO_ECN, TSO_MANGLEID, TSO6); LSOv1 against LSOv2 only in ndisemu's block."""
    code, out, _ = _show(lso_requested, "adapter", "nic0", "lso", "--style", "ethtool")
    assert code == 0
    assert out.splitlines()[:10] == [
        "Features for nic0:",
        "tcp-segmentation-offload: on",
        "\ttx-tcp-segmentation: off [requested on]",
        "\ttx-tcp-ecn-segmentation: off [fixed]",
        "\ttx-tcp-mangleid-segmentation: off [fixed]",
        "\ttx-tcp6-segmentation: on",
        "",
        "NDIS offloads without an ethtool name (ndisemu's lines, not ethtool's):",
        "LsoV1.IPv4: off [requested on]",
        "LsoV2.IPv4: off [requested on]",
    ]
    assert "\ttcpip (Running): same" in out.splitlines()


def test_ethtool_marks_fixed_where_the_hardware_lacks_the_feature(lso_requested: str) -> None:
    _, out, _ = _show(lso_requested, "adapter", "nic1", "lso", "--style", "ethtool")
    lines = out.splitlines()
    assert "tcp-segmentation-offload: off" in lines  # a flag line never says [fixed]
    assert "\ttx-tcp6-segmentation: off [fixed]" in lines


@pytest.mark.parametrize("scenario", [KEYWORD_AT_BOOT, GATE, MUX])
def test_ethtool_part_uses_only_real_ethtool_names(scenario: str) -> None:
    """Every line before ndisemu's block is ``Features for DEV:`` or a name ethtool prints:
    a legacy flag of ``off_flag_def`` or a ``netdev_features_strings`` entry."""
    _, out, _ = _show(scenario, "adapter", "--style", "ethtool")
    blocks = out.split("\n\n")
    ethtool = [b for b in blocks if b.startswith("Features for ")]
    assert ethtool
    for block in ethtool:
        for line in block.splitlines()[1:]:
            name = line.strip().split(":")[0]
            assert name in ETHTOOL_NAMES, line
            assert line.split(": ", 1)[1] in STATES, line


def test_ethtool_json_has_every_source_per_feature(lso_requested: str) -> None:
    _, out, _ = _show(lso_requested, "adapter", "nic0", "lso", "--style", "ethtool", "--json")
    adapter = json.loads(out)["adapters"][0]
    assert adapter["features"]["tx-tcp-segmentation"] == {
        "active": False,
        "requested": True,
        "fixed": False,
        "current": False,
        "miniport": False,
    }
    assert adapter["features"]["tx-tcp-ecn-segmentation"]["fixed"] is True
    assert adapter["ndis_features"]["LsoV2.IPv6"]["active"] is True
    assert adapter["protocols"]["tcpip"]["features"]["LsoV2.IPv4"] is False


# -- a MUX: the virtual adapter and its members --------------------------------------------------


def test_a_mux_team_is_listed_before_its_members_with_their_roles() -> None:
    _, out, _ = _show(MUX, "adapter", "checksum", "--style", "ethtool")
    names = [line for line in out.splitlines() if line.startswith("Features for ")]
    assert names == ["Features for team0:", "Features for nic0:", "Features for nic1:"]
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
    _, out, _ = _show(KEYWORD_AT_BOOT, "bindings", "--at", "10", "--json")
    bindings = json.loads(out)["adapters"][0]["bindings"]
    assert {b["state"] for b in bindings} == {"Opening"}


def test_the_protocols_bind_while_the_adapter_is_paused() -> None:
    # N/starting-a-driver-stack.md step 5: the binds complete (Paused) before NDIS restarts nic0.
    _, out, _ = _show(KEYWORD_AT_BOOT, "bindings", "--at", "14", "--json")
    adapter = json.loads(out)["adapters"][0]
    assert adapter["state"] == "Paused"
    assert {b["state"] for b in adapter["bindings"]} == {"Paused"}


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
        ((KEYWORD_AT_BOOT, "adapter", "--at", "100000"), "the run has 63 trace lines"),
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


NO_RESTART = """\
async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    stack.cmdlet("Disable-NetAdapterLso", "nic0", IPv4=True, no_restart=True)
    await stack.settle()
"""


def test_get_netadapterlso_after_no_restart_shows_the_registry_not_the_running_config(
    tmp_path: Path,
) -> None:
    """Issue 10 item 1: -NoRestart writes the keywords only (PS/Set-NetAdapterLso.yml); the
    cmdlets report from the registry-backed MSFT_NetAdapterLsoSettingData (Emulex manual,
    "Advisory: PowerShell Behavior"), so Get shows IPv4 off while the adapter still runs it."""
    path = tmp_path / "no_restart.py"
    path.write_text(NO_RESTART, encoding="utf-8")
    code, out, _ = _show(str(path), "adapter", "nic0", "lso")
    assert code == 0, out
    assert _row(out, "nic0")[-3:] == ["False", "False", "True"]  # V1IPv4, IPv4, IPv6
    _, out, _ = _show(str(path), "adapter", "nic0", "lso", "--json")
    record = json.dumps(json.loads(out))
    assert '"IPv4Enabled": false' in record and '"IPv4Enabled": true' in record
