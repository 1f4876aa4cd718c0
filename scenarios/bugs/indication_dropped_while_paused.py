"""Zoo: a filter that drops status indications while its module is paused (PausedDropFilter).

nic0 (intel-x710) takes 2 ticks per OID request; ``npcap``, the filter under test, sits between
nic0 and ndisprot.  ndisprot sets OID_TCP_OFFLOAD_PARAMETERS twice through the filter (LSO and
checksum offload off, then RSC off), and nic0 indicates NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
as it applies each.  Under FIFO the stack runs throughout and each indication passes the filter
up to ndisprot.  When NDIS pauses the stack as it hands a set to nic0 (N/pausing-a-driver-stack.md:
requests keep flowing through the pause), the filter is still pausing -- its clone of the set is
out -- when nic0 indicates: the buggy filter drops the indication, and it and ndisprot keep the
configuration from before the set while nic0 runs the new one (filter-view-converges).
"""

from stack.drivers.zoo import PausedDropFilter
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)
from stack.scenario import DISRUPTIVE_FAULTS

#: The filter under test (``stack.drivers.PassthroughFilter`` is the correct one).
FILTER = PausedDropFilter

SETS = (
    NDIS_OFFLOAD_PARAMETERS(
        TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
        LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    ),
    NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED),
)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=2)
    stack.add_filter(FILTER(name="npcap"), adapter="nic0")
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    for params in SETS:
        stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params))
        await stack.settle()
        if stack.faults_fired() & DISRUPTIVE_FAULTS:
            return
        stack.expect(prot.results[-1].status == 0, "ndisprot's set succeeded through npcap")
        miniport, npcap = stack.layers("nic0")
        stack.expect(npcap.view.current == miniport.view.current, "npcap reports what nic0 runs")
        heard = [i.buffer for i in prot.indications if i.status == 0x40020006]
        stack.expect(heard[-1:] == [miniport.view.current], "ndisprot heard the change")
