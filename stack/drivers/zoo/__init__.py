"""The bug zoo: deliberately buggy variants of the drivers and of the NDIS library.

Each module subclasses a correct driver and changes ONE behaviour, the way a real driver got it
wrong; its docstring names the bug class (../shared/spec/behaviours-and-bugs.md), the
real-world source it mirrors and the interleaving that exposes it.  Each has a scenario under
``scenarios/bugs/`` that passes under the default FIFO schedule and fails under some
interleaving or fault the explorer finds (``tests/explore/test_zoo_quality.py`` checks that the
default portfolio finds every one within its budget).  ``BUGS`` lists them.

The correct drivers never import from here, and the exhibits use only the public driver API
(``stack.drivers``, ``stack.drivers.mux``, ``stack.ndis``, ``stack.runtime``): each overrides NDIS
callbacks or calls of a correct driver, and its scenario puts it into the stack with
``Stack.add_miniport`` / ``add_protocol`` / ``add_mux`` / ``add_filter`` /
``configure_ndis(library=...)``
(``tests/test_architecture.py`` checks both).
"""

from __future__ import annotations

import attrs

from stack.drivers import Miniport, PassthroughFilter, TcpIpProtocol
from stack.drivers.mux import Mux
from stack.drivers.zoo._attach_snapshot_filter import AttachSnapshotFilter
from stack.drivers.zoo._bind_copy_mux import BindCopyMux
from stack.drivers.zoo._bind_snapshot_tcpip import BindSnapshotTcpIp
from stack.drivers.zoo._completion_as_indication_mux import CompletionAsIndicationMux
from stack.drivers.zoo._deferred_status_mux import DeferredStatusMux
from stack.drivers.zoo._detach_oid_filter import DetachOidFilter
from stack.drivers.zoo._eager_checksum_miniport import EagerChecksumMiniport
from stack.drivers.zoo._early_close_mux import EarlyCloseMux
from stack.drivers.zoo._early_pause_filter import EarlyPauseFilter
from stack.drivers.zoo._enforcing_mux import EnforcingMux
from stack.drivers.zoo._init_snapshot_mux import InitSnapshotMux
from stack.drivers.zoo._keywords_at_queue import KeywordsAtQueueNdis
from stack.drivers.zoo._paused_drop_filter import PausedDropFilter
from stack.drivers.zoo._queueing_mux import QueueingMux
from stack.drivers.zoo._reset_restoring_miniport import ResetRestoringMiniport
from stack.drivers.zoo._running_only_tcpip import RunningOnlyTcpIp
from stack.drivers.zoo._wrong_cancel_id_mux import WrongCancelIdMux
from stack.runtime import NdisLibrary

__all__ = [
    "BUGS",
    "AttachSnapshotFilter",
    "BindCopyMux",
    "BindSnapshotTcpIp",
    "CompletionAsIndicationMux",
    "DeferredStatusMux",
    "DetachOidFilter",
    "EagerChecksumMiniport",
    "EarlyCloseMux",
    "EarlyPauseFilter",
    "EnforcingMux",
    "InitSnapshotMux",
    "KeywordsAtQueueNdis",
    "PausedDropFilter",
    "QueueingMux",
    "ResetRestoringMiniport",
    "RunningOnlyTcpIp",
    "WrongCancelIdMux",
    "ZooBug",
]


@attrs.frozen(kw_only=True)
class ZooBug:
    """One exhibit: the buggy class and the correct one it changes, its scenario (relative to
    the repository) and the module-level name the scenario takes the class from (``slot``: a
    test can run the scenario with ``correct`` there instead), the bug class of
    behaviours-and-bugs.md, and the monitor that catches it."""

    name: str
    driver: type
    correct: type
    scenario: str
    slot: str
    bug_class: str
    rule: str


