"""Every invariant monitor fires on a driver that breaks its rule, and names the seq.

The drivers here are deliberately minimal fakes built for one violation each; the correct drivers
never trip these monitors (tests/scenarios run every shipped scenario under all of them).
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from stack.drivers import preset
from stack.ndis import (
    NDIS_OBJECT_HEADER,
    NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NdisStatus,
    Oid,
)
from stack.runtime import (
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    NET_BUFFER_LIST,
    Context,
    Envelope,
    NdisLibrary,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    Receive,
    Send,
    SendComplete,
    StatusIndication,
)

S = NdisStatus
InlineRunner = Any  # the run_inline fixture of conftest.py
HARDWARE = preset("intel-x710").offload


@attrs.define(eq=False)
class FakeMiniport:
    """Answers PnP correctly; the OID and data paths misbehave as the flags say."""

    name: str
    indicate: bool = True
    complete_twice: bool = False
    claim: Any = None
    rx_checksum_early: bool = False
    lso_send_succeeds: bool = False
    resume_without_pause: bool = False
    report: Any = None

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        message = envelope.message
        if isinstance(message, Pnp):
            reply = {
                PnpOp.MiniportInitializeEx: PnpOp.InitializeComplete,
                PnpOp.MiniportRestart: PnpOp.RestartComplete,
                PnpOp.MiniportPause: PnpOp.PauseComplete,
                PnpOp.MiniportHaltEx: PnpOp.HaltComplete,
            }.get(message.operation)
            if reply is PnpOp.InitializeComplete:
                attributes = NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES(
                    DefaultOffloadConfiguration=self.claim or HARDWARE,
                    HardwareOffloadCapabilities=HARDWARE,
                )
                ctx.post("ndis", Pnp(reply, self.name, attributes=attributes))
            elif reply is not None:
                ctx.post("ndis", Pnp(reply, self.name))
        elif isinstance(message, OidRequest):
            request = attrs.evolve(message.request, SupportedRevision=1)
            if self.resume_without_pause:
                ctx.post("ndis", self._indication(S.NDIS_STATUS_OFFLOAD_RESUME, None))
            if self.indicate:
                ctx.post("ndis", self._indication(S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
                                                  self.report or HARDWARE))  # fmt: skip
            ctx.post("ndis", OidComplete(self.name, request, S.NDIS_STATUS_SUCCESS))
            if self.complete_twice:
                ctx.post("ndis", OidComplete(self.name, request, S.NDIS_STATUS_SUCCESS))
        elif isinstance(message, Send):
            status = S.NDIS_STATUS_SUCCESS if self.lso_send_succeeds else S.NDIS_STATUS_FAILURE
            ctx.post("ndis", SendComplete(self.name, message.nbl, status))
        elif message.KIND == "command" and message.name == "receive":
            ctx.post(
                "ndis", Receive(self.name, "rx#1", rx_checksum_offloaded=self.rx_checksum_early)
            )

    def _indication(self, code: int, buffer: Any) -> StatusIndication:
        return StatusIndication(
            self.name,
            NDIS_STATUS_INDICATION(SourceHandle=self.name, StatusCode=code, StatusBuffer=buffer),
        )


async def _run(run_inline: InlineRunner, miniport: FakeMiniport, drive: Any) -> Any:
    async def scenario(stack: Any) -> None:
        stack.bus.add_actor(miniport, stack._nursery)
        stack.ndis.add_adapter("nic0", miniport="nic0")
        stack.adapters.append("nic0")
        stack.registry.ensure_adapter("nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        drive(stack)
        await stack.settle()

    return await run_inline(scenario)


def _set_parameters(stack: Any) -> None:
    request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, NDIS_OFFLOAD_PARAMETERS())
    stack.oid("prot", "nic0", request)


async def test_the_fake_miniport_itself_passes_every_monitor(run_inline: InlineRunner) -> None:
    result = await _run(run_inline, FakeMiniport("nic0"), _set_parameters)
    assert result.passed, result.failure


@pytest.mark.parametrize(
    ("miniport", "drive", "rule"),
    [
        (FakeMiniport("nic0", indicate=False), _set_parameters, "indication-after-change"),
        (FakeMiniport("nic0", complete_twice=True), _set_parameters, "ndis-oid-complete-unknown"),
        (
            FakeMiniport("nic0", rx_checksum_early=True),
            lambda stack: stack.receive("nic0"),
            "receive-gate",
        ),
        (
            FakeMiniport("nic0", resume_without_pause=True),
            _set_parameters,
            "chimney-pause-resume",
        ),
    ],
    ids=["no-indication", "double-completion", "rx-before-gate", "resume-alone"],
)
async def test_a_broken_miniport_trips_its_monitor(
    run_inline: InlineRunner, miniport: FakeMiniport, drive: Any, rule: str | None
) -> None:
    result = await _run(run_inline, miniport, drive)
    if rule is None:
        assert result.passed, result.failure
        return
    assert result.failure is not None
    assert result.failure.rule == rule
    failing = [r for r in result.trace.records if r["kind"] == "invariant.fail"]
    assert failing and failing[0]["at_seq"] == result.failure.seq


async def test_current_config_beyond_the_hardware_trips_inv_1(run_inline: InlineRunner) -> None:
    """D/ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes.md."""
    beyond = attrs.evolve(
        HARDWARE,
        LsoV2=attrs.evolve(
            HARDWARE.LsoV2, IPv4=attrs.evolve(HARDWARE.LsoV2.IPv4, MaxOffLoadSize=10**7)
        ),
    )
    result = await _run(run_inline, FakeMiniport("nic0", claim=beyond), lambda stack: None)
    assert result.failure is not None
    assert result.failure.rule == "INV-1-current-within-hardware"


async def test_a_protocol_asking_for_lso_it_was_told_is_off_trips_no_stale_offload_send(
    run_inline: InlineRunner,
) -> None:
    """N/determining-task-offload-capabilities.md: protocols follow capability changes."""
    no_lso = attrs.evolve(HARDWARE, LsoV1=type(HARDWARE.LsoV1)(), LsoV2=type(HARDWARE.LsoV2)())

    def send_lso(stack: Any) -> None:
        nbl = NET_BUFFER_LIST(Id="prot#1", DataLength=16000, LsoVersion=2, LsoMss=1460)
        stack.command("prot", "send", adapter="nic0", nbl=nbl)

    result = await _run(run_inline, FakeMiniport("nic0", claim=no_lso), send_lso)
    assert result.failure is not None
    assert result.failure.rule == "no-stale-offload-send"


async def test_an_encapsulation_set_nothing_supports_trips_encapsulation_within_support(
    run_inline: InlineRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """N/oid-offload-encapsulation.md: a protocol checks support first; told of no offload at
    all, it must not ask for Ethernet encapsulation.  ndisprot, which hands on its user-mode
    client's requests, is not judged; here it stands for a protocol that is."""
    from stack.drivers import NdisprotProtocol
    from stack.ndis import (
        NDIS_ENCAPSULATION_IEEE_802_3,
        NDIS_OFFLOAD_ENCAPSULATION,
        NDIS_OFFLOAD_SET_ON,
        NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    )

    nothing = preset("no-offload").offload
    ethernet = NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
            Enabled=NDIS_OFFLOAD_SET_ON, EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3,
            HeaderSize=14,
        )
    )  # fmt: skip

    def ask(stack: Any) -> None:
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_OFFLOAD_ENCAPSULATION, ethernet))

    client = await _run(run_inline, FakeMiniport("nic0", claim=nothing), ask)
    assert client.failure is None, client.failure
    monkeypatch.setattr(NdisprotProtocol, "PASSES_USER_REQUESTS", False)
    result = await _run(run_inline, FakeMiniport("nic0", claim=nothing), ask)
    assert result.failure is not None
    assert result.failure.rule == "encapsulation-within-support"
    passed = await _run(run_inline, FakeMiniport("nic0"), ask)
    assert passed.failure is None, passed.failure


