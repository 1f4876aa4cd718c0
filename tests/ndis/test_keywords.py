"""The standardized offload keywords and their mapping to NDIS_OFFLOAD_PARAMETERS."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from offload_strategies import HARDWARE, hardware_offloads, offload_parameters

from stack.ndis import _constants as c
from stack.ndis._keywords import (
    GROUPED_CHECKSUM_KEYWORDS,
    OFFLOAD_KEYWORDS,
    KeywordMapping,
    current_config_from_keywords,
    default_keywords,
    keywords_from_parameters,
    parameters_from_keywords,
    read_keyword,
)
from stack.ndis._rules import PARAMETER_MEMBERS, _get, ipsec_enabled, lso_enabled
from stack.ndis._structs import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_UdpRsc,
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation,
)

P = NDIS_OFFLOAD_PARAMETERS


def test_the_table_lists_every_documented_offload_keyword() -> None:
    """N/enumeration-keywords.md, N/using-registry-values-to-enable-and-disable-task-offloading.md,
    N/standardized-inf-keywords-for-rsc.md, N/standardized-inf-keywords-for-nvgre-task-offload.md,
    N/udp-segmentation-offload-uso-.md, N/udp-rsc-offload.md and the connection-offload page."""
    assert set(OFFLOAD_KEYWORDS) == {
        "*IPChecksumOffloadIPv4", "*TCPChecksumOffloadIPv4", "*TCPChecksumOffloadIPv6",
        "*UDPChecksumOffloadIPv4", "*UDPChecksumOffloadIPv6", "*TCPUDPChecksumOffloadIPv4",
        "*TCPUDPChecksumOffloadIPv6", "*LsoV1IPv4", "*LsoV2IPv4", "*LsoV2IPv6",
        "*IPsecOffloadV1IPv4", "*IPsecOffloadV2", "*IPsecOffloadV2IPv4",
        "*TCPConnectionOffloadIPv4", "*TCPConnectionOffloadIPv6", "*RscIPv4", "*RscIPv6",
        "*EncapsulatedPacketTaskOffload", "*UsoIPv4", "*UsoIPv6", "*UdpRsc",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "desc", "values", "default", "member"),
    [
        ("*IPChecksumOffloadIPv4", "IPv4 Checksum Offload",
         {0: "Disabled", 1: "Tx Enabled", 2: "Rx Enabled", 3: "Rx & Tx Enabled"}, 3,
         ("IPv4Checksum",)),
        ("*LsoV2IPv6", "Large Send Offload Version 2 (IPv6)", {0: "Disabled", 1: "Enabled"}, 1,
         ("LsoV2IPv6",)),
        ("*IPsecOffloadV2IPv4", "IPsec Offload (IPv4 only)",
         {0: "Disabled", 1: "Auth Header Enabled", 2: "ESP Enabled",
          3: "Auth Header & ESP Enabled"}, 3, ("IPsecV2IPv4",)),
        ("*RscIPv6", "Recv Segment Coalescing (IPv6)", {0: "Disabled", 1: "Enabled"}, 1,
         ("RscIPv6",)),
        ("*UsoIPv6", "UDP Segmentation Offload (IPV6)", {0: "Disabled", 1: "Enabled"}, 1,
         ("UdpSegmentation", "IPv6")),
        ("*UdpRsc", "URO", {0: "Disabled", 1: "Enabled"}, 1, ("UdpRsc", "Enabled")),
        ("*TCPUDPChecksumOffloadIPv6", "TCP/UDP Checksum Offload (IPv6)",
         {0: "Disabled", 1: "Tx Enabled", 2: "Rx Enabled", 3: "Tx and Rx Enabled"}, 3, ()),
    ],
)  # fmt: skip
def test_keyword_rows_match_the_docs_tables(
    name: str, desc: str, values: dict[int, str], default: int, member: tuple[str, ...]
) -> None:
    """Each row: SubkeyName, ParamDesc, Value/EnumDesc pairs, Default, parameters member."""
    keyword = OFFLOAD_KEYWORDS[name]
    assert (keyword.ParamDesc, dict(keyword.values), keyword.default, keyword.member) == (
        desc,
        values,
        default,
        member,
    )


def test_only_uso_defaults_are_our_choice() -> None:
    """Spec A17: the USO pages mark no default; everything else is documented."""
    chosen = {k.name for k in OFFLOAD_KEYWORDS.values() if not k.default_is_documented}
    assert chosen == {"*UsoIPv4", "*UsoIPv6"}


def test_every_parameter_member_but_encapsulation_types_has_one_keyword() -> None:
    """The granular keywords cover the per-feature NDIS_OFFLOAD_PARAMETERS members one to one."""
    members = {".".join(k.member) for k in OFFLOAD_KEYWORDS.values() if k.member}
    assert members == set(PARAMETER_MEMBERS)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (P(), {}),
        (P(IPv4Checksum=c.NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED), {"*IPChecksumOffloadIPv4": 0}),
        (P(TCPIPv6Checksum=c.NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED),
         {"*TCPChecksumOffloadIPv6": 1}),
        (P(UDPIPv4Checksum=c.NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED),
         {"*UDPChecksumOffloadIPv4": 2}),
        (P(UDPIPv6Checksum=c.NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED),
         {"*UDPChecksumOffloadIPv6": 3}),
        (P(LsoV1=c.NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED), {"*LsoV1IPv4": 1}),
        (P(IPsecV1=c.NDIS_OFFLOAD_PARAMETERS_IPSECV1_ESP_ENABLED), {"*IPsecOffloadV1IPv4": 2}),
        (P(RscIPv4=c.NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED), {"*RscIPv4": 0}),
        (P(EncapsulatedPacketTaskOffload=c.NDIS_OFFLOAD_SET_ON, EncapsulationTypes=1),
         {"*EncapsulatedPacketTaskOffload": 1}),
        (P(EncapsulatedPacketTaskOffload=c.NDIS_OFFLOAD_SET_OFF),
         {"*EncapsulatedPacketTaskOffload": 0}),
        (P(UdpSegmentation=NDIS_OFFLOAD_PARAMETERS_UdpSegmentation(IPv4=2)), {"*UsoIPv4": 1}),
        (P(UdpRsc=NDIS_OFFLOAD_PARAMETERS_UdpRsc(Enabled=1)), {"*UdpRsc": 0}),
        (P(TcpConnectionIPv6=2), {"*TCPConnectionOffloadIPv6": 1}),
        (P(LsoV1=3, LsoV2IPv4=2), {"*LsoV2IPv4": 1}),  # out-of-range LsoV1 writes nothing
    ],
)  # fmt: skip
def test_keywords_from_parameters_is_value_plus_one_and_skips_no_change(
    params: NDIS_OFFLOAD_PARAMETERS, expected: dict[str, int]
) -> None:
    """Spec 4: parameter = keyword + 1; NO_CHANGE writes nothing; SET_ON/SET_OFF <-> 1/0
    (N/oid-tcp-offload-parameters.md: NDIS writes the keywords before the miniport sees the set)."""
    assert keywords_from_parameters(params) == expected


def test_encapsulated_task_offload_keyword_uses_the_set_on_scale() -> None:
    """*EncapsulatedPacketTaskOffload maps to SET_ON (1) / SET_OFF (2), not to +1."""
    keyword = OFFLOAD_KEYWORDS["*EncapsulatedPacketTaskOffload"]
    assert keyword.mapping is KeywordMapping.SET_ON_OFF
    assert (keyword.to_parameter(1), keyword.to_parameter(0)) == (1, 2)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0", 0), ("2", 2), (" 1 ", 1), (1, 1), ("+1", 1), ("7", 3), ("-1", 3), ("abc", 3), ("", 3),
     ("1.0", 3), ("٣", 3), (True, 3)],
)  # fmt: skip
def test_reading_accepts_str_or_int_and_falls_back_to_the_default(
    raw: str | int, value: int
) -> None:
    """D/ndis/nf-ndis-ndisreadconfiguration.md: NDIS does not validate registry values; a value
    out of bounds is replaced by a default.  REG_SZ text is the registry's own form."""
    assert read_keyword({"*TCPChecksumOffloadIPv4": raw}, "*TCPChecksumOffloadIPv4") == value


