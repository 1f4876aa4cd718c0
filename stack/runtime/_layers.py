"""What NDIS keeps per layer edge of an adapter's stack: the filter module records, and the views
each layer reports upward.

An adapter's stack is the miniport, zero or more filter modules and the protocols bound on top
(``stack.ndis._filters``).  NDIS keeps the miniport's edge on ``AdapterRecord`` (states, caches,
the OID queue, sends in flight) and one ``FilterModule`` per filter module: its state
(``stack.ndis.FilterModuleState``), what it reports to the layer above (its attach parameters as
it returned them, then every indication it made; spec A15's "top view", per layer), its own OID
queue (NDIS serializes requests to a filter module as to a miniport,
N/filtering-oid-requests-in-an-ndis-filter-driver.md), the requests it issued and the NBLs in its
hands.  The view a layer sees is the one reported by the nearest attached layer below it.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import attrs

from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    FilterClass,
    FilterModuleState,
    filter_accepts_oid_requests,
)
from stack.runtime._messages import NDIS_FILTER_DRIVER_CHARACTERISTICS

if TYPE_CHECKING:
    from stack.runtime._ndis_library import _Pending

__all__ = ["FilterModule", "LayerView", "OffloadView"]


@attrs.frozen(kw_only=True)
class OffloadView:
    """What one layer reports to the layers above it: the four offload caches NDIS keeps."""

    current: NDIS_OFFLOAD | None = None
    hardware: NDIS_OFFLOAD | None = None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None


@attrs.frozen(kw_only=True)
class LayerView:
    """One layer of an adapter's stack as NDIS records it (``NdisLibrary.layers``)."""

    #: The actor playing it (the miniport, or the filter driver of the module).
    name: str
    #: ``miniport`` or ``filter``.
    kind: str
    #: Its state's value (MiniportAdapterState or FilterModuleState).
    state: str
    #: The filter module's INF FilterClass value; None for the miniport.
    filter_class: str | None
    #: What it reports upward (for a detached module: nothing).
    view: OffloadView


@attrs.define(eq=False)
class FilterModule:
    """NDIS's record of one filter module: one layer edge of an adapter's stack."""

    #: The filter driver actor (one module per driver and adapter).
    name: str
    adapter: str
    filter_class: FilterClass
    characteristics: NDIS_FILTER_DRIVER_CHARACTERISTICS
    #: Installation order of the driver (ties within a filter class; the earlier one is lower).
    installed: int
    state: FilterModuleState = FilterModuleState.Detached
    # What the module reports to the layer above it.
    current: NDIS_OFFLOAD | None = None
    hardware: NDIS_OFFLOAD | None = None
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    #: Requests waiting to be handed to FilterOidRequest (one at a time).
    queue: deque[_Pending] = attrs.field(factory=deque)
    #: The request handed to FilterOidRequest and not completed with NdisFOidRequestComplete.
    outstanding: _Pending | None = None
    #: Requests it issued with NdisFOidRequest and not completed yet, by RequestId.
    issued: dict[int, _Pending] = attrs.field(factory=dict)
    #: NBLs handed to FilterSendNetBufferLists and not completed upward: NBL id -> who sent it.
    sends: dict[str, str] = attrs.field(factory=dict)
    #: NDIS is taking it out of the stack (no new request is handed to it).
    detaching: bool = False
    #: FilterDetach was called and has not returned: the module may still indicate (until
    #: FilterDetach returns, D/ndis/nf-ndis-ndisfindicatestatus.md), not issue OID requests.
    in_detach: bool = False
    #: Unregister it once detached (a binding removed, not a re-attach).
    removing: bool = False
    #: Indications made below it while it was Attaching, handed to it once the attach completed.
    held_status: list[NDIS_STATUS_INDICATION] = attrs.field(factory=list)

    @property
    def attached(self) -> bool:
        """A layer of the stack: attached and not detached yet (Paused ... Pausing)."""
        return filter_accepts_oid_requests(self.state)

    def view(self) -> OffloadView:
        return OffloadView(
            current=self.current,
            hardware=self.hardware,
            connection_current=self.connection_current,
            connection_hardware=self.connection_hardware,
        )
