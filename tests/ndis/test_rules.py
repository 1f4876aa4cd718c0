"""apply_offload_parameters, the encapsulation result rule and the receive gate."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from offload_strategies import (
    ETH,
    HARDWARE,
    hardware_and_current,
    hardware_offloads,
    offload_parameters,
)

from stack.ndis import _constants as c
from stack.ndis._constants import NdisStatus
from stack.ndis._invariants import check_current_within_hardware, check_ethernet_always
from stack.ndis._keywords import current_config_from_keywords
from stack.ndis._rules import (
    HardwarePolicy,
    apply_offload_parameters,
    encapsulation_result,
    invalid_offload_parameters,
    ipsec_enabled,
    is_all_no_change,
    lso_enabled,
    merge_encapsulation,
    operational_receive_offloads,
)
from stack.ndis._structs import (
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters,
    NDIS_OFFLOAD_PARAMETERS_UdpRsc,
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation,
    NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit,
)

SUCCESS = NdisStatus.NDIS_STATUS_SUCCESS
INVALID_DATA = NdisStatus.NDIS_STATUS_INVALID_DATA
INVALID_PARAMETER = NdisStatus.NDIS_STATUS_INVALID_PARAMETER
P = NDIS_OFFLOAD_PARAMETERS

CURRENT = current_config_from_keywords(HARDWARE, {})


def test_initial_config_enables_everything_but_ipsec_which_loses_to_lso() -> None:
    """N/oid-tcp-offload-current-config.md (enable all by default) and
    N/combining-types-of-task-offloads.md (either IPsec or LSO, never both): LSO wins."""
    assert CURRENT.Checksum == HARDWARE.Checksum
    assert CURRENT.LsoV1 == HARDWARE.LsoV1
    assert CURRENT.LsoV2 == HARDWARE.LsoV2
    assert ipsec_enabled(CURRENT) == ()
    assert CURRENT.Rsc == HARDWARE.Rsc
    assert CURRENT.EncapsulationTypes == HARDWARE.EncapsulationTypes


def test_all_no_change_is_inert() -> None:
    """D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md: NO_CHANGE leaves a member alone."""
    result = apply_offload_parameters(CURRENT, HARDWARE, P())
    assert result.status == SUCCESS
    assert result.offload == CURRENT
    assert result.changed == ()
    assert is_all_no_change(P())


@pytest.mark.parametrize(
    ("value", "tx", "rx"),
    [
        (c.NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED, 0, 0),
        (c.NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED, 1, 0),
        (c.NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED, 0, 1),
        (c.NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED, 1, 1),
    ],
)
def test_checksum_member_sets_transmit_and_receive(value: int, tx: int, rx: int) -> None:
    """D/ntddndis/ns-ntddndis-_ndis_offload_parameters.md: TCPIPv4Checksum picks Tx/Rx."""
    result = apply_offload_parameters(CURRENT, HARDWARE, P(TCPIPv4Checksum=value))
    assert result.status == SUCCESS
    assert result.offload.Checksum.IPv4Transmit.TcpChecksum == tx
    assert result.offload.Checksum.IPv4Receive.TcpChecksum == rx
    # the other bits of the blocks are untouched
    assert result.offload.Checksum.IPv4Transmit.IpChecksum == 1
    assert result.offload.Checksum.IPv6Transmit == CURRENT.Checksum.IPv6Transmit


def test_disabling_every_bit_of_a_checksum_block_zeroes_its_encapsulation() -> None:
    """A block with nothing on reports NDIS_ENCAPSULATION_NOT_SUPPORTED, and comes back whole."""
    off = P(TCPIPv6Checksum=1, UDPIPv6Checksum=1)
    result = apply_offload_parameters(CURRENT, HARDWARE, off)
    assert result.offload.Checksum.IPv6Transmit == NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv6Transmit()
    back = apply_offload_parameters(result.offload, HARDWARE, P(TCPIPv6Checksum=4))
    assert back.offload.Checksum.IPv6Transmit == attrs.evolve(
        HARDWARE.Checksum.IPv6Transmit, UdpChecksum=0
    )


def test_enabling_lso_while_transmit_checksum_is_off_is_accepted() -> None:
    """N/offloading-checksum-tasks.md: checksum off with LSO on is a legal configuration."""
    no_tx = apply_offload_parameters(
        CURRENT, HARDWARE, P(IPv4Checksum=3, TCPIPv4Checksum=3, LsoV1=1, LsoV2IPv4=1)
    ).offload
    result = apply_offload_parameters(no_tx, HARDWARE, P(LsoV2IPv4=2))
    assert result.status == SUCCESS
    assert lso_enabled(result.offload) == ("LsoV2.IPv4",)
    assert result.offload.Checksum == no_tx.Checksum


@pytest.mark.parametrize(
    ("policy", "status"),
    [
        (HardwarePolicy.INVALID_DATA, INVALID_DATA),
        (HardwarePolicy.NOT_SUPPORTED, NdisStatus.NDIS_STATUS_NOT_SUPPORTED),
    ],
)
def test_asking_for_missing_hardware_fails_under_the_failing_policies(
    policy: HardwarePolicy, status: NdisStatus
) -> None:
    """Spec A2: INVALID_DATA by default (N/oid-tcp-offload-parameters.md), NOT_SUPPORTED like
    NetAdapterCx; the configuration is left as it was."""
    params = P(LsoV2IPv6=2, RscIPv4=1)
    result = apply_offload_parameters(CURRENT, HARDWARE, params, policy)
    assert result.status == status
    assert result.offload == CURRENT
    assert result.unsupported == ("LsoV2IPv6",)


def test_default_policy_is_invalid_data() -> None:
    """Spec A2 default: the OID page's status for invalid contents."""
    result = apply_offload_parameters(CURRENT, HARDWARE, P(LsoV2IPv6=2))
    assert result.status == INVALID_DATA