BUGS: tuple[ZooBug, ...] = (
    ZooBug(
        name="stale_cache_after_swap",
        driver=BindSnapshotTcpIp,
        correct=TcpIpProtocol,
        scenario="scenarios/bugs/stale_cache_after_swap.py",
        slot="TCPIP",
        bug_class="1: stale capability cache after a MUX lower swap (change during the bind)",
        rule="no-stale-offload-send",
    ),
    ZooBug(
        name="indication_lost_in_init_window",
        driver=InitSnapshotMux,
        correct=Mux,
        scenario="scenarios/bugs/indication_lost_in_init_window.py",
        slot="MUX",
        bug_class="2: indication lost in the virtual-miniport init window",
        rule="mux-advertised-within-members",
    ),
    ZooBug(
        name="oid_completed_after_unbind",
        driver=EarlyCloseMux,
        correct=Mux,
        scenario="scenarios/bugs/oid_completed_after_unbind.py",
        slot="MUX",
        bug_class="3: OID completed after its adapter was unbound",
        rule="no-oid-completion-after-close",
    ),
    ZooBug(
        name="cancel_with_wrong_request_id",
        driver=WrongCancelIdMux,
        correct=Mux,
        scenario="scenarios/bugs/cancel_with_wrong_request_id.py",
        slot="MUX",
        bug_class="5: cancel that never reaches the bottom (wrong RequestId)",
        rule="im-cancel-forwarded",
    ),
    ZooBug(
        name="packets_built_before_lso_off",
        driver=QueueingMux,
        correct=Mux,
        scenario="scenarios/bugs/packets_built_before_lso_off.py",
        slot="MUX",
        bug_class="6: offload turned off with packets already built",
        rule="no-stale-offload-send",
    ),
    ZooBug(
        name="propagation_ping_pong",
        driver=EnforcingMux,
        correct=Mux,
        scenario="scenarios/bugs/propagation_ping_pong.py",
        slot="MUX",
        bug_class="7: propagation ping-pong",
        rule="liveness-step-budget",
    ),
    ZooBug(
        name="receive_checksum_before_encapsulation",
        driver=EagerChecksumMiniport,
        correct=Miniport,
        scenario="scenarios/bugs/receive_checksum_before_encapsulation.py",
        slot="MINIPORT",
        bug_class="encapsulation gate (behaviour 7): receive checksum before the set",
        rule="receive-gate",
    ),
    ZooBug(
        name="ndis_keywords_at_queue",
        driver=KeywordsAtQueueNdis,
        correct=NdisLibrary,
        scenario="scenarios/bugs/ndis_keywords_at_queue.py",
        slot="NDIS",
        bug_class="registry before miniport (spec 7.2 item 8): keywords written too early",
        rule="registry-before-miniport",
    ),
    ZooBug(
        name="attach_snapshot_races_set",
        driver=AttachSnapshotFilter,
        correct=PassthroughFilter,
        scenario="scenarios/bugs/attach_snapshot_races_set.py",
        slot="FILTER",
        bug_class="filter: attach-time snapshot racing an in-flight set (xdp-for-windows#56)",
        rule="filter-view-converges",
    ),
    ZooBug(
        name="indication_dropped_while_paused",
        driver=PausedDropFilter,
        correct=PassthroughFilter,
        scenario="scenarios/bugs/indication_dropped_while_paused.py",
        slot="FILTER",
        bug_class="filter: status indication dropped while the module is paused",
        rule="filter-view-converges",
    ),
    ZooBug(
        name="oid_sent_from_detach",
        driver=DetachOidFilter,
        correct=PassthroughFilter,
        scenario="scenarios/bugs/oid_sent_from_detach.py",
        slot="FILTER",
        bug_class="filter: OID request sent from FilterDetach (xdp-for-windows#212)",
        rule="filter-call-window",
    ),
    ZooBug(
        name="pause_with_nbls_held",
        driver=EarlyPauseFilter,
        correct=PassthroughFilter,
        scenario="scenarios/bugs/pause_with_nbls_held.py",
        slot="FILTER",
        bug_class="filter: FilterPause completed with NBLs held (npcap#390)",
        rule="filter-pause-idle",
    ),
    ZooBug(
        name="config_dropped_before_running",
        driver=RunningOnlyTcpIp,
        correct=TcpIpProtocol,
        scenario="scenarios/bugs/config_dropped_before_running.py",
        slot="TCPIP",
        bug_class="1: stale capability cache (an indication dropped in the bind window)",
        rule="encapsulation-within-support",
    ),
    ZooBug(
        name="set_completion_as_indication",
        driver=CompletionAsIndicationMux,
        correct=Mux,
        scenario="scenarios/bugs/set_completion_as_indication.py",
        slot="MUX",
        bug_class="issue 14: a MUX's stale indication for a set it completes (completion taken "
        "for the member's indication)",
        rule="parameters-set-reflected",
    ),
    ZooBug(
        name="send_from_stale_member_view",
        driver=DeferredStatusMux,
        correct=Mux,
        scenario="scenarios/bugs/send_from_stale_member_view.py",
        slot="MUX",
        bug_class="issue 14: a MUX forwards a send from its stale view of the member "
        "(member indications handled in a work item)",
        rule="no-send-beyond-miniport-config",
    ),
    ZooBug(
        name="late_member_bind_copy",
        driver=BindCopyMux,
        correct=Mux,
        scenario="scenarios/bugs/late_member_bind_copy.py",
        slot="MUX",
        bug_class="issue 14: a MUX re-applies a bind-time copy of the team's parameters to a "
        "member that joins later",
        rule="mux-member-respects-team",
    ),
    ZooBug(
        name="keywords_lost_across_restart",
        driver=ResetRestoringMiniport,
        correct=Miniport,
        scenario="scenarios/bugs/keywords_lost_across_restart.py",
        slot="MINIPORT",
        bug_class="6, offload change sequence (keywords not re-read at initialization)",
        rule="keywords-at-initialization",
    ),
)
