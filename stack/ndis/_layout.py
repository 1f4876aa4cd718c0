"""Declarative C layout metadata for the structure classes, and the byte primitives derived from it.

Every member of a structure class is declared with one of :func:`u8`, :func:`u16`, :func:`u32`,
:func:`bits` or :func:`struct`. Each returns an ``attrs.field`` (default 0, or an all-zero nested
instance) whose metadata is a :class:`CField`: byte offset inside the enclosing structure, storage
width, bit position for bitfields, the outer revision that introduced it, and the vocabulary of
symbolic names for its values. Encoding, decoding, the C mapping and the symbolic tree walk are all
derived from that one declaration, so there is no per-class codec code.

Layout rules (Windows x64 ABI, which for these pointer-free structures is also the x86 layout):
little-endian, natural alignment, and MSVC bitfields: consecutive bitfields of the same declared
type share one storage unit of that type, allocated from bit 0 upward [spec 3.3 "bitfields are
ULONG, allocated from bit 0 upward"; H-SDK/ntddndis.h declarations]. Offsets are written out
literally in ``_structs.py`` from the header layouts (spec 3.2/3.3 tables) rather than recomputed,
so that a reviewer can check each one against the spec.

Unions: a union class stores every view as a member, but they are kept consistent at
construction (:func:`reconcile_union`): the widest view (``Value``) is the canonical storage and
the other views are derived from it, or it is derived from them. Two non-zero views that disagree
are a ``ValueError``.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import attrs

from stack.ndis import _constants as _c

__all__ = [
    "CField",
    "Member",
    "Vocab",
    "bits",
    "layout",
    "pack_into",
    "struct",
    "u8",
    "u16",
    "u32",
    "unpack_from",
]

_META: Final = "ndis.cfield"

Kind = Literal["u8", "u16", "u32", "bits", "struct"]


@attrs.frozen
class Vocab:
    """The symbolic names a member's values are drawn from (C constant names).

    ``flags=False``: the value is one of the names (the first name with that value wins, so list the
    preferred spelling first). ``flags=True``: the value is a bitwise OR of the names; zero is shown
    by the name whose value is zero, if any.
    """

    names: tuple[str, ...]
    flags: bool = False

    def symbol(self, value: int) -> str | None:
        """The symbolic spelling of ``value``, or None if the vocabulary cannot express it."""
        table = _c.ALL_CONSTANTS
        if not self.flags:
            return next((n for n in self.names if table[n] == value), None)
        if value == 0:
            return next((n for n in self.names if table[n] == 0), None)
        parts: list[str] = []
        rest = value
        for name in self.names:
            bit = table[name]
            if bit and value & bit == bit and rest & bit:
                parts.append(name)
                rest &= ~bit
        return " | ".join(parts) if parts and rest == 0 else None

    def value_of(self, symbol: str) -> int:
        """Inverse of :meth:`symbol` (``A | B`` for flags); KeyError for a name not in the vocab."""
        total = 0
        for part in symbol.split("|"):
            name = part.strip()
            if name not in self.names:
                raise KeyError(name)
            total |= _c.ALL_CONSTANTS[name]
        return total


@attrs.frozen
class CField:
    """Where one C member lives inside its enclosing structure."""

    offset: int
    kind: Kind
    # bytes the member occupies (the whole storage unit for a bitfield)
    size: int
    bit: int = 0
    width: int = 0
    # first revision of the *outermost header-bearing structure* that carries the member; used for
    # bits that appeared inside an existing storage unit (UsoSupported, CongestionAlgorithm)
    since: int = 1
    vocab: Vocab | None = None
    struct: type | None = None

    @property
    def bit_width(self) -> int:
        """Width in bits of the value (for range checks)."""
        return self.width if self.kind == "bits" else self.size * 8


@attrs.frozen
class Member:
    """A C member: its name (the attribute name) and placement."""

    name: str
    field: CField


def _field(cf: CField, **kw: Any) -> Any:
    return attrs.field(metadata={_META: cf}, **kw)


def u8(offset: int, *, vocab: Vocab | None = None, since: int = 1) -> Any:
    """A UCHAR / BOOLEAN member."""
    return _field(CField(offset, "u8", 1, since=since, vocab=vocab), default=0)


def u16(offset: int, *, vocab: Vocab | None = None, since: int = 1) -> Any:
    """A USHORT member."""
    return _field(CField(offset, "u16", 2, since=since, vocab=vocab), default=0)


def u32(offset: int, *, vocab: Vocab | None = None, since: int = 1) -> Any:
    """A ULONG (or C enum) member."""
    return _field(CField(offset, "u32", 4, since=since, vocab=vocab), default=0)


def bits(
    offset: int,
    bit: int,
    width: int,
    *,
    unit: int = 4,
    vocab: Vocab | None = None,
    since: int = 1,
) -> Any:
    """A bitfield ``width`` bits wide at ``bit`` of the ``unit``-byte storage unit at ``offset``."""
    if bit + width > unit * 8:
        raise AssertionError(f"bitfield {bit}+{width} overflows a {unit}-byte unit")
    return _field(
        CField(offset, "bits", unit, bit=bit, width=width, since=since, vocab=vocab), default=0
    )


def struct(offset: int, cls: type, *, since: int = 1, default: Any = None) -> Any:
    """A nested structure (or union) member; defaults to the all-zero instance.

    ``default`` (an ``attrs.Factory``) overrides that, e.g. for the ``Header`` members.
    """
    size: int = getattr(cls, "C_SIZE")  # noqa: B009 - cls is any structure class
    cf = CField(offset, "struct", size, since=since, struct=cls)
    if default is None:
        return _field(cf, factory=cls)
    return _field(cf, default=default)


_LAYOUTS: dict[type, tuple[Member, ...]] = {}


def layout(cls: type) -> tuple[Member, ...]:
    """The C members of a structure class, in declaration order (cached per class)."""
    found = _LAYOUTS.get(cls)
    if found is None:
        found = tuple(
            Member(a.name, a.metadata[_META])
            for a in attrs.fields(cls)
            if isinstance(a.metadata.get(_META), CField)
        )
        _LAYOUTS[cls] = found
    return found


def _fits(cf: CField, base: int, limit: int | None, revision: int | None) -> bool:
    if limit is not None and base + cf.offset + cf.size > limit:
        return False
    return revision is None or cf.since <= revision


def pack_into(
    obj: Any,
    buf: bytearray,
    base: int = 0,
    *,
    limit: int | None = None,
    revision: int | None = None,
    path: str = "",
) -> None:
    """Write ``obj``'s members into ``buf`` at ``base``.

    Members ending beyond absolute offset ``limit``, or introduced after outer ``revision``, are
    skipped (they are not part of that revision). Values out of range raise ``ValueError`` naming
    the member path.
    """
    cls = type(obj)
    prefix = path or getattr(cls, "C_NAME", cls.__name__)
    for m in layout(cls):
        cf = m.field
        if not _fits(cf, base, limit, revision):
            continue
        value = getattr(obj, m.name)
        where = f"{prefix}.{m.name}"
        at = base + cf.offset
        if cf.kind == "struct":
            if cf.struct is None or not isinstance(value, cf.struct):
                want = cf.struct.__name__ if cf.struct else "?"
                raise ValueError(f"{where} must be a {want}, got {type(value).__name__}")
            pack_into(value, buf, at, limit=limit, revision=revision, path=where)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where} must be an int, got {type(value).__name__}")
        width = cf.bit_width
        if not 0 <= value < (1 << width):
            raise ValueError(f"{where} = {value} does not fit in {width} bits (C member {m.name})")
        if cf.kind == "bits":
            unit = int.from_bytes(buf[at : at + cf.size], "little")
            mask = ((1 << cf.width) - 1) << cf.bit
            unit = (unit & ~mask) | (value << cf.bit)
            buf[at : at + cf.size] = unit.to_bytes(cf.size, "little")
        else:
            buf[at : at + cf.size] = value.to_bytes(cf.size, "little")


def unpack_from(
    cls: type,
    data: bytes | bytearray | memoryview,
    base: int = 0,
    *,
    limit: int | None = None,
    revision: int | None = None,
) -> Any:
    """Build a ``cls`` from ``data`` at ``base``; members outside ``limit``/``revision`` stay zero.

    The caller guarantees ``data`` holds every member that fits under ``limit``.
    """
    kwargs: dict[str, Any] = {}
    for m in layout(cls):
        cf = m.field
        if not _fits(cf, base, limit, revision):
            continue
        at = base + cf.offset
        if cf.kind == "struct":
            assert cf.struct is not None
            kwargs[m.name] = unpack_from(cf.struct, data, at, limit=limit, revision=revision)
            continue
        raw = int.from_bytes(bytes(data[at : at + cf.size]), "little")
        if cf.kind == "bits":
            raw = (raw >> cf.bit) & ((1 << cf.width) - 1)
        kwargs[m.name] = raw
    return cls(**kwargs)


def reconcile_union(obj: Any) -> None:
    """Make a union instance's views agree; called from the union classes' ``__attrs_post_init__``.

    ``Value`` is the widest view and the canonical storage. Each other view, when not all-zero, is
    overlaid onto it; a view that contradicts a non-zero ``Value`` is a ValueError. Afterwards every
    view is re-derived from ``Value``, so equal bytes always mean equal objects.
    """
    cls = type(obj)
    size: int = cls.C_SIZE
    value = obj.Value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < (1 << size * 8):
        raise ValueError(f"{cls.C_NAME}.Value = {value!r} is not a {size * 8}-bit unsigned int")
    for m in layout(cls):
        if m.name == "Value":
            continue
        view = getattr(obj, m.name)
        if view == type(view)():
            continue
        buf = bytearray(size)
        pack_into(view, buf, m.field.offset, path=f"{cls.C_NAME}.{m.name}")
        mask_buf = bytearray(size)
        _mask_into(type(view), mask_buf, m.field.offset)
        vbits = int.from_bytes(buf, "little")
        vmask = int.from_bytes(mask_buf, "little")
        if obj.Value and (obj.Value & vmask) != vbits:
            raise ValueError(
                f"{cls.C_NAME}: {m.name} and Value describe different bytes "
                f"(Value=0x{obj.Value:X}); give one of them"
            )
        value = (value & ~vmask) | vbits
    object.__setattr__(obj, "Value", value)
    raw = value.to_bytes(size, "little")
    for m in layout(cls):
        if m.name != "Value":
            assert m.field.struct is not None
            object.__setattr__(obj, m.name, unpack_from(m.field.struct, raw, m.field.offset))


def _mask_into(cls: type, buf: bytearray, base: int) -> None:
    """Set to 1 every bit of ``buf`` that a member of ``cls`` at ``base`` covers."""
    for m in layout(cls):
        cf = m.field
        at = base + cf.offset
        if cf.kind == "struct":
            assert cf.struct is not None
            _mask_into(cf.struct, buf, at)
        elif cf.kind == "bits":
            unit = int.from_bytes(buf[at : at + cf.size], "little")
            unit |= ((1 << cf.width) - 1) << cf.bit
            buf[at : at + cf.size] = unit.to_bytes(cf.size, "little")
        else:
            buf[at : at + cf.size] = b"\xff" * cf.size
