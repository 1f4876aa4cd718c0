"""The NDIS-version table: which revisions a driver of each version builds and reads."""

from __future__ import annotations

import itertools

import pytest

from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_VERSIONS,
    ndis_version_revisions,
    parse_ndis_version,
)


def test_rows_are_oldest_first_and_revisions_never_go_back() -> None:
    rows = list(NDIS_VERSIONS.values())
    keys = [parse_ndis_version(r.version) for r in rows]
    assert keys == sorted(keys)
    for older, newer in itertools.pairwise(rows):
        assert older.offload <= newer.offload and older.parameters <= newer.parameters


def test_every_revision_is_one_the_structures_know() -> None:
    for row in NDIS_VERSIONS.values():
        assert row.offload in NDIS_OFFLOAD.REVISION_SIZES
        assert row.parameters in NDIS_OFFLOAD_PARAMETERS.REVISION_SIZES


@pytest.mark.parametrize(
    ("version", "offload", "parameters"),
    [
        # N/version-information-requirements-for-ndis-drivers.md: 6.1 -> NDIS_OFFLOAD_REVISION_2
        ("6.1", 2, 2),
        ("6.20", 2, 2),
        ("6.30", 3, 3),  # RSC and NVGRE need REVISION_3
        ("6.40", 3, 3),  # between rows: its predecessor's
        ("6.83", 6, 5),  # USO
        ("6.86", 7, 5),
        ("6.89", 7, 6),  # UdpRsc.Enabled in the parameters
    ],
)
def test_a_version_gets_the_revisions_of_the_newest_row_not_newer(
    version: str, offload: int, parameters: int
) -> None:
    row = ndis_version_revisions(version)
    assert (row.version, row.offload, row.parameters) == (version, offload, parameters)


def test_6_1_is_older_than_6_20() -> None:
    assert parse_ndis_version("6.1") < parse_ndis_version("6.20")


@pytest.mark.parametrize("bad", ["5.1", "6", "six.20", "6.x", "", "7.0"])
def test_anything_but_6_minor_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="NDIS version"):
        ndis_version_revisions(bad)
