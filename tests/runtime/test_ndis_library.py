"""The NDIS library actor: what it answers itself, what it serializes, what it refuses."""

from __future__ import annotations

from typing import Any

import attrs

from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OBJECT_HEADER,
    NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3,
    NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    NdisStatus,
    Oid,
    at_revision,
)
from stack.runtime import Command, Context, Envelope, WmiComplete, WmiRequest

S = NdisStatus
InlineRunner = Any  # the run_inline fixture of conftest.py


def _queries(result: Any) -> list[dict[str, Any]]:
    return [r for r in result.trace.records if r["kind"] == "oid.request" and r["dst"] == "nic0"]


async def test_ndis_answers_offload_queries_from_its_cache_without_the_miniport(
    run_inline: InlineRunner,
) -> None:
    """N/oid-tcp-offload-current-config.md, N/oid-tcp-offload-hardware-capabilities.md."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        for oid in (
            Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
            Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
        ):
            stack.oid("prot", "nic0", NDIS_OID_REQUEST.query(oid))
        await stack.settle()
        current, hardware = prot.results
        assert current.status == S.NDIS_STATUS_SUCCESS
        assert current.request.InformationBuffer == stack.ndis.adapters["nic0"].current
        assert hardware.request.InformationBuffer == stack.ndis.adapters["nic0"].hardware

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert not _queries(result)


async def test_a_too_short_hardware_capabilities_buffer_gets_buffer_too_short(
    run_inline: InlineRunner,
) -> None:
    """N/oid-tcp-offload-hardware-capabilities.md: NDIS returns NDIS_STATUS_BUFFER_TOO_SHORT."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        request = NDIS_OID_REQUEST.query(
            Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, InformationBufferLength=16
        )
        stack.oid("prot", "nic0", request)
        await stack.settle()
        (answer,) = prot.results
        assert answer.status == S.NDIS_STATUS_BUFFER_TOO_SHORT
        assert answer.request.BytesNeeded == stack.ndis.adapters["nic0"].hardware.Header.Size

    result = await run_inline(scenario)
    assert result.passed, result.failure


async def test_query_of_a_set_only_oid_and_set_of_a_query_only_oid_are_not_supported(
    run_inline: InlineRunner,
) -> None:
    """Spec 7.2 item 7 (our documented choice: NDIS_STATUS_NOT_SUPPORTED)."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_PARAMETERS))
        stack.oid(
            "prot",
            "nic0",
            NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG, NDIS_OFFLOAD()),
        )
        await stack.settle()
        assert [r.status for r in prot.results] == [S.NDIS_STATUS_NOT_SUPPORTED] * 2

    result = await run_inline(scenario)
    assert result.passed, result.failure


async def test_sets_are_serialized_one_outstanding_request_per_miniport(
    run_inline: InlineRunner,
) -> None:
    """N/miniport-adapter-oid-request-serialization.md."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", oid_completion="pend", oid_latency=4)
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS()
        for _ in range(3):
            stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))
        await stack.settle()
        assert [r.tick for r in prot.results] == [4, 8, 12]

    result = await run_inline(scenario)
    assert result.passed, result.failure
    depths = [r["depth"] for r in result.trace.records if r["kind"] == "oid.queue"]
    assert max(depths) >= 2


async def test_cancel_of_a_queued_request_completes_it_request_aborted(
    run_inline: InlineRunner,
) -> None:
    """D/ndis/nf-ndis-ndiscanceloidrequest.md: cancellation is by RequestId."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", oid_completion="pend", oid_latency=10)
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS()
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))
        await stack.advance(1)
        stack.command("prot", "cancel", adapter="nic0", request_id=2)
        stack.command("prot", "cancel", adapter="nic0", request_id=1)
        await stack.settle()
        statuses = {r.request_id: r.status for r in prot.results}
        assert statuses == {1: S.NDIS_STATUS_REQUEST_ABORTED, 2: S.NDIS_STATUS_REQUEST_ABORTED}

    result = await run_inline(scenario)
    assert result.passed, result.failure


async def test_skip_registry_update_leaves_the_keywords_alone(run_inline: InlineRunner) -> None:
    """N/udp-rsc-offload.md: NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE makes a change
    runtime-only."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS(
            LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
            Flags=NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
        )
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, params))
        await stack.settle()
        assert prot.results[-1].status == S.NDIS_STATUS_SUCCESS
        assert stack.ndis.adapters["nic0"].current.LsoV2.IPv4.Encapsulation == 0
        assert stack.registry.adapter("nic0").get("*LsoV2IPv4") is None

    result = await run_inline(scenario)
    assert result.passed, result.failure


