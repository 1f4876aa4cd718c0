"""The header-versioning rules NDIS applies to OID buffers: refusing a set, answering a query."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from offload_strategies import HARDWARE, hardware_offloads

from stack.ndis import _constants as c
from stack.ndis._codec import at_revision, decode, encode
from stack.ndis._constants import NdisStatus, Oid
from stack.ndis._requests import NDIS_OID_REQUEST
from stack.ndis._structs import (
    NDIS_OBJECT_HEADER,
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_TCP_CONNECTION_OFFLOAD,
)
from stack.ndis._versioning import answer_query, revision_fitting, set_buffer_refusal

S = NdisStatus
FAST = settings(max_examples=200, deadline=None)
PARAMS = NDIS_OFFLOAD_PARAMETERS


def _set(buffer: object, length: int | None = None) -> NDIS_OID_REQUEST:
    return NDIS_OID_REQUEST.set(
        Oid.OID_TCP_OFFLOAD_PARAMETERS, buffer, InformationBufferLength=length
    )


def _params(revision: int, size: int, type_: int = c.NDIS_OBJECT_TYPE_DEFAULT) -> Any:
    return PARAMS(Header=NDIS_OBJECT_HEADER(Type=type_, Revision=revision, Size=size), LsoV1=1)


# ----------------------------------------------------------------------------------------------
# Sets


@pytest.mark.parametrize("revision", sorted(PARAMS.REVISION_SIZES))
def test_a_well_formed_set_of_every_revision_is_not_refused(revision: int) -> None:
    assert set_buffer_refusal(_set(PARAMS(Header=PARAMS.header_for(revision)))) is None


def test_the_hyper_v_guest_header_is_invalid_data_not_a_request_for_more_bytes() -> None:
    """Revision 3 in NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2 (22) bytes: the header contradicts
    itself, whatever the length (N/oid-tcp-offload-parameters.md: invalid contents)."""
    short = _params(3, c.NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2)
    for length in (22, 26, 64):
        refusal = set_buffer_refusal(_set(short, length))
        assert refusal is not None
        assert (refusal.status, refusal.BytesNeeded) == (S.NDIS_STATUS_INVALID_DATA, 0)
        assert refusal.reason == (
            "NDIS_OFFLOAD_PARAMETERS.Header.Size = 22 is below NDIS_SIZEOF for revision 3 (26)"
        )


@pytest.mark.parametrize(
    ("buffer", "length", "status", "needed"),
    [
        (PARAMS(), 19, S.NDIS_STATUS_INVALID_LENGTH, 35),
        (_params(0, 26), 19, S.NDIS_STATUS_INVALID_LENGTH, 20),
        (None, 0, S.NDIS_STATUS_INVALID_LENGTH, 20),
        (NDIS_OFFLOAD(), 216, S.NDIS_STATUS_INVALID_DATA, 0),
        (_params(3, 26, c.NDIS_OBJECT_TYPE_OFFLOAD), 26, S.NDIS_STATUS_INVALID_DATA, 0),
        (_params(0, 26), 26, S.NDIS_STATUS_INVALID_DATA, 0),
        (_params(3, 26), 24, S.NDIS_STATUS_INVALID_LENGTH, 26),
        (_params(2, 30), 26, S.NDIS_STATUS_INVALID_LENGTH, 30),
    ],
    ids=["short-of-revision-1", "short-and-malformed", "no-buffer", "wrong-structure",
         "wrong-type", "revision-0", "shorter-than-its-revision", "shorter-than-header-size"],
)  # fmt: skip
def test_refusals_and_their_statuses(buffer: Any, length: int, status: S, needed: int) -> None:
    """D/ndis/nc-ndis-miniport_oid_request.md (INVALID_LENGTH + BytesNeeded),
    N/oid-tcp-offload-parameters.md (INVALID_DATA)."""
    refusal = set_buffer_refusal(_set(buffer, length))
    assert refusal is not None
    assert (refusal.status, refusal.BytesNeeded) == (status, needed)


def test_a_revision_newer_than_we_know_is_judged_as_the_newest() -> None:
    """N/overview-of-ndis-support-for-header-versions.md: a newer revision may be read as an
    older one, so it needs that one's size."""
    newest = PARAMS.size_for(PARAMS.HIGHEST_REVISION)
    assert set_buffer_refusal(_set(_params(9, newest))) is None
    assert set_buffer_refusal(_set(_params(9, newest - 1))) is not None


