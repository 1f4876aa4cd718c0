"""The ethtool vocabulary: ``ethtool -k`` lines for each adapter.

``ethtool -k`` prints one line per feature, the group lines flush left and their features
indented by a tab, each ``on`` or ``off``, with ``[fixed]`` where the device cannot change it and
``[requested on]`` / ``[requested off]`` where what was asked for differs from what runs.  Here:

* ``on``/``off`` is the operational state (``stack.views._snapshot``): what the adapter runs now;
* ``[fixed]``: the hardware capabilities lack the feature, so no request can turn it on;
* ``[requested X]``: the keywords ask for X (NDIS writes them for every parameters set, so this
  is also the last request) and the adapter does not run X.

Names are ethtool's where one fits (``tx-tcp-segmentation``, ``tx-tcp6-segmentation``,
``tx-gre-segmentation``, ``tx-udp_tnl-segmentation``, ``esp-hw-offload``; RSC is what Linux
drivers for the same NICs call ``large-receive-offload``) and otherwise follow ethtool's
pattern, because NDIS is finer grained than Linux: per protocol checksums
(``tx-checksum-tcp-ipv4``), LSOv1 (``tx-tcp-segmentation-lsov1``), per IP version USO and RSC.

Each adapter ends with what every party believes, compared with NDIS's current configuration:
the miniport's own configuration and each bound protocol's view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from stack.views._features import FEATURES, Feature, feature_states
from stack.views._snapshot import AdapterSnapshot
from stack.views._text import Block, Lines

__all__ = ["ethtool_blocks", "ethtool_json"]

#: Group lines in the order ``ethtool -k`` prints them.
GROUPS: Final = (
    "rx-checksumming",
    "tx-checksumming",
    "tcp-segmentation-offload",
    "tx-udp-segmentation",
    "large-receive-offload",
    "tx-gre-segmentation",
    "tx-udp_tnl-segmentation",
    "esp-hw-offload",
)


def _features(views: Sequence[str]) -> list[Feature]:
    every = "all" in views
    return [f for f in FEATURES if every or f.view in views]


def _on(value: bool) -> str:
    return "on" if value else "off"


def _leaf(adapter: AdapterSnapshot, feature: Feature) -> str:
    state = adapter.features[feature.id]
    text = _on(state.operational)
    if not state.hardware:
        return text + " [fixed]"
    if state.requested != state.operational:
        text += f" [requested {_on(state.requested)}]"
    return text


def _differences(reference: Mapping[str, bool], other: Mapping[str, bool],
                 features: Sequence[Feature]) -> str:  # fmt: skip
    diffs = [
        f"{f.ethtool} {_on(other[f.id])} [NDIS {_on(reference[f.id])}]"
        for f in features
        if other[f.id] != reference[f.id]
    ]
    return ", ".join(diffs) if diffs else "same"


def _members(adapter: AdapterSnapshot) -> str:
    """``nic0 (active), nic1 (standby)``; members without a known role in use are ``in use``."""
    parts = []
    for member in adapter.members:
        role = adapter.member_roles.get(member)
        if role is None:
            role = "in use" if member in adapter.active_members else "not in use"
        parts.append(f"{member} ({role})")
    return ", ".join(parts)


def _adapter_lines(adapter: AdapterSnapshot, features: Sequence[Feature]) -> list[str]:
    lines = [f"Features for {adapter.name}:"]
    for group in GROUPS:
        members = [f for f in features if f.ethtool_group == group]
        if not members:
            continue
        if len(members) == 1 and members[0].ethtool == group:
            lines.append(f"{group}: {_leaf(adapter, members[0])}")
            continue
        states = [adapter.features[f.id] for f in members]
        fixed = " [fixed]" if not any(s.hardware for s in states) else ""
        lines.append(f"{group}: {_on(any(s.operational for s in states))}{fixed}")
        lines += [f"\t{f.ethtool}: {_leaf(adapter, f)}" for f in members]

    state = adapter.state.value + (", surprise removed" if adapter.surprise_removed else "")
    lines += ["", f"Who believes what about {adapter.name} ({state}), against NDIS's current "
              "configuration:"]  # fmt: skip
    if adapter.members:
        lines.append(f"\tmembers: {_members(adapter)}")
    if adapter.member_of:
        lines.append(f"\tmember of: {', '.join(adapter.member_of)}")
    reference = {key: s.current for key, s in adapter.features.items()}
    if adapter.current is None:
        lines.append("\tNDIS: no configuration reported yet")
    mine = {key: s.miniport for key, s in adapter.features.items()}
    lines.append(f"\tminiport {adapter.miniport}: {_differences(reference, mine, features)}")
    for protocol in adapter.protocols:
        label = f"{protocol.protocol} ({protocol.binding.value})"
        if not protocol.keeps_view:
            lines.append(f"\t{label}: keeps no offload view")
        elif protocol.current is None:
            lines.append(f"\t{label}: has no view yet")
        else:
            believed = feature_states(protocol.current)
            lines.append(f"\t{label}: {_differences(reference, believed, features)}")
    return lines


def ethtool_blocks(views: Sequence[str], adapters: Sequence[AdapterSnapshot]) -> list[Block]:
    features = _features(views)
    return [Lines(lines=tuple(_adapter_lines(adapter, features))) for adapter in adapters]


def _named(states: Mapping[str, bool], features: Sequence[Feature]) -> dict[str, bool]:
    return {f.ethtool: states[f.id] for f in features}


def ethtool_json(views: Sequence[str], adapters: Sequence[AdapterSnapshot]) -> dict[str, Any]:
    features = _features(views)
    out = []
    for adapter in adapters:
        out.append(
            {
                "name": adapter.name,
                "kind": adapter.kind,
                "state": adapter.state.value,
                "members": list(adapter.members),
                "active_members": list(adapter.active_members),
                "member_roles": dict(adapter.member_roles),
                "features": {
                    f.ethtool: {
                        "active": adapter.features[f.id].operational,
                        "requested": adapter.features[f.id].requested,
                        "fixed": not adapter.features[f.id].hardware,
                        "current": adapter.features[f.id].current,
                        "miniport": adapter.features[f.id].miniport,
                    }
                    for f in features
                },
                "protocols": {
                    p.protocol: {
                        "binding": p.binding.value,
                        "features": None
                        if not p.keeps_view or p.current is None
                        else _named(feature_states(p.current), features),
                    }
                    for p in adapter.protocols
                },
            }
        )
    return {"adapters": out}
