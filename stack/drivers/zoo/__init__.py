"""The bug zoo: deliberately buggy variants of the drivers and of the NDIS library.

Each module subclasses a correct driver and changes ONE behaviour, the way a real driver got it
wrong; its docstring names the bug class (../shared/spec/behaviours-and-bugs.md), the
real-world source it mirrors and the interleaving that exposes it.  Each has a scenario under
``scenarios/bugs/`` that passes under the default FIFO schedule and fails under some
interleaving or fault the explorer finds (``tests/explore/test_zoo_quality.py`` checks that the
default portfolio finds every one within its budget).  ``BUGS`` lists them.

The correct drivers never import from here.
"""

from __future__ import annotations

import attrs

from stack.drivers.zoo._bind_snapshot_tcpip import BindSnapshotTcpIp
from stack.drivers.zoo._keywords_at_queue import KeywordsAtQueueNdis
from stack.drivers.zoo._wiring import add_miniport, add_mux, use_ndis

__all__ = [
    "BUGS",
    "BindSnapshotTcpIp",
    "KeywordsAtQueueNdis",
    "ZooBug",
    "add_miniport",
    "add_mux",
    "use_ndis",
]


@attrs.frozen(kw_only=True)
class ZooBug:
    """One exhibit: the buggy class, its scenario (relative to the repository), the bug class of
    behaviours-and-bugs.md, and the monitor that catches it."""

    name: str
    driver: type
    scenario: str
    bug_class: str
    rule: str


BUGS: tuple[ZooBug, ...] = (
    ZooBug(
        name="stale_cache_after_swap",
        driver=BindSnapshotTcpIp,
        scenario="scenarios/bugs/stale_cache_after_swap.py",
        bug_class="1: stale capability cache after a MUX lower swap (change during the bind)",
        rule="no-stale-offload-send",
    ),
    ZooBug(
        name="ndis_keywords_at_queue",
        driver=KeywordsAtQueueNdis,
        scenario="scenarios/bugs/ndis_keywords_at_queue.py",
        bug_class="registry before miniport (spec 7.2 item 8): keywords written too early",
        rule="registry-before-miniport",
    ),
)