async def test_an_lso_send_completed_after_reporting_lso_off_trips_post_disable_drops(
    run_inline: InlineRunner,
) -> None:
    """N/offloading-the-segmentation-of-large-tcp-packets.md: after the disable, fail them.

    The send is posted before the protocol hears of the change (so it is not stale), but it
    reaches the miniport after the miniport reported LSO off."""
    no_lso = attrs.evolve(HARDWARE, LsoV1=type(HARDWARE.LsoV1)(), LsoV2=type(HARDWARE.LsoV2)())
    miniport = FakeMiniport("nic0", lso_send_succeeds=True, report=no_lso)

    def disable_then_send(stack: Any) -> None:
        _set_parameters(stack)
        nbl = NET_BUFFER_LIST(Id="prot#1", DataLength=16000, LsoVersion=2, LsoMss=1460)
        stack.command("prot", "send", adapter="nic0", nbl=nbl)

    result = await _run(run_inline, miniport, disable_then_send)
    assert result.failure is not None
    assert result.failure.rule == "post-disable-drops"


# -- no-keywords-for-refused-set --------------------------------------------------------------

#: A Hyper-V guest's set: revision 3 claimed in revision 2's 22 bytes.
SHORT = NDIS_OFFLOAD_PARAMETERS(
    Header=NDIS_OBJECT_HEADER(Type=NDIS_OBJECT_TYPE_DEFAULT, Revision=3, Size=22),
    IPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
)


