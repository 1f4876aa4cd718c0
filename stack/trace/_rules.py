"""Which trace fields decide each rule, so a failure window's labels carry them.

The exporters read the log alone and never import the monitors (``stack.runtime._monitors``
with its ``filter_monitors``, ``stack.drivers.mux._monitors``, the structural invariants of
``stack.ndis._invariants`` and the drivers' own ``ctx.fail`` checks), so this table
says, per rule id, which fields of the JSONL records that rule's check reads beyond what every
label shows (``LABEL_FIELDS``).  For example
``receive-gate`` judges a ``receive`` by ``rx_checksum`` (the monitor's
``Receive.rx_checksum_offloaded``), which an ordinary label leaves out.  A rule that judges NDIS's
cached structures (``INV-*``, ``mux-advertised-within-members``) decides on buffer contents that
the log does not hold: the label shows the deliveries that changed the cache, nothing more.
tests/trace/test_rule_fields.py keeps the table equal to the set of rules the monitors define.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

#: Fields every arrow's label shows after the kind, in this order (the log has the rest): an
#: arrow reads "oid.request OID_TCP_OFFLOAD_PARAMETERS origin=prot1 request_id=1".
LABEL_FIELDS: Final = ("oid", "status", "operation", "command", "origin", "request_id", "nbl",
                       "offloads", "keywords", "site", "choice", "guid")  # fmt: skip

#: Fields written bare ("command oid"), not "command=oid": the C names stand alone.
LEAD_FIELDS: Final = frozenset({"oid", "status", "operation", "command"})

#: rule id -> the record fields its check reads that ``LABEL_FIELDS`` does not already show.
DECIDING_FIELDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        # stack.runtime._monitors.default_monitors
        "indication-after-change": (),
        "indication-broadcast": (),
        "cache-coherence": (),
        "registry-before-miniport": (),  # keywords: the registry.write notes show them
        "receive-gate": ("rx_checksum",),  # Receive.rx_checksum_offloaded
        "encapsulation-result": (),
        "oid-serialization": (),
        "completion-once": (),
        # NBL LsoMss/DataLength/IpVersion against MaxOffLoadSize and the IPv4/IPv6 block
        "no-stale-offload-send": ("length", "ip"),
        "post-disable-drops": ("length", "ip"),
        "encapsulation-within-support": (),  # the configurations delivered before it decide
        "chimney-pause-resume": (),
        "oid-timed-complete": ("t",),  # the ticks since the request was handed over
        "im-cancel-forwarded": (),
        "no-keywords-for-refused-set": (),  # the oid.refused and registry.write notes show it
        "parameters-set-reflected": (),  # decided on the indicated NDIS_OFFLOAD, not on the log
        "no-send-beyond-miniport-config": ("length", "ip"),
        "keywords-at-initialization": (),  # the keywords are in the pnp message, not the log
        # stack.runtime._monitors.filter_monitors
        "filter-call-window": (),
        "filter-view-converges": (),  # decided on NDIS's per-layer views, not on the log
        "filter-pause-idle": (),
        "filter-cancel-reaches-clone": (),
        # stack.drivers.mux._monitors.mux_monitors
        "mux-advertised-within-members": (),
        "mux-hardware-change-before-send": (),
        "no-oid-completion-after-close": (),
        "mux-member-respects-team": (),  # decided on NDIS's view of the member
        # the bus itself
        "liveness-step-budget": (),
    }
)


def deciding_fields(rule: str | None) -> tuple[str, ...]:
    """The extra label fields for ``rule`` (none for rules the table does not name)."""
    if rule is None:
        return ()
    return DECIDING_FIELDS.get(rule, ())
