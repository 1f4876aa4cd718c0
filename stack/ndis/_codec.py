"""Byte codec for the NDIS structures: exact Windows x64 images, under the header-versioning rules.

``encode(obj) -> bytes`` and ``decode(cls, data) -> obj`` are derived from the declarative layout of
``_layout.py`` (no per-class code).

Encoding a header-bearing structure writes exactly ``NDIS_SIZEOF_<struct>_REVISION_n`` bytes, where
n is ``obj.Header.Revision``: only what revision n holds. The header must be self-consistent: right
``Type``, a revision we know, and ``Size`` equal to that revision's size. Anything else is a
``ValueError`` rather than silently normalised, because a wrong header is a bug in whoever built the
structure (use ``header_for(n)`` or :func:`at_revision` to build a right one). Padding bytes are
written as zero. A member value that does not fit its C type or bitfield is a ``ValueError`` naming
the member path.

Decoding follows the receiver's duties of the versioning rules
[N/overview-of-ndis-support-for-header-versions.md; spec 3.1], checked in this order, every
failure being one :class:`NdisDecodeError` carrying the NDIS status an NDIS component would
complete with:

1. fewer than 4 bytes (no header): ``short_status``, bytes_needed = the revision-1 size;
2. ``Header.Type`` not the structure's object type: ``invalid_status``;
3. ``Header.Revision`` 0: ``invalid_status``;
4. a revision newer than we know is read as the newest we know (the docs allow treating a higher
   revision as an older one), and its header is kept as given;
5. buffer shorter than that revision's size: ``short_status``, bytes_needed = that size;
6. ``Header.Size`` below that revision's size: ``invalid_status``;
7. buffer shorter than ``Header.Size``: ``short_status``, bytes_needed = Header.Size.

``short_status`` defaults to NDIS_STATUS_INVALID_LENGTH, the generic "buffer too short, see
BytesNeeded" completion [D/ndis/nc-ndis-miniport_oid_request.md]; pass
NDIS_STATUS_BUFFER_TOO_SHORT where a page says so (OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES
[N/oid-tcp-offload-hardware-capabilities.md]). ``invalid_status`` defaults to
NDIS_STATUS_INVALID_PARAMETER: the docs name no status for a malformed header, and Microsoft's own
miniports return INVALID_PARAMETER for a bad Type, Revision or Size of an
NDIS_OFFLOAD_ENCAPSULATION (after INVALID_LENGTH for a short buffer) [IMPL:
microsoft/xdp-for-windows test/xdpmp/miniport.c, MpSetInformationHandler], and NetAdapterCx fails
short offload buffers with STATUS_INVALID_PARAMETER [IMPL: microsoft/Network-Adapter-Class-Extension
cx/xlat/nxoffload.cpp; spec 5.2]; pass
NDIS_STATUS_INVALID_DATA for OID_TCP_OFFLOAD_PARAMETERS, whose page asks for INVALID_DATA on
invalid contents [N/oid-tcp-offload-parameters.md].

Decoding reads only the members the (effective) revision holds; the rest stay zero. Bytes beyond
them (a larger Header.Size, trailing data) are ignored. No byte string makes ``decode`` raise
anything but :class:`NdisDecodeError` (a property test holds us to it).
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

from stack.errors import BadInput
from stack.ndis._constants import NdisStatus
from stack.ndis._layout import pack_into, unpack_from
from stack.ndis._structs import NDIS_OBJECT_HEADER, STRUCTURES, _Versioned

__all__ = [
    "NdisDecodeError",
    "at_revision",
    "decode",
    "encode",
    "is_versioned",
    "structure_named",
    "wire_size",
]

T = TypeVar("T")

_BYTES = (bytes, bytearray, memoryview)


class NdisDecodeError(BadInput):
    """A buffer that cannot be read as the requested structure.

    ``status`` is the NDIS_STATUS the receiving component would complete the OID with, and
    ``bytes_needed`` the BytesNeeded it would report (0 when more bytes would not help).
    """

    def __init__(self, status: NdisStatus, bytes_needed: int, message: str) -> None:
        super().__init__(message)
        self.status = NdisStatus(status)
        self.bytes_needed = bytes_needed
        self.message = message

    def __str__(self) -> str:
        extra = f", BytesNeeded={self.bytes_needed}" if self.bytes_needed else ""
        return f"{self.message} ({self.status.name}{extra})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.status, self.bytes_needed, self.message))


def is_versioned(cls: type) -> bool:
    """True for structures that start with an NDIS_OBJECT_HEADER (NDIS_OFFLOAD, ...)."""
    return isinstance(cls, type) and issubclass(cls, _Versioned)


def _check_struct_class(cls: type) -> None:
    if not (isinstance(cls, type) and attrs.has(cls) and hasattr(cls, "C_SIZE")):
        raise TypeError(f"{cls!r} is not an NDIS structure class")


def wire_size(obj: object) -> int:
    """The number of bytes :func:`encode` produces for ``obj``."""
    cls = type(obj)
    _check_struct_class(cls)
    if is_versioned(cls):
        header = obj.Header  # type: ignore[attr-defined]
        return _checked_header(cls, header)
    size: int = cls.C_SIZE  # type: ignore[attr-defined]
    return size


def _checked_header(cls: Any, header: object) -> int:
    """Validate a header-bearing object's header for encoding; return the bytes to write."""
    name = cls.C_NAME
    if not isinstance(header, NDIS_OBJECT_HEADER):
        raise ValueError(f"{name}.Header must be an NDIS_OBJECT_HEADER, got {header!r}")
    if header.Type != cls.OBJECT_TYPE:
        raise ValueError(
            f"{name}.Header.Type = 0x{header.Type:02X}, expected 0x{cls.OBJECT_TYPE:02X}"
        )
    if header.Revision not in cls.REVISION_SIZES:
        raise ValueError(
            f"{name}.Header.Revision = {header.Revision} is not a revision we can write "
            f"(known: {', '.join(map(str, cls.REVISION_SIZES))}); use at_revision()"
        )
    size: int = cls.REVISION_SIZES[header.Revision]
    if header.Size != size:
        raise ValueError(
            f"{name}.Header.Size = {header.Size} but revision {header.Revision} is {size} bytes; "
            f"use {name}.header_for({header.Revision})"
        )
    return size


