"""The invariants of spec 7.2 that are predicates on structures, and their registry.

Each predicate is pure and returns None when the invariant holds, or a one-line reason (lowercase,
no trailing period, offending values shown) when it does not.  ``INVARIANTS`` gives every one a
stable id, its number in spec 7.2, the docs page it comes from and a one-line explanation, so that
the runtime's monitors can print them when they fire.  The *temporal* invariants of 7.2 (an
indication after a change, serialization, completion hygiene ...) need a history and live in the
runtime; only their structural parts are here.

``config_invariants()`` lists the ones a monitor can check on what NDIS caches for an adapter:
their ``check`` takes ``(current, hardware)`` (``hardware`` may be None before it is known).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from stack.ndis import _constants as c
from stack.ndis._aggregate import capability_excess
from stack.ndis._constants import NdisStatus
from stack.ndis._requests import NDIS_OID_REQUEST
from stack.ndis._rules import (
    changed_members,
    encapsulation_result,
    ethernet_supported_offloads,
    ipsec_enabled,
    is_all_no_change,
    lso_enabled,
)
from stack.ndis._structs import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_TCP_CONNECTION_OFFLOAD,
)

__all__ = [  # re-exported by stack.ndis
    "INVARIANTS",
    "Invariant",
    "InvariantKind",
    "check_current_within_hardware",
    "check_encapsulation_result",
    "check_ethernet_always",
    "check_header",
    "check_lso_capability_implies_tx_checksum",
    "check_lsov1_size_cap",
    "check_no_change_inert",
    "check_no_lso_with_ipsec",
    "check_offload_headers",
    "check_supported_revision",
    "config_invariants",
]

#: LSOv1 "max offload size <= 64K" (N/combining-types-of-task-offloads.md).
LSOV1_MAX_OFFLOAD_SIZE: Final = 65536


# ----------------------------------------------------------------------------------------------
# 1. Current within hardware


def check_current_within_hardware(
    current: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None
) -> str | None:
    """INV-1: the current configuration never claims more than the hardware capabilities.

    Member by member in the capability order of ``_aggregate`` (a feature bit on only if the
    hardware has it, masks a subset, MaxOffLoadSize not above, MinSegmentCount not below ...).
    """
    if hardware is None:
        return None
    for path, cur, limit in capability_excess(current, hardware):
        return f"current {path} = {cur} exceeds hardware capability {limit}"
    return None


# ----------------------------------------------------------------------------------------------
# 2. Ethernet always


def _ethernet_missing(offload: NDIS_OFFLOAD) -> str | None:
    for path, mask in ethernet_supported_offloads(offload):
        if not mask & c.NDIS_ENCAPSULATION_IEEE_802_3:
            return f"{path} is supported but its Encapsulation 0x{mask:X} lacks IEEE_802_3"
    return None


def check_ethernet_always(
    current: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None = None
) -> str | None:
    """INV-2: every offload reported as supported lists NDIS_ENCAPSULATION_IEEE_802_3."""
    for label, offload in (("current", current), ("hardware", hardware)):
        if offload is not None:
            reason = _ethernet_missing(offload)
            if reason is not None:
                return f"{label} {reason}"
    return None


# ----------------------------------------------------------------------------------------------
# 11. No LSO with IPsec


def check_no_lso_with_ipsec(
    current: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None = None
) -> str | None:
    """INV-11: LSO and IPsec offload are never both on, except IPsecV2 with LsoSupported.

    N/combining-types-of-task-offloads.md ("either IPsec or LSO, but not both"); the exception
    is D/ntddndis/ns-ntddndis-_ndis_ipsec_offload_v2.md (LsoSupported: the LSO capabilities are
    also valid on IPsec-secured connections).
    """
    lso = lso_enabled(current)
    ipsec = [
        i for i in ipsec_enabled(current) if i != "IPsecV2" or not current.IPsecV2.LsoSupported
    ]
    if lso and ipsec:
        return f"current has {', '.join(lso)} and {', '.join(ipsec)} on together"
    return None


# ----------------------------------------------------------------------------------------------
# 12. LSO implies checksum


def check_lso_capability_implies_tx_checksum(
    current: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None = None
) -> str | None:
    """INV-12, on capabilities: LSO support implies transmit IP/TCP checksum support.

    "An LSOV1-capable NIC must support V4 TCP and IPv4 checksum transmit offload services"; "a
    LSOV2-capable miniport adapter must support TCP and IP Checksum transmit offload"
    (N/combining-types-of-task-offloads.md); IPv6 has no IP checksum, so LSOv2 over IPv6 needs TCP
    checksum over IPv6.  This is checked on the hardware capabilities only: as a *configuration*,
    transmit checksum may be off while LSO is on (N/offloading-checksum-tasks.md; see _rules).
    """
    if hardware is None:
        return None
    tx4, tx6 = hardware.Checksum.IPv4Transmit, hardware.Checksum.IPv6Transmit
    needs = {
        "LsoV1.IPv4": (tx4, ("IpChecksum", "TcpChecksum"), "IPv4Transmit"),
        "LsoV2.IPv4": (tx4, ("IpChecksum", "TcpChecksum"), "IPv4Transmit"),
        "LsoV2.IPv6": (tx6, ("TcpChecksum",), "IPv6Transmit"),
    }
    for block in lso_enabled(hardware):
        checksum, bits, name = needs[block]
        missing = [b for b in bits if getattr(checksum, b) != c.NDIS_OFFLOAD_SUPPORTED]
        if missing:
            return f"hardware supports {block} but not Checksum.{name}.{'/'.join(missing)}"
    return None


# ----------------------------------------------------------------------------------------------
# 13. LSOv1 size cap


def check_lsov1_size_cap(current: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None = None) -> str | None:
    """INV-13: LsoV1.IPv4.MaxOffLoadSize <= 64K in every view."""
    for label, offload in (("current", current), ("hardware", hardware)):
        if offload is not None and offload.LsoV1.IPv4.MaxOffLoadSize > LSOV1_MAX_OFFLOAD_SIZE:
            size = offload.LsoV1.IPv4.MaxOffLoadSize
            return f"{label} LsoV1.IPv4.MaxOffLoadSize = {size} is above {LSOV1_MAX_OFFLOAD_SIZE}"
    return None


# ----------------------------------------------------------------------------------------------
# 18. Header validity

_HEADER_RULES: Final[Mapping[str, tuple[int, Mapping[int, int]]]] = MappingProxyType(
    {
        cls.C_NAME: (cls.OBJECT_TYPE, cls.REVISION_SIZES)
        for cls in (
            NDIS_OFFLOAD,
            NDIS_OFFLOAD_PARAMETERS,
            NDIS_OFFLOAD_ENCAPSULATION,
            NDIS_TCP_CONNECTION_OFFLOAD,
            NDIS_OID_REQUEST,
        )
    }
    | {
        "NDIS_STATUS_INDICATION": (
            c.NDIS_OBJECT_TYPE_STATUS_INDICATION,
            MappingProxyType(
                {c.NDIS_STATUS_INDICATION_REVISION_1: c.NDIS_SIZEOF_STATUS_INDICATION_REVISION_1}
            ),
        )
    }
)


def check_header(structure: Any) -> str | None:
    """INV-18: the right Type, a known Revision, and a Size at least that revision's size.

    N/overview-of-ndis-support-for-header-versions.md: Size must be at least
    NDIS_SIZEOF_Xxx_REVISION_n for the claimed revision, and "a higher revision than the receiver
    knows may be treated as an older one" -- so a revision above the highest we know is judged
    by the highest one.  Revision 0 is never valid.  Applies to NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS, NDIS_OFFLOAD_ENCAPSULATION, NDIS_TCP_CONNECTION_OFFLOAD,
    NDIS_OID_REQUEST and NDIS_STATUS_INDICATION.
    """
    name = getattr(type(structure), "C_NAME", type(structure).__name__)
    if name not in _HEADER_RULES:
        return f"{name} is not a header-bearing structure we check"
    object_type, sizes = _HEADER_RULES[name]
    header = structure.Header
    if header.Type != object_type:
        return f"{name}.Header.Type = 0x{header.Type:02X}, expected 0x{object_type:02X}"
    if header.Revision < 1:
        return f"{name}.Header.Revision = {header.Revision} is not a revision"
    known = min(header.Revision, max(sizes))
    if header.Size < sizes[known]:
        return (
            f"{name}.Header.Size = {header.Size} is below NDIS_SIZEOF for revision "
            f"{header.Revision} ({sizes[known]})"
        )
    return None


def check_offload_headers(
    current: NDIS_OFFLOAD, hardware: NDIS_OFFLOAD | None = None
) -> str | None:
    """INV-18 for the two NDIS_OFFLOAD views NDIS caches."""
    for label, offload in (("current", current), ("hardware", hardware)):
        if offload is not None:
            reason = check_header(offload)
            if reason is not None:
                return f"{label} {reason}"
    return None


def check_supported_revision(request_revision: int, supported_revision: int) -> str | None:
    """INV-18, second half: a successful set fills SupportedRevision, at most the request's.

    N/version-information-requirements-for-ndis-drivers.md and
    N/handling-oid-requests-in-a-miniport-adapter.md: the handler sets SupportedRevision to the
    revision it honoured, which cannot be newer than the structure it was given.
    """
    if supported_revision < 1:
        return "a successful set left SupportedRevision at 0"
    if supported_revision > request_revision:
        return (
            f"SupportedRevision {supported_revision} is above the request's revision "
            f"{request_revision}"
        )
    return None


# ----------------------------------------------------------------------------------------------
# 6. NO_CHANGE is inert


def check_no_change_inert(
    before: NDIS_OFFLOAD, after: NDIS_OFFLOAD, params: NDIS_OFFLOAD_PARAMETERS
) -> str | None:
    """INV-6: a parameters set with every member NO_CHANGE leaves the configuration bit-identical.

    D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md.  ``before``/``after`` are the current
    configurations around the set (``after`` = what the next indication reports).
    """
    if not is_all_no_change(params) or before == after:
        return None
    changed = changed_members(before, after)
    return f"an all-NO_CHANGE set changed {', '.join(changed[:3]) or 'the header'}"


# ----------------------------------------------------------------------------------------------
# 10. Encapsulation result rule

_RULED: Final = frozenset(
    {
        NdisStatus.NDIS_STATUS_SUCCESS,
        NdisStatus.NDIS_STATUS_INVALID_PARAMETER,
        NdisStatus.NDIS_STATUS_INVALID_DATA,
    }
)


def check_encapsulation_result(
    offload: NDIS_OFFLOAD, request: NDIS_OFFLOAD_ENCAPSULATION, status: int
) -> str | None:
    """INV-10: an OID_OFFLOAD_ENCAPSULATION set completes as ``encapsulation_result`` says.

    N/oid-offload-encapsulation.md.  Only the statuses the rule decides are judged (SUCCESS,
    INVALID_PARAMETER, INVALID_DATA); NDIS_STATUS_NOT_SUPPORTED is allowed only from a miniport
    with no task offload at all ("if a miniport driver does not support offload and this OID");
    PENDING and the generic statuses (REQUEST_ABORTED, NOT_ACCEPTED, RESOURCES ...) are not
    about this rule.
    """
    expected = encapsulation_result(offload, request)
    if status == NdisStatus.NDIS_STATUS_NOT_SUPPORTED:
        if any(True for _ in ethernet_supported_offloads(offload)):
            return "OID_OFFLOAD_ENCAPSULATION failed NOT_SUPPORTED although offloads are supported"
        return None
    if status in _RULED and status != expected:
        got = NdisStatus(status).name
        return f"OID_OFFLOAD_ENCAPSULATION completed {got}, the rule gives {expected.name}"
    return None


# ----------------------------------------------------------------------------------------------
# Registry


class InvariantKind(enum.Enum):
    """What a predicate takes, so that a monitor knows when and how to call it."""

    #: ``check(current, hardware | None)``: what NDIS caches for an adapter.
    CONFIG = "config"
    #: ``check(before, after, params)``: around a successful OID_TCP_OFFLOAD_PARAMETERS set.
    PARAMETERS = "parameters"
    #: ``check(offload, request, status)``: an OID_OFFLOAD_ENCAPSULATION set's completion.
    ENCAPSULATION = "encapsulation"
    #: ``check(structure)``: any header-bearing structure on the bus.
    HEADER = "header"
    #: ``check(request_revision, supported_revision)``: a successful set's completion.
    REVISION = "revision"


@attrs.frozen(kw_only=True)
class Invariant:
    """One invariant: stable id, spec 7.2 number, docs page, explanation and predicate."""

    id: str
    number: int
    page: str
    explanation: str
    kind: InvariantKind
    check: Callable[..., str | None]


def _inv(
    id: str, number: int, page: str, explanation: str, kind: InvariantKind, check: Any
) -> Invariant:
    return Invariant(
        id=id, number=number, page=page, explanation=explanation, kind=kind, check=check
    )


_K = InvariantKind

#: Every structural invariant, by id, in spec 7.2 order.
INVARIANTS: Final[Mapping[str, Invariant]] = MappingProxyType(
    {
        inv.id: inv
        for inv in (
            _inv("INV-1-current-within-hardware", 1,
                 "D/ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes.md",
                 "the current configuration never claims a capability the hardware lacks",
                 _K.CONFIG, check_current_within_hardware),
            _inv("INV-2-ethernet-always", 2, "N/oid-tcp-offload-current-config.md",
                 "every supported offload lists NDIS_ENCAPSULATION_IEEE_802_3",
                 _K.CONFIG, check_ethernet_always),
            _inv("INV-6-no-change-inert", 6, "D*/ntddndis/ns-ntddndis-_ndis_offload_parameters.md",
                 "a parameters set whose members are all NO_CHANGE changes nothing",
                 _K.PARAMETERS, check_no_change_inert),
            _inv("INV-10-encapsulation-result", 10, "N/oid-offload-encapsulation.md",
                 "an encapsulation set succeeds iff a supported offload lists the requested "
                 "type, else INVALID_PARAMETER",
                 _K.ENCAPSULATION, check_encapsulation_result),
            _inv("INV-11-no-lso-with-ipsec", 11, "N/combining-types-of-task-offloads.md",
                 "LSO and IPsec offload are never on together (unless IPsecV2.LsoSupported)",
                 _K.CONFIG, check_no_lso_with_ipsec),
            _inv("INV-12-lso-capability-implies-tx-checksum", 12,
                 "N/combining-types-of-task-offloads.md",
                 "hardware that supports LSO also supports IP and TCP transmit checksum",
                 _K.CONFIG, check_lso_capability_implies_tx_checksum),
            _inv("INV-13-lsov1-size-cap", 13,
                 "N/reporting-a-nic-s-lsov1-tcp-packet-segmentation-capabilities.md",
                 "LsoV1.IPv4.MaxOffLoadSize is at most 64K",
                 _K.CONFIG, check_lsov1_size_cap),
            _inv("INV-18-offload-headers", 18, "N/overview-of-ndis-support-for-header-versions.md",
                 "the cached NDIS_OFFLOAD views carry the right Type and a Size for their Revision",
                 _K.CONFIG, check_offload_headers),
            _inv("INV-18-header-validity", 18, "N/overview-of-ndis-support-for-header-versions.md",
                 "every structure carries the right Type and a Size for its Revision",
                 _K.HEADER, check_header),
            _inv("INV-18-supported-revision", 18,
                 "N/version-information-requirements-for-ndis-drivers.md",
                 "a successful set reports a SupportedRevision no newer than the request",
                 _K.REVISION, check_supported_revision),
        )
    }
)  # fmt: skip


def config_invariants() -> tuple[Invariant, ...]:
    """The invariants checkable on (current, hardware) alone, in registry order."""
    return tuple(inv for inv in INVARIANTS.values() if inv.kind is InvariantKind.CONFIG)
