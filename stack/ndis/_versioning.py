"""The header-versioning rules as NDIS applies them to the buffer of an OID request.

Two sides of one rule [N/overview-of-ndis-support-for-header-versions.md]: a receiver checks
Type, Revision and Size before it reads a member, and a structure is read (and written) as the
revision its header names, newer revisions being supersets of older ones.

* A **set** NDIS handles: :func:`set_buffer_refusal` says whether NDIS refuses the buffer before
  it uses any member -- for ``OID_TCP_OFFLOAD_PARAMETERS``, before it writes a keyword.  NDIS
  "checks the header information" and "fails a function call and returns an appropriate error
  code" for a wrong revision [N/version-information-requirements-for-ndis.md].  The checks, in
  order, and the status each failure gets:

  1. ``InformationBufferLength`` below the revision-1 size: nothing can be read, not even the
     header.  ``NDIS_STATUS_INVALID_LENGTH`` with ``BytesNeeded`` = that size (or the structure's
     Header.Size if it is larger and the header well formed, so that a retry with BytesNeeded is
     not refused for its length again): "the value
     specified in InformationBufferLength ... is incorrect for the specified OID"
     [D/ndis/nc-ndis-miniport_oid_request.md]; the miniport does the same.
  2. ``InformationBuffer`` not the OID's structure, or a header that fails :func:`check_header`
     (Type, Revision 0, Size below NDIS_SIZEOF_..._REVISION_n of its revision):
     ``NDIS_STATUS_INVALID_DATA``, the OID page's status for invalid contents
     [N/oid-tcp-offload-parameters.md] and the one the miniport gives the same buffer, so the
     caller sees one status whoever refuses.  Not INVALID_PARAMETER, which Microsoft's miniports
     use for a bad header (``_codec``'s note): the page asks for INVALID_DATA, and the length
     case has its own status.  The header is judged before the length, so a header that
     contradicts itself (revision 3 in 22 bytes: a Hyper-V guest's) is INVALID_DATA, not a
     request for more bytes that would still be refused.
  3. ``InformationBufferLength`` below ``Header.Size``: ``NDIS_STATUS_INVALID_LENGTH`` with
     ``BytesNeeded`` = ``Header.Size`` (the codec's rule 7: the structure its header describes
     must be in the buffer).

  ``_codec`` applies the same rules to bytes; it checks the buffer against the revision's size
  before ``Header.Size`` because it must have the bytes before it can read the members, while a
  request here always carries the whole structure object.

* A **query** NDIS answers from its cache: :func:`answer_query` answers at the revision the
  caller can take.  A caller that offers a buffer of NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3 (156)
  bytes gets a revision-3 ``NDIS_OFFLOAD`` (newer members dropped, :func:`at_revision`), one that
  pre-filled the buffer's header with a revision gets at most that revision, and one whose buffer
  is too short for revision 1 gets ``NDIS_STATUS_BUFFER_TOO_SHORT``
  [N/oid-tcp-offload-hardware-capabilities.md] with ``BytesNeeded`` = the size of what it would
  get with room enough (a retry with BytesNeeded gets the full answer).  An
  ``InformationBufferLength`` of 0 (a request built without one) gets the cached revision as it
  is.  A revision newer than NDIS's copy is answered with NDIS's copy: NDIS cannot invent members.
"""

from __future__ import annotations

from typing import Any

import attrs

from stack.ndis._codec import at_revision, is_versioned
from stack.ndis._constants import NdisStatus
from stack.ndis._invariants import check_header
from stack.ndis._requests import NDIS_OID_REQUEST, OID_BUFFER_TYPES

__all__ = [  # re-exported by stack.ndis
    "BufferRefusal",
    "QueryAnswer",
    "answer_query",
    "revision_fitting",
    "set_buffer_refusal",
]


@attrs.frozen(kw_only=True)
class BufferRefusal:
    """Why NDIS fails an OID request before it uses its buffer: the status, the BytesNeeded it
    reports (0 when more bytes would not help) and a one-line reason."""

    status: NdisStatus
    BytesNeeded: int = 0
    reason: str


