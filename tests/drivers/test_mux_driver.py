"""The MUX driver, one rule at a time, driven by hand (``mux_harness``: a RecordingContext, no bus).

Each test names the rule of ``stack.drivers.mux._driver`` it checks; the docs pages are cited
there.
"""

from __future__ import annotations

import attrs
import pytest
from mux_harness import Harness, nic

from stack.drivers import PRESETS
from stack.drivers.mux import EMPTY_OFFLOAD, Mux, MuxMode
from stack.errors import BadInput
from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_USO_ENABLED,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    HardwarePolicy,
    NdisStatus,
    Oid,
    ProtocolBindingState,
    apply_offload_parameters,
)
from stack.ndis import (
    NDIS_OFFLOAD_ENCAPSULATION_IPv4 as EncapsulationIPv4,
)
from stack.ndis import (
    NDIS_OFFLOAD_ENCAPSULATION_IPv6 as EncapsulationIPv6,
)
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation as UdpSegmentationParameters,
)
from stack.runtime import (
    NET_BUFFER_LIST,
    Command,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    Send,
    SendComplete,
)

S = NdisStatus
HW = "NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES"
CUR = "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG"
LSO_OFF = NDIS_OFFLOAD_PARAMETERS(
    LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    LsoV2IPv6=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
)
ENCAPSULATION = NDIS_OFFLOAD_ENCAPSULATION(
    IPv4=EncapsulationIPv4(
        Enabled=NDIS_OFFLOAD_SET_ON, EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3, HeaderSize=14
    ),
    IPv6=EncapsulationIPv6(
        Enabled=NDIS_OFFLOAD_SET_ON, EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3, HeaderSize=14
    ),
)


def pair(**options: object) -> Harness:
    """A failover pair: nic0 (intel-x710) and nic1 (realtek-basic, checksum only).  These tests
    pin the active-member model (``advertises="active"``) unless told otherwise: it is the one
    whose failovers change capabilities; the LBFO default has its own tests."""
    options.setdefault("advertises", "active")
    return Harness.make({"nic0": "intel-x710", "nic1": "realtek-basic"}, **options)  # type: ignore[arg-type]


def lso(nbl_id: str = "tcpip#1", length: int = 64000) -> NET_BUFFER_LIST:
    return NET_BUFFER_LIST(Id=nbl_id, DataLength=length, LsoVersion=2, LsoMss=1460)


def params_set(params: NDIS_OFFLOAD_PARAMETERS, request_id: int = 7) -> NDIS_OID_REQUEST:
    return NDIS_OID_REQUEST.set(
        Oid.OID_TCP_OFFLOAD_PARAMETERS, params, RequestId=request_id, RequestHandle="tcpip"
    )


def encapsulation_set(request_id: int = 3) -> NDIS_OID_REQUEST:
    return NDIS_OID_REQUEST.set(
        Oid.OID_OFFLOAD_ENCAPSULATION, ENCAPSULATION, RequestId=request_id, RequestHandle="tcpip"
    )


# -- the protocol edge: binding and joining ------------------------------------------------------


def test_a_member_asks_ndis_for_its_hardware_capabilities_at_bind() -> None:
    h = pair()
    h.bind("nic0", answer=False)
    queries = [m.request.Oid for m in h.outstanding]
    assert queries == [Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES]
    assert h.outstanding[0].request.RequestHandle == "mux"


def test_a_chimney_member_is_also_asked_for_its_connection_offload_capabilities() -> None:
    h = Harness.make({"nic0": "chimney-capable"}, advertises="active")
    h.bind("nic0", answer=False)
    assert [m.request.Oid for m in h.outstanding] == [
        Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
        Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
    ]


def test_a_member_joins_only_once_running_with_its_capabilities_known() -> None:
    h = pair()
    h.bind("nic0")
    assert h.mux.team("team0").joined == ()
    h.deliver(Pnp(PnpOp.NetEventRestart, "nic0"))
    assert h.mux.team("team0").joined == ("nic0",)
    h.bind("nic1", answer=False)
    h.deliver(Pnp(PnpOp.NetEventRestart, "nic1"))
    assert h.mux.team("team0").joined == ("nic0",), "hardware query still pending"
    h.answer("nic1")
    assert h.mux.team("team0").joined == ("nic0", "nic1")


