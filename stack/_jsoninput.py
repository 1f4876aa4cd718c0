"""Turn the JSON a user writes into an NDIS structure and its bytes (the inverse of decode).

The JSON is a C mapping (``stack.ndis.from_cmap``): C member names nested as C reaches them,
integer values or, for members with a vocabulary, their C constant names
(``"IPv4Checksum": "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED"``).  Missing members are zero; a
mapping without ``Header`` gets the header of the chosen revision.  Every problem is BadInput.
"""

from __future__ import annotations

import json
from typing import Any

from stack.errors import BadInput
from stack.ndis import encode, from_cmap

__all__ = ["encode_json"]


def encode_json(cls: type, text: str, source: str, revision: int | None = None) -> bytes:
    """The bytes of the ``cls`` that ``text`` (read from ``source``) describes."""
    mapping = _load_object(text, source)
    _check_revision_agrees(mapping, revision)
    obj: object = from_cmap(cls, mapping, revision, symbolic=True)
    try:
        return encode(obj)
    except ValueError as exc:
        # A Header given in full but inconsistent (Size not that of its Revision, a revision we
        # do not know): the codec refuses to write a header a receiver would reject.
        raise BadInput(str(exc)) from None


def _load_object(text: str, source: str) -> dict[str, Any]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"bad JSON in {source}: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(loaded, dict):
        raise BadInput(f"{source} must hold one JSON object of C members, not {_kind(loaded)}")
    return loaded


def _check_revision_agrees(mapping: dict[str, Any], revision: int | None) -> None:
    header = mapping.get("Header")
    given = header.get("Revision") if isinstance(header, dict) else None
    if revision is not None and given is not None and given != revision:
        raise BadInput(f"--revision {revision} disagrees with Header.Revision {given} in the JSON")


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    return "a string" if isinstance(value, str) else type(value).__name__
