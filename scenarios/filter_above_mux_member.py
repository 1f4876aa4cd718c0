"""A filter between a MUX member NIC and the MUX, and one above the team; the active member is
pulled and the team fails over.

team0 is a failover pair: nic0 (intel-x710) active, nic1 (realtek-basic: checksum only) standby.
Between nic0 and the MUX's binding to it sits ``mask0``, an offload-masking filter that reports
LSOv2 off (``masked=("lso",)``): a MUX is a protocol of its members, so NDIS stacks the filter
module of nic0 below it (N/ndis-mux-intermediate-drivers.md, N/starting-a-driver-stack.md).  Above
team0 sits ``lwf``, a pass-through filter: the MUX's virtual miniport is a miniport to NDIS, and
TCP/IP sees the top of team0's stack.

1. The MUX learns nic0's capabilities from the top of nic0's stack (its bind parameters and its
   OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES query, answered by NDIS from the view above mask0), so
   the team advertises checksum offload without LSO, and TCP/IP (bound above ``lwf``) uses
   checksum offload and no LSO;
2. nic0 is surprise-removed: NDIS pauses nic0's stack from the top (the MUX's binding, then mask0,
   then nic0), unbinds the MUX, detaches mask0 and halts nic0
   (N/pausing-a-driver-stack.md, N/detaching-a-filter-module.md); the MUX fails over to nic1 and
   indicates the new capabilities up through ``lwf``;
3. TCP/IP keeps checksum offload (which nic1 has) and no LSO; nothing asking for an offload a NIC
   has off ever reaches nic0 or nic1.

Exploration may pull a member, pause a stack, detach and re-attach a filter or fail a set (all
legal); the checks assume none of that, so such a run ends at the next one (the monitors watched
all of it).
"""

from stack.scenario import DISRUPTIVE_FAULTS


def lso(offload):
    return offload.LsoV2.IPv4.Encapsulation or offload.LsoV1.IPv4.Encapsulation


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710", send_latency=2)
    nic1 = stack.miniport("nic1", preset="realtek-basic")
    stack.filter("mask0", adapter="nic0", kind="mask", masked=("lso",))
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="failover")
    stack.filter("lwf", adapter="team0", kind="passthrough")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    stack.expect(
        [layer.name for layer in stack.layers("nic0")] == ["nic0", "mask0"],
        "mask0 sits between nic0 and the MUX",
    )
    stack.expect(
        [layer.name for layer in stack.layers("team0")] == ["mux", "lwf"],
        "lwf sits between the team and TCP/IP",
    )
    team = mux.team("team0")
    stack.expect(team.active == "nic0", "nic0 is the active member")
    stack.expect(
        not lso(team.current) and mux.view("nic0").current == stack.top_view("nic0").current,
        "the MUX sees nic0 as mask0 reports it: no LSO",
    )
    view = tcpip.view("team0")
    stack.expect(
        not lso(view.current) and view.current.Checksum.IPv4Transmit.TcpChecksum == 1,
        "TCP/IP, above lwf, uses checksum offload and no LSO",
    )
    stack.expect(
        view.current == stack.top_view("team0").current, "TCP/IP's view is the top of team0's stack"
    )

    stack.send("tcpip", adapter="team0", count=1, length=8000)
    await stack.bus.run_until(lambda: nic0.stats().sends > 0)
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    stack.surprise_remove("nic0")  # while sends are in nic0's hardware
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.active == "nic1", "the MUX failed over to nic1")
    stack.expect(
        [layer.state for layer in stack.layers("nic0")] == ["Halted", "Detached"],
        "nic0's stack came down: mask0 detached, nic0 halted",
    )
    view = tcpip.view("team0")
    stack.expect(
        view.current == stack.top_view("team0").current,
        "TCP/IP learned the team's new capabilities through lwf",
    )
    stack.expect(
        not lso(view.current) and view.current.Checksum.IPv4Transmit.TcpChecksum == 1,
        "checksum offload (which nic1 has) stays on, no LSO",
    )
    stack.expect(view.sends_completed == view.nbls_sent, "every send completed exactly once")

    before = nic1.stats().sends
    stack.send("tcpip", adapter="team0", count=1, length=8000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    view = tcpip.view("team0")
    stack.expect(
        view.lso_nbls == 0 and nic1.stats().sends == before + 6,
        "TCP/IP's next burst goes through nic1 as 6 MSS-sized packets",
    )
    lso_sends = [
        r
        for r in stack.bus.trace.records
        if r["kind"] == "send" and any("lso" in o for o in r["offloads"])
    ]
    stack.expect(not lso_sends, "no NBL asking for LSO was ever sent anywhere")
    stack.expect(
        nic0.stats().sends_offload_off == 0 and nic1.stats().sends_offload_off == 0,
        "no NIC was asked for an offload it has off",
    )
