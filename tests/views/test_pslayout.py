"""The PowerShell layout against published real transcripts: the cmdlets' tables as ndisemu lays
them out (``stack.views._powershell.VIEW_SPECS`` widths, ``_pslayout`` rules) must be the text
Windows printed, for the same objects.

Sources (public transcripts found with the code search; quoted in each test):

* "Nic Fixes for X11's", a 2019 tuning script for LBFO-teamed Intel X710 servers (Softlayer),
  which pastes ``Get-NetAdapterChecksumOffload``, ``Get-NetAdapterAdvancedProperty`` and
  ``Get-NetAdapterEncapsulatedPacketTaskOffload`` output as comments;
* a Kubernetes/antrea Windows host's notes with ``Get-NetAdapterChecksumOffload`` output;
* the ask.wireshark.org question on RSC and NDISCompatibility (2014) with ``get-netadapterrsc``
  output (whitespace between lines lost in the HTML; reconstructed below);
* PowerShell's formatter source (``TableWriter.cs``, ``ColumnWidthManager.cs``,
  ``StringManipulationHelper``) for the rules the transcripts show.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stack.views._powershell import cmdlet_table
from stack.views._pslayout import (
    Column,
    column_widths,
    format_list,
    format_value,
    render_table,
    truncate,
    wrap,
)


def _checksum(name: str, tcp4: str) -> dict[str, str]:
    return {
        "Name": name,
        "IpIPv4Enabled": "RxTxEnabled",
        "TcpIPv4Enabled": tcp4,
        "TcpIPv6Enabled": "RxTxEnabled",
        "UdpIPv4Enabled": "RxTxEnabled",
        "UdpIPv6Enabled": "RxTxEnabled",
    }


def test_checksum_table_is_the_2019_lbfo_transcript() -> None:
    """The "Nic Fixes for X11's" (2019), after ``Disable-NetAdapterChecksumOffload -Name *
    -TcpIPv4``: a 30-wide Name, 15-wide Direction columns, one space between."""
    names = ["PrivateNetwork-Teamed", "PublicNetwork-Teamed", "PublicNetwork-B",
             "PrivateNetwork-B", "PublicNetwork-A", "PrivateNetwork-A"]  # fmt: skip
    out = cmdlet_table("checksum", [_checksum(n, "Disabled") for n in names])
    assert out == [
        "Name                           IpIPv4Enabled   TcpIPv4Enabled  TcpIPv6Enabled  UdpIPv4Enabled  UdpIPv6Enabled",  # noqa: E501
        "----                           -------------   --------------  --------------  --------------  --------------",  # noqa: E501
        "PrivateNetwork-Teamed          RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
        "PublicNetwork-Teamed           RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
        "PublicNetwork-B                RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
        "PrivateNetwork-B               RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
        "PublicNetwork-A                RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
        "PrivateNetwork-A               RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
    ]


def test_a_long_adapter_name_is_cut_with_three_dots_as_on_the_antrea_host() -> None:
    """The antrea notes: ``vEthernet (KubeProxyInterna... RxTxEnabled ...``: a name longer than
    the 30-wide column keeps 27 characters and ``...`` (Windows PowerShell 5.1's ellipsis)."""
    out = cmdlet_table(
        "checksum",
        [_checksum("vEthernet (KubeProxyInternalNIC)", "RxTxEnabled"),
         _checksum("antrea-gw0", "Disabled")],
    )  # fmt: skip
    assert out[2:] == [
        "vEthernet (KubeProxyInterna... RxTxEnabled     RxTxEnabled     RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
        "antrea-gw0                     RxTxEnabled     Disabled        RxTxEnabled     RxTxEnabled     RxTxEnabled",  # noqa: E501
    ]


def _advanced(name: str, display: str, value: str, keyword: str, data: str) -> dict[str, object]:
    return {
        "Name": name,
        "DisplayName": display,
        "DisplayValue": value,
        "RegistryKeyword": keyword,
        "RegistryValue": [data],
    }


def test_advanced_property_table_is_the_2019_transcript() -> None:
    """The "Nic Fixes for X11's": ``Get-NetAdapterAdvancedProperty -DisplayName "Packet Priority &
    VLAN"`` and ``-DisplayName "Interrupt Moderation"``: widths 25, 30, 30, 15; long values cut
    to ``Packet Priority & VLAN Disa...`` and ``*PriorityVLA...``; the value in braces."""
    out = cmdlet_table(
        "advanced",
        [
            _advanced("PublicNetwork-B", "Packet Priority & VLAN", "Packet Priority & VLAN "
                      "Disabled", "*PriorityVLANTag", "0"),
            _advanced("PrivateNetwork-A", "Interrupt Moderation", "Disabled",
                      "*InterruptModeration", "0"),
            _advanced("PublicNetwork-B", "Receive Buffers", "4096", "*ReceiveBuffers", "4096"),
        ],
    )  # fmt: skip
    assert out == [
        "Name                      DisplayName                    DisplayValue                   RegistryKeyword RegistryValue",  # noqa: E501
        "----                      -----------                    ------------                   --------------- -------------",  # noqa: E501
        "PublicNetwork-B           Packet Priority & VLAN         Packet Priority & VLAN Disa... *PriorityVLA... {0}",  # noqa: E501
        "PrivateNetwork-A          Interrupt Moderation           Disabled                       *InterruptMo... {0}",  # noqa: E501
        "PublicNetwork-B           Receive Buffers                4096                           *ReceiveBuffers {4096}",  # noqa: E501
    ]


def test_encapsulated_packet_task_offload_table_is_name_enabled() -> None:
    """The "Nic Fixes for X11's": ``get-NetAdapterEncapsulatedPacketTaskOffload -Name *`` prints
    ``Name`` (30) and ``Enabled``, nothing else."""
    out = cmdlet_table(
        "encapsulation",
        [
            {"Name": "PrivateNetwork-Teamed", "EncapsulatedPacketTaskOffloadEnabled": True},
            {"Name": "PublicNetwork-B", "EncapsulatedPacketTaskOffloadEnabled": False},
        ],
    )
    assert out == [
        "Name                           Enabled",
        "----                           -------",
        "PrivateNetwork-Teamed          True",
        "PublicNetwork-B                False",
    ]


def test_rsc_table_wraps_long_labels_as_in_the_wireshark_transcript() -> None:
    """ask.wireshark.org (2014), ``PS C:\\Users\\Administrator> get-netadapterrsc``::

        Name        IPv4Enabled  IPv6Enabled  IPv4Operational IPv6Operational IPv4FailureReason IPv6Failure
                                              State           State                             Reason
        ----        -----------  -----------  --------------- --------------- ----------------- ------------
        Ethernet 4  True         True         True            True            NoFailure         NoFailure

    (line breaks restored; the page kept the spaces).  Name and IPv6FailureReason have no width
    and share the line: on that 100-column console 11 each, so ``IPv6FailureReason`` wraps after
    11 characters, as PowerShell breaks a word longer than its column.  The transcript's dash
    line has 12 dashes under it, one more than the 11 its header and data imply; ndisemu prints
    ``min(label, width)`` = 11, as ``TableWriter.GenerateHeader`` does.
    """  # noqa: E501
    rows = [{"Name": f"Ethernet {n}", "IPv4Enabled": True, "IPv6Enabled": True,
             "IPv4OperationalState": True, "IPv6OperationalState": True,
             "IPv4FailureReason": "NoFailure", "IPv6FailureReason": "NoFailure"}
            for n in (4, 3)]  # fmt: skip
    out = cmdlet_table("rsc", rows, table_width=99)
    assert out == [
        "Name        IPv4Enabled  IPv6Enabled  IPv4Operational IPv6Operational IPv4FailureReason IPv6Failure",  # noqa: E501
        "                                      State           State                             Reason",  # noqa: E501
        "----        -----------  -----------  --------------- --------------- ----------------- -----------",  # noqa: E501
        "Ethernet 4  True         True         True            True            NoFailure         NoFailure",  # noqa: E501
        "Ethernet 3  True         True         True            True            NoFailure         NoFailure",  # noqa: E501
    ]


# -- the rules on their own ----------------------------------------------------------------------


def test_columns_without_a_width_share_the_rest_left_to_right() -> None:
    widths = column_widths([Column("a"), Column("b", 10), Column("c")], table_width=31)
    assert widths == [10, 10, 9]  # 31 - 10 - 2 separators = 19: the odd one goes left


def test_fixed_widths_that_do_not_fit_shrink_then_drop_the_last_column() -> None:
    assert column_widths([Column("a", 10), Column("b", 10)], table_width=15) == [10, 4]
    assert column_widths([Column("a", 14), Column("b", 10)], table_width=15) == [14, -1]


def test_truncation_keeps_width_minus_three_and_three_dots() -> None:
    assert truncate("*InterruptModeration", 15) == "*InterruptMo..."
    assert truncate("*ReceiveBuffers", 15) == "*ReceiveBuffers"
    assert truncate("abcdef", 3) == "abc"  # no room for the dots: cut at the width


def test_header_wrap_breaks_at_spaces_and_inside_long_words() -> None:
    assert wrap("IPv4OperationalState", 15) == ["IPv4Operational", "State"]
    assert wrap("Packet Priority VLAN", 10) == ["Packet", "Priority", "VLAN"]


@given(
    st.lists(st.text(alphabet="abcXYZ -", min_size=1, max_size=25), min_size=1, max_size=5),
    st.lists(st.one_of(st.none(), st.integers(1, 20)), min_size=5, max_size=5),
    st.integers(20, 130),
)
def test_every_table_line_fits_and_has_no_trailing_blank(
    labels: list[str], widths: list[int | None], table_width: int
) -> None:
    columns = [Column(label, width) for label, width in zip(labels, widths, strict=False)]
    rows = [[label * 3 for label in labels], ["" for _ in labels]]
    for line in render_table(columns, rows, table_width):
        assert len(line) <= table_width
        assert line == line.rstrip()


def test_format_list_aligns_colons_and_limits_collections_to_four() -> None:
    lines = format_list([{"Name": "nic0", "CimInstanceProperties": ["a", "b", "c", "d", "e"]}])
    assert lines == ["Name                  : nic0", "CimInstanceProperties : {a, b, c, d...}"]
    assert format_value(None) == "" and format_value(True) == "True"
