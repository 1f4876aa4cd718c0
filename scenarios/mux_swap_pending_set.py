"""An administrative swap of the active member while an OID_TCP_OFFLOAD_PARAMETERS set is pending.

team0 is a failover pair advertising its active member (``advertises="active"``, so that a swap
changes what it advertises): nic0 (intel-x710) active, nic1 (lso-v1-only: IPv4 checksum and LSOv1)
standby; both miniports pend OID requests for 10 ticks.  The administrator's WMI client sets LSO
off on team0 at run time (``stack.wmi_set_parameters``): NDIS writes team0's keywords and hands the
set to the MUX, which checks it against what team0 advertises, records it as the team's
configuration and fans a clone (same RequestId, narrowed to each member's hardware) out to both
members.  While both clones are pending, the administrator swaps the active member to nic1.

How the MUX resolves it, the same way every time: the swap moves the data path and the advertised
capabilities at once (nic1's hardware is indicated, then its current configuration, which still
has LSOv1 on: nic1 has not applied the set yet); the set stays with the members it was sent to.
When both clones have completed and indicated, the set completes upward with the aggregate
status, after the team's new current configuration (LSO off) has been indicated.  Whatever the
schedule (the swap may also land before the MUX sees the set, or after it completed), the end is
the same: nic1 active, LSO off everywhere, one completion.

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.ndis import OID_TCP_OFFLOAD_PARAMETERS
from stack.scenario import DISRUPTIVE_FAULTS


def _lso(offload):
    return bool(
        offload.LsoV1.IPv4.Encapsulation
        or offload.LsoV2.IPv4.Encapsulation
        or offload.LsoV2.IPv6.Encapsulation
    )


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=10)
    nic1 = stack.miniport("nic1", preset="lso-v1-only", oid_completion="pend", oid_latency=10)
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover", advertises="active")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(_lso(tcpip.view("team0").current), "TCP/IP starts with LSO on team0")

    stack.wmi_set_parameters("team0", "Disable-NetAdapterLso")
    await stack.bus.run_until(lambda: mux.team("team0").request_pending)
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(
        stack.registry.adapter("team0").get("*LsoV2IPv4") == "0",
        "NDIS wrote team0's keywords before handing the set to the MUX",
    )
    stack.mux_command("team0", "swap", to="nic1")  # the set is pending at both members

    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    result = stack.admin.results[-1]
    stack.expect(result.status == 0, "the LSO-off set on team0 succeeded")
    team = mux.team("team0")
    stack.expect(not team.request_pending and team.active == "nic1", "nic1 stays active")
    view = tcpip.view("team0")
    stack.expect(not _lso(view.current), "TCP/IP's current configuration has no LSO")
    stack.expect(view.current.Checksum.IPv4Transmit.TcpChecksum == 1, "checksum stays on")
    for nic in ("nic0", "nic1"):
        current = stack.ndis.adapters[nic].current
        stack.expect(not _lso(current), f"{nic} applied the set (no LSO)")
        stack.expect(
            stack.registry.adapter(nic).get("*LsoV1IPv4") == "0",
            f"NDIS persisted the clone's keywords on {nic}",
        )
    forwarded = [
        r
        for r in stack.bus.trace.records
        if r["kind"] == "oid.request"
        and r.get("src") == "mux"
        and r.get("oid") == OID_TCP_OFFLOAD_PARAMETERS.name
    ]
    stack.expect(
        {r["adapter"] for r in forwarded} == {"nic0", "nic1"}
        and len({r["request_id"] for r in forwarded}) == 1,
        "the clones went to both members with the original RequestId",
    )

    stack.send("tcpip", adapter="team0", count=1, length=32000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(nic1.stats().sends_offload_off == 0, "nic1 carries plain traffic")
