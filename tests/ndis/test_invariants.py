"""The structural invariants of spec 7.2 and their registry."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from offload_strategies import HARDWARE, hardware_and_current, offload_parameters

from stack.ndis import _constants as c
from stack.ndis._constants import NdisStatus
from stack.ndis._invariants import (
    INVARIANTS,
    InvariantKind,
    check_current_within_hardware,
    check_encapsulation_result,
    check_ethernet_always,
    check_header,
    check_lso_capability_implies_tx_checksum,
    check_lsov1_size_cap,
    check_no_change_inert,
    check_no_lso_with_ipsec,
    check_offload_headers,
    check_supported_revision,
    config_invariants,
)
from stack.ndis._keywords import current_config_from_keywords
from stack.ndis._requests import NDIS_OID_REQUEST, NDIS_STATUS_INDICATION
from stack.ndis._rules import HardwarePolicy, _set, apply_offload_parameters
from stack.ndis._structs import (
    NDIS_IPSEC_OFFLOAD_V2,
    NDIS_OBJECT_HEADER,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_TCP_CONNECTION_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
)

CURRENT = current_config_from_keywords(HARDWARE, {})
ETH = c.NDIS_ENCAPSULATION_IEEE_802_3


def test_registry_ids_numbers_pages_and_explanations() -> None:
    """Every invariant has a stable id naming its spec 7.2 number, a docs page and one line."""
    assert set(INVARIANTS) == {
        "INV-1-current-within-hardware",
        "INV-2-ethernet-always",
        "INV-6-no-change-inert",
        "INV-10-encapsulation-result",
        "INV-11-no-lso-with-ipsec",
        "INV-12-lso-capability-implies-tx-checksum",
        "INV-13-lsov1-size-cap",
        "INV-18-offload-headers",
        "INV-18-header-validity",
        "INV-18-supported-revision",
    }
    for inv in INVARIANTS.values():
        assert inv.id.startswith(f"INV-{inv.number}-")
        assert inv.page.startswith(("N/", "D/", "D*/")) and inv.page.endswith(".md")
        assert inv.explanation and "\n" not in inv.explanation


def test_config_invariants_all_take_current_and_hardware() -> None:
    """The runtime's monitors call ``check(current, hardware)`` on what NDIS caches."""
    config = config_invariants()
    assert {inv.kind for inv in config} == {InvariantKind.CONFIG}
    for inv in config:
        assert inv.check(CURRENT, HARDWARE) is None
        assert inv.check(CURRENT, None) is None


@given(hardware_and_current())
@settings(max_examples=60, deadline=None)
def test_property_reachable_configurations_satisfy_every_config_invariant(
    hc: tuple[NDIS_OFFLOAD, NDIS_OFFLOAD],
) -> None:
    """Whatever initialization plus clamped sets produce passes every structural monitor."""
    hardware, current = hc
    for inv in config_invariants():
        assert inv.check(current, hardware) is None, inv.id


def test_current_above_hardware_is_reported_with_the_member() -> None:
    """INV-1, D/ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes.md."""
    bigger = _set(CURRENT, "LsoV2.IPv4.MaxOffLoadSize", HARDWARE.LsoV2.IPv4.MaxOffLoadSize + 1)
    reason = check_current_within_hardware(bigger, HARDWARE)
    assert reason == (
        "current LsoV2.IPv4.MaxOffLoadSize = 262145 exceeds hardware capability 262144"
    )
    extra = _set(CURRENT, "Rsc.IPv6.Enabled", 1)
    assert check_current_within_hardware(extra, HARDWARE) == (
        "current Rsc.IPv6.Enabled = 1 exceeds hardware capability 0"
    )


def test_supported_offload_without_ethernet_is_reported() -> None:
    """INV-2, N/oid-tcp-offload-current-config.md: IEEE_802_3 for every supported offload."""
    no_eth = attrs.evolve(
        CURRENT,
        Checksum=attrs.evolve(
            CURRENT.Checksum,
            IPv6Receive=attrs.evolve(
                CURRENT.Checksum.IPv6Receive,
                Encapsulation=c.NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED,
            ),
        ),
    )
    assert check_ethernet_always(no_eth) == (
        "current Checksum.IPv6Receive is supported but its Encapsulation 0x10 lacks IEEE_802_3"
    )
    assert check_ethernet_always(CURRENT, no_eth) is not None