def test_absent_keyword_reads_as_none() -> None:
    """Missing keyword: no change for a parameters set."""
    assert read_keyword({}, "*RscIPv4") is None
    assert parameters_from_keywords({}) == P()


def test_grouped_keyword_supplies_absent_granular_ones() -> None:
    """Spec A10: *TCPUDPChecksumOffloadIPv4 covers IP, TCP and UDP over IPv4, *...IPv6 TCP and
    UDP over IPv6 (N/using-registry-values-to-enable-and-disable-task-offloading.md)."""
    keywords = {"*TCPUDPChecksumOffloadIPv4": "1", "*TCPUDPChecksumOffloadIPv6": "2"}
    params = parameters_from_keywords(keywords)
    assert (params.IPv4Checksum, params.TCPIPv4Checksum, params.UDPIPv4Checksum) == (2, 2, 2)
    assert (params.TCPIPv6Checksum, params.UDPIPv6Checksum) == (3, 3)
    assert set(GROUPED_CHECKSUM_KEYWORDS["*TCPUDPChecksumOffloadIPv6"]) == {
        "*TCPChecksumOffloadIPv6",
        "*UDPChecksumOffloadIPv6",
    }


def test_granular_keyword_wins_over_the_grouped_one_even_when_invalid() -> None:
    """Spec A10: the grouped keyword only fills in for granular ones that do not exist."""
    keywords = {"*TCPUDPChecksumOffloadIPv4": "0", "*TCPChecksumOffloadIPv4": "bogus"}
    assert read_keyword(keywords, "*TCPChecksumOffloadIPv4") == 3
    assert read_keyword(keywords, "*IPChecksumOffloadIPv4") == 0


