"""NDIS_OID_REQUEST and NDIS_STATUS_INDICATION as model-level values (bus message payloads).

Both keep their C member names (spec 3.8 and 2.6) but hold **no pointers**: a handle is the name of
a driver instance (``""`` for NULL), and ``InformationBuffer`` / ``StatusBuffer`` hold the structure
object itself (an ``NDIS_OFFLOAD``, ``NDIS_OFFLOAD_PARAMETERS`` ...) or None. That is also why they
are **not** byte-codec'd: their C layout is mostly pointers (RequestHandle, InformationBuffer,
NdisReserved[16] ...) whose bytes mean nothing outside one address space, so an encoding would be
either lossy or fake. The structures they carry are codec'd on their own (``stack.ndis.encode``).

The C ``DATA`` union of NDIS_OID_REQUEST (QUERY_INFORMATION / SET_INFORMATION /
METHOD_INFORMATION) is flattened: ``Oid``, ``InformationBuffer``, ``InformationBufferLength``,
``BytesWritten``, ``BytesRead``, ``BytesNeeded`` sit directly on the request, as C reaches them in
``DATA.QUERY_INFORMATION`` and ``DATA.SET_INFORMATION``.
"""

# Keyword arguments of the named constructors are the C member names they fill, like the fields.
# ruff: noqa: N803, N806

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from stack.ndis import _constants as _c
from stack.ndis._constants import NdisRequestType, NdisStatus, Oid
from stack.ndis._oids import OIDS, STATUSES
from stack.ndis._structs import NDIS_OBJECT_HEADER

__all__ = [
    "NDIS_OID_REQUEST",
    "NDIS_STATUS_INDICATION",
    "OID_BUFFER_TYPES",
    "STATUS_BUFFER_TYPES",
    "buffer_length",
]

#: The structure each configuration OID carries in InformationBuffer (spec 1.1), from the OID
#: table (``stack.ndis._oids``).
OID_BUFFER_TYPES: Mapping[Oid, type] = MappingProxyType(
    {oid: row.buffer for oid, row in OIDS.items() if row.buffer is not None}
)

#: The structure each offload status indication carries in StatusBuffer (spec 2.1), from the
#: status table.
STATUS_BUFFER_TYPES: Mapping[NdisStatus, type] = MappingProxyType(
    {code: row.buffer for code, row in STATUSES.items() if row.buffer is not None}
)


def buffer_length(buffer: object) -> int:
    """Bytes a structure occupies in a buffer: its Header.Size, else its C size (0 for None)."""
    if buffer is None:
        return 0
    header = getattr(buffer, "Header", None)
    if isinstance(header, NDIS_OBJECT_HEADER):
        return header.Size
    size = getattr(type(buffer), "C_SIZE", 0)
    return size if isinstance(size, int) else 0


def _as_oid(value: int) -> int:
    """Known OIDs become ``Oid`` members (so traces show the C name); others stay plain ints."""
    try:
        return Oid(value)
    except ValueError:
        return int(value)


def _as_status(value: int) -> int:
    try:
        return NdisStatus(value)
    except ValueError:
        return int(value)


def _oid_request_header() -> NDIS_OBJECT_HEADER:
    return NDIS_OID_REQUEST.header_for(_c.NDIS_OID_REQUEST_REVISION_1)


def _info_length(self: Any) -> int:
    return buffer_length(self.InformationBuffer)


