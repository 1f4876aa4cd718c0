"""Zoo: a MUX that takes a member's set completion for its indication (CompletionAsIndicationMux).

team0 is a failover team over nic0 (intel-x710) with TCP/IP bound. The administrator's WMI client
sets LSO off on team0 at run time (``wmi_set_parameters``); the MUX fans the set out to nic0. Under
FIFO nic0 indicates its new configuration before it completes the clone, so the MUX indicates LSO
off upward. When nic0 defers its indication past the completion, the buggy MUX indicates the
configuration it still holds for nic0 -- LSO on -- for a set it completes successfully
(parameters-set-reflected); nic0's late indication puts the team right afterwards. A run in which a
disruptive fault fired (``DISRUPTIVE_FAULTS``) ends before the check.
"""

from stack.drivers.zoo import CompletionAsIndicationMux
from stack.scenario import DISRUPTIVE_FAULTS

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = CompletionAsIndicationMux


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.add_mux(MUX(), "team0", members=["nic0"], mode="failover")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()

    stack.wmi_set_parameters("team0", "Disable-NetAdapterLso")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return  # a set failed or nic0 was pulled: the monitors watched it all
    view = tcpip.view("team0")
    stack.expect(view.current.LsoV2.IPv4.Encapsulation == 0, "TCP/IP sees LSO off on team0")
