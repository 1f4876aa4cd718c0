"""Find NDIS structures and constants by what a user types: C names, hex or decimal values.

Used by the CLI (``decode``, ``encode``, ``lookup``) and by anything else that takes a C name on
the command line; a name that is not known raises BadInput with the closest known names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from stack.errors import BadInput
from stack.ndis import ALL_CONSTANTS, STRUCTURES, names_for_value

__all__ = [
    "all_constants",
    "did_you_mean",
    "lookup_constants",
    "parse_value",
    "pick_name",
    "structure_class",
]

# 0xC0010014, WinDbg's 0n decimal prefix, plain decimal (a signed NTSTATUS-style -1073676268
# too), or bare hex with at least one letter (c0010014), which no C name can be.
_VALUE = re.compile(
    r"(?P<hex>0[xX][0-9a-fA-F]+)|(?P<n>0[nN]\d+)|(?P<dec>-?\d+)"
    r"|(?P<bare>(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]+)"
)


def pick_name(name: str, known: Iterable[str], what: str) -> str:
    """Return ``name`` if it is one of ``known``, else raise BadInput suggesting close matches.

    Matching is exact (C names are case-sensitive), but a case-only difference is suggested first.
    """
    candidates = list(known)
    if name in candidates:
        return name
    raise BadInput(f"unknown {what} {name!r}{did_you_mean(name, candidates)}")


#: Structures ndisemu models only as bus payloads (stack.ndis._requests): their C layout is mostly
#: pointers, which mean nothing outside the machine that dumped them.
_POINTER_STRUCTURES = frozenset({"NDIS_OID_REQUEST", "NDIS_STATUS_INDICATION"})


def structure_class(name: str) -> type:
    """The structure class for a C typedef name (``NDIS_OFFLOAD``); BadInput if unknown."""
    if name in _POINTER_STRUCTURES:
        msg = (
            f"{name} holds pointers (buffers, handles); ndisemu models it for the bus without a "
            f"byte image, so it cannot be decoded or encoded"
        )
        raise BadInput(msg)
    if name not in STRUCTURES and not did_you_mean(name, STRUCTURES):
        # Few enough to list in full when nothing is close (unlike the constants).
        raise BadInput(f"unknown structure {name!r}; known: {', '.join(STRUCTURES)}")
    return STRUCTURES[pick_name(name, STRUCTURES, "structure")]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean X or Y?"`` for the closest candidates, or ``""`` when none is close."""
    by_upper = {candidate.upper(): candidate for candidate in candidates}
    if name.upper() in by_upper:  # only the case is wrong: that is the one to suggest
        return f"; did you mean {by_upper[name.upper()]}?"
    close = difflib.get_close_matches(name.upper(), list(by_upper), n=3, cutoff=0.75)
    if not close:
        return ""
    names = [by_upper[match] for match in close]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"; did you mean {listed}?"


def parse_value(text: str) -> int | None:
    """The integer ``text`` spells (hex, 0n-decimal, decimal, bare hex), or None if it is a name."""
    match = _VALUE.fullmatch(text.strip())
    if match is None:
        return None
    if match["hex"] or match["bare"]:
        return int(text.strip().removeprefix("0x").removeprefix("0X"), 16)
    if match["n"]:
        return int(text.strip()[2:])
    return int(text)


def all_constants() -> dict[str, int]:
    """Every known constant, C name -> value, statuses and OIDs first."""
    return dict(ALL_CONSTANTS)


def lookup_constants(query: str) -> tuple[int | None, dict[str, int]]:
    """Constants matching ``query``, like WinDbg's ``!error``: (the value asked for, matches).

    A name matches exactly, else case-insensitively; a value matches every name that has it,
    NDIS_STATUS and OID names first.  The value is None when the query was a name.  An unknown
    name raises BadInput; a value no constant has gives no matches (the caller decides).
    """
    if query in ALL_CONSTANTS:
        return None, {query: ALL_CONSTANTS[query]}
    folded = {name: value for name, value in ALL_CONSTANTS.items() if name.upper() == query.upper()}
    if folded:
        return None, folded
    value = parse_value(query)
    if value is None:
        raise BadInput(f"unknown constant {query!r}{did_you_mean(query, ALL_CONSTANTS)}")
    if -(2**31) <= value < 0:
        value &= 0xFFFFFFFF  # a status printed as a signed 32-bit number
    return value, {name: ALL_CONSTANTS[name] for name in names_for_value(value)}
