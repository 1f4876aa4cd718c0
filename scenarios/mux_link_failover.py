"""A failover team like Windows NIC Teaming (LBFO): the active member's cable is pulled.

team0 is a failover pair with the default advertising rule, LBFO (Microsoft's NIC Teaming guide,
"Feature compatibilities": LSO and IPsec only if every member supports them, RSC and receive
checksum if any member does, no TCP chimney through a team).  nic0 (intel-x710: checksum,
LSOv1, LSOv2 up to 256 KB, USO, RSC) is active, nic1 (lso-v2-small: checksum and LSOv2 up to
16 KB, no RSC) stands by.  So team0 advertises LSOv2 with nic1's 16 KB limit, no LSOv1 and no
USO (nic1 lacks them), and RSC (nic0 has it), and TCP/IP sends large sends the standby can take.

1. TCP/IP sends two 16000-byte LSOv2 sends; while they are in nic0's hardware, nic0's cable is
   pulled (``stack.link_down``): nic0 indicates NDIS_STATUS_LINK_STATE
   (MediaConnectStateDisconnected, N/ndis-status-link-state.md) and the MUX fails over to nic1.
   nic0 stays bound and running: a link-down member stays in the team, it just carries nothing.
2. The failover changes nothing team0 advertises (every member was already in the LBFO
   aggregate): no offload indication, and team0 keeps its link (nic1 has one), so no
   LINK_STATE either.  The sends in flight complete; new sends go to nic1 whole.
3. The cable goes back in: nic0 stands by (``failback`` is off by default: the role is sticky).
4. nic1's cable is pulled: the MUX fails over back to nic0.  Then nic0's too: no member has link,
   team0 indicates LINK_STATE disconnected to the protocols above, and a send fails (no member
   can carry it).  nic1's cable back: team0 is connected again and nic1 is active.

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.ndis import NDIS_STATUS_LINK_STATE
from stack.scenario import DISRUPTIVE_FAULTS


def _mux_offload_indications(stack, since):
    """Offload indications the MUX made for team0 after trace record ``since``."""
    return [
        r
        for r in stack.bus.trace.records[since:]
        if r["kind"] == "status.indicate"
        and r.get("src") == "mux"
        and r.get("adapter") == "team0"
        and "OFFLOAD" in r["status"]
    ]


def _link_states(ndisprot):
    """The link states NDIS gave ndisprot for team0, in order (True: connected)."""
    return [
        i.buffer.connected
        for i in ndisprot.indications
        if i.adapter == "team0" and i.status == NDIS_STATUS_LINK_STATE
    ]


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710", send_latency=3)
    nic1 = stack.miniport("nic1", preset="lso-v2-small")
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    ndisprot = stack.ndisprot("ndisprot", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.active == "nic0", "nic0 is the active member")
    view = tcpip.view("team0")
    stack.expect(
        view.current.LsoV2.IPv4.MaxOffLoadSize == 16384,
        "LSOv2 is advertised, with the smallest member's MaxOffLoadSize (all members have it)",
    )
    stack.expect(
        view.current.LsoV1.IPv4.Encapsulation == 0
        and view.current.UdpSegmentation.IPv4.Encapsulation == 0,
        "no LSOv1 and no USO: nic1 lacks them",
    )
    stack.expect(view.current.Rsc.IPv4.Enabled == 1, "RSC is advertised: nic0 has it")
    stack.expect(
        view.connection is None or not view.connection.Encapsulation,
        "no TCP chimney through a team",
    )

    stack.send("tcpip", adapter="team0", count=2, length=16000)
    await stack.bus.run_until(lambda: nic0.stats().sends == 2)
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    mark = len(stack.bus.trace.records)
    stack.link_down("nic0")  # while the two large sends are in nic0's hardware
    stack.send("tcpip", adapter="team0", count=1, length=16000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.active == "nic1", "the MUX failed over to nic1 on link down")
    stack.expect(
        mux.member("nic0").role == "standby" and not mux.member("nic0").link_up,
        "nic0 stays in the team, without link",
    )
    stack.expect(not _mux_offload_indications(stack, mark), "the failover changed no capability")
    stack.expect(_link_states(ndisprot) == [], "team0 kept its link: nic1 has one")
    view = tcpip.view("team0")
    stack.expect(view.sends_completed == view.nbls_sent, "every send completed exactly once")
    stack.expect(view.sends_failed == 0, "no send failed: every one fits every member")
    stack.expect(mux.stats().sends_fitted == 0, "the MUX never had to cut a send for nic1")

    stack.link_up("nic0")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(
        mux.team("team0").active == "nic1" and mux.member("nic0").link_up,
        "nic0 has link again and stands by (no failback by default)",
    )

    stack.link_down("nic1")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(mux.team("team0").active == "nic0", "nic1 lost its link: back to nic0")
    stack.link_down("nic0")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(_link_states(ndisprot) == [False], "no member has link: team0 is disconnected")
    stack.expect(not mux.team("team0").link_up, "the MUX says team0 has no link")
    failed_before = tcpip.view("team0").sends_failed
    stack.send("tcpip", adapter="team0", count=1, length=1000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(
        tcpip.view("team0").sends_failed == failed_before + 1
        and mux.stats().sends_without_member == 1,
        "with no link anywhere a send fails: no member can carry it",
    )

    stack.link_up("nic1")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(_link_states(ndisprot) == [False, True], "nic1's link is back: team0 connected")
    stack.expect(mux.team("team0").active == "nic1", "and nic1, the member with link, is active")
    sends_before = nic1.stats().sends
    stack.send("tcpip", adapter="team0", count=1, length=16000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(nic1.stats().sends == sends_before + 1, "a large send goes to nic1 whole")
