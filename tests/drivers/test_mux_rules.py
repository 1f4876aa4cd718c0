"""The MUX's pure rules: which members are aggregated, what a team advertises, how a set is fitted
to a member, how fanned-out completions combine, and how a send is fitted to a member."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack.drivers import PRESETS, checksum_offload
from stack.drivers.mux import (
    EMPTY_OFFLOAD,
    FailoverAdvertises,
    MemberCapabilities,
    MuxMode,
    PublishAction,
    TeamCapabilities,
    aggregate,
    aggregate_status,
    aggregated_members,
    compose_parameters,
    describe,
    fit_parameters,
    fit_send,
    plan_publication,
    send_exceeds,
)
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_NO_CHANGE,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_USO_ENABLED,
    PARAMETER_MEMBERS,
    HardwarePolicy,
    NdisStatus,
    apply_offload_parameters,
    capability_excess,
    current_config_from_keywords,
)
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation as UdpSegmentationParameters,
)
from stack.runtime import NET_BUFFER_LIST

S = NdisStatus
X710 = PRESETS["intel-x710"].offload
SMALL = PRESETS["lso-v2-small"].offload
BASIC = PRESETS["realtek-basic"].offload
V1_ONLY = PRESETS["lso-v1-only"].offload
NONE = PRESETS["no-offload"].offload
CHIMNEY = PRESETS["chimney-capable"]


def member(name: str, preset: str) -> MemberCapabilities:
    profile = PRESETS[preset]
    return MemberCapabilities(
        adapter=name,
        hardware=profile.offload,
        current=current_config_from_keywords(profile.offload, {}),
        connection_hardware=profile.connection,
        connection_current=profile.connection,
    )


def lso_nbl(length: int, *, version: int = 2, ip: int = 4, mss: int = 1460) -> NET_BUFFER_LIST:
    return NET_BUFFER_LIST(
        Id="p#1", DataLength=length, IpVersion=ip, LsoVersion=version, LsoMss=mss
    )


# -- which members are aggregated ----------------------------------------------------------------


def test_a_failover_team_aggregates_its_active_member_by_default() -> None:
    joined = ["nic0", "nic1"]
    assert aggregated_members(MuxMode.FAILOVER, FailoverAdvertises.ACTIVE, joined, "nic1") == [
        "nic1"
    ]


def test_a_failover_team_with_the_intersection_option_aggregates_every_joined_member() -> None:
    joined = ["nic0", "nic1"]
    result = aggregated_members(MuxMode.FAILOVER, FailoverAdvertises.INTERSECTION, joined, "nic1")
    assert result == joined


def test_a_team_aggregates_every_joined_member_in_team_order() -> None:
    result = aggregated_members(MuxMode.TEAM, FailoverAdvertises.ACTIVE, ["b", "a"], None)
    assert result == ["b", "a"]


def test_an_active_member_that_has_not_joined_is_not_aggregated() -> None:
    assert aggregated_members(MuxMode.FAILOVER, FailoverAdvertises.ACTIVE, [], "nic0") == []


# -- what a team advertises ----------------------------------------------------------------------


def test_no_member_advertises_nothing() -> None:
    caps = aggregate([])
    assert caps == TeamCapabilities()
    assert caps.hardware == EMPTY_OFFLOAD and describe(caps.current) == []
    assert caps.connection_hardware is None


def test_one_member_is_advertised_as_it_is() -> None:
    one = member("nic0", "intel-x710")
    caps = aggregate([one])
    assert caps.hardware == one.hardware
    assert caps.current == one.current


def test_a_team_advertises_the_smallest_lso_size_and_only_what_every_member_has() -> None:
    caps = aggregate([member("nic0", "intel-x710"), member("nic1", "lso-v2-small")])
    assert caps.hardware.LsoV2.IPv4.MaxOffLoadSize == 16384
    assert caps.hardware.LsoV1.IPv4.Encapsulation == 0  # lso-v2-small has no LSOv1
    assert caps.hardware.UdpSegmentation.IPv4.Encapsulation == 0
    assert describe(caps.current) == ["csum4", "csum6", "lsov2:16384/16384"]


@given(st.lists(st.sampled_from(sorted(PRESETS)), min_size=1, max_size=4))
def test_what_a_team_advertises_never_exceeds_any_member(presets: list[str]) -> None:
    members = [member(f"nic{i}", p) for i, p in enumerate(presets)]
    caps = aggregate(members)
    for m in members:
        assert list(capability_excess(caps.hardware, m.hardware)) == []
        assert list(capability_excess(caps.current, m.current)) == []
    assert list(capability_excess(caps.current, caps.hardware)) == []


def test_connection_offload_survives_only_if_every_member_has_it() -> None:
    chimney = member("nic0", "chimney-capable")
    assert aggregate([chimney, chimney]).connection_hardware == CHIMNEY.connection
    assert aggregate([chimney, member("nic1", "intel-x710")]).connection_hardware is None


# -- combining fanned-out completions ------------------------------------------------------------


def test_a_fanned_out_request_succeeds_only_if_every_counted_clone_did() -> None:
    assert aggregate_status([S.NDIS_STATUS_SUCCESS, S.NDIS_STATUS_SUCCESS]) == S.NDIS_STATUS_SUCCESS


def test_the_first_failure_in_team_order_wins_whatever_order_they_arrived_in() -> None:
    results = [S.NDIS_STATUS_SUCCESS, S.NDIS_STATUS_INVALID_DATA, S.NDIS_STATUS_REQUEST_ABORTED]
    assert aggregate_status(results) == S.NDIS_STATUS_INVALID_DATA


def test_a_request_no_member_counts_for_succeeds() -> None:
    assert aggregate_status([]) == S.NDIS_STATUS_SUCCESS


# -- fitting an upper-level set to a member ------------------------------------------------------


def test_an_enable_the_member_lacks_becomes_no_change() -> None:
    params = NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED)
    assert fit_parameters(params, BASIC).LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
    assert fit_parameters(params, X710).LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED


def test_a_disable_of_a_feature_the_member_lacks_becomes_no_change_and_one_it_has_stays() -> None:
    params = NDIS_OFFLOAD_PARAMETERS(
        LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    )
    fitted = fit_parameters(params, V1_ONLY)
    assert fitted.LsoV1 == NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED
    assert fitted.LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_NO_CHANGE
    assert fit_parameters(params, NONE) == NDIS_OFFLOAD_PARAMETERS()


def test_a_checksum_request_keeps_the_direction_the_member_has() -> None:
    tx_only = attrs.evolve(X710, Checksum=checksum_offload(ipv4_rx=False, ipv6_rx=False))
    params = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)
    fitted = fit_parameters(params, tx_only)
    assert fitted.TCPIPv4Checksum == NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED


def test_connection_offload_is_asked_only_of_a_chimney_capable_member() -> None:
    on = NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_ENABLED
    params = NDIS_OFFLOAD_PARAMETERS(TcpConnectionIPv4=on)
    assert fit_parameters(params, X710, None).TcpConnectionIPv4 == 0
    assert fit_parameters(params, CHIMNEY.offload, CHIMNEY.connection).TcpConnectionIPv4 == on


def test_fitting_keeps_the_header_and_flags() -> None:
    params = NDIS_OFFLOAD_PARAMETERS(
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
        Flags=NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    )
    fitted = fit_parameters(params, BASIC)
    assert fitted.Header == params.Header and fitted.Flags == params.Flags


_VALUES: dict[str, Any] = {
    "IPv4Checksum": 4, "TCPIPv4Checksum": 4, "UDPIPv4Checksum": 4, "TCPIPv6Checksum": 4,
    "UDPIPv6Checksum": 4, "LsoV1": 2, "IPsecV1": 4, "LsoV2IPv4": 2, "LsoV2IPv6": 2,
    "TcpConnectionIPv4": 2, "TcpConnectionIPv6": 2, "IPsecV2": 4, "IPsecV2IPv4": 4, "RscIPv4": 2,
    "RscIPv6": 2, "EncapsulatedPacketTaskOffload": 2, "UdpSegmentation.IPv4": 2,
    "UdpSegmentation.IPv6": 2, "UdpRsc.Enabled": 2,
}  # fmt: skip


@st.composite
def parameters(draw: st.DrawFn) -> NDIS_OFFLOAD_PARAMETERS:
    params = NDIS_OFFLOAD_PARAMETERS()
    for name in PARAMETER_MEMBERS:
        value = draw(st.integers(0, _VALUES[name]))
        head, _, rest = name.partition(".")
        changes: dict[str, Any] = (
            {head: attrs.evolve(getattr(params, head), **{rest: value})} if rest else {name: value}
        )
        params = attrs.evolve(params, **changes)
    return params


@given(parameters(), st.sampled_from(sorted(PRESETS)))
def test_a_fitted_set_never_asks_a_member_for_more_than_its_hardware(
    params: NDIS_OFFLOAD_PARAMETERS, preset: str
) -> None:
    hardware = PRESETS[preset].offload
    fitted = fit_parameters(params, hardware, PRESETS[preset].connection)
    result = apply_offload_parameters(hardware, hardware, fitted, HardwarePolicy.INVALID_DATA)
    assert result.succeeded, result.unsupported
    assert fit_parameters(fitted, hardware, PRESETS[preset].connection) == fitted


# -- composing the upper-level configuration -----------------------------------------------------


def test_a_later_set_overrides_only_the_members_it_sets() -> None:
    earlier = NDIS_OFFLOAD_PARAMETERS(
        LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    )
    later = NDIS_OFFLOAD_PARAMETERS(
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
        UdpSegmentation=UdpSegmentationParameters(IPv4=NDIS_OFFLOAD_PARAMETERS_USO_ENABLED),
        Flags=NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    )
    composed = compose_parameters(earlier, later)
    assert composed.LsoV1 == NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED
    assert composed.LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED
    assert composed.UdpSegmentation.IPv4 == NDIS_OFFLOAD_PARAMETERS_USO_ENABLED
    assert composed.Flags == NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE


def test_composing_keeps_the_higher_revision_header() -> None:
    old = attrs.evolve(NDIS_OFFLOAD_PARAMETERS(), Header=NDIS_OFFLOAD_PARAMETERS.header_for(1))
    new = NDIS_OFFLOAD_PARAMETERS()
    assert compose_parameters(new, old).Header == new.Header


# -- fitting a send to a member ------------------------------------------------------------------


def test_a_send_the_member_can_take_goes_as_it_is() -> None:
    nbl = lso_nbl(64000)
    assert fit_send(nbl, X710) == ([nbl], None)


def test_a_large_send_beyond_the_members_size_is_cut_into_large_sends_it_can_take() -> None:
    pieces, why = fit_send(lso_nbl(64000), SMALL)
    assert why == "lsov2-too-large"
    assert [p.DataLength for p in pieces] == [16384, 16384, 16384, 14848]
    assert all(p.LsoMss == 1460 and send_exceeds(p, SMALL) is None for p in pieces)
    assert len({p.Id for p in pieces}) == 4


def test_a_large_send_to_a_member_without_lso_becomes_mss_sized_checksummed_packets() -> None:
    pieces, why = fit_send(lso_nbl(4000), BASIC)
    assert why == "lsov2-off"
    assert [p.DataLength for p in pieces] == [1460, 1460, 1080]
    assert all(not p.LsoMss and p.TcpChecksum and p.IpHeaderChecksum for p in pieces)


def test_nothing_is_offloaded_to_a_member_whose_offloads_are_not_active() -> None:
    plain = NET_BUFFER_LIST(Id="p#2", DataLength=1000, IpHeaderChecksum=True, TcpChecksum=True)
    pieces, why = fit_send(plain, None)
    assert why == "checksum-in-software"
    assert pieces[0].offloads() == []
    pieces, why = fit_send(lso_nbl(3000), None)
    assert why == "offload-unusable" and all(p.offloads() == [] for p in pieces)


def test_a_checksum_request_the_member_has_off_is_done_in_software() -> None:
    nbl = NET_BUFFER_LIST(Id="p#3", DataLength=1000, IpVersion=6, TcpChecksum=True)
    pieces, why = fit_send(nbl, V1_ONLY)  # no IPv6 checksum offload
    assert why == "checksum-in-software" and not pieces[0].TcpChecksum


@given(
    st.sampled_from(sorted(PRESETS)),
    st.integers(1, 300_000),
    st.sampled_from([(1, 4), (2, 4), (2, 6)]),
)
def test_a_fitted_send_never_exceeds_its_member_and_keeps_every_byte(
    preset: str, length: int, kind: tuple[int, int]
) -> None:
    hardware = PRESETS[preset].offload
    current: NDIS_OFFLOAD = current_config_from_keywords(hardware, {})
    version, ip = kind
    nbl = lso_nbl(length, version=version, ip=ip)
    pieces, _ = fit_send(nbl, current)
    assert sum(p.DataLength for p in pieces) == length
    for piece in pieces:
        assert send_exceeds(piece, current) is None
        block = getattr(current.Checksum, f"IPv{ip}Transmit")
        assert not piece.TcpChecksum or block.TcpChecksum == 1


def test_send_exceeds_names_the_reason() -> None:
    assert send_exceeds(lso_nbl(70000, version=1), X710) == "lsov1-too-large"
    assert send_exceeds(lso_nbl(3000, version=1, ip=6), X710) == "lsov1-off"
    assert send_exceeds(NET_BUFFER_LIST(Id="u", DataLength=9000, UsoMss=1400), BASIC) == "uso-off"
    assert send_exceeds(NET_BUFFER_LIST(Id="p", DataLength=100), NONE) is None


@pytest.mark.parametrize(
    ("preset", "digest"),
    [
        ("intel-x710", ["csum4", "csum6", "lsov1:65536", "lsov2:262144/262144", "uso", "rsc"]),
        ("realtek-basic", ["csum4", "csum6"]),
        ("no-offload", []),
    ],
)
def test_describe_lists_what_is_on(preset: str, digest: list[str]) -> None:
    assert describe(PRESETS[preset].offload) == digest
    assert describe(None) == []


# -- publication (rules 1 and 2) -----------------------------------------------------------------

S = NdisStatus


def _team(preset: str, **keywords: str) -> TeamCapabilities:
    hardware = PRESETS[preset].offload
    return TeamCapabilities(
        hardware=hardware, current=current_config_from_keywords(hardware, keywords)
    )


def _plan(before: TeamCapabilities | None, after: TeamCapabilities, **flags: Any) -> Any:
    options = {"may_indicate": True, "started": True, "suppressed": False,
               "config_set_pending": False, **flags}  # fmt: skip
    return plan_publication(before, after, **options)


def test_a_hardware_shrink_withdraws_then_indicates_the_hardware_then_the_current() -> None:
    before, after = _team("intel-x710"), _team("realtek-basic")
    plan = _plan(before, after)
    assert plan.action is PublishAction.PUBLISH and plan.hardware_changed
    codes = [code for code, _ in plan.indications]
    assert codes == [
        S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
        S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES,
        S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
    ]
    assert plan.indications[0][1] == plan.withdrawn and plan.indications[-1][1] == after.current


def test_no_change_is_not_indicated_unless_forced_and_a_forced_one_is_the_current_only() -> None:
    team = _team("intel-x710")
    assert _plan(team, team).action is PublishAction.NOTHING
    forced = _plan(team, team, force_current=True, config_set_pending=True)
    assert forced.indications == ((S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, team.current),)


def test_while_initializing_a_change_is_suppressed_once_and_only_after_the_start() -> None:
    before, after = _team("intel-x710"), _team("realtek-basic")
    assert _plan(before, after, may_indicate=False).action is PublishAction.SUPPRESS
    again = _plan(before, after, may_indicate=False, suppressed=True)
    assert again.action is PublishAction.NOTHING
    assert _plan(None, after, may_indicate=False, started=False).action is PublishAction.NOTHING


def test_the_echo_of_the_muxs_own_set_is_deferred_but_a_hardware_change_is_not() -> None:
    before = _team("intel-x710")
    echo = _team("intel-x710", **{"*RscIPv4": "0"})
    assert _plan(before, echo, config_set_pending=True).action is PublishAction.DEFER
    assert _plan(before, _team("realtek-basic"), config_set_pending=True).action is (
        PublishAction.PUBLISH
    )


_TEAMS = st.builds(
    _team,
    st.sampled_from(sorted(PRESETS)),
    **{k: st.sampled_from(["0", "1", "3"]) for k in ("*LsoV2IPv4", "*TCPChecksumOffloadIPv4")},
)


@given(before=_TEAMS, after=_TEAMS)
def test_ndis_never_holds_a_current_configuration_beyond_the_hardware_it_was_told(
    before: TeamCapabilities, after: TeamCapabilities
) -> None:
    """Spec 7.2 item 1, between every two indications of one publication."""
    plan = _plan(before, after)
    hardware, current = before.hardware, before.current
    for code, buffer in plan.indications:
        if code == S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG:
            current = buffer
        elif code == S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES:
            hardware = buffer
        assert list(capability_excess(current, hardware)) == []
    assert (hardware, current) == (after.hardware, after.current)
