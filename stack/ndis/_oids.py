"""The OID and status-indication table: every per-OID and per-status fact NDIS acts on.

One rule governs this file, in the manner of h11's ``_state.py``: what NDIS does with an OID or a
status indication because of *which* OID or status it is lives here, as data, and nowhere else.
The NDIS library routes with it, the monitors and the administrator read it; code elsewhere asks
``oid_row(oid)`` / ``status_row(code)`` instead of keeping a set of its own.

Theory of operation
-------------------
An ``OidRow`` says, for one OID (spec 1.1 table, each row citing its page):

* per direction (query, set) who answers: ``Answer.CACHE`` -- NDIS from the view of the layer the
  request enters at (N/oid-tcp-offload-current-config.md: "NDIS handles this OID"; with filters
  the view below the requester, spec A15); ``Answer.OPEN`` -- NDIS from what that open itself set
  (N/oid-offload-encapsulation.md); ``Answer.DRIVER`` -- the driver below (a filter module, then
  the miniport); ``None`` -- the direction is not supported and NDIS completes it with
  ``NdisOptions.unsupported_request_status`` (spec 7.2 item 7);
* ``buffer``: the structure ``InformationBuffer`` carries (spec 1.1, "Buffer");
* ``slot``: for a cached query, which of NDIS's caches answers it;
* ``changes_configuration``: a successful set changes the offload configuration, so the miniport
  owes NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (N/ndis-status-task-offload-current-config.md);
* ``writes_keywords``: NDIS writes the standardized keywords from the buffer as it hands the set
  to the miniport (N/oid-tcp-offload-parameters.md), so it also refuses a set without that
  buffer with NDIS_STATUS_INVALID_DATA (it must read it);
* ``merged_across_opens``: NDIS keeps each open's set and merges them (spec A4, 5.3 IMPL);
* ``wmi_guid``: the WMI GUID NDIS maps to the OID (spec 6.1, H-SDK/ndisguid.h header names): a
  WMI method for a query-only row, a WMI set for a set-only one;
* ``injected_failures``: the statuses a correct miniport may fail a set it applies with, for the
  ``miniport.oid.fail`` fault site (N/oid-tcp-offload-parameters.md,
  D/ndis/nc-ndis-miniport_oid_request.md, D/ndis/nf-ndis-ndisoidrequest.md,
  N/oid-offload-encapsulation.md).

A ``StatusRow`` says, for one status indication (spec 2.1), the structure in ``StatusBuffer`` and
which cache slot NDIS updates from it (the current configuration, the hardware capabilities, or the
connection-offload pair; spec 5.3: the caches change only through attributes and indications).

An OID without a row (the related OIDs of spec 1.1, IPsec SAs, statistics) is outside the model:
NDIS passes it to the driver below in both directions.

Who reads the table (no other copy of these facts): the NDIS library (routing, cached answers,
cache updates from indications, keyword writes, the encapsulation merge), the monitors, the
administrator's WMI mapping, the filter base (``FilterStatus`` rewrites the CURRENT slot), the
MUX (which directions a virtual miniport refuses, its members' caches via ``cache_slot_of``),
the NIC model's ``miniport.oid.fail`` statuses (``INJECTED_FAILURES`` is a view of this table)
and TCP/IP's views (``cache_slot_of``).

Adding an OID touches these source files (measured for issue 9 by adding a query-only OID that
NDIS answers from a cache: the full non-slow suite then failed only in the tests that list the
rows and in the generated README glossary):

1. ``stack/ndis/_constants.py``: the ``Oid`` member and its module-level name;
2. ``stack/ndis/__init__.py``: the explicit re-export of the name;
3. ``stack/ndis/_oids.py``: its row;
4. ``stack/drivers/_miniport.py``, only if the row gives a direction to the driver and the NIC
   model is to answer it (otherwise the NIC completes it NOT_SUPPORTED).

Then regenerate the README glossary (``ndisemu names --markdown``) and add the OID to the lists in
``tests/ndis/test_oids.py``.  A new buffer *structure* is a separate change (``_structs.py``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from stack.ndis._constants import NdisStatus, Oid
from stack.ndis._link import NDIS_LINK_STATE
from stack.ndis._structs import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_TCP_CONNECTION_OFFLOAD,
)

__all__ = [  # re-exported by stack.ndis
    "GUID_NDIS_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG",
    "GUID_NDIS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES",
    "GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG",
    "GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES",
    "GUID_NDIS_TCP_OFFLOAD_PARAMETERS",
    "OIDS",
    "STATUSES",
    "WMI_GUIDS",
    "Answer",
    "CacheSlot",
    "OidRow",
    "StatusRow",
    "cache_slot_of",
    "oid_row",
    "status_row",
]


class Answer(enum.Enum):
    """Who answers one direction of an OID."""

    #: NDIS, from its cache of the view below the requester (spec A15 with filters).
    CACHE = "cache"
    #: NDIS, from the requesting open's own last successful set (N/oid-offload-encapsulation.md).
    OPEN = "open"
    #: The driver below: the next filter module with an OID handler, then the miniport.
    DRIVER = "driver"


class CacheSlot(enum.Enum):
    """One of the offload caches NDIS keeps per layer; the value is the attribute that holds it on
    NDIS's records (an adapter's miniport view, a filter module's view above it)."""

    CURRENT = "current"
    HARDWARE = "hardware"
    CONNECTION_CURRENT = "connection_current"
    CONNECTION_HARDWARE = "connection_hardware"

    @property
    def is_current(self) -> bool:
        """A current-configuration slot: the report a configuration change owes (the task one, or
        the connection one for the chimney members of a parameters set,
        N/using-the-tcp-ip-offload-administrator-interface.md)."""
        return self in (CacheSlot.CURRENT, CacheSlot.CONNECTION_CURRENT)