def test_clamp_enables_only_what_the_hardware_can_and_succeeds() -> None:
    """Spec A2, clamp-and-succeed: the supported half of the request is applied."""
    params = P(
        LsoV2IPv6=2, RscIPv4=1, UdpSegmentation=NDIS_OFFLOAD_PARAMETERS_UdpSegmentation(IPv4=2)
    )
    result = apply_offload_parameters(CURRENT, HARDWARE, params, HardwarePolicy.CLAMP)
    assert result.status == SUCCESS
    assert result.unsupported == ("LsoV2IPv6", "UdpSegmentation.IPv4")
    assert result.offload.Rsc.IPv4.Enabled == 0
    assert result.changed == ("Rsc.IPv4.Enabled",)


@pytest.mark.parametrize(
    "params",
    [
        P(LsoV1=3),
        P(IPv4Checksum=5),
        P(IPsecV2=9),
        P(EncapsulatedPacketTaskOffload=3),
        P(EncapsulationTypes=1),  # types without SET_ON
        P(EncapsulatedPacketTaskOffload=1, EncapsulationTypes=4),
        P(Flags=2),
        P(UdpSegmentation=NDIS_OFFLOAD_PARAMETERS_UdpSegmentation(IPv6=3)),
        P(UdpRsc=NDIS_OFFLOAD_PARAMETERS_UdpRsc(Enabled=7)),
        P(EncapsulationProtocolParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(
            Value=0x10000)),
    ],
)  # fmt: skip
def test_out_of_range_values_are_invalid_data(params: NDIS_OFFLOAD_PARAMETERS) -> None:
    """N/oid-tcp-offload-parameters.md: invalid contents -> NDIS_STATUS_INVALID_DATA."""
    result = apply_offload_parameters(CURRENT, HARDWARE, params, HardwarePolicy.CLAMP)
    assert result.status == INVALID_DATA
    assert result.offload == CURRENT
    assert result.invalid == invalid_offload_parameters(params) != ()