async def test_the_encapsulation_query_answers_each_open_with_its_own_last_set(
    run_inline: InlineRunner,
) -> None:
    """N/oid-offload-encapsulation.md and spec A4: per-open requests, merged to the miniport."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        one = stack.ndisprot("one", bind=["nic0"])
        two = stack.ndisprot("two", bind=["nic0"])
        await stack.start()
        on = NDIS_OFFLOAD_ENCAPSULATION(
            IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
                Enabled=NDIS_OFFLOAD_SET_ON,
                EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3,
                HeaderSize=14,
            )
        )
        stack.oid("one", "nic0", NDIS_OID_REQUEST.set(Oid.OID_OFFLOAD_ENCAPSULATION, on))
        await stack.settle()
        for protocol in ("one", "two"):
            stack.oid(protocol, "nic0", NDIS_OID_REQUEST.query(Oid.OID_OFFLOAD_ENCAPSULATION))
        await stack.settle()
        assert one.results[-1].status == S.NDIS_STATUS_SUCCESS
        assert one.results[-1].request.InformationBuffer == on
        assert two.results[-1].status == S.NDIS_STATUS_INVALID_STATE

    result = await run_inline(scenario)
    assert result.passed, result.failure


async def test_after_surprise_removal_cached_queries_are_not_accepted(
    run_inline: InlineRunner,
) -> None:
    """D/ndis/nc-ndis-miniport_oid_request.md: NDIS_STATUS_NOT_ACCEPTED before the halt."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", oid_completion="pend", oid_latency=30)
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS,
                                                        NDIS_OFFLOAD_PARAMETERS()))  # fmt: skip
        await stack.advance(1)
        stack.surprise_remove("nic0")
        await stack.advance(1)
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG))
        await stack.settle()
        statuses = [r.status for r in prot.results]
        assert S.NDIS_STATUS_NOT_ACCEPTED in statuses

    result = await run_inline(scenario)
    assert result.passed, result.failure


async def test_wmi_gets_are_answered_from_the_cache_and_sets_become_the_oid(
    run_inline: InlineRunner,
) -> None:
    """N/guid-ndis-tcp-offload-capabilities.md, N/guid-ndis-tcp-offload-admin-settings.md."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        await stack.start()
        stack.cmdlet("Get-NetAdapterLso", "nic0")
        await stack.settle()
        stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso", IPv6=True)
        await stack.settle()
        get, disable = stack.admin.results
        assert get.ok and get.buffer.LsoV2.IPv6.Encapsulation != 0  # read before the disable
        assert disable.ok
        assert stack.ndis.adapters["nic0"].current.LsoV2.IPv6.Encapsulation == 0

    result = await run_inline(scenario)
    assert result.passed, result.failure
    to_miniport = [r["oid"] for r in _queries(result)]
    assert to_miniport.count("OID_TCP_OFFLOAD_PARAMETERS") == 1
    assert "OID_TCP_OFFLOAD_CURRENT_CONFIG" not in to_miniport


async def test_a_failed_encapsulation_set_never_counts_for_the_open_or_the_merge(
    run_inline: InlineRunner,
) -> None:
    """Spec A4 and N/oid-offload-encapsulation.md: NDIS merges only sets that took effect.

    Regression (found in review): NDIS recorded an open's set when it queued it, so a SET_ON the
    miniport rejected stayed "in force", was returned by that open's query, and was merged into
    another open's SET_OFF, which the miniport then rejected too."""

    def encapsulation(enabled: int, kind: int, size: int) -> NDIS_OFFLOAD_ENCAPSULATION:
        block = {"Enabled": enabled, "EncapsulationType": kind, "HeaderSize": size}
        return NDIS_OFFLOAD_ENCAPSULATION(
            IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(**block),
            IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(**block),
        )

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        a = stack.ndisprot("a", bind=["nic0"])
        b = stack.ndisprot("b", bind=["nic0"])
        await stack.start()
        bogus = encapsulation(NDIS_OFFLOAD_SET_ON, 0x40, 14)  # no offload lists type 0x40
        stack.oid("a", "nic0", NDIS_OID_REQUEST.set(Oid.OID_OFFLOAD_ENCAPSULATION, bogus))
        await stack.settle()
        assert a.results[-1].status == S.NDIS_STATUS_INVALID_PARAMETER
        stack.oid("a", "nic0", NDIS_OID_REQUEST.query(Oid.OID_OFFLOAD_ENCAPSULATION))
        off = encapsulation(NDIS_OFFLOAD_SET_OFF, 0, 0)
        stack.oid("b", "nic0", NDIS_OID_REQUEST.set(Oid.OID_OFFLOAD_ENCAPSULATION, off))
        await stack.settle()
        assert a.results[-1].status == S.NDIS_STATUS_INVALID_STATE  # it never set one
        assert b.results[-1].status == S.NDIS_STATUS_SUCCESS
        assert b.results[-1].request.InformationBuffer == off  # its own request comes back

    result = await run_inline(scenario)
    assert result.passed, result.failure


