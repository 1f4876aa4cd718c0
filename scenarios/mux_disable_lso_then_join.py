"""The administrator disables LSO on the team, then a new member (with LSO on) joins it.

team0 is a team over nic0 (intel-x710). A WMI client's run-time set of Disable-NetAdapterLso's
parameters (``stack.wmi_set_parameters``) goes down as OID_TCP_OFFLOAD_PARAMETERS; the MUX records
it as the team's upper-level configuration and fans it out, so nic0 turns LSO off and TCP/IP stops
using it.

Then nic1, a second intel-x710 whose own keywords leave LSO on, is plugged in and added.  Before
it may join, the MUX re-applies the team's configuration to it (spec A11; the upper device pushing
its disables down to a new lower device, as Linux's netdev_sync_lower_features does): an
OID_TCP_OFFLOAD_PARAMETERS set with LSO disabled, then the team's OID_OFFLOAD_ENCAPSULATION.  Only
when nic1 has applied and indicated both does it join, so the team never advertises LSO again and
TCP/IP never sees it come back; the team's hardware capabilities do not change (both NICs are
the same model), so no NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES is indicated.

Exploration may pull a member, pause a member's stack or fail a set (all legal); the checks
assume none of that, so such a run ends at the next one (the monitors watched all of it).
"""

from stack.scenario import DISRUPTIVE_FAULTS


def _lso(offload):
    return bool(
        offload.LsoV1.IPv4.Encapsulation
        or offload.LsoV2.IPv4.Encapsulation
        or offload.LsoV2.IPv6.Encapsulation
    )


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    mux = stack.mux("team0", members=["nic0"], mode="team")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    stack.wmi_set_parameters("team0", "Disable-NetAdapterLso")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(stack.admin.results[-1].status == 0, "the LSO-off set on team0 succeeded")
    stack.expect(not _lso(tcpip.view("team0").current), "TCP/IP learned LSO is off on team0")
    stack.expect(not _lso(stack.ndis.adapters["nic0"].current), "nic0 turned LSO off")
    indications_before = tcpip.view("team0").indications

    nic1 = stack.miniport("nic1", preset="intel-x710")
    stack.mux_command("team0", "add-member", member="nic1")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    team = mux.team("team0")
    stack.expect(team.joined == ("nic0", "nic1"), "nic1 joined the team")
    nic1_current = stack.ndis.adapters["nic1"].current
    stack.expect(not _lso(nic1_current), "the MUX turned LSO off on nic1 before it joined")
    stack.expect(nic1_current.Checksum.IPv4Transmit.TcpChecksum == 1, "nic1 keeps checksum on")
    stack.expect(
        stack.registry.adapter("nic1").get("*LsoV2IPv4") == "0",
        "NDIS persisted the re-applied setting in nic1's keywords",
    )
    stack.expect(
        nic1.receive_offloads() != frozenset(),
        "and the team's encapsulation was re-applied (nic1's receive offloads run)",
    )
    notes = [
        r["kind"]
        for r in stack.bus.trace.records
        if r["kind"] in ("mux.reapply", "mux.member.join") and r.get("member") == "nic1"
    ]
    stack.expect(
        notes == ["mux.reapply", "mux.reapply", "mux.member.join"],
        "parameters, then encapsulation, then the join",
    )

    view = tcpip.view("team0")
    stack.expect(not _lso(view.current), "TCP/IP never saw LSO come back")
    stack.expect(
        view.indications == indications_before,
        "the join changed nothing the team advertises, so nothing was indicated",
    )

    stack.send("tcpip", adapter="team0", count=2, length=32000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("team0").lso_nbls == 0, "TCP/IP sends no LSO")
    stack.expect(
        nic1.stats().sends > 0 and nic1.stats().sends_offload_off == 0,
        "nic1 carries traffic, never asked for an offload it has off",
    )