def test_the_mux_initializes_its_virtual_miniport_once_every_member_has_joined() -> None:
    h = pair()
    h.join("nic0")
    assert h.controls() == []
    h.join("nic1")
    assert [(c.adapter, c.operation) for c in h.controls()] == [("team0", "enable")]


def test_the_first_member_in_team_order_is_active_whatever_order_they_join_in() -> None:
    h = pair()
    h.join("nic1", "nic0")
    assert h.mux.team("team0").active == "nic0"


def test_a_spare_binding_in_no_team_is_kept_idle() -> None:
    h = pair()
    h.nics["nic9"] = nic("intel-x710")
    h.bind("nic9")
    h.restart("nic9")
    assert h.mux.view("nic9").role == "spare"  # type: ignore[union-attr]


# -- what the virtual miniport advertises --------------------------------------------------------


def test_a_failover_team_advertises_its_active_member() -> None:
    h = pair()
    h.join()
    attributes = h.start()
    assert attributes.HardwareOffloadCapabilities == PRESETS["intel-x710"].offload
    assert attributes.DefaultOffloadConfiguration == h.nics["nic0"].current


def test_a_team_advertises_the_intersection() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v2-small"}, mode="team")
    h.join()
    attributes = h.start()
    assert attributes.HardwareOffloadCapabilities.LsoV2.IPv4.MaxOffLoadSize == 16384
    assert attributes.HardwareOffloadCapabilities.LsoV1.IPv4.Encapsulation == 0


def test_the_intersection_option_makes_a_failover_team_advertise_like_a_team() -> None:
    h = pair(advertises="intersection")
    h.join()
    attributes = h.start()
    assert attributes.HardwareOffloadCapabilities.LsoV2.IPv4.Encapsulation == 0


# -- rule 1: no indication while initializing or halted; replay ----------------------------------


def test_a_change_during_initialization_is_not_indicated_but_is_in_the_attributes() -> None:
    h = pair(faults={"mux.init.delay": 1})
    h.join()
    h.deliver(Pnp(PnpOp.MiniportInitializeEx, "team0"))
    assert h.mux.team("team0").state.value == "Initializing"
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    assert h.indications() == []
    assert h.notes("mux.indicate.suppressed")
    h.deliver(Command("init-done", (("team", "team0"),)), src="mux")
    done = h.upward(Pnp)[-1]
    assert done.operation is PnpOp.InitializeComplete
    assert done.attributes.HardwareOffloadCapabilities == PRESETS["realtek-basic"].offload
    assert h.notes("mux.replay")


def test_nothing_is_indicated_after_halt_and_the_next_initialization_carries_the_change() -> None:
    h = pair()
    h.running()
    h.deliver(Pnp(PnpOp.MiniportPause, "team0"))
    h.deliver(Pnp(PnpOp.MiniportHaltEx, "team0"))
    h.take()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    assert h.indications() == []
    attributes = h.start()
    assert attributes.HardwareOffloadCapabilities == PRESETS["realtek-basic"].offload


def test_the_team_keywords_are_re_applied_to_the_members_at_initialization() -> None:
    h = pair()
    h.join()
    h.deliver(Pnp(PnpOp.MiniportInitializeEx, "team0", keywords=(("*LsoV2IPv4", "0"),)))
    assert not h.upward(Pnp), "initialization waits for the re-application"
    assert [m.request.Oid for m in h.outstanding] == [Oid.OID_TCP_OFFLOAD_PARAMETERS]
    h.answer()
    done = h.upward(Pnp)[-1]
    assert done.attributes.DefaultOffloadConfiguration.LsoV2.IPv4.Encapsulation == 0


# -- propagation of a hardware change --------------------------------------------------------------


def test_a_shrinking_swap_withdraws_then_indicates_hardware_then_current() -> None:
    h = pair()
    h.running()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    basic = h.nics["nic1"]
    assert h.indications() == [(CUR, basic.current), (HW, basic.hardware), (CUR, basic.current)]


