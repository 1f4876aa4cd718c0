"""Zoo: a MUX that re-applies the team's parameters on every member indication (EnforcingMux).

team0 is a failover team over nic0 (intel-x710); ndisprot is bound to nic0 itself.  The
administrator's WMI client first disables LSO on team0 at run time (the team now has a
configuration of its own).  Then,
at the same moment, ndisprot turns RSC IPv4 off on nic0 directly and the administrator turns
LSO back on for team0.  Under FIFO nic0's indication of the RSC change reaches the MUX while the
team's set is in flight, and the buggy MUX ignores it.  When it arrives before the team's set
(or any echo arrives after a set completed), the MUX pushes the team's parameters down, nic0
indicates, the MUX pushes again ... until the run's step budget is exhausted
(liveness-step-budget).
"""

from stack.drivers.zoo import EnforcingMux
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = EnforcingMux
#: Many times the deliveries this scenario needs (about 60), far fewer than the default budget:
#: a livelock is reported in a fraction of a second.
STEP_BUDGET = 1000


async def scenario(stack):
    stack.max_steps = STEP_BUDGET
    stack.miniport("nic0", preset="intel-x710")
    stack.add_mux(MUX(), "team0", members=["nic0"], mode="failover")
    stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()
    stack.wmi_set_parameters("team0", "Disable-NetAdapterLso")
    await stack.settle()

    rsc_off = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)
    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, rsc_off))
    stack.wmi_set_parameters("team0", "Enable-NetAdapterLso")
    await stack.settle()
    stack.expect(len(stack.admin.results) == 2, "both WMI sets completed")
