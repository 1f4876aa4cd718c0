"""A connection-offload (TCP chimney) change is reported through PAUSE then RESUME.

An offload target may not announce new connection-offload capabilities directly: it indicates
NDIS_STATUS_OFFLOAD_PAUSE, makes the change, then NDIS_STATUS_OFFLOAD_RESUME carrying the new
NDIS_TCP_CONNECTION_OFFLOAD (D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md); changes
to the connection members of OID_TCP_OFFLOAD_PARAMETERS are reported the same way
(N/using-the-tcp-ip-offload-administrator-interface.md).  NDIS updates its connection cache from
the RESUME buffer (spec A16).

Under exploration the set may legally fail (RESOURCES, FAILURE ...: nothing changes, nothing is
indicated) and the NIC may be pulled (the run ends there; the invariants were checked all along).
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED,
    NDIS_OID_REQUEST,
    NDIS_STATUS_OFFLOAD_PAUSE,
    NDIS_STATUS_OFFLOAD_RESUME,
    OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG,
    OID_TCP_OFFLOAD_PARAMETERS,
)


async def scenario(stack):
    stack.miniport("nic0", preset="chimney-capable")
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    record = stack.ndis.adapters["nic0"]
    if record.surprise_removed:
        return
    stack.expect(record.connection_current.SupportIPv6 != 0, "chimney IPv6 is on at start")

    params = NDIS_OFFLOAD_PARAMETERS(
        TcpConnectionIPv6=NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED
    )
    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params,
                                                       RequestId=1))  # fmt: skip
    await stack.settle()
    if record.surprise_removed:
        return
    if prot.results[-1].status != 0:
        stack.expect(record.connection_current.SupportIPv6 != 0, "a failed set changed nothing")
        return
    codes = [i.status for i in prot.indications]
    stack.expect(NDIS_STATUS_OFFLOAD_PAUSE in codes and NDIS_STATUS_OFFLOAD_RESUME in codes,
                 "the change came as PAUSE then RESUME")  # fmt: skip
    stack.expect(codes.index(NDIS_STATUS_OFFLOAD_PAUSE) < codes.index(NDIS_STATUS_OFFLOAD_RESUME),
                 "PAUSE first")  # fmt: skip
    stack.expect(record.connection_current.SupportIPv6 == 0, "NDIS's cache follows RESUME")
    stack.expect(record.connection_current.SupportIPv4 != 0, "chimney IPv4 is untouched")
    stack.expect(tcpip.view("nic0").connection.SupportIPv6 == 0, "TCP/IP learned it")

    query = NDIS_OID_REQUEST.query(OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG, RequestId=2)
    stack.oid("ndisprot", "nic0", query)
    await stack.settle()
    answer = prot.results[-1]
    stack.expect(answer.status == 0 and answer.request.InformationBuffer.SupportIPv6 == 0,
                 "OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG answers from the cache")  # fmt: skip