def test_a_growing_swap_indicates_hardware_then_current() -> None:
    h = pair()
    h.running()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    h.take()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic0"))), src="scenario")
    x710 = h.nics["nic0"]
    assert h.indications() == [(HW, x710.hardware), (CUR, x710.current)]


def test_a_swap_can_be_delayed_by_the_fault_site() -> None:
    h = pair(faults={"mux.swap.delay": 2})
    h.running()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    assert h.mux.team("team0").active == "nic0"
    timers = [(m, d) for _, m, d in h.ctx.posts if isinstance(m, Command)]
    assert timers == [(Command("swap-now", (("team", "team0"), ("to", "nic1"))), 2)]


def test_a_standby_that_leaves_changes_nothing_the_team_advertises() -> None:
    h = pair()
    h.running()
    h.deliver(Pnp(PnpOp.NetEventPause, "nic1"))
    assert h.indications() == []


def test_the_active_member_leaving_fails_over_and_propagates() -> None:
    h = pair()
    h.running()
    h.deliver(Pnp(PnpOp.NetEventPause, "nic0"))
    assert h.mux.team("team0").active == "nic1"
    assert [code for code, _ in h.indications()] == [CUR, HW, CUR]
    assert h.notes("mux.failover")[0]["reason"] == "paused"


def test_the_only_member_leaving_leaves_a_team_that_advertises_nothing() -> None:
    h = Harness.make({"nic0": "intel-x710"})
    h.running()
    h.deliver(Pnp(PnpOp.NetEventPause, "nic0"))
    assert h.indications()[-2:] == [(HW, EMPTY_OFFLOAD), (CUR, EMPTY_OFFLOAD)]


def test_a_connection_offload_change_goes_as_hardware_then_pause_and_resume() -> None:
    h = Harness.make({"nic0": "chimney-capable", "nic1": "intel-x710"}, advertises="active")
    h.running()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    codes = [code for code, _ in h.indications()]
    assert codes == [
        HW,
        "NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES",
        "NDIS_STATUS_OFFLOAD_PAUSE",
        "NDIS_STATUS_OFFLOAD_RESUME",
        CUR,
    ]


# -- rule 2: only effective changes, no ping-pong -------------------------------------------------


def test_a_member_indication_that_changes_nothing_is_not_re_indicated() -> None:
    h = pair()
    h.running()
    h.change_current("nic0", h.nics["nic0"].current)
    assert h.indications() == []


def test_a_member_indication_never_makes_the_mux_send_anything_down() -> None:
    h = pair()
    h.running()
    nic0 = h.nics["nic0"]
    smaller = apply_offload_parameters(
        nic0.current, nic0.hardware, LSO_OFF, HardwarePolicy.CLAMP
    ).offload
    h.change_current("nic0", smaller)
    assert h.indications() == [(CUR, smaller)]
    assert h.outstanding == []
    assert not [m for _, m, _ in h.ctx.posts if isinstance(m, OidRequest)]


def test_a_standby_member_changing_is_not_indicated_in_failover_mode() -> None:
    h = pair()
    h.running()
    nic1 = h.nics["nic1"]
    h.change_current("nic1", attrs.evolve(nic1.current, Checksum=EMPTY_OFFLOAD.Checksum))
    assert h.indications() == []


# -- rule 3: OIDs at the virtual miniport --------------------------------------------------------


def test_a_set_beyond_what_the_team_advertises_is_failed_without_going_down() -> None:
    h = pair()
    h.running()
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")  # no USO
    h.take()
    uso = NDIS_OFFLOAD_PARAMETERS(
        UdpSegmentation=UdpSegmentationParameters(IPv4=NDIS_OFFLOAD_PARAMETERS_USO_ENABLED)
    )
    h.upper(params_set(uso))
    assert h.outstanding == []
    assert [(c.request.RequestId, c.status) for c in h.upward(OidComplete)] == [
        (7, S.NDIS_STATUS_INVALID_DATA)
    ]


def test_a_set_fans_out_clones_with_the_original_request_id_narrowed_per_member() -> None:
    h = pair()
    h.running()
    enable = NDIS_OFFLOAD_PARAMETERS(
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
        RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    )
    h.upper(params_set(enable))
    clones = {m.adapter: m.request for m in h.outstanding}
    assert set(clones) == {"nic0"}, "nic1 has neither LSO nor RSC: nothing to ask it"
    assert clones["nic0"].RequestId == 7 and clones["nic0"].RequestHandle == "mux"
    assert h.notes("mux.forward.skipped")[0]["member"] == "nic1"


