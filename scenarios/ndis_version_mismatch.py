"""Drivers built for different NDIS versions: a 6.20 protocol over a 6.86 miniport, and the reverse.

A driver reports and reads offload structures at the revision of the NDIS version it registered
(N/version-information-requirements-for-ndis-drivers.md,
N/overview-of-ndis-support-for-header-versions.md; ``stack.ndis.NDIS_VERSIONS``).

**Old protocol, new miniport.**  ``nic0`` is a 6.86 miniport that, like a NetAdapterCx client,
refuses an OID_TCP_OFFLOAD_PARAMETERS buffer shorter than NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3
with NDIS_STATUS_INVALID_PARAMETER (Network-Adapter-Class-Extension
netcx/translator/nxoffload.cpp, SetActiveCapabilities).  A TCP/IP built for 6.20 reads its
revision-7 NDIS_OFFLOAD as revision 2: RSC and USO do not exist for it, so it segments UDP
itself although the NIC runs USO.  A 6.20 configuration tool (ndisprot) sends the revision-2
structure its NDIS version builds (22 bytes), turning LSOv2 IPv4 off: NDIS writes *LsoV2IPv4 = 0
as it hands the set over (N/oid-tcp-offload-parameters.md), then the miniport refuses it, so the
running configuration keeps LSO while the registry says off -- until the next restart re-reads
the keyword (spec A13): NDIS writes at hand-off and the miniport refuses after it.  A driver
that knows the version below it avoids the refusal: netkvm's failover edge sends REVISION_2
only to a VF older than 6.30 and REVISION_3 otherwise (Common/ParaNdis_Protocol.cpp,
``NdisMinor >= 30``).

**New protocol, old miniport.**  ``nic1`` is a 6.20 miniport (revision-2 NDIS_OFFLOAD).  A 6.86
tool sends a revision-5 buffer turning LSOv2 IPv4 off and RSC IPv4 on: the miniport reads it as
revision 2, where RscIPv4 does not exist, so it applies the LSO change, ignores RSC and answers
SupportedRevision 2 -- the protocol learns from it which members were read
(N/generating-oid-requests-from-an-ndis-protocol-driver.md).  A 6.86 TCP/IP over nic1 holds a
revision-2 view: NDIS can only pass on what the miniport reported.

Under exploration a set may legally fail (``miniport.oid.fail``: its change is then absent) and a
NIC may be pulled or the stack paused (the run ends at the next check; the invariants watched
all of it).
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED,
    NDIS_OFFLOAD_REVISION_2,
    NDIS_OFFLOAD_REVISION_7,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INVALID_PARAMETER,
    NDIS_STATUS_SUCCESS,
    OID_TCP_OFFLOAD_PARAMETERS,
    ndis_version_revisions,
)
from stack.scenario import DISRUPTIVE_FAULTS


def built_for(version: str, **members: int) -> NDIS_OFFLOAD_PARAMETERS:
    """The NDIS_OFFLOAD_PARAMETERS a driver of NDIS ``version`` builds."""
    revision = ndis_version_revisions(version).parameters
    return NDIS_OFFLOAD_PARAMETERS(Header=NDIS_OFFLOAD_PARAMETERS.header_for(revision), **members)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", ndis_version="6.86", min_parameters_revision=3)
    stack.miniport("nic1", preset="lso-v2-small", ndis_version="6.20")
    tool = stack.ndisprot("tool", bind=["nic0", "nic1"])
    old_tcpip = stack.tcpip("tcpip620", bind=["nic0"], ndis_version="6.20")
    new_tcpip = stack.tcpip("tcpip686", bind=["nic1"], ndis_version="6.86")
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    nic0, nic1 = stack.ndis.adapters["nic0"], stack.ndis.adapters["nic1"]
    keywords = stack.registry.adapter("nic0")

    # -- a 6.20 protocol over a 6.86 miniport ------------------------------------------------
    stack.expect(nic0.current.Header.Revision == NDIS_OFFLOAD_REVISION_7,
                 "the 6.86 miniport reports a revision-7 NDIS_OFFLOAD")  # fmt: skip
    old_view = old_tcpip.view("nic0").current
    stack.expect(old_view.Header.Revision == NDIS_OFFLOAD_REVISION_2,
                 "the 6.20 TCP/IP reads it as revision 2")  # fmt: skip
    stack.expect(nic0.current.UdpSegmentation.IPv4.Encapsulation != 0, "the NIC runs USO")
    stack.expect(old_view.UdpSegmentation.IPv4.Encapsulation == 0, "USO does not exist for it")
    stack.command("tcpip620", "send", adapter="nic0", protocol="udp", length=8000)
    await stack.settle()
    stack.expect(old_tcpip.view("nic0").uso_nbls == 0, "so it segments UDP itself")

    lso_off = built_for("6.20", LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)
    stack.oid("tool", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, lso_off,
                                                   RequestId=1))  # fmt: skip
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    refused = tool.results[-1]
    stack.expect(refused.status == NDIS_STATUS_INVALID_PARAMETER,
                 "the 6.86 miniport refuses a revision-2 buffer INVALID_PARAMETER")  # fmt: skip
    stack.expect(keywords.get("*LsoV2IPv4") == "0", "NDIS wrote *LsoV2IPv4 = 0 before it")
    stack.expect(nic0.current.LsoV2.IPv4.Encapsulation != 0, "LSOv2 IPv4 still runs")

    # -- a 6.86 protocol over a 6.20 miniport ------------------------------------------------
    stack.expect(nic1.current.Header.Revision == NDIS_OFFLOAD_REVISION_2,
                 "the 6.20 miniport reports a revision-2 NDIS_OFFLOAD")  # fmt: skip
    stack.expect(new_tcpip.view("nic1").current == nic1.current,
                 "the 6.86 TCP/IP holds what NDIS has: revision 2")  # fmt: skip
    change = built_for("6.86", LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
                       RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED)  # fmt: skip
    stack.oid("tool", "nic1", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, change,
                                                   RequestId=2))  # fmt: skip
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    done = tool.results[-1]
    stack.expect(done.status == NDIS_STATUS_SUCCESS, "the 6.20 miniport takes the set")
    stack.expect(done.request.SupportedRevision == 2, "and reads it as revision 2")
    stack.expect(nic1.current.LsoV2.IPv4.Encapsulation == 0, "LSOv2 IPv4 is off")
    stack.expect(nic1.current.Rsc.IPv4.Enabled == 0, "RscIPv4, not in revision 2, was not read")
    stack.expect(new_tcpip.view("nic1").current == nic1.current, "TCP/IP learned the change")

    # -- the keyword NDIS wrote for the refused set is what nic0 reads at its next start -------
    stack.restart_adapter("nic0")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(nic0.current.LsoV2.IPv4.Encapsulation == 0,
                 "after a restart nic0 runs what the registry says: LSOv2 IPv4 off")  # fmt: skip
