"""The base of MUX intermediate driver models: both NDIS edges in one driver.

A MUX is a protocol below and a miniport above (N/ndis-intermediate-drivers.md; the WDK MUX
sample's ``protocol.c`` and ``miniport.c``): it binds to lower adapters (``BindingTable``) and
plays virtual miniports (one ``MiniportEdge`` each) to which protocols bind.  ``MuxDriver`` has
every callback and NDIS call of ``stack.drivers.MiniportDriver`` and ``ProtocolDriver``; a
message's adapter says which edge it crossed: a virtual miniport's name is the miniport edge,
any other adapter the protocol edge.

``Stack.add_mux(driver, team, members=..., mode=...)`` calls ``add_team``, registers the virtual
miniport with NDIS and binds the driver to the members; the MUX monitors
(``stack.drivers.mux.mux_monitors``) join the run.  They read ``teams``, ``aggregated``,
``advertising``, ``team_state`` and ``capabilities``, whose defaults fit a MUX that passes its
members through: what a virtual miniport advertises never exceeds what its members can do.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from stack.drivers._api import _MiniportSide, _ProtocolSide
from stack.drivers._base import DriverContext, unhandled
from stack.drivers._edges import BindingTable, MiniportEdge
from stack.drivers.mux._rules import Advertises, MuxMode, TeamCapabilities
from stack.errors import BadInput
from stack.ndis import MiniportAdapterState
from stack.runtime import (
    AdapterControl,
    Command,
    Envelope,
    OidCancel,
    OidComplete,
    OidRequest,
    Pnp,
    Receive,
    Send,
    SendComplete,
    StatusIndication,
)

__all__ = ["MuxDriver"]


@attrs.define(eq=False)
class MuxDriver(_MiniportSide, _ProtocolSide):
    """An intermediate (MUX) driver model: virtual miniports above, bindings below (module
    docstring).  Subclass it with ``@attrs.define(eq=False)``; ``stack.drivers.mux.Mux`` is the
    correct teaming MUX."""

    name: str
    #: The NDIS library actor.
    ndis: str = attrs.field(default="ndis", kw_only=True)
    #: Virtual miniport adapter -> its edge, in declaration order.
    miniport_edges: dict[str, MiniportEdge] = attrs.field(init=False, factory=dict)
    #: Virtual miniport -> the members it was declared over (team order).
    configured_members: dict[str, tuple[str, ...]] = attrs.field(init=False, factory=dict)
    _table: BindingTable | None = attrs.field(init=False, default=None)

    @property
    def binding_table(self) -> BindingTable:
        if self._table is None:
            self._table = BindingTable(self.name, self.ndis)
        return self._table

    def miniport_edge(self, adapter: str) -> MiniportEdge | None:
        return self.miniport_edges.get(adapter)

    # -- topology ------------------------------------------------------------------------------

    def add_team(
        self, adapter: str, *, members: Sequence[str], mode: MuxMode | str = MuxMode.FAILOVER
    ) -> None:
        """Declare virtual miniport ``adapter`` over ``members`` (the adapters this driver binds
        to, in team order), before the stack starts.  ``mode`` is the driver's business; the
        base records the members and creates the virtual miniport's edge."""
        if adapter in self.miniport_edges:
            raise BadInput(f"{self.name}: {adapter!r} is already a virtual miniport")
        self.miniport_edges[adapter] = MiniportEdge(self.name, adapter)
        self.configured_members[adapter] = tuple(members)

    def NdisIMInitializeDeviceInstanceEx(self, ctx: DriverContext, adapter: str) -> None:
        """Ask NDIS to start virtual miniport ``adapter``
        (D/ndis/nf-ndis-ndisiminitializedeviceinstanceex.md): NDIS initializes it and binds the
        protocols above."""
        ctx.post(self.ndis, AdapterControl(adapter, "enable"))

    # -- what the MUX monitors read ------------------------------------------------------------

    @property
    def teams(self) -> list[str]:
        """The virtual miniports, in declaration order."""
        return list(self.miniport_edges)

    def is_team(self, adapter: str) -> bool:
        """``adapter in teams``, without building the list (the monitors ask on every send)."""
        return adapter in self.miniport_edges

    def team_state(self, adapter: str) -> MiniportAdapterState:
        """The virtual miniport's state as the driver sees it."""
        return self._edge(adapter).state

    def aggregated(self, adapter: str) -> tuple[str, ...]:
        """The members whose capabilities the virtual miniport advertises (default: all it was
        declared over)."""
        return self.configured_members.get(adapter, ())

    def advertising(self, adapter: str) -> Advertises:
        """The rule by which the virtual miniport's advertisement is checked against its
        aggregated members (``stack.drivers.mux.aggregate``); default the strict meet."""
        return Advertises.INTERSECTION

    def capabilities(self, adapter: str) -> TeamCapabilities | None:
        """What the virtual miniport can advertise now, or None if the driver does not say (the
        monitor that compares it with what NDIS was told then skips this team)."""
        return None

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, envelope: Envelope, ctx: DriverContext) -> None:
        message = envelope.message
        edge = self.miniport_edges.get(getattr(message, "adapter", ""))
        lower = edge is None and self.binding(getattr(message, "adapter", "")) is not None
        match message:
            case Pnp() if edge is not None:
                self._miniport_pnp(envelope, edge, message, ctx)
            case Pnp():
                self._protocol_pnp(message, ctx)
            case OidRequest() if edge is not None:
                self._miniport_oid_request(edge, message.request, ctx)
            case OidCancel() if edge is not None:
                self.MiniportCancelOidRequest(ctx, edge.adapter, message.request_id,
                                              message.origin)  # fmt: skip
            case Send() if edge is not None:
                self._miniport_send(edge, message.nbl, ctx)
            case OidComplete() if lower:
                self._protocol_oid_complete(message, ctx)
            case StatusIndication() if lower:
                self._protocol_status(message, ctx)
            case SendComplete() if lower:
                self._protocol_send_complete(message, ctx)
            case Receive() if lower:
                self._protocol_receive(message, ctx)
            case Command() if envelope.src == self.name:
                self.on_timer(ctx, message)
            case Command():
                self.on_command(ctx, message)
            case _:
                unhandled(self.name, "any", envelope, ctx)
