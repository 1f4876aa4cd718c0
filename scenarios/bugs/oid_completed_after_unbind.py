"""Zoo: a MUX that closes a member binding with requests still out (EarlyCloseMux).

team0 is a failover team over nic0 alone; nic0's miniport takes 2 ticks per request.  ndisprot
sets OID_TCP_OFFLOAD_PARAMETERS (RSC off) on team0, the MUX passes a clone down to nic0, and nic0
is surprise-removed at the tick the clone's work item runs.  Under FIFO the work item runs
first and the clone's completion reaches the MUX before NDIS unbinds it.  When the removal goes
first and NDIS pauses nic0 before its work item runs, NDIS unbinds the MUX from nic0 while the
clone is still out: the buggy MUX closes at once, and the clone's completion reaches a binding
that is gone (no-oid-completion-after-close).
"""

from stack.drivers.zoo import EarlyCloseMux
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = EarlyCloseMux


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=2)
    stack.add_mux(MUX(), "team0", members=["nic0"], mode="failover")
    prot = stack.ndisprot("ndisprot", bind=["team0"])
    await stack.start()

    params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
    stack.oid("ndisprot", "team0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params))
    await stack.run_until(lambda: nic0.stats().oids_pending == 1 or prot.results)
    stack.surprise_remove("nic0", delay=2)
    await stack.settle()
    stack.expect(len(prot.results) == 1, "ndisprot's request completed once")