def test_lso_and_ipsec_together_is_reported_unless_lso_supported() -> None:
    """INV-11, N/combining-types-of-task-offloads.md; the exception is
    D/ntddndis/ns-ntddndis-_ndis_ipsec_offload_v2.md."""
    both = attrs.evolve(CURRENT, IPsecV2=HARDWARE.IPsecV2)
    assert (
        check_no_lso_with_ipsec(both)
        == "current has LsoV1.IPv4, LsoV2.IPv4 and IPsecV2 on together"
    )
    allowed = attrs.evolve(both, IPsecV2=attrs.evolve(HARDWARE.IPsecV2, LsoSupported=1))
    assert check_no_lso_with_ipsec(allowed) is None
    v1 = attrs.evolve(allowed, IPsecV1=HARDWARE.IPsecV1)
    assert (
        check_no_lso_with_ipsec(v1) == "current has LsoV1.IPv4, LsoV2.IPv4 and IPsecV1 on together"
    )


def test_lso_capability_without_tx_checksum_capability_is_reported() -> None:
    """INV-12 on capabilities, N/combining-types-of-task-offloads.md."""
    hardware = attrs.evolve(
        HARDWARE,
        Checksum=attrs.evolve(
            HARDWARE.Checksum,
            IPv4Transmit=attrs.evolve(HARDWARE.Checksum.IPv4Transmit, IpChecksum=0),
        ),
    )
    assert check_lso_capability_implies_tx_checksum(CURRENT, hardware) == (
        "hardware supports LsoV1.IPv4 but not Checksum.IPv4Transmit.IpChecksum"
    )


def test_lso_configuration_without_tx_checksum_is_not_an_invariant_violation() -> None:
    """N/offloading-checksum-tasks.md: checksum off with LSO on is a legal configuration."""
    params = NDIS_OFFLOAD_PARAMETERS(IPv4Checksum=1, TCPIPv4Checksum=1)
    current = apply_offload_parameters(CURRENT, HARDWARE, params).offload
    assert check_lso_capability_implies_tx_checksum(current, HARDWARE) is None


def test_lsov1_above_64k_is_reported() -> None:
    """INV-13, N/reporting-a-nic-s-lsov1-tcp-packet-segmentation-capabilities.md."""
    big = _set(HARDWARE, "LsoV1.IPv4.MaxOffLoadSize", 65537)
    assert check_lsov1_size_cap(CURRENT, big) == (
        "hardware LsoV1.IPv4.MaxOffLoadSize = 65537 is above 65536"
    )
    assert check_lsov1_size_cap(CURRENT, HARDWARE) is None


@pytest.mark.parametrize(
    "structure",
    [
        NDIS_OFFLOAD(),
        NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(1)),
        NDIS_OFFLOAD_PARAMETERS(Header=NDIS_OFFLOAD_PARAMETERS.header_for(3)),
        NDIS_OFFLOAD_ENCAPSULATION(),
        NDIS_TCP_CONNECTION_OFFLOAD(),
        NDIS_OID_REQUEST(),
        NDIS_STATUS_INDICATION(),
        # a revision newer than we know, sized like the newest we know, is acceptable
        NDIS_OFFLOAD(Header=NDIS_OBJECT_HEADER(Type=c.NDIS_OBJECT_TYPE_OFFLOAD, Revision=9,
                                               Size=c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_7)),
    ],
)  # fmt: skip
def test_well_formed_headers_pass(structure: object) -> None:
    """INV-18, N/overview-of-ndis-support-for-header-versions.md."""
    assert check_header(structure) is None


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (NDIS_OBJECT_HEADER(Type=c.NDIS_OBJECT_TYPE_DEFAULT, Revision=1, Size=112),
         "NDIS_OFFLOAD.Header.Type = 0x80, expected 0xA7"),
        (NDIS_OBJECT_HEADER(Type=c.NDIS_OBJECT_TYPE_OFFLOAD, Revision=0, Size=112),
         "NDIS_OFFLOAD.Header.Revision = 0 is not a revision"),
        (NDIS_OBJECT_HEADER(Type=c.NDIS_OBJECT_TYPE_OFFLOAD, Revision=3, Size=144),
         "NDIS_OFFLOAD.Header.Size = 144 is below NDIS_SIZEOF for revision 3 (156)"),
    ],
)  # fmt: skip
def test_bad_headers_are_reported(header: NDIS_OBJECT_HEADER, reason: str) -> None:
    """INV-18: right Type; Size >= NDIS_SIZEOF_..._REVISION_n for the claimed revision."""
    assert check_header(NDIS_OFFLOAD(Header=header)) == reason
    assert check_offload_headers(CURRENT, NDIS_OFFLOAD(Header=header)) == f"hardware {reason}"


