"""The miniport's NDIS version, minimum parameters revision and the netadaptercx preset."""

from __future__ import annotations

from typing import Any

import pytest

from stack.drivers import MINIPORT_PRESETS, PRESETS, Miniport, RecordingContext
from stack.errors import BadInput
from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NdisStatus,
    Oid,
)
from stack.runtime import (
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    Command,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    StatusIndication,
)

S = NdisStatus


def running(miniport: Miniport, keywords: Any = ()) -> RecordingContext:
    ctx = RecordingContext()
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, miniport.name, keywords=tuple(keywords)))
    ctx.deliver(miniport, Pnp(PnpOp.MiniportRestart, miniport.name))
    ctx.take()
    return ctx


def params(revision: int, **members: int) -> NDIS_OFFLOAD_PARAMETERS:
    return NDIS_OFFLOAD_PARAMETERS(Header=NDIS_OFFLOAD_PARAMETERS.header_for(revision), **members)


def set_request(buffer: object, request_id: int = 1) -> OidRequest:
    oid = (
        Oid.OID_OFFLOAD_ENCAPSULATION
        if isinstance(buffer, NDIS_OFFLOAD_ENCAPSULATION)
        else Oid.OID_TCP_OFFLOAD_PARAMETERS
    )
    return OidRequest("nic0", NDIS_OID_REQUEST.set(oid, buffer, RequestId=request_id))


def outcome(ctx: RecordingContext) -> list[str]:
    out = []
    for _, message, _ in ctx.take():
        if isinstance(message, StatusIndication):
            out.append(S(message.indication.StatusCode).name)
        elif isinstance(message, OidComplete):
            out.append(f"complete:{S(message.status).name}")
    return out


def completion(ctx: RecordingContext) -> OidComplete:
    [complete] = ctx.messages(OidComplete)
    return complete


# -- NDIS version ---------------------------------------------------------------------------------


def test_a_6_20_miniport_reports_revision_2_without_the_newer_members() -> None:
    miniport = Miniport("nic0", preset="intel-x710", ndis_version="6.20")
    ctx = RecordingContext()
    ctx.deliver(miniport, Pnp(PnpOp.MiniportInitializeEx, "nic0"))
    attributes = ctx.messages(Pnp)[0].attributes
    assert isinstance(attributes, NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES)
    hardware = attributes.HardwareOffloadCapabilities
    assert hardware.Header == NDIS_OFFLOAD.header_for(2)
    assert hardware.UdpSegmentation.IPv4.Encapsulation == 0  # USO is revision 6
    assert hardware.Rsc.IPv4.Enabled == 0  # RSC is revision 3
    assert hardware.LsoV2 == PRESETS["intel-x710"].offload.LsoV2
    assert attributes.DefaultOffloadConfiguration.Header.Revision == 2


def test_without_a_version_the_profile_decides_as_before() -> None:
    assert Miniport("nic0", preset="intel-x710").revisions.version == "6.85"
    assert Miniport("nic0", preset="realtek-basic").revisions.version == "6.1"
    assert Miniport("nic0", preset="lso-v1-only").revisions.version == "6.0"


def test_a_6_20_miniport_reads_a_newer_buffer_as_revision_2() -> None:
    miniport = Miniport("nic0", preset="intel-x710", ndis_version="6.20")
    ctx = running(miniport)
    change = params(5, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
                    RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED)  # fmt: skip
    ctx.deliver(miniport, set_request(change))
    complete = completion(ctx)
    assert complete.status == S.NDIS_STATUS_SUCCESS
    assert complete.request.SupportedRevision == 2
    assert miniport.current is not None and miniport.current.LsoV2.IPv4.Encapsulation == 0


def test_a_bad_version_is_bad_input() -> None:
    with pytest.raises(BadInput, match="NDIS version"):
        Miniport("nic0", ndis_version="5.1")


# -- minimum revision -----------------------------------------------------------------------------


def test_a_buffer_below_the_minimum_revision_is_refused_invalid_parameter() -> None:
    miniport = Miniport("nic0", preset="intel-x710", min_parameters_revision=3)
    ctx = running(miniport)
    before = miniport.current
    ctx.deliver(miniport, set_request(params(2, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)))
    assert "oid.params.revision_refused" in ctx.note_kinds()
    assert outcome(ctx) == ["complete:NDIS_STATUS_INVALID_PARAMETER"]
    assert miniport.current == before
    # revision 3 (26 bytes) is accepted
    ctx.deliver(miniport, set_request(params(3, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)))
    assert outcome(ctx) == [
        "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG",
        "complete:NDIS_STATUS_SUCCESS",
    ]


def test_the_refusal_status_is_an_option() -> None:
    miniport = Miniport("nic0", min_parameters_revision=3, revision_refusal_status="INVALID_LENGTH")
    ctx = running(miniport)
    ctx.deliver(miniport, set_request(params(1)))
    assert outcome(ctx) == ["complete:NDIS_STATUS_INVALID_LENGTH"]


