"""Miniport adapter, protocol binding and filter module state tables (spec section 5.8).

Two rules govern this file, in the manner of h11's ``_state.py``:

1. Every legal transition is in this file, in the three tables below.  Code elsewhere asks
   ``transition(state, event)``; it never decides on its own that a move is legal.
2. This file does not know which driver, adapter or binding is asking.  The runtime owns the live
   objects and adds the actor's name when it turns an ``IllegalTransition`` into a
   ``DriverContractViolation``.

Theory of operation
-------------------
The tables are transcribed from the two docs pages that draw them as a grid ("the blank entries
represent invalid event/state combinations"):

* miniport adapters: N/miniport-adapter-states-and-operations.md (the figure in
  N/adapter-states-of-a-miniport-driver.md says the same in prose);
* protocol bindings: N/protocol-binding-states-and-operations.md;
* filter modules: N/filter-module-states-and-operations.md (the figure in
  N/module-states-of-a-filter-driver.md says the same in prose).

The last two rows of each grid ("Send and receive operations", "OID requests") are self-loops that
only say in which states an operation may happen; they are predicates here
(``miniport_accepts_oid_requests`` and friends), not events, so that the runtime cannot "fire" an
OID and accidentally change a state.

Surprise removal is modelled as a *flag* on a ``MiniportAdapterStatus`` value, not as an extra
state.  After NDIS has called MiniportDevicePnPEventNotify with NdisDevicePnPEventSurpriseRemoved
it still pauses the adapter and then halts it with the ordinary operations
(N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md, steps 5-7), so
the ordinary states keep moving; a separate "SurpriseRemoved" state would need its own copies of
Pausing and Paused.  While the flag is set and MiniportHaltEx has not been called yet, the miniport
completes every OID and send request at once with NDIS_STATUS_NOT_ACCEPTED
(D/ndis/nc-ndis-miniport_oid_request.md, D/ndis/nc-ndis-miniport_device_pnp_event_notify.md).

A reset (MiniportResetEx) is not an event of these tables: "the reset operation does not affect
miniport adapter operational states" (N/miniport-adapter-states-and-operations.md).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, overload

import attrs

from stack.errors import StackError
from stack.ndis._constants import NdisStatus

__all__ = [  # re-exported by stack.ndis
    "FILTER_MODULE_TRANSITIONS",
    "MINIPORT_ADAPTER_TRANSITIONS",
    "PROTOCOL_BINDING_TRANSITIONS",
    "FilterModuleEvent",
    "FilterModuleState",
    "IllegalTransition",
    "MiniportAdapterEvent",
    "MiniportAdapterState",
    "MiniportAdapterStatus",
    "ProtocolBindingEvent",
    "ProtocolBindingState",
    "binding_handles_send_and_receive",
    "binding_may_issue_oid_requests",
    "filter_accepts_oid_requests",
    "filter_handles_send_and_receive",
    "filter_may_indicate_status",
    "mermaid_state_diagram",
    "miniport_accepts_oid_requests",
    "miniport_handles_send_and_receive",
    "miniport_may_indicate_status",
    "transition",
]

MINIPORT_RULE: Final = "N/miniport-adapter-states-and-operations.md"
BINDING_RULE: Final = "N/protocol-binding-states-and-operations.md"
FILTER_RULE: Final = "N/filter-module-states-and-operations.md"
SURPRISE_REMOVAL_RULE: Final = "D/ndis/nc-ndis-miniport_device_pnp_event_notify.md"


class MiniportAdapterState(enum.Enum):
    """The operational states of a miniport adapter; Halted is the initial one."""

    Halted = "Halted"
    Shutdown = "Shutdown"
    Initializing = "Initializing"
    Paused = "Paused"
    Restarting = "Restarting"
    Running = "Running"
    Pausing = "Pausing"


class MiniportAdapterEvent(enum.Enum):
    """The primary miniport adapter events, named after the NDIS call that causes them."""

    #: NDIS called MiniportInitializeEx.
    MiniportInitializeEx = "MiniportInitializeEx"
    #: MiniportInitializeEx returned NDIS_STATUS_SUCCESS ("Initialize is complete").
    InitializeComplete = "InitializeComplete"
    #: MiniportInitializeEx failed.
    InitializeFailed = "InitializeFailed"
    #: NDIS called MiniportShutdownEx.
    MiniportShutdownEx = "MiniportShutdownEx"
    #: NDIS called MiniportHaltEx.
    MiniportHaltEx = "MiniportHaltEx"
    #: NDIS called MiniportRestart.
    MiniportRestart = "MiniportRestart"
    #: The restart succeeded (synchronously or with NdisMRestartComplete).
    RestartComplete = "RestartComplete"
    #: The restart failed; the adapter stays Paused.
    RestartFailed = "RestartFailed"
    #: NDIS called MiniportPause (a pause cannot be failed).
    MiniportPause = "MiniportPause"
    #: The pause finished (synchronously or with NdisMPauseComplete).
    PauseComplete = "PauseComplete"
    #: NDIS called MiniportDevicePnPEventNotify with this DevicePnPEvent code.
    NdisDevicePnPEventSurpriseRemoved = "NdisDevicePnPEventSurpriseRemoved"


class ProtocolBindingState(enum.Enum):
    """The operational states of a protocol binding; Unbound is the initial one."""

    Unbound = "Unbound"
    Opening = "Opening"
    Closing = "Closing"
    Paused = "Paused"
    Restarting = "Restarting"
    Running = "Running"
    Pausing = "Pausing"


class ProtocolBindingEvent(enum.Enum):
    """The primary protocol binding events, named after the NDIS call that causes them."""

    #: NDIS called ProtocolBindAdapterEx; the protocol now calls NdisOpenAdapterEx.
    ProtocolBindAdapterEx = "ProtocolBindAdapterEx"
    #: NdisOpenAdapterEx failed (synchronously or in ProtocolOpenAdapterCompleteEx).
    BindFailed = "BindFailed"
    #: The open succeeded and the protocol completed the bind (NdisCompleteBindAdapterEx).
    BindComplete = "BindComplete"
    #: NDIS called ProtocolUnbindAdapterEx; the protocol now calls NdisCloseAdapterEx.
    ProtocolUnbindAdapterEx = "ProtocolUnbindAdapterEx"
    #: The close finished and the protocol completed the unbind (NdisCompleteUnbindAdapterEx).
    UnbindComplete = "UnbindComplete"
    #: ProtocolNetPnPEvent with NetEventPause ("PnP pause").
    NetEventPause = "NetEventPause"
    #: Every outstanding send completed; the pause is done.
    PauseComplete = "PauseComplete"
    #: ProtocolNetPnPEvent with NetEventRestart ("PnP restart").
    NetEventRestart = "NetEventRestart"
    #: The binding is ready to send and receive.
    RestartComplete = "RestartComplete"
    #: The restart attempt failed; the binding returns to Paused.
    RestartFailed = "RestartFailed"


class FilterModuleState(enum.Enum):
    """The operational states of a filter module (one instance of a filter driver on one
    adapter's stack); Detached is the initial one."""

    Detached = "Detached"
    Attaching = "Attaching"
    Paused = "Paused"
    Restarting = "Restarting"
    Running = "Running"
    Pausing = "Pausing"


class FilterModuleEvent(enum.Enum):
    """The primary filter module events, named after the NDIS call that causes them."""

    #: NDIS called FilterAttach.
    FilterAttach = "FilterAttach"
    #: FilterAttach returned NDIS_STATUS_SUCCESS ("Attach is complete").
    AttachComplete = "AttachComplete"
    #: FilterAttach failed; the module returns to Detached.
    AttachFailed = "AttachFailed"
    #: NDIS called FilterDetach (the module is Detached from the start of the call).
    FilterDetach = "FilterDetach"
    #: NDIS called FilterRestart.
    FilterRestart = "FilterRestart"
    #: The restart succeeded (FilterRestart returned SUCCESS, or NdisFRestartComplete).
    RestartComplete = "RestartComplete"
    #: The restart failed; the module returns to Paused.
    RestartFailed = "RestartFailed"
    #: NDIS called FilterPause (a pause cannot be failed).
    FilterPause = "FilterPause"
    #: The pause finished (FilterPause returned SUCCESS, or NdisFPauseComplete).
    PauseComplete = "PauseComplete"


_A = MiniportAdapterState
_AE = MiniportAdapterEvent
_B = ProtocolBindingState
_BE = ProtocolBindingEvent
_F = FilterModuleState
_FE = FilterModuleEvent

# The grid of N/miniport-adapter-states-and-operations.md, read column by column.  The surprise
# removal event is not in that grid; it is legal where MiniportDevicePnPEventNotify can arrive for
# an initialized adapter that has not been halted yet, and it leaves the state alone (see the
# module docstring; MiniportAdapterStatus records the flag).
MINIPORT_ADAPTER_TRANSITIONS: Final[
    Mapping[MiniportAdapterState, Mapping[MiniportAdapterEvent, MiniportAdapterState]]
] = MappingProxyType(
    {
        _A.Halted: MappingProxyType({_AE.MiniportInitializeEx: _A.Initializing}),
        _A.Shutdown: MappingProxyType({}),
        _A.Initializing: MappingProxyType(
            {_AE.InitializeComplete: _A.Paused, _AE.InitializeFailed: _A.Halted}
        ),
        _A.Paused: MappingProxyType(
            {
                _AE.MiniportShutdownEx: _A.Shutdown,
                _AE.MiniportHaltEx: _A.Halted,
                _AE.MiniportRestart: _A.Restarting,
                _AE.NdisDevicePnPEventSurpriseRemoved: _A.Paused,
            }
        ),
        _A.Restarting: MappingProxyType(
            {
                _AE.MiniportShutdownEx: _A.Shutdown,
                _AE.RestartComplete: _A.Running,
                _AE.RestartFailed: _A.Paused,
                _AE.NdisDevicePnPEventSurpriseRemoved: _A.Restarting,
            }
        ),
        _A.Running: MappingProxyType(
            {
                _AE.MiniportShutdownEx: _A.Shutdown,
                _AE.MiniportPause: _A.Pausing,
                _AE.NdisDevicePnPEventSurpriseRemoved: _A.Running,
            }
        ),
        _A.Pausing: MappingProxyType(
            {
                _AE.MiniportShutdownEx: _A.Shutdown,
                _AE.PauseComplete: _A.Paused,
                _AE.NdisDevicePnPEventSurpriseRemoved: _A.Pausing,
            }
        ),
    }
)

# The grid of N/protocol-binding-states-and-operations.md, read column by column.  An unbind starts
# only from Paused: NDIS pauses a binding before it unbinds it.
PROTOCOL_BINDING_TRANSITIONS: Final[
    Mapping[ProtocolBindingState, Mapping[ProtocolBindingEvent, ProtocolBindingState]]
] = MappingProxyType(
    {
        _B.Unbound: MappingProxyType({_BE.ProtocolBindAdapterEx: _B.Opening}),
        _B.Opening: MappingProxyType({_BE.BindFailed: _B.Unbound, _BE.BindComplete: _B.Paused}),
        _B.Closing: MappingProxyType({_BE.UnbindComplete: _B.Unbound}),
        _B.Paused: MappingProxyType(
            {_BE.ProtocolUnbindAdapterEx: _B.Closing, _BE.NetEventRestart: _B.Restarting}
        ),
        _B.Restarting: MappingProxyType(
            {_BE.RestartComplete: _B.Running, _BE.RestartFailed: _B.Paused}
        ),
        _B.Running: MappingProxyType({_BE.NetEventPause: _B.Pausing}),
        _B.Pausing: MappingProxyType({_BE.PauseComplete: _B.Paused}),
    }
)


# The grid of N/filter-module-states-and-operations.md, read column by column.  A detach starts
# only from Paused: NDIS pauses the stack before it detaches a module
# (N/detaching-a-filter-module.md).
FILTER_MODULE_TRANSITIONS: Final[
    Mapping[FilterModuleState, Mapping[FilterModuleEvent, FilterModuleState]]
] = MappingProxyType(
    {
        _F.Detached: MappingProxyType({_FE.FilterAttach: _F.Attaching}),
        _F.Attaching: MappingProxyType(
            {_FE.AttachComplete: _F.Paused, _FE.AttachFailed: _F.Detached}
        ),
        _F.Paused: MappingProxyType(
            {_FE.FilterDetach: _F.Detached, _FE.FilterRestart: _F.Restarting}
        ),
        _F.Restarting: MappingProxyType(
            {_FE.RestartComplete: _F.Running, _FE.RestartFailed: _F.Paused}
        ),
        _F.Running: MappingProxyType({_FE.FilterPause: _F.Pausing}),
        _F.Pausing: MappingProxyType({_FE.PauseComplete: _F.Paused}),
    }
)


class IllegalTransition(StackError, ValueError):
    """An event arrived in a state where the docs' state table has a blank entry.

    Raised by ``transition``; ``state``, ``event`` and ``rule`` (the docs page of the table) are
    kept as attributes so that the runtime can re-raise it as a ``DriverContractViolation`` naming
    the actor.
    """

    def __init__(
        self,
        state: MiniportAdapterState | ProtocolBindingState | FilterModuleState,
        event: MiniportAdapterEvent | ProtocolBindingEvent | FilterModuleEvent,
        rule: str,
    ) -> None:
        kind = {
            MiniportAdapterState: "an adapter",
            ProtocolBindingState: "a binding",
            FilterModuleState: "a filter module",
        }[type(state)]
        msg = f"event {event.value!r} is not legal for {kind} in state {state.value} (rule {rule})"
        super().__init__(msg)
        self.state = state
        self.event = event
        self.rule = rule


@overload
def transition(
    state: MiniportAdapterState, event: MiniportAdapterEvent
) -> MiniportAdapterState: ...
@overload
def transition(
    state: ProtocolBindingState, event: ProtocolBindingEvent
) -> ProtocolBindingState: ...
@overload
def transition(state: FilterModuleState, event: FilterModuleEvent) -> FilterModuleState: ...
def transition(
    state: MiniportAdapterState | ProtocolBindingState | FilterModuleState,
    event: MiniportAdapterEvent | ProtocolBindingEvent | FilterModuleEvent,
) -> MiniportAdapterState | ProtocolBindingState | FilterModuleState:
    """Return the state that ``event`` leads to from ``state``.

    Raises:
        IllegalTransition: the table has no entry for (state, event).
        TypeError: an adapter event was given with a binding state, or the other way round.
    """
    if isinstance(state, MiniportAdapterState) and isinstance(event, MiniportAdapterEvent):
        adapter_next = MINIPORT_ADAPTER_TRANSITIONS[state].get(event)
        if adapter_next is None:
            raise IllegalTransition(state, event, MINIPORT_RULE)
        return adapter_next
    if isinstance(state, ProtocolBindingState) and isinstance(event, ProtocolBindingEvent):
        binding_next = PROTOCOL_BINDING_TRANSITIONS[state].get(event)
        if binding_next is None:
            raise IllegalTransition(state, event, BINDING_RULE)
        return binding_next
    if isinstance(state, FilterModuleState) and isinstance(event, FilterModuleEvent):
        filter_next = FILTER_MODULE_TRANSITIONS[state].get(event)
        if filter_next is None:
            raise IllegalTransition(state, event, FILTER_RULE)
        return filter_next
    msg = f"transition() got {type(state).__name__} with {type(event).__name__}"
    raise TypeError(msg)


# Predicates: the self-loop rows of the grids, and the call-window rules of other pages.

_MINIPORT_OID_STATES: Final = frozenset({_A.Paused, _A.Restarting, _A.Running, _A.Pausing})
_MINIPORT_DATA_STATES: Final = frozenset({_A.Running, _A.Pausing})
# NdisMIndicateStatusEx may be called once registration attributes are set, even inside
# MiniportInitializeEx, and never after MiniportHaltEx has returned
# (D/ndis/nf-ndis-ndismindicatestatusex.md).  Whether the attributes are set yet is the driver's
# business, so Initializing counts.  Shutdown is our choice: MiniportShutdownEx restores the
# hardware to its pre-initialization state (D/ndis/nc-ndis-miniport_shutdown.md), so there is
# nothing left to report.
_MINIPORT_STATUS_STATES: Final = frozenset(
    {_A.Initializing, _A.Paused, _A.Restarting, _A.Running, _A.Pausing}
)
_BINDING_DATA_STATES: Final = frozenset({_B.Running, _B.Pausing})
# The binding grid allows OID requests in every state except Unbound and Opening, so Closing is
# included; N/generating-oid-requests-from-an-ndis-protocol-driver.md lists only Restarting,
# Running, Pausing and Paused.  We follow the grid, the more specific statement: a protocol that
# is closing may still need to undo what it set (packet filter, multicast list) before
# NdisCloseAdapterEx.
_BINDING_OID_STATES: Final = frozenset(
    {_B.Closing, _B.Paused, _B.Restarting, _B.Running, _B.Pausing}
)


# N/attaching-a-filter-module.md: "Send and receive operations are supported in the Running and
# Pausing states. OID requests and status indications are supported in the Paused, Restarting,
# Running, and Pausing states" -- both the ones NDIS makes to the module and the ones it makes
# (N/filtering-oid-requests-in-an-ndis-filter-driver.md,
# N/generating-oid-requests-from-an-ndis-filter-driver.md, D/ndis/nf-ndis-ndisfindicatestatus.md).
_FILTER_OID_STATES: Final = frozenset({_F.Paused, _F.Restarting, _F.Running, _F.Pausing})
_FILTER_DATA_STATES: Final = frozenset({_F.Running, _F.Pausing})


def miniport_accepts_oid_requests(state: MiniportAdapterState) -> bool:
    """Whether NDIS may call MiniportOidRequest in ``state`` (Paused/Restarting/Running/Pausing).

    Source: N/miniport-adapter-states-and-operations.md, row "OID requests".
    """
    return state in _MINIPORT_OID_STATES


def miniport_handles_send_and_receive(state: MiniportAdapterState) -> bool:
    """Whether the adapter sends and indicates receives in ``state`` (Running and Pausing).

    Source: N/miniport-adapter-states-and-operations.md, row "Send and receive operations".
    """
    return state in _MINIPORT_DATA_STATES


def miniport_may_indicate_status(state: MiniportAdapterState) -> bool:
    """Whether the miniport may call NdisMIndicateStatusEx in ``state``.

    Source: D/ndis/nf-ndis-ndismindicatestatusex.md (from registration attributes until
    MiniportHaltEx returns); Shutdown is excluded by our choice, see the comment above.
    """
    return state in _MINIPORT_STATUS_STATES


def binding_may_issue_oid_requests(state: ProtocolBindingState) -> bool:
    """Whether a protocol may call NdisOidRequest on a binding in ``state``.

    Source: N/protocol-binding-states-and-operations.md ("from all states, except Unbound and
    Opening").
    """
    return state in _BINDING_OID_STATES


def binding_handles_send_and_receive(state: ProtocolBindingState) -> bool:
    """Whether a binding sends and receives in ``state`` (Running and Pausing).

    Source: N/protocol-binding-states-and-operations.md, row "Send and receive operations".
    """
    return state in _BINDING_DATA_STATES


def filter_accepts_oid_requests(state: FilterModuleState) -> bool:
    """Whether a filter module may receive (FilterOidRequest) or issue (NdisFOidRequest) OID
    requests in ``state`` (Paused/Restarting/Running/Pausing).

    Source: N/filter-module-states-and-operations.md, row "OID Requests";
    N/generating-oid-requests-from-an-ndis-filter-driver.md.
    """
    return state in _FILTER_OID_STATES


def filter_may_indicate_status(state: FilterModuleState) -> bool:
    """Whether a filter module may call NdisFIndicateStatus (and NDIS its FilterStatus) in
    ``state``: once attached, until FilterDetach.

    Source: N/attaching-a-filter-module.md; D/ndis/nf-ndis-ndisfindicatestatus.md.
    """
    return state in _FILTER_OID_STATES


def filter_handles_send_and_receive(state: FilterModuleState) -> bool:
    """Whether a filter module sends and receives in ``state`` (Running and Pausing).

    Source: N/filter-module-states-and-operations.md, row "Send and Receive".
    """
    return state in _FILTER_DATA_STATES


@attrs.frozen(kw_only=True)
class MiniportAdapterStatus:
    """A miniport adapter's operational state plus the pending-surprise-removal flag.

    ``surprise_removed`` is set by NdisDevicePnPEventSurpriseRemoved and cleared by MiniportHaltEx:
    the NOT_ACCEPTED window of D/ndis/nc-ndis-miniport_oid_request.md ends when NDIS calls
    MiniportHaltEx (after which NDIS destroys the device object, per
    N/processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md).
    """

    state: MiniportAdapterState = MiniportAdapterState.Halted
    surprise_removed: bool = False

    def after(self, event: MiniportAdapterEvent) -> MiniportAdapterStatus:
        """Return the status after ``event``; raises ``IllegalTransition`` like ``transition``.

        A second surprise removal of the same adapter is illegal: the PnP manager sends
        IRP_MN_SURPRISE_REMOVAL once per device.
        """
        removal = event is MiniportAdapterEvent.NdisDevicePnPEventSurpriseRemoved
        if removal and self.surprise_removed:
            raise IllegalTransition(self.state, event, SURPRISE_REMOVAL_RULE)
        new_state = transition(self.state, event)
        if removal:
            return MiniportAdapterStatus(state=new_state, surprise_removed=True)
        if event is MiniportAdapterEvent.MiniportHaltEx:
            return MiniportAdapterStatus(state=new_state, surprise_removed=False)
        return attrs.evolve(self, state=new_state)

    @property
    def refusal(self) -> NdisStatus | None:
        """The status a miniport completes an OID or send request with at once, or None.

        NDIS_STATUS_NOT_ACCEPTED between a surprise removal and MiniportHaltEx
        (D/ndis/nc-ndis-miniport_oid_request.md); otherwise None and the request is handled
        normally (if ``miniport_accepts_oid_requests`` allows it at all).
        """
        return NdisStatus.NDIS_STATUS_NOT_ACCEPTED if self.surprise_removed else None


def mermaid_state_diagram(
    table: Mapping[MiniportAdapterState, Mapping[MiniportAdapterEvent, MiniportAdapterState]]
    | Mapping[ProtocolBindingState, Mapping[ProtocolBindingEvent, ProtocolBindingState]]
    | Mapping[FilterModuleState, Mapping[FilterModuleEvent, FilterModuleState]],
) -> str:
    """Render one of the three tables as a Mermaid ``stateDiagram-v2`` (deterministic order).

    The first state of the enum is the initial one.  Self-loops (the surprise-removal flag) are
    drawn too, so the diagram shows everything the table allows.
    """
    rows: Mapping[enum.Enum, Mapping[enum.Enum, enum.Enum]] = table  # type: ignore[assignment]
    lines = ["stateDiagram-v2"]
    for index, (state, row) in enumerate(rows.items()):
        if index == 0:
            lines.append(f"    [*] --> {state.value}")
        for event, target in row.items():
            lines.append(f"    {state.value} --> {target.value}: {event.value}")
    return "\n".join(lines) + "\n"