def test_enabling_ipsec_while_lso_is_on_leaves_ipsec_off_and_succeeds() -> None:
    """N/combining-types-of-task-offloads.md: NDIS configures IPsec or LSO, never both; LSO wins."""
    result = apply_offload_parameters(
        CURRENT, HARDWARE, P(IPsecV1=4, IPsecV2=4), HardwarePolicy.CLAMP
    )
    assert result.status == SUCCESS
    assert ipsec_enabled(result.offload) == ()
    assert result.overridden == ("IPsecV1", "IPsecV2")


def test_ipsec_turns_on_once_lso_is_off() -> None:
    """The same set with LSO disabled gets IPsec."""
    params = P(LsoV1=1, LsoV2IPv4=1, IPsecV2=3)
    result = apply_offload_parameters(CURRENT, HARDWARE, params)
    assert result.status == SUCCESS
    assert ipsec_enabled(result.offload) == ("IPsecV2",)
    assert (result.offload.IPsecV2.Ah, result.offload.IPsecV2.Esp) == (0, 1)
    assert result.offload.IPsecV2.AhEspCombined == 0
    # then enabling LSO again turns IPsec off
    again = apply_offload_parameters(result.offload, HARDWARE, P(LsoV2IPv4=2))
    assert ipsec_enabled(again.offload) == ()
    assert again.overridden == ("IPsecV2",)


def test_ipsec_v2_with_lso_supported_coexists_with_lso() -> None:
    """D/ntddndis/ns-ntddndis-_ndis_ipsec_offload_v2.md: LsoSupported makes LSO valid on IPsec."""
    hardware = attrs.evolve(HARDWARE, IPsecV2=attrs.evolve(HARDWARE.IPsecV2, LsoSupported=1))
    current = current_config_from_keywords(hardware, {})
    assert lso_enabled(current) and ipsec_enabled(current) == ("IPsecV2",)


def test_ipsec_v2_ipv4_member_applies_to_ipv4_only_hardware() -> None:
    """D/ntddndis/ns-ntddndis-_ndis_offload_parameters.md: IPsecV2IPv4 is for IPv4-only NICs."""
    hardware = attrs.evolve(HARDWARE, IPsecV2=attrs.evolve(HARDWARE.IPsecV2, IPv6Supported=0))
    base = apply_offload_parameters(CURRENT, hardware, P(LsoV1=1, LsoV2IPv4=1)).offload
    both = apply_offload_parameters(base, hardware, P(IPsecV2=4, IPsecV2IPv4=2)).offload
    assert (both.IPsecV2.Ah, both.IPsecV2.Esp) == (1, 0)
    only_v2 = apply_offload_parameters(base, hardware, P(IPsecV2=3)).offload
    assert (only_v2.IPsecV2.Ah, only_v2.IPsecV2.Esp) == (0, 1)


def test_encapsulated_packet_offload_on_and_off() -> None:
    """N/querying-and-changing-nvgre-task-offload-state.md: SET_ON with types, SET_OFF clears."""
    off = apply_offload_parameters(CURRENT, HARDWARE, P(EncapsulatedPacketTaskOffload=2)).offload
    assert off.EncapsulationTypes == 0
    assert off.EncapsulatedPacketTaskOffloadGre == NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD()
    gre = apply_offload_parameters(
        off, HARDWARE, P(EncapsulatedPacketTaskOffload=1, EncapsulationTypes=1)
    ).offload
    assert gre.EncapsulationTypes == c.NDIS_ENCAPSULATION_TYPE_GRE_MAC
    assert gre.EncapsulatedPacketTaskOffloadGre == HARDWARE.EncapsulatedPacketTaskOffloadGre
    assert gre.EncapsulatedPacketTaskOffloadVxlan == NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2()
    every = apply_offload_parameters(off, HARDWARE, P(EncapsulatedPacketTaskOffload=1)).offload
    assert every.EncapsulationTypes == HARDWARE.EncapsulationTypes


