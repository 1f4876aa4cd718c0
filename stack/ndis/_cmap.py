"""The C mapping: structures as nested dicts keyed by C member names, for JSON and the CLI tree.

* :func:`to_cmap` -> ``{"Header": {"Type": 167, ...}, "Checksum": {"IPv4Transmit": {...}}, ...}``:
  every member, nested as C reaches it, with integer values. A union shows all its views
  (``{"VxlanParameters": {"VxlanUDPPortNumber": 4789}, "Value": 4789}``).
* :func:`from_cmap` is the inverse and the one place loose input becomes a structure: missing
  members are zero; a mapping without ``Header`` gets ``header_for(revision or newest)``, and a
  partial Header is completed from that too; unknown member names, non-integers (``bool`` included)
  and out-of-range values raise :class:`CMapError` naming the member path. With
  ``symbolic=True`` a member with a vocabulary also accepts its C constant names
  (``"NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED"``, flags as ``"A | B"``).
* :func:`walk` yields one :class:`CMember` per member, depth first, with the symbolic name of its
  value (``IPv4Checksum=4`` -> ``NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED``,
  ``Encapsulation=2`` -> ``NDIS_ENCAPSULATION_IEEE_802_3``, ``Header.Type=0xA7`` ->
  ``NDIS_OBJECT_TYPE_OFFLOAD``), for the CLI's tree view. The vocabularies live with the layout
  (``_structs.py``), so there is one list of names per member.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import attrs

from stack.errors import BadInput
from stack.ndis import _constants as _c
from stack.ndis._codec import is_versioned
from stack.ndis._layout import CField, layout

__all__ = ["CMapError", "CMember", "from_cmap", "to_cmap", "walk"]

T = TypeVar("T")


class CMapError(BadInput):
    """A C mapping that does not describe the structure; the message names the member path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def to_cmap(obj: object) -> dict[str, Any]:
    """``obj`` as a nested dict of C member names to ints (JSON-ready)."""
    cls = type(obj)
    if not layout(cls):
        raise TypeError(f"{cls.__name__} is not an NDIS structure")
    out: dict[str, Any] = {}
    for m in layout(cls):
        value = getattr(obj, m.name)
        out[m.name] = to_cmap(value) if m.field.kind == "struct" else int(value)
    return out


def _coerce(path: str, cf: CField, raw: object, symbolic: bool) -> int:
    if isinstance(raw, str) and symbolic and cf.vocab is not None:
        try:
            return cf.vocab.value_of(raw)
        except KeyError as e:
            raise CMapError(
                path, f"{raw!r} is not one of {', '.join(cf.vocab.names)} ({e.args[0]!r})"
            ) from None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise CMapError(path, f"expected an integer, got {type(raw).__name__} {raw!r}")
    width = cf.bit_width
    if not 0 <= raw < (1 << width):
        raise CMapError(path, f"{raw} does not fit in {width} bits")
    return raw


def _build(cls: type, mapping: object, path: str, symbolic: bool) -> Any:
    if not isinstance(mapping, Mapping):
        raise CMapError(path, f"expected a mapping of C member names, got {type(mapping).__name__}")
    members = {m.name: m for m in layout(cls)}
    unknown = [k for k in mapping if k not in members]
    if unknown:
        raise CMapError(
            f"{path}.{unknown[0]}",
            f"no such member in {cls.C_NAME}; members: {', '.join(members)}",  # type: ignore[attr-defined]
        )
    kwargs: dict[str, Any] = {}
    for name, raw in mapping.items():
        m = members[name]
        where = f"{path}.{name}"
        if m.field.kind == "struct":
            assert m.field.struct is not None
            kwargs[name] = _build(m.field.struct, raw, where, symbolic)
        else:
            kwargs[name] = _coerce(where, m.field, raw, symbolic)
    try:
        return cls(**kwargs)
    except ValueError as e:  # a union whose views disagree
        raise CMapError(path, str(e)) from None


