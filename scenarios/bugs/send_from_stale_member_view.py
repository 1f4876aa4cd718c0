"""Zoo: a MUX that forwards sends from its stale view of a member (DeferredStatusMux).

team0 is a failover team over nic0 (intel-x710, USO) with TCP/IP bound. TCP/IP sends a 64000-byte
UDP burst (USO) on team0 while the administrator turns USO off on nic0 itself (a WMI client's
run-time set, ``wmi_set_parameters``). Under FIFO the sends pass the MUX before nic0's indication
reaches it. When the indication gets there first, the buggy MUX queues it to a work item and hands
the USO send to nic0, which has USO off and told the MUX so (no-send-beyond-miniport-config; nic0
fails the send). A run in which a disruptive fault fired (``DISRUPTIVE_FAULTS``) ends before the
check.
"""

from stack.drivers.zoo import DeferredStatusMux
from stack.scenario import DISRUPTIVE_FAULTS

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = DeferredStatusMux


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.add_mux(MUX(), "team0", members=["nic0"], mode="failover")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()

    stack.command("tcpip", "send", adapter="team0", count=1, length=64000, protocol="udp")
    stack.wmi_set_parameters("nic0", "Disable-NetAdapterUso")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    view = tcpip.view("team0")
    stack.expect(view.sends_completed == view.nbls_sent, "every send completed once")