def test_vxlan_port_needs_a_configurable_port() -> None:
    """D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md: non-zero port only if configurable."""
    port = NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(
        VxlanParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters(
            VxlanUDPPortNumber=8472
        )
    )
    result = apply_offload_parameters(CURRENT, HARDWARE, P(EncapsulationProtocolParameters=port))
    info = result.offload.EncapsulatedPacketTaskOffloadVxlan.EncapsulationProtocolInfo.VxlanInfo
    assert (result.status, info.VxlanUDPPortNumber) == (SUCCESS, 8472)
    fixed = attrs.evolve(
        HARDWARE,
        EncapsulatedPacketTaskOffloadVxlan=attrs.evolve(
            HARDWARE.EncapsulatedPacketTaskOffloadVxlan,
            EncapsulationProtocolInfo=NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo(),
        ),
    )
    refused = apply_offload_parameters(CURRENT, fixed, P(EncapsulationProtocolParameters=port))
    assert refused.status == INVALID_DATA


def test_connection_offload_members_do_not_touch_ndis_offload() -> None:
    """Chimney changes are reported with NDIS_STATUS_OFFLOAD_RESUME, not in NDIS_OFFLOAD
    (N/using-the-tcp-ip-offload-administrator-interface.md)."""
    result = apply_offload_parameters(
        CURRENT, HARDWARE, P(TcpConnectionIPv4=1, TcpConnectionIPv6=2)
    )
    assert (result.status, result.offload) == (SUCCESS, CURRENT)


# -- properties -------------------------------------------------------------------------------


@given(hardware_and_current())
@settings(max_examples=60, deadline=None)
def test_property_all_no_change_is_inert(hc: tuple[NDIS_OFFLOAD, NDIS_OFFLOAD]) -> None:
    """Spec 7.2 item 6 under every policy (D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md)."""
    hardware, current = hc
    for policy in HardwarePolicy:
        result = apply_offload_parameters(current, hardware, P(), policy)
        assert (result.status, result.offload, result.changed) == (SUCCESS, current, ())


@given(hardware_and_current(), offload_parameters(), st.sampled_from(HardwarePolicy))
@settings(max_examples=100, deadline=None)
def test_property_success_never_exceeds_hardware_nor_mixes_lso_and_ipsec(
    hc: tuple[NDIS_OFFLOAD, NDIS_OFFLOAD],
    params: NDIS_OFFLOAD_PARAMETERS,
    policy: HardwarePolicy,
) -> None:
    """Spec 7.2 items 1, 2 and 11 hold after every successful set
    (N/combining-types-of-task-offloads.md, N/oid-tcp-offload-current-config.md)."""
    hardware, current = hc
    result = apply_offload_parameters(current, hardware, params, policy)
    if not result.succeeded:
        assert result.offload == current
        assert result.unsupported and policy is not HardwarePolicy.CLAMP
        return
    assert check_current_within_hardware(result.offload, hardware) is None
    assert check_ethernet_always(result.offload, hardware) is None
    if lso_enabled(result.offload) and not result.offload.IPsecV2.LsoSupported:
        assert ipsec_enabled(result.offload) == ()


@given(hardware_and_current(), offload_parameters())
@settings(max_examples=100, deadline=None)
def test_property_clamp_always_succeeds_and_applying_twice_changes_nothing_more(
    hc: tuple[NDIS_OFFLOAD, NDIS_OFFLOAD], params: NDIS_OFFLOAD_PARAMETERS
) -> None:
    """CLAMP never fails valid input, and a set is idempotent."""
    hardware, current = hc
    once = apply_offload_parameters(current, hardware, params, HardwarePolicy.CLAMP)
    assert once.status == SUCCESS
    twice = apply_offload_parameters(once.offload, hardware, params, HardwarePolicy.CLAMP)
    assert twice.offload == once.offload
    assert twice.changed == ()


@given(hardware_offloads(), offload_parameters())
@settings(max_examples=100, deadline=None)
def test_property_unchanged_members_keep_their_blocks(
    hardware: NDIS_OFFLOAD, params: NDIS_OFFLOAD_PARAMETERS
) -> None:
    """A set that leaves LSOv2 NO_CHANGE never rewrites the LsoV2 blocks (unless the LSO/IPsec
    rule, which only ever switches IPsec, is involved)."""
    current = current_config_from_keywords(hardware, {})
    params = attrs.evolve(params, LsoV2IPv4=0, LsoV2IPv6=0)
    result = apply_offload_parameters(current, hardware, params, HardwarePolicy.CLAMP)
    assert result.offload.LsoV2 == current.LsoV2


