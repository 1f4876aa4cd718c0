"""The OID and status table is the one place per-OID facts live, and it is consistent with itself,
with the structures it names and with the docs' rules it transcribes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack import ndis
from stack.drivers import INJECTED_FAILURES
from stack.ndis import (
    NDIS_OFFLOAD,
    OID_BUFFER_TYPES,
    OIDS,
    STATUS_BUFFER_TYPES,
    STATUSES,
    STRUCTURES,
    WMI_GUIDS,
    Answer,
    CacheSlot,
    NdisStatus,
    Oid,
    StatusRow,
    cache_slot_of,
    oid_row,
    status_row,
)
from stack.runtime import FilterModule, OffloadView
from stack.runtime._ndis_library import AdapterRecord

#: The configuration OIDs of spec 1.1's summary table.
CORE = (
    Oid.OID_TCP_OFFLOAD_PARAMETERS,
    Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
    Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG,
    Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
    Oid.OID_OFFLOAD_ENCAPSULATION,
    Oid.OID_TCP_CONNECTION_OFFLOAD_PARAMETERS,
    Oid.OID_TCP_TASK_OFFLOAD,
)


def test_every_oid_of_the_configuration_table_has_exactly_one_row() -> None:
    assert tuple(OIDS) == CORE
    assert all(row.oid is oid for oid, row in OIDS.items())


def test_every_oid_with_a_buffer_type_has_a_row_naming_that_structure() -> None:
    for oid, buffer in OID_BUFFER_TYPES.items():
        assert OIDS[oid].buffer is buffer
    for row in OIDS.values():
        if row.buffer is not None:
            assert row.buffer.C_NAME in STRUCTURES  # type: ignore[attr-defined]


def test_every_status_with_a_buffer_type_has_a_row_naming_that_structure() -> None:
    for status, buffer in STATUS_BUFFER_TYPES.items():
        assert STATUSES[status].buffer is buffer


def test_wmi_guids_are_unique_and_each_maps_one_direction() -> None:
    guids = [row.wmi_guid for row in OIDS.values() if row.wmi_guid is not None]
    assert len(guids) == len(set(guids)) == len(WMI_GUIDS)
    for guid, row in WMI_GUIDS.items():
        assert guid.startswith("GUID_NDIS_") and getattr(ndis, guid) == guid
        # a WMI method reads a query-only OID, a WMI set writes a set-only one (spec 6.1)
        assert (row.query is None) != (row.set is None)
        assert row.wmi_operation == ("method" if row.query is not None else "set")


def test_cached_queries_name_a_slot_every_layer_record_has() -> None:
    cached = [row for row in OIDS.values() if row.query is Answer.CACHE]
    assert {row.oid for row in cached} == {
        Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
        Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
        Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG,
        Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
    }
    for row in cached:
        assert row.slot is not None and row.set is None  # query only
        for layer in (AdapterRecord, FilterModule, OffloadView):
            assert row.slot.value in attrs_names(layer)


def attrs_names(cls: type) -> set[str]:
    import attrs

    return {field.name for field in attrs.fields(cls)}


def test_a_status_updates_the_slot_of_the_query_that_reads_it() -> None:
    """What an indication caches is what the matching cached query answers: same structure."""
    readers = {row.slot: row.buffer for row in OIDS.values() if row.query is Answer.CACHE}
    for row in STATUSES.values():
        if row.slot is not None:
            assert row.buffer is readers[row.slot], row.status.name
    assert {row.slot for row in STATUSES.values() if row.slot} == set(CacheSlot)


def test_only_the_current_slots_are_configuration_reports() -> None:
    reports = {row.status for row in STATUSES.values() if row.slot and row.slot.is_current}
    assert reports == {
        NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
        NdisStatus.NDIS_STATUS_OFFLOAD_RESUME,
    }


def test_configuration_sets_go_to_the_driver_and_owe_an_indication() -> None:
    changing = {row.oid for row in OIDS.values() if row.changes_configuration}
    assert changing == {Oid.OID_TCP_OFFLOAD_PARAMETERS, Oid.OID_OFFLOAD_ENCAPSULATION}
    for oid in changing:
        assert OIDS[oid].set is Answer.DRIVER


def test_ndis_writes_keywords_only_for_the_parameters_set() -> None:
    writers = [row for row in OIDS.values() if row.writes_keywords]
    assert [row.oid for row in writers] == [Oid.OID_TCP_OFFLOAD_PARAMETERS]
    assert writers[0].buffer is ndis.NDIS_OFFLOAD_PARAMETERS


def test_the_encapsulation_query_answers_the_open_and_its_sets_are_merged() -> None:
    row = OIDS[Oid.OID_OFFLOAD_ENCAPSULATION]
    assert row.query is Answer.OPEN and row.set is Answer.DRIVER and row.merged_across_opens
    assert [r.oid for r in OIDS.values() if r.merged_across_opens] == [row.oid]


def test_injected_failures_are_failures_the_pages_allow() -> None:
    for row in OIDS.values():
        for status in row.injected_failures:
            assert status not in (NdisStatus.NDIS_STATUS_SUCCESS, NdisStatus.NDIS_STATUS_PENDING)
        if row.injected_failures:
            assert row.changes_configuration
    encapsulation = OIDS[Oid.OID_OFFLOAD_ENCAPSULATION].injected_failures
    # N/oid-offload-encapsulation.md: INVALID_PARAMETER is the rule's; NOT_SUPPORTED is what
    # NetAdapterCx and FnMp return although the page makes the OID mandatory with offload
    assert NdisStatus.NDIS_STATUS_INVALID_PARAMETER not in encapsulation
    assert NdisStatus.NDIS_STATUS_NOT_SUPPORTED in encapsulation


def test_the_miniports_injected_failures_are_the_tables() -> None:
    """``stack.drivers.INJECTED_FAILURES`` is a view of the table, not a copy (issue 9)."""
    table = {oid: row.injected_failures for oid, row in OIDS.items() if row.injected_failures}
    assert dict(INJECTED_FAILURES) == table
    assert list(INJECTED_FAILURES) == [
        Oid.OID_TCP_OFFLOAD_PARAMETERS,
        Oid.OID_OFFLOAD_ENCAPSULATION,
    ]


@pytest.mark.parametrize("row", list(STATUSES.values()), ids=lambda r: r.status.name)
def test_cache_slot_of_names_the_rows_slot_only_for_the_rows_structure(row: StatusRow) -> None:
    """What a MUX or a protocol copies from an indication is what NDIS caches from it."""
    right = row.buffer() if row.buffer is not None else None
    assert cache_slot_of(row.status, right) is (row.slot if right is not None else None)
    assert cache_slot_of(row.status, b"not a structure") is None
    assert cache_slot_of(row.status, None) is None


def test_cache_slot_of_a_status_outside_the_table_is_none() -> None:
    assert cache_slot_of(NdisStatus.NDIS_STATUS_SUCCESS, NDIS_OFFLOAD()) is None
    assert cache_slot_of(0x4001000B, NDIS_OFFLOAD()) is None  # NDIS_STATUS_MEDIA_CONNECT


def test_every_row_cites_a_docs_page() -> None:
    for row in (*OIDS.values(), *STATUSES.values()):
        assert row.page.startswith(("N/", "D/")) and row.page.endswith(".md")


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_lookups_never_raise_and_unknown_codes_have_no_row(value: int) -> None:
    row = oid_row(value)
    assert row is None or row.oid == value
    status = status_row(value)
    assert status is None or status.status == value


def test_related_oids_outside_the_table_have_no_row() -> None:
    for oid in Oid:
        if oid not in CORE:
            assert oid_row(oid) is None
