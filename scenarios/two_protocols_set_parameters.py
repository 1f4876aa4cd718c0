"""Two protocols set OID_TCP_OFFLOAD_PARAMETERS on one adapter at the same moment.

NDIS serializes non-direct OIDs: whichever set reaches NDIS second waits in its queue until the
miniport has completed the first (N/miniport-adapter-oid-request-serialization.md).  Each set is
followed by its own NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, which reaches every bound protocol;
the set applied last decides the final configuration and the keywords.  Which one is last is
the race: the scenario checks that the cache and the registry agree on whichever it was, so it
holds under every interleaving the explorer tries.  That the miniport never had both at once is the
oid-serialization monitor's job.
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)

TX_ONLY = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED)
BOTH = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=5)
    first = stack.ndisprot("prot1", bind=["nic0"])
    second = stack.ndisprot("prot2", bind=["nic0"])
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()

    stack.oid("prot1", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, TX_ONLY))
    stack.oid("prot2", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, BOTH))
    await stack.settle()

    one, two = first.results[-1], second.results[-1]
    stack.expect(one.status == 0 and two.status == 0, "both sets succeed")
    # Whichever set the miniport applied last decides both the cache and the keyword, and they
    # must agree: receive on (BOTH) <-> "3" (Rx & Tx), receive off (TX_ONLY) <-> "1" (Tx).
    record = stack.ndis.adapters["nic0"]
    last_rx = record.current.Checksum.IPv4Receive.TcpChecksum
    stack.expect(record.current.Checksum.IPv4Transmit.TcpChecksum == 1, "transmit stays on")
    keyword = stack.registry.adapter("nic0").get("*TCPChecksumOffloadIPv4")
    stack.expect(keyword == ("3" if last_rx else "1"), "the registry holds the last set applied")
    stack.expect(tcpip.view("nic0").current == record.current, "TCP/IP's view equals the cache")
    stack.expect(len(first.indications) >= 2 and len(second.indications) >= 2,
                 "both protocols saw both indications")  # fmt: skip
