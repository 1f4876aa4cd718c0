"""Zoo: a MUX that re-applies a bind-time copy of the team's parameters to a late-joining
member (BindCopyMux).

team0 is a team over nic0 (intel-x710) with TCP/IP bound. nic1, a second intel-x710 whose own
keywords leave LSO on, is plugged in and added to the team while the administrator's WMI client
sets LSO off on team0 at run time (``wmi_set_parameters``). Under FIFO the set reaches the MUX
before it binds to nic1, so the copy it takes at the bind already has LSO off. When the bind comes
first and the set lands while nic1's capability queries are out, the buggy MUX re-applies its stale
copy and nic1 joins with LSO on (mux-member-respects-team); team0 still advertises LSO off (nic0
has it off), so nothing above notices. A run in which a disruptive fault fired
(``DISRUPTIVE_FAULTS``) ends before the check.
"""

from stack.drivers.zoo import BindCopyMux
from stack.scenario import DISRUPTIVE_FAULTS

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = BindCopyMux


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    mux = stack.add_mux(MUX(), "team0", members=["nic0"], mode="team")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()

    stack.miniport("nic1", preset="intel-x710")
    stack.mux_command("team0", "add-member", member="nic1")
    stack.wmi_set_parameters("team0", "Disable-NetAdapterLso")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(mux.team("team0").joined == ("nic0", "nic1"), "nic1 joined team0")
    stack.expect(tcpip.view("team0").current.LsoV2.IPv4.Encapsulation == 0, "LSO is off")