def test_a_set_completes_upward_after_every_clone_and_its_indication() -> None:
    h = pair()
    h.running()
    h.upper(params_set(LSO_OFF))
    assert {m.adapter for m in h.outstanding} == {"nic0"}
    h.answer("nic0", echo="none")
    assert h.upward(OidComplete) == [], "the indication the set requires has not come yet"
    h.change_current("nic0", h.nics["nic0"].current)
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]


def test_the_new_configuration_is_indicated_before_the_set_completes() -> None:
    h = pair()
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer()
    kinds = [type(m).__name__ for m in h.upward(object)]
    assert kinds[-2:] == ["StatusIndication", "OidComplete"]
    assert h.indications()[-1][1].LsoV2.IPv4.Encapsulation == 0


def test_the_other_legal_order_is_a_fault_site() -> None:
    h = pair(faults={"mux.complete.order": 1})
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer()
    kinds = [type(m).__name__ for m in h.upward(object)]
    assert kinds[-2:] == ["OidComplete", "StatusIndication"]


def test_a_successful_set_is_indicated_even_when_it_changes_nothing() -> None:
    h = pair()
    h.running()
    h.upper(params_set(NDIS_OFFLOAD_PARAMETERS()))
    assert h.outstanding == [], "nothing to ask any member"
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]
    assert [code for code, _ in h.indications()] == [CUR]


def test_one_member_failing_fails_the_set_with_the_first_failure_in_team_order() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer("nic1", status=S.NDIS_STATUS_RESOURCES)
    h.answer("nic0", status=S.NDIS_STATUS_INVALID_DATA)
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_INVALID_DATA]


def test_the_set_is_recorded_as_the_teams_configuration_when_accepted() -> None:
    h = pair()
    h.running()
    h.upper(params_set(LSO_OFF))
    assert h.mux.team("team0").upper_parameters.LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED


def test_the_upper_supported_revision_is_the_lowest_a_member_honoured() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    for message in list(h.outstanding):
        h.outstanding.remove(message)
        revision = 1 if message.adapter == "nic1" else 5
        result = message.request.completed(SupportedRevision=revision)
        member = h.nics[message.adapter]
        applied = apply_offload_parameters(member.current, member.hardware,
                                           message.request.InformationBuffer,
                                           HardwarePolicy.CLAMP).offload  # fmt: skip
        h.change_current(message.adapter, applied)
        h.deliver(OidComplete(message.adapter, result, S.NDIS_STATUS_SUCCESS))
    assert h.upward(OidComplete)[0].request.SupportedRevision == 1


def test_an_encapsulation_set_goes_only_to_members_with_an_offload_for_it() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "no-offload"})
    h.running()
    h.upper(encapsulation_set())
    assert {m.adapter for m in h.outstanding} == {"nic0"}
    h.answer()
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]
    assert h.mux.view("nic0").encapsulation == ENCAPSULATION  # type: ignore[union-attr]


def test_any_other_oid_goes_as_a_clone_to_the_active_member() -> None:
    h = pair()
    h.running()
    h.upper(NDIS_OID_REQUEST.query(0x00010202, RequestId=9, RequestHandle="tcpip"))
    assert [(m.adapter, m.request.RequestId) for m in h.outstanding] == [("nic0", 9)]
    h.answer()
    done = h.upward(OidComplete)[0]
    assert (done.request.RequestHandle, done.status) == ("tcpip", S.NDIS_STATUS_NOT_SUPPORTED)


def test_with_no_member_any_other_oid_is_not_supported() -> None:
    h = Harness.make({"nic0": "intel-x710"})
    h.running()
    h.deliver(Pnp(PnpOp.NetEventPause, "nic0"))
    h.upper(NDIS_OID_REQUEST.query(0x00010202, RequestId=9))
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_NOT_SUPPORTED]