def encode(obj: object) -> bytes:
    """The Windows x64 byte image of ``obj`` (see the module docstring for header rules)."""
    cls = type(obj)
    _check_struct_class(cls)
    if is_versioned(cls):
        header = obj.Header  # type: ignore[attr-defined]
        size = _checked_header(cls, header)
        buf = bytearray(size)
        pack_into(obj, buf, limit=size, revision=header.Revision)
        return bytes(buf)
    buf = bytearray(cls.C_SIZE)  # type: ignore[attr-defined]
    pack_into(obj, buf)
    return bytes(buf)


def decode(
    cls: type[T],
    data: bytes | bytearray | memoryview,
    *,
    short_status: NdisStatus = NdisStatus.NDIS_STATUS_INVALID_LENGTH,
    invalid_status: NdisStatus = NdisStatus.NDIS_STATUS_INVALID_PARAMETER,
) -> T:
    """Read a ``cls`` from ``data`` under the header-versioning rules (module docstring).

    Raises :class:`NdisDecodeError` for every malformed buffer; ``TypeError`` only if ``cls`` is
    not a structure class or ``data`` is not bytes-like (caller bugs).
    """
    _check_struct_class(cls)
    if not isinstance(data, _BYTES):
        raise TypeError(f"decode() needs bytes, got {type(data).__name__}")
    data = bytes(data)
    name: str = cls.C_NAME  # type: ignore[attr-defined]
    if not is_versioned(cls):
        need: int = cls.C_SIZE  # type: ignore[attr-defined]
        if len(data) < need:
            raise NdisDecodeError(
                short_status, need, f"{name}: buffer is {len(data)} bytes, needs {need}"
            )
        result: T = unpack_from(cls, data)
        return result
    vcls: Any = cls
    sizes = vcls.REVISION_SIZES
    highest: int = vcls.HIGHEST_REVISION
    if len(data) < 4:
        raise NdisDecodeError(
            short_status,
            sizes[1],
            f"{name}: buffer is {len(data)} bytes, too short for an NDIS_OBJECT_HEADER",
        )
    header: NDIS_OBJECT_HEADER = unpack_from(NDIS_OBJECT_HEADER, data)
    if header.Type != vcls.OBJECT_TYPE:
        raise NdisDecodeError(
            invalid_status,
            0,
            f"{name}: Header.Type is 0x{header.Type:02X}, expected 0x{vcls.OBJECT_TYPE:02X}",
        )
    if header.Revision == 0:
        raise NdisDecodeError(invalid_status, 0, f"{name}: Header.Revision is 0")
    revision = min(header.Revision, highest)
    need = sizes[revision]
    if len(data) < need:
        raise NdisDecodeError(
            short_status,
            need,
            f"{name}: buffer is {len(data)} bytes, revision {revision} needs {need}",
        )
    if header.Size < need:
        raise NdisDecodeError(
            invalid_status,
            0,
            f"{name}: Header.Size is {header.Size}, below the {need} bytes of revision {revision}",
        )
    if len(data) < header.Size:
        raise NdisDecodeError(
            short_status,
            header.Size,
            f"{name}: buffer is {len(data)} bytes, Header.Size says {header.Size}",
        )
    obj = unpack_from(cls, data, limit=need, revision=revision)
    # Keep the header as given (it may name a newer revision or a larger Size than we read).
    decoded: T = attrs.evolve(obj, Header=header)
    return decoded


def at_revision(obj: T, revision: int | None = None) -> T:
    """``obj`` as a revision-n reader sees it: header from ``header_for(n)``, newer members zero.

    ``revision`` defaults to ``obj.Header.Revision`` clamped to the newest revision we know, which
    normalises a decoded structure with a newer revision or a larger Size so it can be encoded.
    Members no known revision carries on the wire (``NDIS_OFFLOAD.UdpRsc``) become zero too.
    """
    cls: Any = type(obj)
    if not is_versioned(cls):
        raise TypeError(f"{cls.__name__} has no NDIS_OBJECT_HEADER")
    if revision is None:
        given = obj.Header.Revision  # type: ignore[attr-defined]
        if not given:
            raise ValueError(f"{cls.C_NAME}.Header.Revision is 0")
        revision = min(given, cls.HIGHEST_REVISION)
    fixed = attrs.evolve(obj, Header=cls.header_for(revision))  # type: ignore[misc]
    result: T = decode(cls, encode(fixed))
    return result


def structure_named(c_name: str) -> type:
    """The structure class for a C typedef name (KeyError naming the known ones otherwise)."""
    try:
        return STRUCTURES[c_name]
    except KeyError:
        raise KeyError(f"no structure {c_name!r}; known: {', '.join(STRUCTURES)}") from None
