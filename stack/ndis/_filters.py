"""Lightweight filters (LWFs): the order NDIS stacks filter modules in, and the offload masks a
filter reports upward.

Theory of operation
-------------------
A miniport adapter's driver stack is the miniport, zero or more filter modules, and the protocols
bound on top (N/starting-a-driver-stack.md).  The order of the filter modules is the INF's
``FilterClass`` (N/configuring-an-inf-file-for-a-modifying-filter-driver.md): ``scheduler`` is the
highest class, then ``encryption``, ``compression``, ``vpn``, ``loadbalance``, ``failover``,
``diagnostic``, ``custom``, and ``provider_address`` the lowest; two filters of one class stack by
installation time, the earlier one below ("closer to the miniport adapter", same page).  Here the
installation order is the order a scenario declares them (``filter_stack_key``).

Monitoring filters (FilterType 1), which NDIS binds beside each modifying filter, are not modelled:
every filter here is a modifying one, and optional (``FilterRunType`` 2): a module that fails to
attach leaves the rest of the stack running (N/attaching-a-filter-module.md, "Note").

A filter changes what the layers above see in two documented ways only: it modifies
``NDIS_FILTER_ATTACH_PARAMETERS.DefaultOffloadConfiguration`` in FilterAttach
(D/ndis/ns-ndis-_ndis_filter_attach_parameters.md: "modify these attributes, if necessary, to
reflect any changes in the task offload support that it requires"), and it rewrites, drops or
originates status indications (N/filter-module-status-indications.md).  The restart attributes
carry no offload members (NDIS_RESTART_GENERAL_ATTRIBUTES), so a restart republishes nothing by
itself.  ``mask_offload`` is the rule a filter that forces features off applies in both places
(npcap 0.93's forced disable of LSO and checksum offload, nmap/npcap#409).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

from stack.ndis import _constants as c
from stack.ndis._rules import HardwarePolicy, apply_offload_parameters
from stack.ndis._structs import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_UdpSegmentation,
)

__all__ = [  # re-exported by stack.ndis
    "MASKABLE_FEATURES",
    "FilterClass",
    "filter_stack_key",
    "mask_offload",
    "masked_features",
]


class FilterClass(enum.Enum):
    """The INF ``FilterClass`` of a modifying filter, highest first; the value is the INF string
    (N/configuring-an-inf-file-for-a-modifying-filter-driver.md)."""

    scheduler = "scheduler"
    encryption = "encryption"
    compression = "compression"
    vpn = "vpn"
    loadbalance = "loadbalance"
    failover = "failover"
    diagnostic = "diagnostic"
    custom = "custom"
    provider_address = "provider_address"

    @property
    def rank(self) -> int:
        """0 for the class nearest the miniport (``provider_address``), growing upward."""
        members = list(FilterClass)
        return len(members) - 1 - members.index(self)


def filter_stack_key(filter_class: FilterClass, installed: int) -> tuple[int, int]:
    """Sort key of a filter module from the miniport up: its class, then installation order
    (``installed`` counts up; the earlier one sits lower)."""
    return (filter_class.rank, installed)


_TX_RX_OFF: Final = c.NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED
#: Feature name -> the NDIS_OFFLOAD_PARAMETERS members that switch it off.
_DISABLE: Final[dict[str, dict[str, object]]] = {
    "checksum": {
        "IPv4Checksum": _TX_RX_OFF,
        "TCPIPv4Checksum": _TX_RX_OFF,
        "UDPIPv4Checksum": _TX_RX_OFF,
        "TCPIPv6Checksum": _TX_RX_OFF,
        "UDPIPv6Checksum": _TX_RX_OFF,
    },
    "lso": {
        "LsoV1": c.NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
        "LsoV2IPv4": c.NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
        "LsoV2IPv6": c.NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    },
    "uso": {
        "UdpSegmentation": NDIS_OFFLOAD_PARAMETERS_UdpSegmentation(
            IPv4=c.NDIS_OFFLOAD_PARAMETERS_USO_DISABLED,
            IPv6=c.NDIS_OFFLOAD_PARAMETERS_USO_DISABLED,
        )
    },
    "rsc": {
        "RscIPv4": c.NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
        "RscIPv6": c.NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    },
}
#: The features ``mask_offload`` can take off, by short name.
MASKABLE_FEATURES: Final = frozenset(_DISABLE)
#: Segmentation offloads compute the checksums of the segments they cut
#: (N/offloading-checksum-tasks.md), so a filter that hides checksum offload hides them too.
_NEEDS_CHECKSUM: Final = ("lso", "uso")


def masked_features(features: Iterable[str]) -> frozenset[str]:
    """The features a mask of ``features`` takes off: hiding checksum offload hides the
    segmentation offloads too.

    Raises:
        ValueError: an unknown feature name.
    """
    wanted = set(features)
    unknown = sorted(wanted - MASKABLE_FEATURES)
    if unknown:
        raise ValueError(f"mask_offload: unknown feature {unknown[0]!r} (known: "
                         f"{', '.join(sorted(MASKABLE_FEATURES))})")  # fmt: skip
    if "checksum" in wanted:
        wanted.update(_NEEDS_CHECKSUM)
    return frozenset(wanted)


def mask_offload(offload: NDIS_OFFLOAD, features: Iterable[str]) -> NDIS_OFFLOAD:
    """``offload`` with ``features`` (names of ``MASKABLE_FEATURES``) switched off, as a filter
    that forces them off reports it upward.  Switching off never needs the hardware, so the rule
    is ``apply_offload_parameters`` of the disabling members against the configuration itself.

    Raises:
        ValueError: an unknown feature name.
    """
    members: dict[str, object] = {}
    for feature in sorted(masked_features(features)):
        members.update(_DISABLE[feature])
    if not members:
        return offload
    params = NDIS_OFFLOAD_PARAMETERS(**members)  # type: ignore[arg-type]
    return apply_offload_parameters(offload, offload, params, HardwarePolicy.CLAMP).offload
