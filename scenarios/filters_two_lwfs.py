"""TCP/IP and ndisprot above two lightweight filters above a NIC; changes pass both filters.

nic0 (intel-x710, pending its OID requests) carries two filter modules: ``lwf`` (a pass-through
filter, FilterClass ``custom``) and above it ``npcap`` (an offload-masking filter, FilterClass
``compression``, which reports LSO off to everything above it, as npcap 0.93 forced it off,
nmap/npcap#409).  NDIS attaches them bottom-up before the protocols bind
(N/starting-a-driver-stack.md), so each one's NDIS_FILTER_ATTACH_PARAMETERS carry the view below
it, and TCP/IP's bind parameters carry the masked view from the top of the stack:

1. TCP/IP never learns LSO and sends MSS-sized packets with checksum offload; nothing asking for
   an offload that is off reaches nic0;
2. the administrator's WMI client sets Disable-NetAdapterChecksumOffload's parameters at run
   time (``stack.wmi_set_parameters``); the OID goes down through both filters (each
   passes a clone with the original RequestId,
   N/filtering-oid-requests-in-an-ndis-filter-driver.md);
   NDIS writes the keywords as it hands the set to nic0, and the CURRENT_CONFIG nic0 indicates
   comes back up through both filters to TCP/IP and ndisprot: checksum offload is off everywhere;
3. ndisprot turns it back on with OID_TCP_OFFLOAD_PARAMETERS; again the change reaches the
   protocols through both filters, LSO still masked at the top;
4. ndisprot's OID_TCP_OFFLOAD_CURRENT_CONFIG query is answered by NDIS from the top view (spec
   A15): what the masking filter reports, not what nic0 runs.

Exploration may pull the NIC, pause and restart the stack, detach and re-attach a filter, or fail a
set (all legal); the checks assume none of that, so such a run ends at the next one (the monitors,
the filter monitors among them, watched all of it).
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_CURRENT_CONFIG,
    OID_TCP_OFFLOAD_PARAMETERS,
)
from stack.scenario import DISRUPTIVE_FAULTS

CHECKSUM_ON = NDIS_OFFLOAD_PARAMETERS(
    TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    TCPIPv6Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
)


def lso(offload):
    return offload.LsoV2.IPv4.Encapsulation or offload.LsoV1.IPv4.Encapsulation


def tcp_checksum(offload):
    return offload.Checksum.IPv4Transmit.TcpChecksum == 1


async def scenario(stack):
    nic = stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=3)
    stack.filter("lwf", adapter="nic0", kind="passthrough")
    stack.filter("npcap", adapter="nic0", kind="mask", masked=("lso",), filter_class="compression")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return

    miniport, lwf, npcap = stack.layers("nic0")
    stack.expect(
        [miniport.name, lwf.name, npcap.name] == ["nic0", "lwf", "npcap"],
        "NDIS stacks the filters by FilterClass: custom below compression",
    )
    stack.expect(
        lwf.view.current == miniport.view.current, "the pass-through filter reports what nic0 runs"
    )
    stack.expect(
        lso(miniport.view.current) and not lso(npcap.view.current),
        "nic0 runs LSO; the masking filter reports it off",
    )
    view = tcpip.view("nic0")
    stack.expect(
        view.current == stack.top_view("nic0").current == npcap.view.current,
        "TCP/IP's bind parameters are the top of the stack: the masked view",
    )

    stack.send("tcpip", adapter="nic0", count=1, length=16000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    view = tcpip.view("nic0")
    stack.expect(
        view.lso_nbls == 0 and view.checksum_nbls == view.nbls_sent == 11,
        "TCP/IP sends 11 MSS-sized packets with checksum offload, none with LSO",
    )
    stack.expect(
        nic.stats().sends_offload_off == 0, "nic0 is never asked for an offload it has off"
    )

    stack.wmi_set_parameters("nic0", "Disable-NetAdapterChecksumOffload")
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    result = stack.admin.results[-1]
    stack.expect(result.status == 0, "the administrator's set succeeds through both filters")
    miniport, lwf, npcap = stack.layers("nic0")
    stack.expect(
        not tcp_checksum(miniport.view.current) and not lso(miniport.view.current),
        "nic0 turned checksum offload (and LSO with it) off",
    )
    stack.expect(
        stack.registry.adapter("nic0").get("*TCPChecksumOffloadIPv4") == "0",
        "NDIS wrote the keyword as it handed the set to nic0",
    )
    stack.expect(
        not tcp_checksum(tcpip.view("nic0").current), "TCP/IP learned it through both filters"
    )
    stack.expect(
        tcpip.view("nic0").current == stack.top_view("nic0").current,
        "TCP/IP's view is the top of the stack",
    )
    heard = [i for i in prot.indications if i.status == 0x40020006]
    stack.expect(
        bool(heard) and not tcp_checksum(heard[-1].buffer), "ndisprot heard the change too"
    )
    handed = [
        r
        for r in stack.bus.trace.records
        if r["kind"] == "oid.request"
        and r.get("oid") == OID_TCP_OFFLOAD_PARAMETERS.name
        and r.get("request_id") == result.request_id
    ]
    stack.expect(
        [(r["src"], r["dst"]) for r in handed]
        == [
            ("ndis", "npcap"),
            ("npcap", "ndis"),
            ("ndis", "lwf"),
            ("lwf", "ndis"),
            ("ndis", "nic0"),
        ],
        "the set went down through npcap, then lwf, then to nic0, with its RequestId",
    )

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, CHECKSUM_ON))
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(prot.results[-1].status == 0, "ndisprot's set succeeds through both filters")
    view = tcpip.view("nic0")
    stack.expect(
        tcp_checksum(view.current) and not lso(view.current),
        "TCP/IP has checksum offload back, LSO still masked",
    )

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.query(OID_TCP_OFFLOAD_CURRENT_CONFIG))
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    answer = prot.results[-1]
    miniport, lwf, npcap = stack.layers("nic0")
    stack.expect(
        answer.status == 0 and answer.buffer == npcap.view.current,
        "NDIS answers ndisprot's query from the top view",
    )
    stack.expect(
        not any(
            r["kind"] == "oid.request" and r.get("oid") == answer.oid.name and r["src"] == "ndis"
            for r in stack.bus.trace.records
        ),
        "no layer below was ever handed the query",
    )

    stack.send("tcpip", adapter="nic0", count=1, length=16000)
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(tcpip.view("nic0").lso_nbls == 0, "TCP/IP still sends no LSO")
    stack.expect(nic.stats().sends_offload_off == 0, "and nic0 is never asked for one it has off")
