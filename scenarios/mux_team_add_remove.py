"""A team gains and loses a member; the team's transmit offloads follow the intersection both ways.

team0 is a team (every member carries traffic) over nic0 (intel-x710, LSOv2 up to 256 KiB) and
nic1 (lso-v2-small, LSOv2 up to 16 KiB, no LSOv1): a team advertises the transmit offloads all
its members can do (the LBFO default; receive offloads such as nic0's RSC if any member has them),
so TCP/IP sees LSOv2 capped at 16 KiB and no LSOv1 (spec A11; behaviour 9).  Sends alternate
between the members and none is larger than its member's own MaxOffLoadSize.

Then nic2 (realtek-basic, no LSO) is plugged in and added: NDIS binds the MUX to it, the MUX
queries its hardware capabilities, re-applies the team's configuration (nothing to change here),
and only then joins it -- the team loses LSO, so the MUX withdraws it, indicates
NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES and the new current configuration
(N/ndis-status-task-offload-hardware-capabilities.md: a MUX reports it when an underlying NIC is
added or removed).  Removing nic2 again brings LSOv2 (16 KiB) back the same way.

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.scenario import DISRUPTIVE_FAULTS


def _lso_v2(offload):
    return offload.LsoV2.IPv4.MaxOffLoadSize if offload.LsoV2.IPv4.Encapsulation else 0


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710")
    nic1 = stack.miniport("nic1", preset="lso-v2-small")
    mux = stack.mux("team0", members=["nic0", "nic1"], mode="team")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    view = tcpip.view("team0")
    stack.expect(_lso_v2(view.current) == 16384, "the team advertises the smaller LSOv2 size")
    stack.expect(view.current.LsoV1.IPv4.Encapsulation == 0, "and no LSOv1 (nic1 has none)")

    stack.send("tcpip", adapter="team0", count=2, length=32768)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("team0").lso_nbls == 4, "each burst went as two 16 KiB LSO sends")
    stack.expect(
        nic0.stats().sends == 2 and nic1.stats().sends == 2,
        "the sends alternate between the members",
    )
    stack.expect(
        nic0.stats().sends_offload_off + nic1.stats().sends_offload_off == 0,
        "no member got more than it can do",
    )

    # A third NIC without LSO is plugged in and added to the team.
    nic2 = stack.miniport("nic2", preset="realtek-basic")
    stack.mux_command("team0", "add-member", member="nic2")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    team = mux.team("team0")
    stack.expect(team.joined == ("nic0", "nic1", "nic2"), "nic2 joined the team")
    view = tcpip.view("team0")
    stack.expect(
        view.hardware is not None and _lso_v2(view.hardware) == 0,
        "TCP/IP got the team's new hardware capabilities: no LSO",
    )
    stack.expect(_lso_v2(view.current) == 0, "and a current configuration without LSO")

    lso_before = view.lso_nbls
    stack.send("tcpip", adapter="team0", count=1, length=32768)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("team0").lso_nbls == lso_before, "TCP/IP stopped using LSO")
    stack.expect(
        nic2.stats().sends > 0 and nic2.stats().sends_offload_off == 0,
        "nic2 carries traffic and is never asked for LSO",
    )

    stack.mux_command("team0", "remove-member", member="nic2")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    team = mux.team("team0")
    stack.expect(team.joined == ("nic0", "nic1"), "nic2 left the team")
    view = tcpip.view("team0")
    stack.expect(
        _lso_v2(view.hardware) == 16384 and _lso_v2(view.current) == 16384,
        "LSOv2 (16 KiB) is back in hardware and current configuration",
    )
    nic2_sends = nic2.stats().sends
    stack.send("tcpip", adapter="team0", count=1, length=32768)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("team0").lso_nbls == lso_before + 2, "and TCP/IP uses it again")
    stack.expect(nic2.stats().sends == nic2_sends, "nothing more goes through nic2")
