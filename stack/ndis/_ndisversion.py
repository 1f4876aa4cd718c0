"""Which structure revisions a driver built for an NDIS version builds and reads.

A driver registers the NDIS version it was built for (its characteristics' MajorNdisVersion /
MinorNdisVersion), and that version decides the revision of each offload structure it fills in
and the newest one it can read: a driver "must report NDIS_OFFLOAD using the revision matching
their registered NDIS version (e.g. 6.1 -> REVISION_2)", and a receiver reads a newer structure
as the newest revision it knows, so the members a later revision added do not exist for it
[N/version-information-requirements-for-ndis-drivers.md,
N/overview-of-ndis-support-for-header-versions.md; spec 3.2 and 3.3 tables, which give the NDIS
version of each revision, D/ntddndis/ns-ntddndis-_ndis_offload.md and
D/ntddndis/ns-ntddndis-_ndis_offload_parameters.md].

``NDIS_VERSIONS`` lists each version we model with its two revisions.  A version between two
rows (6.40, 6.60, 6.80, 6.84 ...) adds no offload members and has its predecessor's revisions.
6.89's NDIS_OFFLOAD carries UdpRsc at an undocumented revision (spec A17), so it stays at
REVISION_7 here; its NDIS_OFFLOAD_PARAMETERS is REVISION_6 (UdpRsc.Enabled).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from stack.ndis import _constants as _c

__all__ = [  # re-exported by stack.ndis
    "NDIS_VERSIONS",
    "NdisVersionRevisions",
    "ndis_version_revisions",
    "parse_ndis_version",
]


@attrs.frozen(kw_only=True)
class NdisVersionRevisions:
    """The revisions a driver of NDIS ``version`` builds and reads."""

    version: str
    #: NDIS_OFFLOAD revision it reports (capabilities, current configuration) and reads.
    offload: int
    #: Newest NDIS_OFFLOAD_PARAMETERS revision it builds and reads.
    parameters: int


def _row(version: str, offload: int, parameters: int) -> NdisVersionRevisions:
    return NdisVersionRevisions(version=version, offload=offload, parameters=parameters)


#: Version -> revisions, oldest first (module docstring).
NDIS_VERSIONS: Final[Mapping[str, NdisVersionRevisions]] = MappingProxyType(
    {
        row.version: row
        for row in (
            _row("6.0", _c.NDIS_OFFLOAD_REVISION_1, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_1),
            _row("6.1", _c.NDIS_OFFLOAD_REVISION_2, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_2),
            _row("6.20", _c.NDIS_OFFLOAD_REVISION_2, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_2),
            _row("6.30", _c.NDIS_OFFLOAD_REVISION_3, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_3),
            _row("6.50", _c.NDIS_OFFLOAD_REVISION_4, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_4),
            _row("6.70", _c.NDIS_OFFLOAD_REVISION_5, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_4),
            _row("6.83", _c.NDIS_OFFLOAD_REVISION_6, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_5),
            _row("6.85", _c.NDIS_OFFLOAD_REVISION_7, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_5),
            _row("6.89", _c.NDIS_OFFLOAD_REVISION_7, _c.NDIS_OFFLOAD_PARAMETERS_REVISION_6),
        )
    }
)


def parse_ndis_version(version: str) -> tuple[int, int]:
    """``"6.20"`` -> (6, 20); ValueError for anything that is not an NDIS 6.x version.

    The minor number is the C MinorNdisVersion (6.1 is minor 1, 6.20 minor 20).
    """
    major, dot, minor = str(version).partition(".")
    if not (dot and major.isdigit() and minor.isdigit()) or int(major) != 6:
        raise ValueError(f"NDIS version {version!r} is not 6.<minor> (e.g. 6.20, 6.86)")
    return int(major), int(minor)


def ndis_version_revisions(version: str) -> NdisVersionRevisions:
    """The revisions of the newest ``NDIS_VERSIONS`` row not newer than ``version``."""
    wanted = parse_ndis_version(version)
    rows = [row for row in NDIS_VERSIONS.values() if parse_ndis_version(row.version) <= wanted]
    if not rows:  # pragma: no cover - 6.0 is the first row and minor >= 0
        raise ValueError(f"NDIS version {version!r} is older than 6.0")
    best = max(rows, key=lambda row: parse_ndis_version(row.version))
    return attrs.evolve(best, version=version)