def test_only_oids_with_a_known_structure_are_judged() -> None:
    assert set_buffer_refusal(NDIS_OID_REQUEST.set(0x00010101, None)) is None


@FAST
@given(
    type_=st.sampled_from([c.NDIS_OBJECT_TYPE_DEFAULT, c.NDIS_OBJECT_TYPE_OFFLOAD]),
    revision=st.integers(0, 9),
    size=st.integers(0, 64),
    length=st.integers(0, 64),
)
def test_a_set_is_refused_unless_its_revision_can_be_read_from_the_buffer(
    type_: int, revision: int, size: int, length: int
) -> None:
    """Accepted iff Type is right, Revision >= 1, Size covers the revision NDIS reads and the
    buffer covers Size; a retry with BytesNeeded is never refused for its length again."""
    request = _set(_params(revision, size, type_), length)
    refusal = set_buffer_refusal(request)
    read = min(max(revision, 1), PARAMS.HIGHEST_REVISION)
    ok = (
        type_ == c.NDIS_OBJECT_TYPE_DEFAULT
        and revision >= 1
        and size >= PARAMS.size_for(read)
        and length >= size
        and length >= PARAMS.size_for(1)
    )
    assert (refusal is None) == ok
    if refusal is not None and refusal.BytesNeeded:
        assert refusal.status == S.NDIS_STATUS_INVALID_LENGTH
        retry = set_buffer_refusal(
            attrs.evolve(request, InformationBufferLength=refusal.BytesNeeded)
        )
        assert retry is None or retry.status == S.NDIS_STATUS_INVALID_DATA


# ----------------------------------------------------------------------------------------------
# Queries


def _query(length: int, asked: Any = None) -> NDIS_OID_REQUEST:
    return NDIS_OID_REQUEST.query(
        Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
        InformationBufferLength=length,
        InformationBuffer=asked,
    )


def test_revision_fitting() -> None:
    assert revision_fitting(NDIS_OFFLOAD, 111) is None
    assert revision_fitting(NDIS_OFFLOAD, 112) == 1
    assert revision_fitting(NDIS_OFFLOAD, 156) == 3
    assert revision_fitting(NDIS_OFFLOAD, 176) == 3
    assert revision_fitting(NDIS_OFFLOAD, 216) == 7  # revisions 6 and 7 are both 216 bytes
    assert revision_fitting(NDIS_TCP_CONNECTION_OFFLOAD, 20) == 2


def test_a_156_byte_buffer_gets_a_revision_3_ndis_offload() -> None:
    """What real clients offer (a Hyper-V guest expects at least revision 3)."""
    answer = answer_query(HARDWARE, _query(c.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3))
    offload = answer.InformationBuffer
    assert answer.status == S.NDIS_STATUS_SUCCESS
    assert (answer.BytesWritten, answer.BytesNeeded) == (156, 0)
    assert offload.Header == NDIS_OFFLOAD.header_for(c.NDIS_OFFLOAD_REVISION_3)
    assert (offload.Checksum, offload.LsoV2, offload.IPsecV2, offload.Rsc) == (
        HARDWARE.Checksum, HARDWARE.LsoV2, HARDWARE.IPsecV2, HARDWARE.Rsc
    )  # fmt: skip
    newer = ("EncapsulatedPacketTaskOffloadVxlan", "UdpSegmentation", "UdpRsc")
    assert [getattr(offload, m) for m in newer] == [getattr(NDIS_OFFLOAD(), m) for m in newer]
    assert HARDWARE.UdpRsc.Enabled == 1  # so the line above drops something


def test_no_length_and_a_full_buffer_get_the_cached_structure_itself() -> None:
    for length in (0, 216, 4096):
        answer = answer_query(HARDWARE, _query(length))
        assert answer.InformationBuffer is HARDWARE
        assert answer.BytesWritten == HARDWARE.Header.Size