def test_a_second_request_while_one_is_forwarded_breaks_serialization() -> None:
    h = pair()
    h.running()
    h.upper(params_set(LSO_OFF))
    h.upper(params_set(LSO_OFF, request_id=8))
    assert h.ctx.failures[0][0] == "NdisOidDoubleRequest"


# -- rule 4: cancel ------------------------------------------------------------------------------


def test_a_cancel_is_forwarded_with_the_original_request_id_to_pending_clones() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer("nic0")
    h.deliver(OidCancel("team0", 7, "tcpip"))
    cancels = [m for _, m, _ in h.ctx.posts if isinstance(m, OidCancel)]
    assert cancels == [OidCancel("nic1", 7, "mux")]
    h.answer("nic1", status=S.NDIS_STATUS_REQUEST_ABORTED)
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_REQUEST_ABORTED]


def test_a_cancel_for_a_request_already_completed_is_only_noted() -> None:
    h = pair()
    h.running()
    h.deliver(OidCancel("team0", 99, "tcpip"))
    assert not [m for _, m, _ in h.ctx.posts if isinstance(m, OidCancel)]
    assert h.notes("oid.cancel.late")


# -- rules 5 and 6: members leaving and swaps while a request is pending -------------------------


def test_a_swap_while_a_set_is_pending_moves_the_advertisement_not_the_request() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, advertises="active")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    assert [code for code, _ in h.indications()] == [CUR, HW, CUR]
    assert {m.adapter for m in h.outstanding} == {"nic0", "nic1"}
    h.take()
    h.answer()
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]
    last = h.indications()[-1][1]
    assert last.LsoV1.IPv4.Encapsulation == 0 and last == h.nics["nic1"].current


@pytest.mark.parametrize("swap_first", [True, False])
def test_the_outcome_does_not_depend_on_whether_the_swap_or_the_completion_came_first(
    swap_first: bool,
) -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, advertises="active")
    h.running()
    h.upper(params_set(LSO_OFF))
    swap = Command("swap", (("team", "team0"), ("to", "nic1")))
    if swap_first:
        h.deliver(swap, src="scenario")
    h.answer()
    if not swap_first:
        h.deliver(swap, src="scenario")
    team = h.mux.team("team0")
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]
    assert team.active == "nic1" and team.advertised is not None
    assert team.advertised.current == h.nics["nic1"].current
    assert h.indications()[-1][1] == h.nics["nic1"].current


def test_a_member_that_leaves_with_a_clone_pending_is_awaited_but_not_counted() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer("nic0")
    h.deliver(Pnp(PnpOp.NetEventPause, "nic1"))
    h.deliver(Pnp(PnpOp.ProtocolUnbindAdapterEx, "nic1"))
    assert h.upward(OidComplete) == [], "the clone to nic1 is still pending"
    assert not [m for m in h.upward(Pnp)], "nothing completes upward yet"
    unbinds = [m for _, m, _ in h.ctx.posts if isinstance(m, Pnp) and m.adapter == "nic1"]
    assert PnpOp.UnbindComplete not in [m.operation for m in unbinds]
    h.answer("nic1", status=S.NDIS_STATUS_NOT_ACCEPTED)
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]
    ops = [
        type(m).__name__ + ":" + getattr(getattr(m, "operation", None), "value", "")
        for _, m, _ in h.ctx.posts
        if (isinstance(m, OidComplete) and m.adapter == "team0")
        or (isinstance(m, Pnp) and m.operation is PnpOp.UnbindComplete)
    ]
    assert ops == ["OidComplete:", "Pnp:UnbindComplete"], "completed before the binding closed"


def test_a_member_removed_by_the_administrator_is_awaited_but_not_counted() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "lso-v1-only"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.deliver(Command("remove-member", (("member", "nic1"), ("team", "team0"))), src="scenario")
    h.answer("nic0")
    assert h.upward(OidComplete) == []
    h.answer("nic1", status=S.NDIS_STATUS_FAILURE)
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_SUCCESS]
    assert h.mux.view("nic1").role == "spare"  # type: ignore[union-attr]


# -- rule 7: re-application to a member that joins later ------------------------------------------


