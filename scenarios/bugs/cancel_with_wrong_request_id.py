"""Zoo: a MUX that forwards a cancel with the wrong RequestId (WrongCancelIdMux).

team0 is a failover team over nic0 alone.  ndisprot sets OID_TCP_OFFLOAD_PARAMETERS (RSC off)
on team0 with RequestId 5; the moment nic0 has completed the MUX's clone, ndisprot cancels the
set.  Under FIFO the clone's completion reaches the MUX first, the set is done, and the late
cancel is ignored.  When the cancel overtakes the completion on its way (or the clone is still
pending at nic0: a long pend, a clogged completion), the MUX must cancel its clone with
RequestId 5; the buggy MUX uses another id, NDIS finds nothing to cancel, and the clone runs to
its end (im-cancel-forwarded).
"""

from stack.drivers.zoo import WrongCancelIdMux
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = WrongCancelIdMux


async def scenario(stack):
    nic0 = stack.miniport("nic0", preset="intel-x710")
    stack.add_mux(MUX(), "team0", members=["nic0"], mode="failover")
    prot = stack.ndisprot("ndisprot", bind=["team0"])
    await stack.start()

    params = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
    set_rsc = NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, params)
    done = nic0.stats().oids_completed
    stack.oid("ndisprot", "team0", set_rsc, request_id=5)
    await stack.run_until(lambda: nic0.stats().oids_completed > done)
    stack.cancel_oid("ndisprot", "team0", request_id=5)
    await stack.settle()
    stack.expect(len(prot.results) == 1, "the set completed once (done, or aborted)")
