"""Zoo: a miniport that restores its pre-halt configuration instead of reading its keywords
(ResetRestoringMiniport).

nic0 (intel-x710) with TCP/IP bound.  A WMI client turns LSO off at run time
(``wmi_set_parameters``): NDIS writes nic0's LSO keywords off as it hands the set on.  The
administrator then restarts nic0 (disable + enable).  Under FIFO the set succeeds, so the
configuration nic0 saved at its halt already has LSO off and matches its keywords.  When nic0
fails the set (fault ``miniport.oid.fail``), the keywords say off while LSO still runs; after the
restart the buggy miniport registers LSO on again (keywords-at-initialization), the correct one
reads the keywords and comes back with LSO off.
"""

from stack.drivers.zoo import ResetRestoringMiniport

#: The miniport under test (``stack.drivers.Miniport`` is the correct one).
MINIPORT = ResetRestoringMiniport


async def scenario(stack):
    stack.add_miniport(MINIPORT("nic0", preset="intel-x710"))
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()

    stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso")
    await stack.settle()
    stack.restart_adapter("nic0")
    await stack.settle()
    stack.expect(tcpip.view("nic0").current is not None, "TCP/IP is bound to nic0 again")