@attrs.define(eq=False)
class UncheckedNdis(NdisLibrary):
    """The NDIS of issue 13: no header check, so the keywords are written and the set handed on
    (the miniport refuses it)."""

    def _refuse_set(self, pending: Any, record: Any, ctx: Context) -> bool:
        return False


@attrs.define(eq=False)
class WriteThenRefuseNdis(NdisLibrary):
    """Checks the header, but only after it wrote the keywords."""

    def _refuse_set(self, pending: Any, record: Any, ctx: Context) -> bool:
        self._write_keywords(pending, record, ctx)
        return super()._refuse_set(pending, record, ctx)


@pytest.mark.parametrize(
    ("ndis", "reason"),
    [
        (NdisLibrary, None),
        (UncheckedNdis, "nic0: NDIS wrote keywords for request 1 and handed it on, but must "
                        "refuse it (NDIS_STATUS_INVALID_DATA: NDIS_OFFLOAD_PARAMETERS.Header.Size "
                        "= 22 is below NDIS_SIZEOF for revision 3 (26))"),
        (WriteThenRefuseNdis, "nic0: NDIS wrote keywords for request 1, which it must refuse "
                              "(NDIS_STATUS_INVALID_DATA: NDIS_OFFLOAD_PARAMETERS.Header.Size = "
                              "22 is below NDIS_SIZEOF for revision 3 (26))"),
    ],
    ids=["correct", "unchecked", "write-then-refuse"],
)  # fmt: skip
async def test_keywords_written_for_a_set_ndis_must_refuse_trip_the_monitor(
    run_inline: InlineRunner, ndis: type[NdisLibrary], reason: str | None
) -> None:
    """N/version-information-requirements-for-ndis.md, N/oid-tcp-offload-parameters.md."""

    async def scenario(stack: Any) -> None:
        stack.configure_ndis(library=ndis)
        stack.miniport("nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, SHORT, RequestId=1)
        stack.oid("prot", "nic0", request)
        await stack.settle()

    result = await run_inline(scenario)
    if reason is None:
        assert result.passed, result.failure
        return
    assert result.failure is not None
    assert (result.failure.rule, result.failure.reason) == ("no-keywords-for-refused-set", reason)


@attrs.define(eq=False)
class RefuseEverySetNdis(NdisLibrary):
    """Writes a set's keywords, then fails the set itself (a well-formed one) as it arrives."""

    def _refuse_set(self, pending: Any, record: Any, ctx: Context) -> bool:
        self._write_keywords(pending, record, ctx)
        self._complete(pending, NdisStatus.NDIS_STATUS_RESOURCES, ctx)
        return True


async def test_keywords_written_for_a_set_ndis_refused_for_any_reason_trip_the_monitor(
    run_inline: InlineRunner,
) -> None:
    async def scenario(stack: Any) -> None:
        stack.configure_ndis(library=RefuseEverySetNdis)
        stack.miniport("nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS(IPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED)
        request = NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params, RequestId=4)
        stack.oid("prot", "nic0", request)
        await stack.settle()

    result = await run_inline(scenario)
    assert result.failure is not None
    assert result.failure.rule == "no-keywords-for-refused-set"
    assert result.failure.reason == (
        "nic0: NDIS wrote keywords for request 4 and refused it with NDIS_STATUS_RESOURCES"
    )


async def test_keyword_writes_ndis_is_told_to_make_are_not_a_refused_set(
    run_inline: InlineRunner,
) -> None:
    """Set-NetAdapterAdvancedProperty (a RegistryWrite) and a scenario's own registry writes
    between deliveries are nobody's refused set."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.registry.adapter("nic0").set("*LsoV2IPv4", "0")
        stack.cmdlet("Set-NetAdapterAdvancedProperty", "nic0", RegistryKeyword="*RscIPv4",
                     RegistryValue="0", NoRestart=True)  # fmt: skip
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, SHORT))
        await stack.settle()

    result = await run_inline(scenario)
    assert result.passed, result.failure
