"""A NetAdapterCx-like NIC pauses and resumes its offload capabilities
(translator/nxoffload.cpp PauseOffloadCapabilities): HARDWARE_CAPABILITIES = 0, then
CURRENT_CONFIG = 0.  Its encapsulation indication is switched back on so that only the pause's
transient is looked at."""


async def scenario(stack):
    stack.miniport("nic0", preset="netadaptercx", encapsulation_indication=True)
    stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    stack.command("nic0", "pause-offload-capabilities")
    await stack.settle()
    stack.command("nic0", "resume-offload-capabilities")
    await stack.settle()
