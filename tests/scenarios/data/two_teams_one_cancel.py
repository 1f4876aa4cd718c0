"""Two teams on one MUX, each with a parameters set (RequestId 1) pending; one is cancelled.

Both clones carry RequestId 1 on their member; the im-cancel-forwarded monitor must tell them
apart by which request's handler posted them, not by the order of a set (regression: its
verdict used to depend on PYTHONHASHSEED)."""

from stack.ndis import NDIS_OFFLOAD_PARAMETERS, NDIS_OID_REQUEST, OID_TCP_OFFLOAD_PARAMETERS


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=50)
    stack.miniport("nic1", preset="intel-x710", oid_completion="pend", oid_latency=50)
    stack.mux("team0", members=["nic0"])
    stack.mux("team1", members=["nic1"])
    stack.ndisprot("a", bind=["team0"])
    stack.ndisprot("b", bind=["team1"])
    await stack.start()
    params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=1)
    for protocol, team in (("a", "team0"), ("b", "team1")):
        request = NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params)
        stack.command(protocol, "oid", adapter=team, request=request, request_id=1)
    await stack.advance(3)
    stack.command("b", "cancel", adapter="team1", request_id=1)
    await stack.settle()