# -- header versioning (issue 13) ----------------------------------------------------------------

#: A revision-3 NDIS_OFFLOAD_PARAMETERS in NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2 bytes (a
#: Hyper-V guest's), asking for IPv4 checksum off and LSOv2 IPv4 on.
SHORT = NDIS_OFFLOAD_PARAMETERS(
    Header=NDIS_OBJECT_HEADER(Type=NDIS_OBJECT_TYPE_DEFAULT, Revision=3, Size=22),
    IPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
)


async def test_a_set_with_a_bad_header_is_refused_before_any_keyword_is_written(
    run_inline: InlineRunner,
) -> None:
    """N/version-information-requirements-for-ndis.md: NDIS checks the header; the status is the
    OID page's for invalid contents (N/oid-tcp-offload-parameters.md)."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        writes = stack.registry.change_count
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, SHORT))
        await stack.settle()
        (refused,) = prot.results
        assert refused.status == S.NDIS_STATUS_INVALID_DATA
        assert (refused.request.BytesRead, refused.request.BytesNeeded) == (0, 0)
        assert stack.registry.change_count == writes
        assert stack.ndis.adapters["nic0"].current.Checksum.IPv4Transmit.IpChecksum == 1

    result = await run_inline(scenario)
    assert result.passed, result.failure
    assert not [r for r in _queries(result) if r["oid"] == "OID_TCP_OFFLOAD_PARAMETERS"]
    (note,) = [r for r in result.trace.records if r["kind"] == "oid.refused"]
    assert note["status"] == "NDIS_STATUS_INVALID_DATA" and "Header.Size = 22" in note["reason"]


async def test_a_set_shorter_than_revision_1_is_invalid_length_with_bytes_needed(
    run_inline: InlineRunner,
) -> None:
    """D/ndis/nc-ndis-miniport_oid_request.md: INVALID_LENGTH, with BytesNeeded."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        params = NDIS_OFFLOAD_PARAMETERS(Header=NDIS_OFFLOAD_PARAMETERS.header_for(1))
        request = NDIS_OID_REQUEST.set(
            Oid.OID_TCP_OFFLOAD_PARAMETERS, params, InformationBufferLength=12
        )
        stack.oid("prot", "nic0", request)
        await stack.settle()
        (refused,) = prot.results
        assert refused.status == S.NDIS_STATUS_INVALID_LENGTH
        assert refused.request.BytesNeeded == NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1

    result = await run_inline(scenario)
    assert result.passed, result.failure


@attrs.define(eq=False)
class WmiClient:
    """Sends one WMI set of GUID_NDIS_TCP_OFFLOAD_PARAMETERS with the buffer it was given."""

    name: str
    buffer: Any
    answers: list[WmiComplete] = attrs.field(factory=list)

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        if isinstance(envelope.message, WmiComplete):
            self.answers.append(envelope.message)
        else:
            guid = "GUID_NDIS_TCP_OFFLOAD_PARAMETERS"
            ctx.post("ndis", WmiRequest(guid, "nic0", "set", 7, buffer=self.buffer))


async def test_a_wmi_set_with_a_bad_header_is_refused_the_same_way(
    run_inline: InlineRunner,
) -> None:
    client = WmiClient("wmi", SHORT)

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0")
        stack.bus.add_actor(client, stack._nursery)
        await stack.start()
        writes = stack.registry.change_count
        stack.post("wmi", Command("go", ()))
        await stack.settle()
        assert stack.registry.change_count == writes

    result = await run_inline(scenario)
    assert result.passed, result.failure
    (answer,) = client.answers
    assert (answer.status, answer.request_id, answer.buffer) == (
        S.NDIS_STATUS_INVALID_DATA,
        7,
        None,
    )