def test_lso_v2_ipv4_takes_precedence_over_lso_v1() -> None:
    """N/enumeration-keywords.md: "the *LsoV2IPv4 keyword always takes precedence"."""
    assert read_keyword({"*LsoV1IPv4": "1", "*LsoV2IPv4": "0"}, "*LsoV1IPv4") == 0
    assert read_keyword({"*LsoV2IPv4": "1"}, "*LsoV1IPv4") == 1
    assert read_keyword({"*LsoV1IPv4": "0"}, "*LsoV1IPv4") == 0


def test_default_keywords_are_the_documented_defaults_as_text() -> None:
    """A fresh INF install writes every Default as REG_SZ text (N/enumeration-keywords.md)."""
    keywords = default_keywords()
    assert keywords["*IPChecksumOffloadIPv4"] == "3"
    assert keywords["*LsoV2IPv4"] == "1"
    assert "*TCPUDPChecksumOffloadIPv4" not in keywords
    params = parameters_from_keywords(keywords)
    assert params.TCPIPv4Checksum == c.NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED
    assert params.EncapsulatedPacketTaskOffload == c.NDIS_OFFLOAD_SET_ON


@given(offload_parameters())
@settings(max_examples=200, deadline=None)
def test_property_keywords_round_trip_for_every_non_no_change_member(
    params: NDIS_OFFLOAD_PARAMETERS,
) -> None:
    """parameters_from_keywords(keywords_from_parameters(p)) gives p back member by member,
    except LsoV1 whenever *LsoV2IPv4 is written (its documented precedence)."""
    back = parameters_from_keywords(keywords_from_parameters(params))
    for member in PARAMETER_MEMBERS:
        want = _get(params, member)
        if member == "LsoV1" and params.LsoV2IPv4:
            want = params.LsoV2IPv4
        assert _get(back, member) == want, member


@given(st.dictionaries(st.sampled_from(sorted(OFFLOAD_KEYWORDS)), st.one_of(st.text(max_size=3),
       st.integers(-5, 9))))  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_property_any_registry_content_reads_to_valid_parameters(
    keywords: dict[str, str | int],
) -> None:
    """Whatever the registry holds, the reader yields values within each member's range."""
    params = parameters_from_keywords(keywords)
    rewritten = keywords_from_parameters(params)
    assert parameters_from_keywords(rewritten) == params


# -- MiniportInitializeEx ----------------------------------------------------------------------


@given(hardware_offloads())
@settings(max_examples=60, deadline=None)
def test_property_initial_config_stays_within_hardware(hardware: NDIS_OFFLOAD) -> None:
    """N/using-registry-values-to-enable-and-disable-task-offloading.md: keywords only narrow."""
    from stack.ndis._invariants import check_current_within_hardware, check_no_lso_with_ipsec

    current = current_config_from_keywords(hardware, default_keywords())
    assert check_current_within_hardware(current, hardware) is None
    assert check_no_lso_with_ipsec(current) is None
    assert current.Header == hardware.Header


def test_keywords_turn_offloads_off_at_initialization() -> None:
    """A miniport reads the keywords in MiniportInitializeEx and reports what they allow."""
    keywords = {"*LsoV1IPv4": "0", "*LsoV2IPv4": "0", "*TCPChecksumOffloadIPv4": "1"}
    current = current_config_from_keywords(HARDWARE, keywords)
    assert lso_enabled(current) == ()
    assert ipsec_enabled(current) == ("IPsecV1", "IPsecV2")  # IPsec no longer loses to LSO
    assert current.Checksum.IPv4Transmit.TcpChecksum == 1
    assert current.Checksum.IPv4Receive.TcpChecksum == 0
