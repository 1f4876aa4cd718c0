"""Zoo: a filter that completes its pause with its sends still in the NIC (EarlyPauseFilter).

nic0 (intel-x710) takes 3 ticks per send and pends its OID requests; ``npcap``, the filter under
test, sits between nic0 and ndisprot.  A capture handle writes three frames through npcap (the
filter originates them with NdisFSendNetBufferLists, as pcap_sendpacket does), and once they are
in nic0's hands the administrator turns RSC off (OID_TCP_OFFLOAD_PARAMETERS through npcap), so the
set reaches nic0 while npcap's NBLs are still there.  Under FIFO nothing pauses the stack and
every frame completes back to npcap.  When NDIS pauses the stack as it hands the set on (to
reconfigure it, to re-attach the filter, or because the NIC was pulled), the buggy filter
completes FilterPause at once, holding the NBLs it sent (filter-pause-idle; nmap/npcap#390); the
correct one waits for their completions (N/pausing-a-filter-module.md).
"""

from stack.drivers.zoo import EarlyPauseFilter
from stack.runtime import NET_BUFFER_LIST
from stack.scenario import DISRUPTIVE_FAULTS

#: The filter under test (``stack.drivers.PassthroughFilter`` is the correct one).
FILTER = EarlyPauseFilter

FRAME = NET_BUFFER_LIST(Id="frame", DataLength=1500)


async def scenario(stack):
    nic = stack.miniport(
        "nic0", preset="intel-x710", send_latency=3, oid_completion="pend", oid_latency=1
    )
    npcap = stack.add_filter(FILTER(name="npcap"), adapter="nic0")
    stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    stack.command("npcap", "send", adapter="nic0", nbl=FRAME, count=3)
    await stack.run_until(lambda: nic.stats().sends > 0)
    stack.wmi_set_parameters("nic0", "Disable-NetAdapterRsc")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(stack.admin.results[-1].status == 0, "the administrator's set passed npcap")
    stack.expect(nic.stats().sends == 3, "npcap's three frames reached nic0")
    stack.expect(npcap.edge("nic0").idle, "every frame npcap sent came back to it")