async def test_cached_queries_are_answered_at_the_revision_the_caller_asks_for(
    run_inline: InlineRunner,
) -> None:
    """A 156-byte buffer (NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3) gets revision 3; a pre-filled
    header caps the revision; no length gets the cached revision; the cache-coherence monitor
    accepts the older-revision copy of the current configuration."""

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        prot = stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        record = stack.ndis.adapters["nic0"]
        ask = NDIS_OID_REQUEST.query
        stack.oid("prot", "nic0", ask(Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
                                      InformationBufferLength=156))  # fmt: skip
        stack.oid("prot", "nic0", ask(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
                                      InformationBuffer=NDIS_OFFLOAD(
                                          Header=NDIS_OFFLOAD.header_for(2))))  # fmt: skip
        stack.oid("prot", "nic0", ask(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
                                      InformationBufferLength=0))  # fmt: skip
        await stack.settle()
        rev3, rev2, whole = (r.request for r in prot.results)
        assert all(r.status == S.NDIS_STATUS_SUCCESS for r in prot.results)
        assert rev3.InformationBuffer == at_revision(record.hardware, 3)
        assert rev3.BytesWritten == NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3
        assert rev2.InformationBuffer == at_revision(record.current, 2)
        assert rev2.BytesWritten == 144
        assert whole.InformationBuffer is record.current
        assert whole.BytesWritten == record.current.Header.Size

    result = await run_inline(scenario)
    assert result.passed, result.failure


# -- bring-up order and the bind window ------------------------------------------------------


@attrs.define
class _HoldTheRestart:
    """Delivers anything before NDIS's PnpWorkItem (the restart after a bind), else FIFO."""

    name: str = "hold-the-restart"

    def choose(self, enabled: Any, bus: Any) -> int:
        from stack.runtime import PnpWorkItem

        for index, envelope in enumerate(enabled):
            if not isinstance(envelope.message, PnpWorkItem):
                return index
        return 0

    def choose_data(self, site: str, count: int, bus: Any) -> int:
        return 0


def _window_scenario(turn_off: NDIS_OFFLOAD_PARAMETERS) -> Any:
    from stack.ndis import ProtocolBindingState

    async def scenario(stack: Any) -> None:
        stack.miniport("nic0", preset="intel-x710")
        stack.tcpip("tcpip", bind=["nic0"])
        stack.ndisprot("prot", bind=["nic0"])
        await stack.start()
        stack.restart_adapter("nic0")
        states = (ProtocolBindingState.Opening, ProtocolBindingState.Paused)
        for state in states:
            await stack.run_until(lambda s=state: stack.binding_state("nic0", "prot") is s)
        stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(Oid.OID_TCP_OFFLOAD_PARAMETERS, turn_off))
        await stack.settle()

    return scenario


def _calls_to_tcpip(result: Any) -> list[str]:
    """What tcpip was handed during the second bring-up, from its ProtocolBindAdapterEx."""
    records = [r for r in result.trace.records if r.get("dst") == "tcpip"]
    binds = [i for i, r in enumerate(records) if r.get("operation") == "ProtocolBindAdapterEx"]
    return [r.get("operation") or r.get("status", "") for r in records[binds[-1] :]][:3]


async def test_the_protocols_bind_while_the_miniport_is_paused(run_inline: InlineRunner) -> None:
    """N/starting-a-driver-stack.md step 5: every bind completes before MiniportRestart."""
    result = await run_inline(_window_scenario(NDIS_OFFLOAD_PARAMETERS()))
    pnp = [f"{r['dst']}:{r['operation']}" for r in result.trace.records if r["kind"] == "pnp"
           and r["src"] == "ndis"][:5]  # fmt: skip
    assert pnp == ["nic0:MiniportInitializeEx", "tcpip:ProtocolBindAdapterEx",
                   "prot:ProtocolBindAdapterEx", "nic0:MiniportRestart",
                   "tcpip:NetEventRestart"]  # fmt: skip


async def test_the_bind_window_is_closed_under_fifo_and_open_to_a_strategy(
    run_inline: InlineRunner,
) -> None:
    """An indication reaches a Paused binding only if the bus delivers it before NDIS's PnP work
    item; FIFO restarts first.  Either way the run passes and the decision is on the tape."""
    lso_off = NDIS_OFFLOAD_PARAMETERS(LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)
    current = "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG"
    fifo = await run_inline(_window_scenario(lso_off))
    assert fifo.passed, fifo.failure
    assert _calls_to_tcpip(fifo) == ["ProtocolBindAdapterEx", "NetEventRestart", current]
    held = await run_inline(_window_scenario(lso_off), strategy=_HoldTheRestart())
    assert held.passed, held.failure
    assert _calls_to_tcpip(held) == ["ProtocolBindAdapterEx", current, "NetEventRestart"]
    assert any(r["kind"] == "pnp.work" for r in held.trace.records)