def from_cmap(
    cls: type[T],
    mapping: Mapping[str, Any],
    revision: int | None = None,
    *,
    symbolic: bool = False,
) -> T:
    """Build a ``cls`` from a C mapping (see the module docstring for the rules)."""
    if not layout(cls):
        raise TypeError(f"{cls!r} is not an NDIS structure class")
    c_name: str = cls.C_NAME  # type: ignore[attr-defined]
    if not isinstance(mapping, Mapping):
        raise CMapError(c_name, f"expected a mapping, got {type(mapping).__name__}")
    if is_versioned(cls):
        vcls: Any = cls
        given = mapping.get("Header")
        if given is not None and not isinstance(given, Mapping):
            raise CMapError(f"{c_name}.Header", "expected a mapping")
        given = dict(given or {})
        rev = given.get("Revision", revision if revision is not None else vcls.HIGHEST_REVISION)
        if not given.keys() >= {"Type", "Revision", "Size"}:
            try:
                default = vcls.header_for(rev)
            except (ValueError, TypeError) as e:
                raise CMapError(f"{c_name}.Header.Revision", str(e)) from None
            given = {**to_cmap(default), **given}
        mapping = {**mapping, "Header": given}
    elif revision is not None:
        raise CMapError(c_name, "has no NDIS_OBJECT_HEADER, so no revision")
    result: T = _build(cls, mapping, c_name, symbolic)
    return result


@attrs.frozen
class CMember:
    """One member met by :func:`walk`."""

    #: dotted C path from the root structure, e.g. ``"Checksum.IPv4Transmit.TcpChecksum"``
    path: str
    #: the C member name (last path component)
    name: str
    #: nesting depth (0 for members of the root)
    depth: int
    #: the value, or None for a nested structure (its members follow)
    value: int | None
    #: the symbolic spelling of the value (C constant name, ``A | B`` for flags), if it has one
    symbol: str | None
    #: C type: ``UCHAR``, ``USHORT``, ``ULONG``, ``ULONG:2`` (bitfield), or a structure's C name
    c_type: str
    #: absolute byte offset of the member (of its storage unit, for a bitfield)
    offset: int
    #: whether the root's Header.Revision carries the member on the wire (always True without one)
    in_revision: bool


_CTYPE = {1: "UCHAR", 2: "USHORT", 4: "ULONG"}


def _header_symbols(root: Any, name: str, value: int) -> str | None:
    """Symbolic names of a root header's Revision and Size (``NDIS_OFFLOAD_REVISION_3`` ...)."""
    c_name = type(root).C_NAME
    if name == "Revision":
        candidate = f"{c_name}_REVISION_{value}"
        return candidate if candidate in _c.ALL_CONSTANTS else None
    if name == "Size":
        rev = root.Header.Revision
        for stem in (c_name, c_name.removeprefix("NDIS_")):
            candidate = f"NDIS_SIZEOF_{stem}_REVISION_{rev}"
            if _c.ALL_CONSTANTS.get(candidate) == value:
                return candidate
    return None


def walk(obj: object) -> Iterator[CMember]:
    """Every member of ``obj``, depth first in declaration order (module docstring)."""
    if not layout(type(obj)):
        raise TypeError(f"{type(obj).__name__} is not an NDIS structure")
    limit: int | None = None
    revision: int | None = None
    if is_versioned(type(obj)):
        vcls: Any = type(obj)
        rev = min(max(obj.Header.Revision, 1), vcls.HIGHEST_REVISION)  # type: ignore[attr-defined]
        revision, limit = rev, vcls.REVISION_SIZES[rev]
    yield from _walk(obj, obj, "", 0, 0, limit, revision)


def _walk(
    root: Any,
    obj: Any,
    prefix: str,
    depth: int,
    base: int,
    limit: int | None,
    revision: int | None,
) -> Iterator[CMember]:
    for m in layout(type(obj)):
        cf = m.field
        path = f"{prefix}{m.name}"
        at = base + cf.offset
        carried = (limit is None or at + cf.size <= limit) and (
            revision is None or cf.since <= revision
        )
        value = getattr(obj, m.name)
        if cf.kind == "struct":
            assert cf.struct is not None
            yield CMember(
                path, m.name, depth, None, None, getattr(cf.struct, "C_NAME", ""), at, carried
            )
            yield from _walk(root, value, f"{path}.", depth + 1, at, limit, revision)
            continue
        symbol = cf.vocab.symbol(value) if cf.vocab is not None else None
        if symbol is None and depth == 1 and prefix == "Header." and is_versioned(type(root)):
            symbol = _header_symbols(root, m.name, value)
        c_type = _CTYPE[cf.size]
        if cf.kind == "bits":
            c_type = f"{c_type}:{cf.width}"
        yield CMember(path, m.name, depth, int(value), symbol, c_type, at, carried)
