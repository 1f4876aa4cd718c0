"""Zoo: NDIS writes a parameters set's keywords when it queues the set (KeywordsAtQueueNdis).

Three protocols set OID_TCP_OFFLOAD_PARAMETERS on nic0, whose miniport takes 4 ticks per
request: prot0 turns RSC IPv4 off and prot1 asks for TCP IPv4 checksum transmit-only at tick 0
(prot1's set waits behind prot0's), prot2 asks for transmit and receive at tick 6.  Under FIFO
prot0's set is done at tick 4 and prot1's is handed on before prot2's arrives, so the registry
holds each set's keywords when it reaches the miniport.  When prot0's set takes longer (a long
pend, a clogged completion), prot2's set is queued while prot1's still waits: the buggy NDIS
has already written prot2's *TCPChecksumOffloadIPv4 = 3 when it hands prot1's set (which asks
for 1) to the miniport -- the registry-before-miniport monitor fires.
"""

from stack.drivers.zoo import KeywordsAtQueueNdis
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)

#: The NDIS library under test (``stack.runtime.NdisLibrary`` is the correct one).
NDIS = KeywordsAtQueueNdis

RSC_OFF = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
TX_ONLY = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED)
BOTH = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)


async def scenario(stack):
    stack.configure_ndis(library=NDIS)
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=4)
    protocols = [stack.ndisprot(f"prot{i}", bind=["nic0"]) for i in range(3)]
    await stack.start()

    stack.oid("prot0", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
    stack.oid("prot1", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, TX_ONLY))
    await stack.advance(6)
    stack.oid("prot2", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, BOTH))
    await stack.settle()
    stack.expect(all(len(p.results) == 1 for p in protocols), "every set completed once")