@attrs.frozen(kw_only=True)
class QueryAnswer:
    """How NDIS completes a query it answers itself: the status, the structure it writes (None
    unless it succeeds), BytesWritten and BytesNeeded."""

    status: NdisStatus
    InformationBuffer: Any = None
    BytesWritten: int = 0
    BytesNeeded: int = 0


def set_buffer_refusal(request: NDIS_OID_REQUEST) -> BufferRefusal | None:
    """The refusal NDIS owes a set whose buffer breaks the header-versioning rules, or None.

    Only for the OIDs whose structure ``OID_BUFFER_TYPES`` knows; see the module docstring for
    the checks and their statuses.
    """
    cls: Any = OID_BUFFER_TYPES.get(request.Oid)  # type: ignore[call-overload]
    if cls is None:
        return None
    length = request.InformationBufferLength
    buffer = request.InformationBuffer
    oldest = cls.size_for(min(cls.REVISION_SIZES))
    well_formed = isinstance(buffer, cls) and check_header(buffer) is None
    if length < oldest:
        return BufferRefusal(
            status=NdisStatus.NDIS_STATUS_INVALID_LENGTH,
            # What a retry needs: all of a well-formed structure, so it is not refused twice.
            BytesNeeded=max(oldest, buffer.Header.Size) if well_formed else oldest,
            reason=f"InformationBufferLength {length} is below the {oldest} bytes of "
            f"{cls.C_NAME} revision 1",
        )
    if not isinstance(buffer, cls):
        return BufferRefusal(
            status=NdisStatus.NDIS_STATUS_INVALID_DATA,
            reason=f"InformationBuffer holds {type(buffer).__name__}, not {cls.C_NAME}",
        )
    reason = check_header(buffer)
    if reason is not None:
        return BufferRefusal(status=NdisStatus.NDIS_STATUS_INVALID_DATA, reason=reason)
    if length < buffer.Header.Size:
        return BufferRefusal(
            status=NdisStatus.NDIS_STATUS_INVALID_LENGTH,
            BytesNeeded=buffer.Header.Size,
            reason=f"InformationBufferLength {length} is below {cls.C_NAME}.Header.Size "
            f"{buffer.Header.Size}",
        )
    return None


def revision_fitting(cls: Any, length: int) -> int | None:
    """The newest revision of ``cls`` whose NDIS_SIZEOF_..._REVISION_n is at most ``length``
    bytes, or None when not even revision 1 fits."""
    fitting = [r for r, size in cls.REVISION_SIZES.items() if size <= length]
    return max(fitting) if fitting else None


def answer_query(cached: Any, request: NDIS_OID_REQUEST) -> QueryAnswer:
    """NDIS's answer to ``request`` from its copy ``cached`` (a header-bearing structure), at the
    revision the caller's header and InformationBufferLength allow (module docstring)."""
    cls: Any = type(cached)
    if not is_versioned(cls):
        raise TypeError(f"{cls.__name__} has no NDIS_OBJECT_HEADER")
    revision = min(cached.Header.Revision, cls.HIGHEST_REVISION)
    asked = request.InformationBuffer
    if isinstance(asked, cls) and check_header(asked) is None:
        revision = min(revision, asked.Header.Revision)
    length = request.InformationBufferLength
    if length:
        fitting = revision_fitting(cls, length)
        if fitting is None:
            same = revision == cached.Header.Revision
            needed = cached.Header.Size if same else cls.size_for(revision)
            return QueryAnswer(status=NdisStatus.NDIS_STATUS_BUFFER_TOO_SHORT, BytesNeeded=needed)
        revision = min(revision, fitting)
    whole = revision == cached.Header.Revision and (not length or length >= cached.Header.Size)
    answer = cached if whole else at_revision(cached, revision)
    return QueryAnswer(
        status=NdisStatus.NDIS_STATUS_SUCCESS,
        InformationBuffer=answer,
        BytesWritten=answer.Header.Size,
    )