# Header names of H-SDK/ndisguid.h (spec 6.1); NDIS maps each to its OID.
GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG: Final = "GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG"
GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES: Final = "GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES"
GUID_NDIS_TCP_OFFLOAD_PARAMETERS: Final = "GUID_NDIS_TCP_OFFLOAD_PARAMETERS"
GUID_NDIS_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG: Final = (
    "GUID_NDIS_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG"
)
GUID_NDIS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES: Final = (
    "GUID_NDIS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES"
)


@attrs.frozen(kw_only=True)
class OidRow:
    """What NDIS knows about one OID (module docstring)."""

    oid: Oid
    query: Answer | None
    set: Answer | None
    buffer: type | None = None
    slot: CacheSlot | None = None
    changes_configuration: bool = False
    writes_keywords: bool = False
    merged_across_opens: bool = False
    wmi_guid: str | None = None
    injected_failures: tuple[NdisStatus, ...] = ()
    page: str

    def answer(self, is_query: bool) -> Answer | None:
        """Who answers this direction (None: not supported)."""
        return self.query if is_query else self.set

    @property
    def wmi_operation(self) -> str | None:
        """``method`` for the GUID of a queried OID, ``set`` for a set-only one's."""
        if self.wmi_guid is None:
            return None
        return "method" if self.query is not None else "set"


@attrs.frozen(kw_only=True)
class StatusRow:
    """What NDIS knows about one status indication (module docstring)."""

    status: NdisStatus
    buffer: type | None = None
    slot: CacheSlot | None = None
    page: str


_S = NdisStatus
_CACHE, _OPEN, _DRIVER = Answer.CACHE, Answer.OPEN, Answer.DRIVER