@attrs.frozen(kw_only=True)
class NDIS_OID_REQUEST:
    """An OID request [D/oidrequest/ns-oidrequest-ndis_oid_request.md; spec 3.8], without pointers.

    ``RequestHandle`` names the driver instance that issued the request (it becomes the
    ``DestinationHandle`` of a related status indication); ``RequestId`` is the cancellation key.
    The default header is revision 1: the revision-2 members (SwitchId, VPortId, Flags) are NIC
    switch features outside this emulator.
    """

    C_NAME: ClassVar[str] = "NDIS_OID_REQUEST"
    OBJECT_TYPE: ClassVar[int] = _c.NDIS_OBJECT_TYPE_OID_REQUEST
    REVISION_SIZES: ClassVar[Mapping[int, int]] = MappingProxyType(
        {
            _c.NDIS_OID_REQUEST_REVISION_1: _c.NDIS_SIZEOF_OID_REQUEST_REVISION_1,
            _c.NDIS_OID_REQUEST_REVISION_2: _c.NDIS_SIZEOF_OID_REQUEST_REVISION_2,
        }
    )

    Header: NDIS_OBJECT_HEADER = attrs.field(factory=_oid_request_header)
    RequestType: NdisRequestType = attrs.field(
        default=NdisRequestType.NdisRequestQueryInformation, converter=NdisRequestType
    )
    PortNumber: int = 0
    Timeout: int = _c.NDIS_OID_REQUEST_TIMEOUT_INFINITE
    RequestId: int = 0
    RequestHandle: str = ""
    Oid: int = attrs.field(default=0, converter=_as_oid)
    InformationBuffer: Any = None  # the structure object (NDIS_OFFLOAD, ...) or None
    InformationBufferLength: int = attrs.field(default=attrs.Factory(_info_length, takes_self=True))
    BytesWritten: int = 0
    BytesRead: int = 0
    BytesNeeded: int = 0
    SupportedRevision: int = 0

    @classmethod
    def header_for(cls, revision: int) -> NDIS_OBJECT_HEADER:
        """Header of the given revision (Type NDIS_OBJECT_TYPE_OID_REQUEST, x64 size)."""
        try:
            size = cls.REVISION_SIZES[revision]
        except KeyError:
            raise ValueError(f"NDIS_OID_REQUEST has no revision {revision!r}") from None
        return NDIS_OBJECT_HEADER(Type=cls.OBJECT_TYPE, Revision=revision, Size=size)

    @classmethod
    def query(
        cls,
        oid: int,
        *,
        RequestHandle: str = "",
        RequestId: int = 0,
        PortNumber: int = 0,
        Timeout: int = _c.NDIS_OID_REQUEST_TIMEOUT_INFINITE,
        InformationBufferLength: int | None = None,
        InformationBuffer: object | None = None,
    ) -> NDIS_OID_REQUEST:
        """A query (NdisRequestQueryInformation), its output buffer empty unless the caller
        pre-filled it (``InformationBuffer``: a structure whose header names the revision it
        can read, which NDIS honours for the queries it answers, ``stack.ndis.answer_query``).

        ``InformationBufferLength`` defaults to that buffer's Header.Size, else to the largest
        revision of the structure the OID returns (``OID_BUFFER_TYPES``), i.e. a caller that
        allocated a full-size buffer.
        """
        if InformationBufferLength is None and InformationBuffer is not None:
            InformationBufferLength = buffer_length(InformationBuffer)
        if InformationBufferLength is None:
            want = OID_BUFFER_TYPES.get(_as_oid(oid))  # type: ignore[call-overload]
            InformationBufferLength = (
                want.size_for(want.HIGHEST_REVISION) if want is not None else 0
            )
        return cls(
            RequestType=NdisRequestType.NdisRequestQueryInformation,
            Oid=oid,
            RequestHandle=RequestHandle,
            RequestId=RequestId,
            PortNumber=PortNumber,
            Timeout=Timeout,
            InformationBuffer=InformationBuffer,
            InformationBufferLength=InformationBufferLength,
        )

    @classmethod
    def set(
        cls,
        oid: int,
        buffer: object,
        *,
        RequestHandle: str = "",
        RequestId: int = 0,
        PortNumber: int = 0,
        Timeout: int = _c.NDIS_OID_REQUEST_TIMEOUT_INFINITE,
        InformationBufferLength: int | None = None,
    ) -> NDIS_OID_REQUEST:
        """A set (NdisRequestSetInformation) carrying ``buffer``.

        ``InformationBufferLength`` defaults to ``buffer.Header.Size`` (see :func:`buffer_length`).
        """
        length = (
            buffer_length(buffer) if InformationBufferLength is None else InformationBufferLength
        )
        return cls(
            RequestType=NdisRequestType.NdisRequestSetInformation,
            Oid=oid,
            InformationBuffer=buffer,
            InformationBufferLength=length,
            RequestHandle=RequestHandle,
            RequestId=RequestId,
            PortNumber=PortNumber,
            Timeout=Timeout,
        )

    @property
    def is_query(self) -> bool:
        """True for Query and QueryStatistics, which NDIS handles alike.

        [D/oidtypes/ne-oidtypes-ndis_request_type.md]
        """
        return self.RequestType in (
            NdisRequestType.NdisRequestQueryInformation,
            NdisRequestType.NdisRequestQueryStatistics,
        )

    def completed(
        self,
        *,
        InformationBuffer: object | None = None,
        BytesWritten: int | None = None,
        BytesRead: int | None = None,
        BytesNeeded: int = 0,
        SupportedRevision: int | None = None,
    ) -> NDIS_OID_REQUEST:
        """The request as its completer hands it back (the status travels beside it).

        For a query, ``InformationBuffer`` is the answer and ``BytesWritten`` defaults to its
        length; for a set, ``BytesRead`` defaults to InformationBufferLength and
        ``SupportedRevision`` to the revision of the structure that was set (the handler must fill
        it on success [N/handling-oid-requests-in-a-miniport-adapter.md]). On a too-short buffer
        pass ``BytesNeeded`` (and nothing else).
        """
        changes: dict[str, Any] = {"BytesNeeded": BytesNeeded}
        if self.is_query:
            buffer = InformationBuffer if InformationBuffer is not None else self.InformationBuffer
            changes["InformationBuffer"] = buffer
            changes["BytesWritten"] = (
                buffer_length(buffer) if BytesWritten is None else BytesWritten
            )
            if SupportedRevision is not None:
                changes["SupportedRevision"] = SupportedRevision
        else:
            changes["BytesRead"] = self.InformationBufferLength if BytesRead is None else BytesRead
            if SupportedRevision is None:
                header = getattr(self.InformationBuffer, "Header", None)
                SupportedRevision = header.Revision if isinstance(header, NDIS_OBJECT_HEADER) else 0
            changes["SupportedRevision"] = SupportedRevision
        if BytesNeeded:
            changes.update(BytesWritten=0, BytesRead=0)
        return attrs.evolve(self, **changes)


