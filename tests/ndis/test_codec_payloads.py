"""NDIS_OID_REQUEST and NDIS_STATUS_INDICATION: pointer-free bus payloads, never codec'd."""

from __future__ import annotations

import pytest

from stack import ndis
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OID_REQUEST,
    NDIS_STATUS_INDICATION,
    NdisRequestType,
    NdisStatus,
    Oid,
)


def test_a_query_carries_no_buffer_and_a_full_size_length() -> None:
    req = NDIS_OID_REQUEST.query(Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG, RequestHandle="tcpip")
    assert req.RequestType is NdisRequestType.NdisRequestQueryInformation
    assert req.Oid is Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG
    assert req.InformationBuffer is None
    assert req.InformationBufferLength == ndis.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_7
    assert req.Header == ndis.NDIS_OBJECT_HEADER(
        Type=ndis.NDIS_OBJECT_TYPE_OID_REQUEST,
        Revision=ndis.NDIS_OID_REQUEST_REVISION_1,
        Size=ndis.NDIS_SIZEOF_OID_REQUEST_REVISION_1,
    )
    assert req.is_query


def test_a_set_carries_the_structure_and_its_header_size() -> None:
    params = NDIS_OFFLOAD_PARAMETERS(Header=NDIS_OFFLOAD_PARAMETERS.header_for(3), IPv4Checksum=4)
    req = NDIS_OID_REQUEST.set(ndis.OID_TCP_OFFLOAD_PARAMETERS, params, RequestId=7)
    assert req.RequestType is NdisRequestType.NdisRequestSetInformation
    assert req.InformationBuffer is params
    assert req.InformationBufferLength == 26
    assert not req.is_query


def test_completing_a_set_reports_bytes_read_and_the_revision_honoured() -> None:
    params = NDIS_OFFLOAD_PARAMETERS(Header=NDIS_OFFLOAD_PARAMETERS.header_for(3))
    done = NDIS_OID_REQUEST.set(ndis.OID_TCP_OFFLOAD_PARAMETERS, params).completed()
    assert (done.BytesRead, done.SupportedRevision, done.BytesNeeded) == (26, 3, 0)


def test_completing_a_query_returns_the_answer_and_bytes_written() -> None:
    answer = NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(5))
    req = NDIS_OID_REQUEST.query(ndis.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES)
    done = req.completed(InformationBuffer=answer)
    assert done.InformationBuffer is answer
    assert done.BytesWritten == 188


def test_a_too_short_completion_reports_only_bytes_needed() -> None:
    req = NDIS_OID_REQUEST.query(ndis.OID_TCP_OFFLOAD_CURRENT_CONFIG, InformationBufferLength=4)
    done = req.completed(BytesNeeded=216)
    assert (done.BytesNeeded, done.BytesWritten) == (216, 0)


def test_unknown_oids_and_statuses_stay_plain_integers() -> None:
    assert NDIS_OID_REQUEST(Oid=0x00010101).Oid == 0x00010101
    assert NDIS_STATUS_INDICATION(StatusCode=0x40010017).StatusCode == 0x40010017


def test_an_indication_defaults_to_broadcast_with_the_buffer_size() -> None:
    ind = NDIS_STATUS_INDICATION.indicate(
        "miniport0", NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, NDIS_OFFLOAD()
    )
    assert ind.DestinationHandle == ""
    assert ind.StatusBufferSize == 216
    assert ind.Header.Type == ndis.NDIS_OBJECT_TYPE_STATUS_INDICATION
    assert ind.Header.Size == ndis.NDIS_SIZEOF_STATUS_INDICATION_REVISION_1
    assert ndis.STATUS_BUFFER_TYPES[ind.StatusCode] is NDIS_OFFLOAD  # type: ignore[index]


def test_a_directed_indication_needs_a_request_id() -> None:
    with pytest.raises(ValueError, match="RequestId"):
        NDIS_STATUS_INDICATION.indicate(
            "mp", NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, DestinationHandle="tcpip"
        )


def test_payloads_are_not_byte_codecd() -> None:
    with pytest.raises(TypeError):
        ndis.encode(NDIS_OID_REQUEST())
    assert "NDIS_OID_REQUEST" not in ndis.STRUCTURES


def test_each_configuration_oid_names_its_buffer_structure() -> None:
    assert ndis.OID_BUFFER_TYPES[Oid.OID_TCP_OFFLOAD_PARAMETERS] is NDIS_OFFLOAD_PARAMETERS
    assert ndis.OID_BUFFER_TYPES[Oid.OID_OFFLOAD_ENCAPSULATION] is ndis.NDIS_OFFLOAD_ENCAPSULATION
