"""Putting a zoo driver in a scenario's stack in place of the correct one.

``Stack.miniport`` and ``Stack.mux`` build the correct drivers; a bug scenario builds the buggy
one itself and wires it the same way (the actor, NDIS's adapter record, the registry key, and
for a MUX its monitors).  The NDIS library is created with the stack, so ``use_ndis`` swaps the
class of that one instance (a subclass that adds no fields) before anything is delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from stack.drivers._miniport import Miniport
from stack.drivers.mux import Mux, mux_monitors
from stack.errors import BadInput
from stack.runtime import NdisLibrary

_M = TypeVar("_M", bound=Miniport)
_X = TypeVar("_X", bound=Mux)

__all__ = ["add_miniport", "add_mux", "use_ndis"]


def add_miniport(stack: Any, miniport: _M) -> _M:
    """``stack.miniport`` for a miniport built by the caller (a zoo subclass)."""
    stack.add_driver(miniport)
    stack.ndis.add_adapter(miniport.name, miniport=miniport.name)
    stack.adapters.append(miniport.name)
    stack.registry.ensure_adapter(miniport.name)
    return miniport


def add_mux(stack: Any, mux: _X, team: str, *, members: Sequence[str], mode: str) -> _X:
    """``stack.mux`` for a MUX built by the caller: the MUX monitors join the run as they do for
    the correct MUX."""
    stack.add_driver(mux)
    stack.bus.monitors.extend(mux_monitors(stack.ndis, lambda: [mux]))
    stack.mux(team, members=members, mode=mode, driver=mux.name)
    return mux


def use_ndis(stack: Any, cls: type[NdisLibrary]) -> None:
    """Make the stack's NDIS library behave as ``cls`` (a subclass without fields of its own)."""
    if stack.bus.trace.last_delivery_seq >= 0:
        raise BadInput("use_ndis: call it before anything is delivered")
    if not issubclass(cls, NdisLibrary) or (cls is not NdisLibrary and cls.__slots__):
        raise BadInput(f"use_ndis: {cls.__name__} is not a field-less NdisLibrary subclass")
    stack.ndis.__class__ = cls