#: One row per OID of the configuration interface (spec 1.1), in the spec's order.
OIDS: Final[Mapping[Oid, OidRow]] = MappingProxyType(
    {
        row.oid: row
        for row in (
            OidRow(
                oid=Oid.OID_TCP_OFFLOAD_PARAMETERS,
                query=None,
                set=_DRIVER,
                buffer=NDIS_OFFLOAD_PARAMETERS,
                changes_configuration=True,
                writes_keywords=True,
                wmi_guid=GUID_NDIS_TCP_OFFLOAD_PARAMETERS,
                # The page's INVALID_DATA and NOT_SUPPORTED, the generic RESOURCES and FAILURE,
                # then what open miniports return: INVALID_PARAMETER (NetAdapterCx
                # translator/nxoffload.cpp SetActiveCapabilities, FnMp miniport.c, netkvm
                # ParaNdis6_Oid.cpp) and BUFFER_TOO_SHORT with BytesNeeded for a buffer shorter
                # than the driver's structure (netkvm ParaNdis6_Oid.cpp); the miniport offers the
                # last one only for such a buffer.
                injected_failures=(
                    _S.NDIS_STATUS_INVALID_DATA,
                    _S.NDIS_STATUS_NOT_SUPPORTED,
                    _S.NDIS_STATUS_RESOURCES,
                    _S.NDIS_STATUS_FAILURE,
                    _S.NDIS_STATUS_INVALID_PARAMETER,
                    _S.NDIS_STATUS_BUFFER_TOO_SHORT,
                ),
                page="N/oid-tcp-offload-parameters.md",
            ),
            OidRow(
                oid=Oid.OID_TCP_OFFLOAD_CURRENT_CONFIG,
                query=_CACHE,
                set=None,
                buffer=NDIS_OFFLOAD,
                slot=CacheSlot.CURRENT,
                wmi_guid=GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG,
                page="N/oid-tcp-offload-current-config.md",
            ),
            OidRow(
                oid=Oid.OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
                query=_CACHE,
                set=None,
                buffer=NDIS_OFFLOAD,
                slot=CacheSlot.HARDWARE,
                wmi_guid=GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
                page="N/oid-tcp-offload-hardware-capabilities.md",
            ),
            OidRow(
                oid=Oid.OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG,
                query=_CACHE,
                set=None,
                buffer=NDIS_TCP_CONNECTION_OFFLOAD,
                slot=CacheSlot.CONNECTION_CURRENT,
                wmi_guid=GUID_NDIS_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG,
                page="N/oid-tcp-connection-offload-current-config.md",
            ),
            OidRow(
                oid=Oid.OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
                query=_CACHE,
                set=None,
                buffer=NDIS_TCP_CONNECTION_OFFLOAD,
                slot=CacheSlot.CONNECTION_HARDWARE,
                wmi_guid=GUID_NDIS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
                page="N/oid-tcp-connection-offload-hardware-capabilities.md",
            ),
            OidRow(
                oid=Oid.OID_OFFLOAD_ENCAPSULATION,
                query=_OPEN,
                set=_DRIVER,
                buffer=NDIS_OFFLOAD_ENCAPSULATION,
                changes_configuration=True,
                merged_across_opens=True,
                # An encapsulation set may not fail INVALID_PARAMETER while some offload supports
                # the encapsulation (N/oid-offload-encapsulation.md; the encapsulation-result
                # monitor): the two generic failures, and NOT_SUPPORTED, which the page reserves
                # for miniports without task offload but open drivers return with it
                # (NetAdapterCx translator/nxoffload.cpp SetEncapsulation, FnMp oid.c for a
                # header it does not take), so a protocol must survive it.
                injected_failures=(
                    _S.NDIS_STATUS_RESOURCES,
                    _S.NDIS_STATUS_FAILURE,
                    _S.NDIS_STATUS_NOT_SUPPORTED,
                ),
                page="N/oid-offload-encapsulation.md",
            ),
            # Chimney parameters: the query's owner is ambiguous (spec A7) and its structure is
            # not modelled; both directions go to the driver, which answers NOT_SUPPORTED.
            OidRow(
                oid=Oid.OID_TCP_CONNECTION_OFFLOAD_PARAMETERS,
                query=_DRIVER,
                set=_DRIVER,
                page="N/oid-tcp-connection-offload-parameters.md",
            ),
            # NDIS 5.x legacy: query and set both go to the miniport (spec 1.8).
            OidRow(
                oid=Oid.OID_TCP_TASK_OFFLOAD,
                query=_DRIVER,
                set=_DRIVER,
                page="N/oid-tcp-task-offload.md",
            ),
        )
    }
)