# -- OID_OFFLOAD_ENCAPSULATION ---------------------------------------------------------------


def _encapsulation(
    v4: tuple[int, int] = (0, 0), v6: tuple[int, int] = (0, 0)
) -> NDIS_OFFLOAD_ENCAPSULATION:
    return NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
            Enabled=v4[0], EncapsulationType=v4[1], HeaderSize=14 if v4[1] else 0
        ),
        IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(
            Enabled=v6[0], EncapsulationType=v6[1], HeaderSize=14 if v6[1] else 0
        ),
    )


ON, OFF = c.NDIS_OFFLOAD_SET_ON, c.NDIS_OFFLOAD_SET_OFF
LLC = c.NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (_encapsulation((ON, ETH), (ON, ETH)), SUCCESS),
        (_encapsulation((ON, LLC)), INVALID_PARAMETER),
        (_encapsulation((ON, ETH), (ON, LLC)), INVALID_PARAMETER),
        (_encapsulation((OFF, 0), (OFF, 0)), SUCCESS),
        (_encapsulation(), SUCCESS),
        (_encapsulation((ON, 0)), INVALID_PARAMETER),
        (_encapsulation((3, ETH)), INVALID_DATA),
    ],
)
def test_encapsulation_result_rule(
    request_: NDIS_OFFLOAD_ENCAPSULATION, status: NdisStatus
) -> None:
    """N/oid-offload-encapsulation.md: SUCCESS iff some supported offload supports the type,
    else INVALID_PARAMETER; SET_OFF deactivates and always succeeds."""
    assert encapsulation_result(CURRENT, request_) == status


def test_encapsulation_with_no_offload_on_fails_for_any_type() -> None:
    """Nothing supported, nothing to activate: INVALID_PARAMETER.

    N/oid-offload-encapsulation.md.
    """
    assert encapsulation_result(NDIS_OFFLOAD(), _encapsulation((ON, ETH))) == INVALID_PARAMETER


def test_merge_encapsulation_keeps_no_change_blocks() -> None:
    """D/encapsulationconfig/ns-encapsulationconfig-ndis_offload_encapsulation.md: NO_CHANGE."""
    first = merge_encapsulation(None, _encapsulation((ON, ETH), (ON, ETH)))
    second = merge_encapsulation(first, _encapsulation((OFF, 0)))
    assert second.IPv4.Enabled == OFF
    assert second.IPv6 == first.IPv6


def test_receive_checksum_waits_for_the_encapsulation_set() -> None:
    """N/oid-offload-encapsulation.md: no receive checksum or IPsec before the set."""
    before = operational_receive_offloads(CURRENT, None)
    assert not any(name.startswith("Checksum.") for name in before)
    assert "Rsc.IPv4.Enabled" in before
    after = operational_receive_offloads(CURRENT, _encapsulation((ON, ETH)))
    assert "Checksum.IPv4Receive.TcpChecksum" in after
    assert not any(name.startswith("Checksum.IPv6") for name in after)
    off = operational_receive_offloads(CURRENT, _encapsulation((OFF, 0), (OFF, 0)))
    assert off == frozenset()


def test_encapsulated_receive_offload_waits_for_set_on() -> None:
    """N/querying-and-changing-nvgre-task-offload-state.md: keyword-enabled NVGRE is inactive
    until a protocol or filter sets EncapsulatedPacketTaskOffload = SET_ON."""
    name = "EncapsulatedPacketTaskOffloadGre.ReceiveChecksumOffloadSupported"
    assert name not in operational_receive_offloads(CURRENT, None)
    assert name in operational_receive_offloads(
        CURRENT, None, encapsulated_task_offload_set_on=True
    )