def test_supported_revision_rule() -> None:
    """INV-18, N/version-information-requirements-for-ndis-drivers.md."""
    assert check_supported_revision(3, 3) is None
    assert check_supported_revision(3, 2) is None
    assert check_supported_revision(3, 0) == "a successful set left SupportedRevision at 0"
    assert check_supported_revision(2, 3) == "SupportedRevision 3 is above the request's revision 2"


def test_no_change_inert_predicate() -> None:
    """INV-6, D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md."""
    other = apply_offload_parameters(CURRENT, HARDWARE, NDIS_OFFLOAD_PARAMETERS(RscIPv4=1)).offload
    assert check_no_change_inert(CURRENT, CURRENT, NDIS_OFFLOAD_PARAMETERS()) is None
    assert check_no_change_inert(CURRENT, other, NDIS_OFFLOAD_PARAMETERS(RscIPv4=1)) is None
    assert check_no_change_inert(CURRENT, other, NDIS_OFFLOAD_PARAMETERS()) == (
        "an all-NO_CHANGE set changed Rsc.IPv4.Enabled"
    )


@given(hardware_and_current(), offload_parameters())
@settings(max_examples=60, deadline=None)
def test_property_apply_satisfies_the_no_change_predicate(
    hc: tuple[NDIS_OFFLOAD, NDIS_OFFLOAD], params: NDIS_OFFLOAD_PARAMETERS
) -> None:
    """apply_offload_parameters never trips INV-6 (it only matters for all-NO_CHANGE sets)."""
    hardware, current = hc
    after = apply_offload_parameters(current, hardware, params, HardwarePolicy.CLAMP).offload
    assert check_no_change_inert(current, after, params) is None


def _set_on(encapsulation: int) -> NDIS_OFFLOAD_ENCAPSULATION:
    return NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
            Enabled=c.NDIS_OFFLOAD_SET_ON, EncapsulationType=encapsulation, HeaderSize=14
        )
    )


def test_encapsulation_result_predicate() -> None:
    """INV-10, N/oid-offload-encapsulation.md."""
    ok, llc = _set_on(ETH), _set_on(c.NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED)
    assert check_encapsulation_result(CURRENT, ok, NdisStatus.NDIS_STATUS_SUCCESS) is None
    assert (
        check_encapsulation_result(CURRENT, llc, NdisStatus.NDIS_STATUS_INVALID_PARAMETER) is None
    )
    assert check_encapsulation_result(CURRENT, llc, NdisStatus.NDIS_STATUS_SUCCESS) == (
        "OID_OFFLOAD_ENCAPSULATION completed NDIS_STATUS_SUCCESS, the rule gives "
        "NDIS_STATUS_INVALID_PARAMETER"
    )
    assert check_encapsulation_result(CURRENT, ok, NdisStatus.NDIS_STATUS_REQUEST_ABORTED) is None
    assert (
        check_encapsulation_result(NDIS_OFFLOAD(), ok, NdisStatus.NDIS_STATUS_NOT_SUPPORTED) is None
    )
    assert check_encapsulation_result(CURRENT, ok, NdisStatus.NDIS_STATUS_NOT_SUPPORTED) is not None


def test_ipsec_v2_block_alone_has_no_ethernet_problem() -> None:
    """An all-zero IPsecV2 block is not "supported", so it needs no Encapsulation."""
    assert check_ethernet_always(attrs.evolve(CURRENT, IPsecV2=NDIS_IPSEC_OFFLOAD_V2())) is None
