"""Two protocols set OID_TCP_OFFLOAD_PARAMETERS on one adapter at the same moment.

NDIS serializes non-direct OIDs: whichever set reaches NDIS second waits in its queue until the
miniport has completed the first (N/miniport-adapter-oid-request-serialization.md).  Each set is
followed by its own NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, which reaches every bound protocol;
the set applied last decides the final configuration and the keywords.  Which one is last is
the race: the scenario checks that the cache and the registry agree on whichever it was, so it
holds under every interleaving the explorer tries.  That the miniport never had both at once is the
oid-serialization monitor's job.

Either set may also legally fail (RESOURCES, FAILURE ...): NDIS has written its keywords anyway
(before handing it on, with no rollback: spec A12), so the registry holds the last set NDIS handed
on while the cache holds the last one that succeeded.  If the NIC is pulled the run ends there.
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

    record = stack.ndis.adapters["nic0"]
    if record.surprise_removed:
        return
    ok = {"prot1": first.results[-1].status == 0, "prot2": second.results[-1].status == 0}
    handed = [
        r["origin"]
        for r in stack.bus.trace.records
        if r["kind"] == "oid.request"
        and r.get("dst") == "nic0"
        and r["oid"] == OID_TCP_OFFLOAD_PARAMETERS.name
    ]
    # Receive on (BOTH, prot2's) <-> "3" (Rx & Tx), receive off (TX_ONLY, prot1's) <-> "1" (Tx).
    keyword = stack.registry.adapter("nic0").get("*TCPChecksumOffloadIPv4")
    stack.expect(keyword == ("3" if handed[-1] == "prot2" else "1"),
                 "the registry holds the last set NDIS handed on")  # fmt: skip
    applied = [origin for origin in handed if ok[origin]]
    rx_on = applied[-1] == "prot2" if applied else True  # intel-x710 boots with it on
    stack.expect(record.current.Checksum.IPv4Transmit.TcpChecksum == 1, "transmit stays on")
    stack.expect((record.current.Checksum.IPv4Receive.TcpChecksum == 1) == rx_on,
                 "the cache holds the last set that succeeded")  # fmt: skip
    stack.expect(tcpip.view("nic0").current == record.current, "TCP/IP's view equals the cache")
    stack.expect(len(first.indications) >= len(applied) and len(second.indications) >= len(applied),
                 "both protocols saw every indication")  # fmt: skip
