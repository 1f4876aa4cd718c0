"""The active member of a failover team is replaced by a different NIC model, make before break.

team0 is a failover pair of two intel-x710 NICs (LSOv2 up to 256 KiB); nic0 is active.  The
administrator replaces nic0 with nic2, an lso-v2-small NIC (LSOv2 up to 16 KiB, no LSOv1, no
USO).  nic2 is plugged in, NDIS binds the MUX to it, the MUX learns its hardware capabilities and
re-applies the team's configuration; only when nic2 is ready does it take nic0's place and role,
in one step, so the team's capabilities change once: the MUX withdraws what nic2 cannot do, then
indicates NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES and the new current configuration
(N/using-the-tcp-ip-offload-administrator-interface.md: a MUX that switches to a different
underlying adapter must report the change).  TCP/IP then cuts its large sends at 16 KiB; nic0
stays bound to the MUX as a spare that carries nothing.

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.scenario import DISRUPTIVE_FAULTS


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710")
    stack.miniport("nic1", preset="intel-x710")
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(
        tcpip.view("team0").current.LsoV2.IPv4.MaxOffLoadSize == 262144,
        "TCP/IP starts with nic0's 256 KiB LSOv2",
    )

    nic2 = stack.miniport("nic2", preset="lso-v2-small")
    stack.mux_command("team0", "replace-member", old="nic0", new="nic2")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.members == ("nic2", "nic1"), "nic2 took nic0's place in the team")
    stack.expect(team.active == "nic2", "and its active role")
    stack.expect(mux.view("nic0").role == "spare", "nic0 stays bound as a spare")
    hardware_changes = [
        r
        for r in stack.bus.trace.records
        if r["kind"] == "status.indicate"
        and r.get("src") == "mux"
        and r["status"] == "NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES"
    ]
    stack.expect(len(hardware_changes) == 1, "the team's capabilities changed once")
    view = tcpip.view("team0")
    stack.expect(
        view.hardware.LsoV2.IPv4.MaxOffLoadSize == 16384
        and view.current.LsoV2.IPv4.MaxOffLoadSize == 16384
        and view.current.LsoV1.IPv4.Encapsulation == 0,
        "TCP/IP learned nic2's LSOv2 limit and that LSOv1 is gone",
    )

    nic0_sends = nic0.stats().sends
    stack.send("tcpip", adapter="team0", count=1, length=40000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("team0").lso_nbls == 3, "40000 bytes went as three LSO sends")
    stack.expect(
        nic2.stats().sends == 3 and nic2.stats().sends_offload_off == 0,
        "all through nic2, none larger than it can take",
    )
    stack.expect(nic0.stats().sends == nic0_sends, "nothing through nic0")
