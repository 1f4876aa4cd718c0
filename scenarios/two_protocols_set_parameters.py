"""Two protocols set OID_TCP_OFFLOAD_PARAMETERS on one adapter at the same moment.

NDIS serializes non-direct OIDs: the second set waits in NDIS's queue until the miniport has
completed the first (N/miniport-adapter-oid-request-serialization.md).  Each set is followed by
its own NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, which reaches every bound protocol; the last set
applied decides the final configuration and the keywords.  The miniport pends each set for a few
ticks, so the queue really fills.
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=5)
    first = stack.ndisprot("prot1", bind=["nic0"])
    second = stack.ndisprot("prot2", bind=["nic0"])
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()

    tx_only = NDIS_OFFLOAD_PARAMETERS(
        TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED
    )
    both = NDIS_OFFLOAD_PARAMETERS(TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)
    stack.oid(
        "prot1", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, tx_only, RequestId=1)
    )
    stack.oid("prot2", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, both, RequestId=1))
    await stack.settle()

    stack.expect(first.results[-1].status == 0, "the first set succeeds")
    stack.expect(second.results[-1].status == 0, "the second set succeeds")
    stack.expect(
        first.results[-1].tick < second.results[-1].tick, "they complete one after another"
    )
    record = stack.ndis.adapters["nic0"]
    stack.expect(record.current.Checksum.IPv4Receive.TcpChecksum == 1, "the last set wins")
    stack.expect(stack.registry.adapter("nic0").get("*TCPChecksumOffloadIPv4") == "3",
                 "and its keyword is what the registry holds")  # fmt: skip
    views = [tcpip.view("nic0").current]
    stack.expect(all(v == record.current for v in views), "TCP/IP's view equals NDIS's cache")
    stack.expect(len(first.indications) >= 2 and len(second.indications) >= 2,
                 "both protocols saw both indications")  # fmt: skip