def _status_indication_header() -> NDIS_OBJECT_HEADER:
    return NDIS_OBJECT_HEADER(
        Type=_c.NDIS_OBJECT_TYPE_STATUS_INDICATION,
        Revision=_c.NDIS_STATUS_INDICATION_REVISION_1,
        Size=_c.NDIS_SIZEOF_STATUS_INDICATION_REVISION_1,
    )


def _status_length(self: Any) -> int:
    return buffer_length(self.StatusBuffer)


@attrs.frozen(kw_only=True)
class NDIS_STATUS_INDICATION:
    """A status indication [D/ndis/ns-ndis-_ndis_status_indication.md; spec 2.6], without pointers.

    ``SourceHandle`` names the indicating miniport/filter instance; ``DestinationHandle`` ``""``
    (NULL) means every bound protocol, otherwise the one driver instance addressed, in which case
    ``RequestId`` must be set too [same page]. ``Guid`` and ``NdisReserved`` are not modelled.
    """

    C_NAME: ClassVar[str] = "NDIS_STATUS_INDICATION"

    Header: NDIS_OBJECT_HEADER = attrs.field(factory=_status_indication_header)
    SourceHandle: str = ""
    PortNumber: int = 0
    StatusCode: int = attrs.field(default=0, converter=_as_status)
    Flags: int = 0
    DestinationHandle: str = ""
    RequestId: int = 0
    StatusBuffer: Any = None  # the structure object or None
    StatusBufferSize: int = attrs.field(default=attrs.Factory(_status_length, takes_self=True))

    @classmethod
    def indicate(
        cls,
        SourceHandle: str,
        StatusCode: int,
        StatusBuffer: object | None = None,
        *,
        DestinationHandle: str = "",
        RequestId: int = 0,
        PortNumber: int = 0,
    ) -> NDIS_STATUS_INDICATION:
        """An indication from ``SourceHandle``; StatusBufferSize follows the buffer."""
        if DestinationHandle and not RequestId:
            raise ValueError(
                "NDIS_STATUS_INDICATION: a non-NULL DestinationHandle needs RequestId "
                "[D/ndis/ns-ndis-_ndis_status_indication.md]"
            )
        return cls(
            SourceHandle=SourceHandle,
            StatusCode=StatusCode,
            StatusBuffer=StatusBuffer,
            DestinationHandle=DestinationHandle,
            RequestId=RequestId,
            PortNumber=PortNumber,
        )