def test_a_buffer_too_short_for_revision_1_gets_buffer_too_short_with_the_full_size() -> None:
    """N/oid-tcp-offload-hardware-capabilities.md: BUFFER_TOO_SHORT; BytesNeeded is what a retry
    gets in full."""
    answer = answer_query(HARDWARE, _query(111))
    assert (answer.status, answer.BytesNeeded, answer.BytesWritten) == (
        S.NDIS_STATUS_BUFFER_TOO_SHORT, 216, 0
    )  # fmt: skip
    assert answer.InformationBuffer is None
    asked = answer_query(HARDWARE, _query(16, NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(2))))
    assert asked.BytesNeeded == 144


def test_the_callers_header_caps_the_revision_and_the_length_defaults_to_its_size() -> None:
    asked = NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(2))
    request = NDIS_OID_REQUEST.query(
        Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, InformationBuffer=asked
    )
    assert request.InformationBufferLength == 144
    assert answer_query(HARDWARE, request).InformationBuffer == at_revision(HARDWARE, 2)
    big = attrs.evolve(request, InformationBufferLength=4096)
    assert answer_query(HARDWARE, big).InformationBuffer.Header.Revision == 2
    # A header that fails the check is not a question: the length alone decides.
    garbage = NDIS_OFFLOAD(Header=NDIS_OBJECT_HEADER(Type=0, Revision=2, Size=144))
    assert answer_query(HARDWARE, _query(216, garbage)).InformationBuffer is HARDWARE


def test_nothing_newer_than_ndis_copy_is_invented() -> None:
    old = at_revision(HARDWARE, 2)
    answer = answer_query(old, _query(216, NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(7))))
    assert answer.InformationBuffer is old and answer.BytesWritten == 144


def test_the_connection_offload_pair_follows_the_same_rules() -> None:
    cached = NDIS_TCP_CONNECTION_OFFLOAD(Encapsulation=c.NDIS_ENCAPSULATION_IEEE_802_3)
    request = NDIS_OID_REQUEST.query(Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG)
    assert answer_query(cached, request).InformationBuffer is cached
    asked = NDIS_TCP_CONNECTION_OFFLOAD(Header=NDIS_TCP_CONNECTION_OFFLOAD.header_for(1))
    one = answer_query(cached, attrs.evolve(request, InformationBuffer=asked))
    assert one.InformationBuffer.Header.Revision == 1 and one.BytesWritten == 20
    short = answer_query(cached, attrs.evolve(request, InformationBufferLength=8))
    assert (short.status, short.BytesNeeded) == (S.NDIS_STATUS_BUFFER_TOO_SHORT, 20)


@FAST
@given(
    cached_revision=st.integers(1, NDIS_OFFLOAD.HIGHEST_REVISION),
    offload=hardware_offloads(),
    length=st.integers(0, 300),
    asked=st.none() | st.integers(1, 9),
)
def test_an_answer_is_the_cache_at_the_newest_revision_the_caller_can_take(
    cached_revision: int, offload: NDIS_OFFLOAD, length: int, asked: int | None
) -> None:
    """The answer encodes at exactly its revision's size, round-trips, is a prefix of the full
    image (newer revisions only append, N/overview-of-ndis-support-for-header-versions.md), and
    its revision is the newest allowed by NDIS's copy, the caller's header and the buffer."""
    cached = at_revision(offload, cached_revision)
    header = None
    if asked is not None:
        size = NDIS_OFFLOAD.size_for(min(asked, NDIS_OFFLOAD.HIGHEST_REVISION))
        header = NDIS_OFFLOAD(Header=NDIS_OBJECT_HEADER(Type=cached.Header.Type, Revision=asked,
                                                        Size=size))  # fmt: skip
    answer = answer_query(cached, _query(length, header))
    wanted = min(cached_revision, asked or cached_revision)
    fitting = revision_fitting(NDIS_OFFLOAD, length) if length else wanted
    if fitting is None:
        assert answer.status == S.NDIS_STATUS_BUFFER_TOO_SHORT
        assert answer.BytesNeeded == NDIS_OFFLOAD.size_for(wanted) > length
        return
    revision = min(wanted, fitting)
    buffer = answer.InformationBuffer
    assert answer.status == S.NDIS_STATUS_SUCCESS
    assert buffer.Header == NDIS_OFFLOAD.header_for(revision)
    data = encode(buffer)
    assert len(data) == NDIS_OFFLOAD.size_for(revision) == answer.BytesWritten
    assert not length or answer.BytesWritten <= length
    assert decode(NDIS_OFFLOAD, data) == buffer
    assert data[4:] == encode(cached)[4 : len(data)]
