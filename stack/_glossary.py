"""The glossary: every NDIS C name ndisemu models, and where it lives in ndisemu.

Generated from the code, never written by hand: structures are their own C typedef names; each
bus message class names, in double backticks in its docstring, the NDIS calls and callbacks it
stands for; each PnP operation is named after its callback; states and events are the docs'
tables.  ``ndisemu names`` prints it, and the README's glossary section is this module's
``markdown()`` (a test keeps the two equal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from stack import ndis, runtime
from stack.ndis import (
    ALL_CONSTANTS,
    FilterModuleEvent,
    FilterModuleState,
    MiniportAdapterEvent,
    MiniportAdapterState,
    ProtocolBindingEvent,
    ProtocolBindingState,
    family_of,
)
from stack.ndis._structs import NESTED_STRUCTURES, STRUCTURES
from stack.runtime import PnpOp

_C_NAME = re.compile(r"``([A-Z][A-Za-z0-9_]*)``")
#: What an NDIS call, callback or structure is called: the docstrings also quote Python names
#: (``None``, another message class), which are not C names.
_NDIS_PREFIXES = ("Ndis", "Miniport", "Protocol", "Filter", "NDIS_", "OID_", "NET_")


@attrs.frozen
class Entry:
    """One C name, what kind of thing it is, and the Python name that stands for it."""

    c_name: str
    kind: str
    python: str
    note: str = ""


def _messages() -> Iterator[Entry]:
    for name in sorted(runtime.__all__):
        cls = getattr(runtime, name)
        kind = getattr(cls, "KIND", None)
        if not isinstance(cls, type) or not isinstance(kind, str):
            continue
        doc = (cls.__doc__ or "").split("\n\n")[0]
        found = [c for c in _C_NAME.findall(doc) if c.startswith(_NDIS_PREFIXES)]
        for c_name in dict.fromkeys(found):
            yield Entry(c_name, "call or callback", f"stack.runtime.{name}",
                        f"trace kind {kind}")  # fmt: skip


def _pnp() -> Iterator[Entry]:
    for op in PnpOp:
        yield Entry(op.value, "PnP operation", f"stack.runtime.PnpOp.{op.name}",
                    "trace kind pnp")  # fmt: skip


def _structures() -> Iterator[Entry]:
    for c_name in STRUCTURES:
        yield Entry(c_name, "structure", f"stack.ndis.{c_name}", "byte codec, decode/encode")
    for c_name in ("NDIS_OID_REQUEST", "NDIS_STATUS_INDICATION", "NDIS_LINK_STATE"):
        yield Entry(c_name, "structure", f"stack.ndis.{c_name}", "bus payload, no byte image")
    for c_name in (
        "NDIS_BIND_PARAMETERS",
        "NDIS_FILTER_ATTACH_PARAMETERS",
        "NDIS_FILTER_DRIVER_CHARACTERISTICS",
        "NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES",
        "NET_BUFFER_LIST",
    ):
        yield Entry(c_name, "structure", f"stack.runtime.{c_name}", "bus payload, no byte image")
    for cls in NESTED_STRUCTURES.values():
        yield Entry(
            getattr(cls, "C_NAME", cls.__name__), "member struct", f"stack.ndis.{cls.__name__}"
        )


def _states() -> Iterator[Entry]:
    for enum, where in (
        (MiniportAdapterState, "miniport adapter state"),
        (MiniportAdapterEvent, "miniport adapter event"),
        (ProtocolBindingState, "protocol binding state"),
        (ProtocolBindingEvent, "protocol binding event"),
        (FilterModuleState, "filter module state"),
        (FilterModuleEvent, "filter module event"),
    ):
        for member in enum:
            yield Entry(member.value, where, f"stack.ndis.{enum.__name__}.{member.name}")


def entries() -> list[Entry]:
    """Every entry, structures first, then calls, PnP operations and states."""
    return [*_structures(), *_messages(), *_pnp(), *_states()]


def lookup(name: str) -> list[Entry]:
    """The entries for ``name`` (exact, then case-insensitive), with constants included."""
    found = [e for e in entries() if e.c_name == name]
    if not found:
        found = [e for e in entries() if e.c_name.casefold() == name.casefold()]
    for c_name in ALL_CONSTANTS:
        if c_name == name or (not found and c_name.casefold() == name.casefold()):
            family = family_of(c_name)
            found.append(Entry(c_name, f"constant ({family})", f"stack.ndis.{c_name}"))
    return found


def markdown() -> str:
    """The README's glossary table."""
    lines = [
        "| C name | what | in ndisemu | note |",
        "|---|---|---|---|",
    ]
    for entry in entries():
        lines.append(f"| `{entry.c_name}` | {entry.kind} | `{entry.python}` | {entry.note} |")
    constants = len(ALL_CONSTANTS)
    lines.append(
        f"| every constant ({constants}) | OID, status, object type, revision, size, value | "
        f"`stack.ndis.<C name>` | `ndisemu lookup NAME_OR_VALUE` |"
    )
    return "\n".join(lines) + "\n"


assert ndis  # the package import above makes every name resolvable for the lookups
