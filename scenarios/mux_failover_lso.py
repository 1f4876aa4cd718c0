"""Failover under LSO traffic: the active NIC is pulled; the standby, without LSO, takes over.

team0 is a failover pair: nic0 (intel-x710: checksum, LSOv1/v2, USO ...) active, nic1
(realtek-basic: checksum only) standby.  This team advertises its active member's capabilities
(``advertises="active"``, the docs' model of a MUX whose hardware capabilities change when it
switches adapters; the LBFO default would advertise no LSO from the start, because nic1 lacks
it: see mux_link_failover.py), so TCP/IP bound to team0 sends LSOv2.  While large sends are
still in nic0's hardware, nic0 is surprise-removed:

1. NDIS pauses the MUX's binding to nic0; the MUX takes nic0 out of the team and makes nic1 active;
2. the team's capabilities shrink, so the MUX withdraws the offloads nic1 lacks
   (NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG), reports the new hardware capabilities
   (NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES) and then the new current configuration
   (N/using-the-tcp-ip-offload-administrator-interface.md,
   N/ndis-status-task-offload-hardware-capabilities.md);
3. a large send TCP/IP built before it heard of the change is failed by the MUX, never handed to
   nic1 (N/offloading-the-segmentation-of-large-tcp-packets.md; spec 5.1, a driver fails sends
   sized for capabilities it has withdrawn, and reports failed one that completes after the
   withdrawal); sends still in nic0 complete NOT_ACCEPTED;
4. once TCP/IP has the new configuration it sends MSS-sized packets with checksum offload only.

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.scenario import DISRUPTIVE_FAULTS


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710", send_latency=3)
    nic1 = stack.miniport("nic1", preset="realtek-basic")
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover", advertises="active")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.active == "nic0", "nic0 is the active member")
    view = tcpip.view("team0")
    stack.expect(
        view.current.LsoV2.IPv4.MaxOffLoadSize == 262144,
        "TCP/IP learned LSOv2 from the team's attributes (the active member's)",
    )

    stack.send("tcpip", adapter="team0", count=2, length=64000)
    await stack.bus.run_until(lambda: nic0.stats().sends == 2)
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    stack.surprise_remove("nic0")  # while the two large sends are in nic0's hardware
    stack.send("tcpip", adapter="team0", count=1, length=64000)  # maybe built before TCP/IP hears
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.active == "nic1", "the MUX failed over to nic1")
    view = tcpip.view("team0")
    stack.expect(
        view.hardware is not None and view.hardware.LsoV2.IPv4.Encapsulation == 0,
        "TCP/IP got the new hardware capabilities: no LSOv2",
    )
    stack.expect(
        view.current.LsoV2.IPv4.Encapsulation == 0 and view.current.LsoV1.IPv4.Encapsulation == 0,
        "TCP/IP's current configuration has no LSO",
    )
    stack.expect(
        view.current.Checksum.IPv4Transmit.TcpChecksum == 1,
        "checksum offload (which nic1 has) stays on",
    )
    stack.expect(view.sends_completed == view.nbls_sent, "every send completed exactly once")
    stack.expect(
        view.sends_failed
        == mux.stats().sends_refused + mux.stats().sends_withdrawn + nic0_failed(stack),
        "a send failed only if nic0 was pulled under it or the MUX withdrew its LSO",
    )
    lso_to_nic1 = [
        r
        for r in stack.bus.trace.records
        if r["kind"] == "send" and r.get("dst") == "nic1" and any("lso" in o for o in r["offloads"])
    ]
    stack.expect(not lso_to_nic1, "no LSO send ever reached nic1")
    stack.expect(
        nic1.stats().sends_offload_off == 0, "nic1 was never asked for an offload it lacks"
    )

    lso_before, failed_before, nic1_before = view.lso_nbls, view.sends_failed, nic1.stats().sends
    stack.send("tcpip", adapter="team0", count=1, length=64000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    view = tcpip.view("team0")
    stack.expect(view.lso_nbls == lso_before, "after the change TCP/IP sends no LSO")
    stack.expect(view.sends_failed == failed_before, "and every new send succeeds through nic1")
    stack.expect(nic1.stats().sends == nic1_before + 44, "as 44 MSS-sized packets")


def nic0_failed(stack):
    """Sends that came back failed on the MUX's binding to nic0 (pulled under them)."""
    return sum(
        1
        for r in stack.bus.trace.records
        if r["kind"] == "send.complete"
        and r.get("dst") == "mux"
        and r.get("adapter") == "nic0"
        and r["status"] != "NDIS_STATUS_SUCCESS"
    )
