"""Zoo: a MUX that takes its initialization attributes from a snapshot (InitSnapshotMux).

team0 is a failover pair that advertises its active member (``advertises="active"``: under the LBFO
default a swap changes nothing the team advertises): nic0 (intel-x710, LSO) active, nic1
(realtek-basic, no LSO) standby; the MUX takes 2 ticks to initialize a virtual miniport, and
ndisprot (which sets no encapsulation, so nothing else makes the MUX re-publish) is bound to team0.
The administrator restarts team0; as soon as its MiniportInitializeEx has started, a swap to nic1
is scheduled for the tick the initialization completes. Under FIFO the initialization completes
first and the swap is indicated normally. When the swap lands first, inside the initialization
window, the MUX suppresses the indication and the buggy MUX then reports nic0's capabilities from
its snapshot: team0 advertises LSO that its only aggregated member, nic1, cannot do
(mux-advertised- within-members).
"""

from stack.drivers.zoo import InitSnapshotMux

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = InitSnapshotMux
INIT_TICKS = 2


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.miniport("nic1", preset="realtek-basic")
    mux = stack.add_mux(MUX(init_latency=INIT_TICKS, advertises="active"), "team0",
                        members=["nic0", "nic1"], mode="failover")  # fmt: skip
    stack.ndisprot("ndisprot", bind=["team0"])
    await stack.start()

    stack.restart_adapter("team0")
    await stack.run_until(lambda: mux.team("team0").state.value == "Initializing")
    stack.mux_command("team0", "swap", to="nic1", delay=INIT_TICKS)
    await stack.settle()
    stack.expect(mux.team("team0").active == "nic1", "nic1 is the active member")
