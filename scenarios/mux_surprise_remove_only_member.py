"""The only member of a failover team is surprise-removed while a set forwarded to it is pending.

team0 has one member, nic0 (intel-x710), whose miniport pends OID requests for 8 ticks.  ndisprot
sets OID_TCP_OFFLOAD_PARAMETERS on team0 (RSC off); the MUX forwards a clone to nic0 with the
same RequestId.  While it is pending, nic0 is surprise-removed:

1. NDIS pauses the MUX's binding to nic0: nic0 leaves the team, which now has no member, so the
   MUX withdraws everything, indicates NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES with nothing
   supported and the empty current configuration; TCP/IP stops asking for any offload;
2. the clone is still pending, so NDIS cannot unbind the MUX from nic0 yet; its work item finds
   the NIC gone and completes it NDIS_STATUS_NOT_ACCEPTED (D/ndis/nc-ndis-miniport_oid_request.md);
3. only then does the MUX complete ndisprot's request, once, while its binding to nic0 is still
   open (behaviour 19: nothing completes after the binding closed): nic0 no longer speaks for the
   team, and the team accepted the configuration (it will be re-applied to a future member), so
   the status is NDIS_STATUS_SUCCESS;
4. NDIS unbinds the MUX from nic0 and halts nic0.  team0 stays up with no offload; sends on it
   fail (no member to carry them).

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)
from stack.scenario import DISRUPTIVE_FAULTS


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=8)
    mux = stack.mux("team0", members=["nic0"], mode="failover")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    prot = stack.ndisprot("ndisprot", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("team0").current.LsoV2.IPv4.Encapsulation != 0, "team0 starts with LSO")

    params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
    stack.oid("ndisprot", "team0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params))
    await stack.bus.run_until(lambda: mux.team("team0").request_pending)
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    stack.surprise_remove("nic0")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    records = stack.bus.trace.records
    forward = next(
        r
        for r in records
        if r["kind"] == "mux.forward" and r["oid"] == OID_TCP_OFFLOAD_PARAMETERS.name
    )
    request_id = forward["request_id"]
    stack.expect(len(prot.results) == 1, "ndisprot's request completed exactly once")
    stack.expect(prot.results[0].status == 0, "with success: the team accepted the configuration")
    clone = [
        r
        for r in records
        if r["kind"] == "oid.complete"
        and r.get("dst") == "mux"
        and r.get("request_id") == request_id
        and r.get("oid") == OID_TCP_OFFLOAD_PARAMETERS.name
    ]
    stack.expect(len(clone) == 1, "nic0 completed the clone once (NOT_ACCEPTED once removed)")
    order = [
        r["kind"] + ":" + r.get("operation", r.get("oid", ""))
        for r in records
        if r.get("dst") == "ndis"
        and r.get("src") == "mux"
        and r["kind"] in ("oid.complete", "pnp")
        and (
            r.get("operation") == "UnbindComplete"
            or (
                r.get("request_id") == request_id
                and r.get("oid") == OID_TCP_OFFLOAD_PARAMETERS.name
            )
        )
    ]
    stack.expect(
        order == ["oid.complete:OID_TCP_OFFLOAD_PARAMETERS", "pnp:UnbindComplete"],
        "the MUX completed the request before its binding to nic0 closed",
    )

    team = mux.team("team0")
    stack.expect(
        team.state.value == "Running" and team.joined == () and team.active is None,
        "team0 stays up with no member",
    )
    view = tcpip.view("team0")
    nothing = stack.ndis.adapters["team0"].hardware
    stack.expect(
        view.hardware == nothing
        and nothing.LsoV2.IPv4.Encapsulation == 0
        and nothing.Checksum.IPv4Transmit.TcpChecksum == 0,
        "TCP/IP was told the team's hardware can do nothing",
    )
    stack.expect(
        view.current.Checksum.IPv4Transmit.TcpChecksum == 0
        and view.current.LsoV2.IPv4.Encapsulation == 0,
        "and that nothing is on",
    )
    stack.expect(stack.ndis.adapters["nic0"].state.value == "Halted", "nic0 was halted")

    stack.send("tcpip", adapter="team0", count=1, length=3000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    view = tcpip.view("team0")
    stack.expect(view.lso_nbls == 0 and view.checksum_nbls == 0, "TCP/IP asks for no offload")
    stack.expect(mux.stats().sends_without_member == 3, "the MUX fails sends it has no member for")