#: One row per offload status indication (spec 2.1).
STATUSES: Final[Mapping[NdisStatus, StatusRow]] = MappingProxyType(
    {
        row.status: row
        for row in (
            StatusRow(
                status=_S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
                buffer=NDIS_OFFLOAD,
                slot=CacheSlot.CURRENT,
                page="N/ndis-status-task-offload-current-config.md",
            ),
            StatusRow(
                status=_S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES,
                buffer=NDIS_OFFLOAD,
                slot=CacheSlot.HARDWARE,
                page="N/ndis-status-task-offload-hardware-capabilities.md",
            ),
            # The encapsulation change is reported, not cached: the OID_OFFLOAD_ENCAPSULATION query
            # answers each open's own set (spec A4).
            StatusRow(
                status=_S.NDIS_STATUS_OFFLOAD_ENCASPULATION_CHANGE,
                buffer=NDIS_OFFLOAD_ENCAPSULATION,
                page="N/ndis-status-offload-encaspulation-change.md",
            ),
            StatusRow(
                status=_S.NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES,
                buffer=NDIS_TCP_CONNECTION_OFFLOAD,
                slot=CacheSlot.CONNECTION_HARDWARE,
                page="N/ndis-status-tcp-connection-offload-hardware-capabilities.md",
            ),
            StatusRow(
                status=_S.NDIS_STATUS_OFFLOAD_PAUSE,
                page="D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md",
            ),
            StatusRow(
                status=_S.NDIS_STATUS_UPLOAD_ALL,
                page="D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md",
            ),
            # RESUME carries the new connection-offload configuration (spec A16: NDIS accepts the
            # buffer and updates its cache).
            StatusRow(
                status=_S.NDIS_STATUS_OFFLOAD_RESUME,
                buffer=NDIS_TCP_CONNECTION_OFFLOAD,
                slot=CacheSlot.CONNECTION_CURRENT,
                page="D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md",
            ),
            # A general status, not an offload one: NDIS passes it to every bound protocol and
            # caches nothing of the offload configuration from it (N/ndis-status-link-state.md).
            StatusRow(
                status=_S.NDIS_STATUS_LINK_STATE,
                buffer=NDIS_LINK_STATE,
                page="N/ndis-status-link-state.md",
            ),
        )
    }
)

#: WMI GUID -> the row of the OID NDIS maps it to.
WMI_GUIDS: Final[Mapping[str, OidRow]] = MappingProxyType(
    {row.wmi_guid: row for row in OIDS.values() if row.wmi_guid is not None}
)


def oid_row(oid: int) -> OidRow | None:
    """The row of ``oid``, or None for an OID outside the table (it goes to the driver)."""
    try:
        return OIDS.get(Oid(oid))
    except ValueError:
        return None


def status_row(status: int) -> StatusRow | None:
    """The row of status code ``status``, or None for a status NDIS only passes on."""
    try:
        return STATUSES.get(NdisStatus(status))
    except ValueError:
        return None


def cache_slot_of(status: int, buffer: object) -> CacheSlot | None:
    """The cache slot an indication of ``status`` carrying ``buffer`` updates: the row's slot,
    if the buffer is the row's structure (spec 5.3; spec A16 for OFFLOAD_RESUME's buffer).  A
    driver that keeps its own copy of what is below it (a MUX of its members, a protocol of its
    binding) updates the same slot from the same indications as NDIS does."""
    row = status_row(status)
    if row is None or row.slot is None or row.buffer is None:
        return None
    return row.slot if isinstance(buffer, row.buffer) else None
