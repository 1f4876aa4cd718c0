"""The regression scenario of issue 14's MUX fix: a replace-member whose new member is
surprise-removed just after its initialization.

team0 is a failover pair of intel-x710 NICs; nic2 (lso-v2-small) carries TCP/IP too.  The
administrator replaces nic0 with nic2: NDIS restarts nic2 to bind the MUX to it.  On the tape
(replace_member_removed.tape.json) TCP/IP's OID_OFFLOAD_ENCAPSULATION set on nic2 reaches NDIS
before the MUX's OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES query, nic2 is surprise-removed as NDIS
hands the set on (fault ndis.surprise_remove), and the MUX's query gets
NDIS_STATUS_NOT_ACCEPTED.  The MUX used to join nic2 with no hardware capabilities and indicate
a current configuration beyond the hardware it then indicated for team0
(INV-1-current-within-hardware); it now leaves a member whose capabilities it could not read out
of the team (stack.drivers.mux rule 10).
"""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.miniport("nic1", preset="intel-x710")
    stack.miniport("nic2", preset="lso-v2-small")
    stack.mux("team0", members=["nic0", "nic1"], mode="failover")
    stack.tcpip("tcpip", bind=["nic2"])
    await stack.start()
    stack.mux_command("team0", "replace-member", old="nic0", new="nic2")
    await stack.settle()