def test_a_joining_member_gets_the_teams_parameters_and_encapsulation_before_it_joins() -> None:
    h = Harness.make({"nic0": "intel-x710"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer()
    h.upper(encapsulation_set())
    h.answer()
    h.take()
    h.nics["nic1"] = nic("intel-x710")
    h.deliver(Command("add-member", (("member", "nic1"), ("team", "team0"))), src="scenario")
    h.bind("nic1")
    h.restart("nic1", answer=False)
    assert [m.request.Oid for m in h.outstanding] == [
        Oid.OID_TCP_OFFLOAD_PARAMETERS,
        Oid.OID_OFFLOAD_ENCAPSULATION,
    ]
    assert h.mux.team("team0").joined == ("nic0",)
    h.answer()
    assert h.mux.team("team0").joined == ("nic0", "nic1")
    assert h.nics["nic1"].current.LsoV2.IPv4.Encapsulation == 0
    assert h.indications() == [], "the join changed nothing the team advertises"


def test_a_joining_member_waits_for_the_indication_its_re_application_owes() -> None:
    h = Harness.make({"nic0": "intel-x710"}, mode="team")
    h.running()
    h.upper(params_set(LSO_OFF))
    h.answer()
    h.take()
    h.nics["nic1"] = nic("intel-x710")
    h.deliver(Command("add-member", (("member", "nic1"), ("team", "team0"))), src="scenario")
    h.bind("nic1")
    h.restart("nic1", answer=False)
    h.answer(echo="none")
    assert h.mux.team("team0").joined == ("nic0",)
    h.change_current("nic1", h.nics["nic1"].current)
    assert h.mux.team("team0").joined == ("nic0", "nic1")
    assert h.indications() == []


def test_a_joining_member_with_nothing_to_change_joins_at_once() -> None:
    h = Harness.make({"nic0": "intel-x710"}, mode="team")
    h.running()
    h.nics["nic1"] = nic("intel-x710")
    h.deliver(Command("add-member", (("member", "nic1"), ("team", "team0"))), src="scenario")
    h.join("nic1")
    assert h.mux.team("team0").joined == ("nic0", "nic1")


def test_a_replacement_takes_the_old_members_role_in_one_change() -> None:
    h = pair()
    h.running()
    h.nics["nic2"] = nic("lso-v2-small")
    h.deliver(
        Command("replace-member", (("new", "nic2"), ("old", "nic0"), ("team", "team0"))),
        src="scenario",
    )
    assert h.mux.team("team0").active == "nic0", "the old member serves until the new one joins"
    h.join("nic2")
    team = h.mux.team("team0")
    assert (team.active, team.members) == ("nic2", ("nic2", "nic1"))
    small = h.nics["nic2"]
    assert h.indications() == [(CUR, small.current), (HW, small.hardware), (CUR, small.current)]


def test_a_returning_member_stands_by() -> None:
    h = pair()
    h.running()
    h.deliver(Pnp(PnpOp.NetEventPause, "nic0"))
    h.restart("nic0")
    assert h.mux.team("team0").active == "nic1"
    assert h.mux.view("nic0").role == "standby"  # type: ignore[union-attr]


# -- rule 8: sends ------------------------------------------------------------------------------


def running_with_encapsulation(h: Harness) -> None:
    h.running()
    h.upper(encapsulation_set())
    h.answer()
    h.take()


def test_a_send_goes_to_the_active_member_as_it_is() -> None:
    h = pair()
    running_with_encapsulation(h)
    h.send(lso())
    assert [(m.adapter, m.nbl) for m in h.ctx.messages(Send)] == [("nic0", lso())]
    h.complete_sends()
    assert h.upward(SendComplete) == [SendComplete("team0", lso(), S.NDIS_STATUS_SUCCESS)]


def test_a_send_beyond_what_the_team_advertises_is_failed_not_handed_down() -> None:
    h = pair()
    running_with_encapsulation(h)
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    h.take()
    h.send(lso())
    assert h.ctx.messages(Send) == []
    assert h.upward(SendComplete) == [SendComplete("team0", lso(), S.NDIS_STATUS_FAILURE)]
    assert h.mux.stats().sends_refused == 1


def test_a_send_completed_after_its_offload_was_withdrawn_is_reported_failed() -> None:
    h = pair()
    running_with_encapsulation(h)
    h.send(lso())
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    h.complete_sends()
    assert h.upward(SendComplete)[-1].status == S.NDIS_STATUS_FAILURE
    assert h.mux.stats().sends_withdrawn == 1


def test_a_send_a_member_cannot_take_whole_is_cut_for_it() -> None:
    h = Harness.make({"nic0": "intel-x710"})
    running_with_encapsulation(h)
    # A set turning LSO off is pending: nic0 has applied and indicated it, but the team defers
    # its own indication to the set's completion (rule 2), so TCP/IP may still send LSO.
    h.upper(params_set(LSO_OFF))
    h.outstanding.clear()
    nic0 = h.nics["nic0"]
    off = apply_offload_parameters(nic0.current, nic0.hardware, LSO_OFF, HardwarePolicy.CLAMP)
    h.change_current("nic0", off.offload)
    assert h.notes("mux.indicate.deferred") and h.indications() == []
    h.take()
    h.send(lso(length=4000))
    pieces = [m.nbl for m in h.ctx.messages(Send)]
    assert [p.DataLength for p in pieces] == [1460, 1460, 1080]
    assert all(not p.LsoMss and p.TcpChecksum for p in pieces)
    h.complete_sends()
    assert h.upward(SendComplete) == [
        SendComplete("team0", lso(length=4000), S.NDIS_STATUS_SUCCESS)
    ]
    assert h.mux.stats().sends_fitted == 1


def test_nothing_is_offloaded_to_a_member_before_its_encapsulation_set() -> None:
    h = pair()
    h.running()
    nbl = NET_BUFFER_LIST(Id="tcpip#1", DataLength=1000, TcpChecksum=True)
    h.send(nbl)
    assert [m.nbl.offloads() for m in h.ctx.messages(Send)] == [[]]


def test_a_team_spreads_its_sends_over_its_members_in_team_order() -> None:
    h = Harness.make({"nic0": "intel-x710", "nic1": "intel-x710"}, mode="team")
    running_with_encapsulation(h)
    for i in range(4):
        h.send(NET_BUFFER_LIST(Id=f"tcpip#{i}", DataLength=100))
    assert [m.adapter for m in h.ctx.messages(Send)] == ["nic0", "nic1", "nic0", "nic1"]


def test_a_send_with_no_member_to_carry_it_fails() -> None:
    h = Harness.make({"nic0": "intel-x710"})
    h.running()
    h.deliver(Pnp(PnpOp.NetEventPause, "nic0"))
    h.take()
    h.send(NET_BUFFER_LIST(Id="tcpip#1", DataLength=100))
    assert h.upward(SendComplete)[0].status == S.NDIS_STATUS_FAILURE
    assert h.mux.stats().sends_without_member == 1


def test_a_pause_of_the_virtual_miniport_waits_for_its_sends() -> None:
    h = pair()
    running_with_encapsulation(h)
    h.send(NET_BUFFER_LIST(Id="tcpip#1", DataLength=100))
    h.deliver(Pnp(PnpOp.MiniportPause, "team0"))
    assert not [m for m in h.upward(Pnp) if m.operation is PnpOp.PauseComplete]
    h.complete_sends()
    assert [m.operation for m in h.upward(Pnp)] == [PnpOp.PauseComplete]


def test_receives_come_up_from_the_active_member_only_with_the_gate_of_the_team() -> None:
    h = pair()
    h.running()
    h.deliver(Receive("nic0", "nic0#rx1", rx_checksum_offloaded=True))
    h.deliver(Receive("nic1", "nic1#rx1", rx_checksum_offloaded=True))
    assert h.upward(Receive) == [Receive("team0", "nic0#rx1", rx_checksum_offloaded=False)]
    h.upper(encapsulation_set())
    h.answer()
    h.deliver(Receive("nic0", "nic0#rx2", rx_checksum_offloaded=True))
    assert h.upward(Receive)[-1] == Receive("team0", "nic0#rx2", rx_checksum_offloaded=True)


# -- the virtual miniport's own state ------------------------------------------------------------


def test_a_surprise_removed_virtual_miniport_refuses_oids() -> None:
    h = pair()
    h.running()
    h.deliver(Pnp(PnpOp.SurpriseRemoved, "team0"))
    h.upper(params_set(LSO_OFF))
    assert [c.status for c in h.upward(OidComplete)] == [S.NDIS_STATUS_NOT_ACCEPTED]


def test_an_oid_in_a_state_that_accepts_none_is_a_contract_violation() -> None:
    h = pair()
    h.upper(params_set(LSO_OFF))
    assert h.ctx.failures[0][0] == "miniport-oid-in-state"


# -- topology and commands -----------------------------------------------------------------------


def test_a_member_can_belong_to_one_team_only() -> None:
    mux = Mux()
    mux.add_team("team0", members=["nic0"])
    with pytest.raises(BadInput, match="already a member"):
        mux.add_team("team1", members=["nic0"])


def test_a_team_cannot_be_a_member_and_a_member_cannot_repeat() -> None:
    mux = Mux()
    mux.add_team("team0", members=["nic0"])
    with pytest.raises(BadInput, match="cannot be a member"):
        mux.add_team("team1", members=["team0"])
    with pytest.raises(BadInput, match="twice"):
        mux.add_team("team2", members=["nic5", "nic5"])


def test_bad_options_and_commands_are_bad_input() -> None:
    with pytest.raises(BadInput, match="Advertises"):
        Mux(advertises="sometimes")
    with pytest.raises(BadInput, match="MuxMode"):
        Mux().add_team("team0", members=[], mode="bonded")
    h = Harness.make({"nic0": "intel-x710"}, mode="team")
    with pytest.raises(BadInput, match="unknown command"):
        h.deliver(Command("shuffle"), src="scenario")
    with pytest.raises(BadInput, match="needs a failover team"):
        h.deliver(Command("swap", (("team", "team0"), ("to", "nic0"))), src="scenario")
    with pytest.raises(BadInput, match="no team"):
        h.deliver(Command("add-member", (("member", "x"), ("team", "t9"))), src="scenario")
    with pytest.raises(BadInput, match="needs argument"):
        h.deliver(Command("remove-member", (("team", "team0"),)), src="scenario")


def test_a_swap_to_a_member_that_has_not_joined_is_refused() -> None:
    h = pair()
    h.running("nic0")
    h.deliver(Command("swap", (("team", "team0"), ("to", "nic1"))), src="scenario")
    assert h.mux.team("team0").active == "nic0"
    assert h.notes("mux.swap.refused")


def test_views_report_roles_and_binding_states() -> None:
    h = pair()
    h.running()
    team = h.mux.view("team0")
    assert team.mode is MuxMode.FAILOVER and team.current == h.nics["nic0"].current  # type: ignore[union-attr]
    standby = h.mux.view("nic1")
    assert standby.role == "standby" and standby.binding is ProtocolBindingState.Running  # type: ignore[union-attr]
    with pytest.raises(BadInput):
        h.mux.view("nic7")
    with pytest.raises(BadInput):
        h.mux.team("nic0")


def test_the_virtual_miniport_refuses_what_the_oid_table_gives_no_driver() -> None:
    """The MUX reads the OID table (one copy of the facts): a query NDIS answers from its cache
    or from the open, and a direction no one supports, complete NOT_SUPPORTED if they reach the
    virtual miniport; an OID the table gives to the driver, or does not know, goes to a member."""
    from stack.drivers.mux._driver import _not_for_the_driver
    from stack.ndis import Oid

    refused = [
        (Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG, True),
        (Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG, False),
        (Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, True),
        (Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG, True),
        (Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES, False),
        (Oid.OID_TCP_OFFLOAD_PARAMETERS, True),
        (Oid.OID_OFFLOAD_ENCAPSULATION, True),
    ]
    passed = [
        (Oid.OID_TCP_CONNECTION_OFFLOAD_PARAMETERS, True),
        (Oid.OID_TCP_CONNECTION_OFFLOAD_PARAMETERS, False),
        (Oid.OID_TCP_TASK_OFFLOAD, True),
        (0x00010101, True),  # OID_GEN_SUPPORTED_LIST: outside the table
    ]
    assert all(_not_for_the_driver(oid, is_query=q) for oid, q in refused)
    assert not any(_not_for_the_driver(oid, is_query=q) for oid, q in passed)