def test_by_default_every_revision_is_accepted() -> None:
    miniport = Miniport("nic0", preset="intel-x710")
    ctx = running(miniport)
    ctx.deliver(miniport, set_request(params(1, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)))
    assert completion(ctx).status == S.NDIS_STATUS_SUCCESS


@pytest.mark.parametrize("bad", [0, 7])
def test_an_unknown_minimum_revision_is_bad_input(bad: int) -> None:
    with pytest.raises(BadInput, match="min_parameters_revision"):
        Miniport("nic0", min_parameters_revision=bad)


def test_an_unknown_refusal_status_is_bad_input() -> None:
    with pytest.raises(BadInput, match="NDIS status"):
        Miniport("nic0", revision_refusal_status="NOPE")


# -- the netadaptercx preset ----------------------------------------------------------------------


def encapsulation() -> NDIS_OFFLOAD_ENCAPSULATION:
    on = {"Enabled": NDIS_OFFLOAD_SET_ON, "EncapsulationType": NDIS_ENCAPSULATION_IEEE_802_3,
          "HeaderSize": 14}  # fmt: skip
    return NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(**on), IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(**on)
    )


def test_the_netadaptercx_preset_sets_its_behaviour() -> None:
    miniport = Miniport("nic0", preset="netadaptercx")
    behaviour = MINIPORT_PRESETS["netadaptercx"]
    assert miniport.profile.offload.Header.Revision == 6
    assert miniport.revisions.version == behaviour.ndis_version == "6.83"
    assert behaviour.min_parameters_revision == 3
    # an option given explicitly wins
    assert Miniport("nic0", preset="netadaptercx", min_parameters_revision=1).revisions


def test_netadaptercx_refuses_revision_2_invalid_parameter() -> None:
    miniport = Miniport("nic0", preset="netadaptercx")
    ctx = running(miniport)
    ctx.deliver(miniport, set_request(params(2, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)))
    assert outcome(ctx) == ["complete:NDIS_STATUS_INVALID_PARAMETER"]


def test_netadaptercx_completes_an_encapsulation_set_without_an_indication() -> None:
    miniport = Miniport("nic0", preset="netadaptercx")
    ctx = running(miniport)
    ctx.deliver(miniport, set_request(encapsulation()))
    assert outcome(ctx) == ["complete:NDIS_STATUS_SUCCESS"]
    assert miniport.encapsulation is not None
    # the option alone does the same on any miniport
    plain = Miniport("nic0", encapsulation_indication=False)
    ctx = running(plain)
    ctx.deliver(plain, set_request(encapsulation()))
    assert outcome(ctx) == ["complete:NDIS_STATUS_SUCCESS"]


def test_netadaptercx_refuses_enabling_beyond_hardware_and_keywords_not_supported() -> None:
    miniport = Miniport("nic0", preset="netadaptercx")
    ctx = running(miniport, keywords=[("*LsoV2IPv4", "0")])
    assert miniport.current is not None and miniport.current.LsoV2.IPv4.Encapsulation == 0
    # beyond the hardware: no IPsec on this NIC
    ctx.deliver(
        miniport, set_request(params(3, IPsecV1=NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_ENABLED))
    )
    assert outcome(ctx) == ["complete:NDIS_STATUS_NOT_SUPPORTED"]
    # a runtime-only enable of what the keyword leaves off
    runtime_only = params(3, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
                          Flags=NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE)  # fmt: skip
    ctx.deliver(miniport, set_request(runtime_only, 2))
    assert outcome(ctx) == ["complete:NDIS_STATUS_NOT_SUPPORTED"]
    assert miniport.current.LsoV2.IPv4.Encapsulation == 0
    # an ordinary set: NDIS wrote *LsoV2IPv4 = 1 as it handed it over, the re-read sees it
    ctx.deliver(
        miniport, set_request(params(3, LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED), 3)
    )
    assert outcome(ctx)[-1] == "complete:NDIS_STATUS_SUCCESS"
    assert miniport.current.LsoV2.IPv4.Encapsulation != 0


def test_pause_offload_capabilities_indicates_zero_hardware_then_zero_current() -> None:
    miniport = Miniport("nic0", preset="netadaptercx")
    ctx = running(miniport)
    before = miniport.current
    ctx.deliver(miniport, _command("pause-offload-capabilities"), src="scenario")
    posts = [m for _, m, _ in ctx.take() if isinstance(m, StatusIndication)]
    empty = NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(6))
    assert [(S(p.indication.StatusCode).name, p.indication.StatusBuffer) for p in posts] == [
        ("NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES", empty),
        ("NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", empty),
    ]
    assert miniport.current == empty
    ctx.deliver(miniport, _command("resume-offload-capabilities"), src="scenario")
    posts = [m for _, m, _ in ctx.take() if isinstance(m, StatusIndication)]
    assert [(S(p.indication.StatusCode).name, p.indication.StatusBuffer) for p in posts] == [
        ("NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES", miniport.profile.offload),
        ("NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", before),
    ]
    assert miniport.current == before


def _command(name: str) -> Command:
    return Command(name)
