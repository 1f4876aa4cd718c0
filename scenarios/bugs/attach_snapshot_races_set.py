"""Zoo: a filter that restarts with the configuration of its attach parameters
(AttachSnapshotFilter).

nic0 (intel-x710) takes 2 ticks per OID request; ndisprot is bound to it.  ndisprot sets
OID_TCP_OFFLOAD_PARAMETERS (LSO and checksum offload off), and while the set is at nic0 the
administrator installs ``xdp``, the filter under test: NDIS pauses the running stack, attaches the
module with NDIS_FILTER_ATTACH_PARAMETERS built from the view below it at that moment -- before
the set -- and restarts the stack (N/restarting-a-driver-stack.md).  nic0 then indicates the set's
NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, which the filter passes up.  ndisprot's second set turns
RSC off.  Under FIFO nothing restarts the stack again, and the filter reports what nic0 runs.
When NDIS pauses and restarts the stack as it hands a set to nic0, the buggy filter republishes at
FilterRestart the configuration its attach parameters carried: the CURRENT_CONFIG that followed
the attach is lost, and the filter and ndisprot see LSO and checksum offload on while nic0 runs
them off (filter-view-converges; xdp-for-windows#56).
"""

from stack.drivers.zoo import AttachSnapshotFilter
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
FILTER = AttachSnapshotFilter

OFF = NDIS_OFFLOAD_PARAMETERS(
    TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
)
RSC_OFF = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED)


def heard(prot):
    return [i.buffer for i in prot.indications if i.status == 0x40020006]


async def scenario(stack):
    nic = stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=2)
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, OFF))
    await stack.run_until(lambda: nic.stats().oids_pending == 1 or bool(prot.results))
    stack.add_filter(FILTER(name="xdp"), adapter="nic0")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(prot.results[-1].status == 0, "ndisprot's set succeeded")
    layers = stack.layers("nic0")
    stack.expect([layer.name for layer in layers] == ["nic0", "xdp"], "xdp sits above nic0")
    miniport, xdp = layers
    stack.expect(xdp.view.current == miniport.view.current, "xdp reports what nic0 runs")
    stack.expect(heard(prot)[-1:] == [miniport.view.current], "ndisprot heard the change")

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, RSC_OFF))
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(prot.results[-1].status == 0, "ndisprot's second set succeeded through xdp")
    miniport, xdp = stack.layers("nic0")
    stack.expect(xdp.view.current == miniport.view.current, "xdp still reports what nic0 runs")
    stack.expect(heard(prot)[-1:] == [miniport.view.current], "ndisprot heard that one too")
