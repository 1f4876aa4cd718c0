"""The ethtool vocabulary: ``ethtool -k`` lines for each adapter, then NDIS's own.

Layout, as ethtool 5.x prints it (ethtool's ``netlink/features.c`` ``dump_features`` and the
``off_flag_def`` table in its ``common.c``, github.com/mkubecek/ethtool):

* ``Features for DEV:``;
* first the legacy flags in ``off_flag_def`` order (``rx-checksumming``, ``tx-checksumming``,
  ``scatter-gather``, ``tcp-segmentation-offload``, ``generic-segmentation-offload``,
  ``generic-receive-offload``, ``large-receive-offload``, ...).  Each flag matches kernel
  feature names by a pattern (``rx-checksum``, ``tx-checksum-*``, ``tx-tcp*-segmentation``,
  ``rx-lro``).  A flag that matches exactly one feature is printed as one line with that
  feature's state under the flag's name (``rx-checksumming: on``); otherwise the flag line is
  ``on`` when any of its features is active (never ``[fixed]``) and each feature follows,
  indented by a tab, in kernel bit order;
* then every other kernel feature, unindented, in kernel bit order (``include/linux/
  netdev_features.h``), named as ``netdev_features_strings`` in Linux ``net/ethtool/common.c``
  names it (``tx-gre-segmentation``, ``tx-udp_tnl-segmentation``, ``tx-udp-segmentation``);
* a feature line is ``NAME: on|off``, then `` [fixed]`` when the device cannot change it,
  else `` [requested on]``/`` [requested off]`` when what was asked for differs from what is
  active (``dump_feature``).

Only the kernel features that an NDIS miniport has a counterpart for are printed (ndisemu's
choice: a Linux line for VLAN or scatter-gather would invent state NDIS does not report), but a
legacy flag that is printed comes with all of its features, as ethtool prints it; one without
an NDIS counterpart is ``off [fixed]`` (an NDIS miniport has no way to offer it).

Mapping NDIS_OFFLOAD onto the Linux features (ndisemu's reading, written down here):

* ``tx-checksum-ipv4`` (NETIF_F_IP_CSUM, "can checksum TCP/UDP over IPv4") and
  ``tx-checksum-ipv6`` need both the TCP and the UDP transmit checksum of that IP version;
* ``rx-checksum`` (NETIF_F_RXCSUM) is on when any TCP/UDP receive checksum runs: a Linux
  driver reports the result per packet, so one protocol is enough;
* ``tx-tcp-segmentation`` (NETIF_F_TSO, TCPv4) is LSOv1 or LSOv2 for IPv4; ``tx-tcp6-
  segmentation`` is LSOv2 IPv6;
* ``large-receive-offload`` (NETIF_F_LRO) is RSC for IPv4 or IPv6: RSC, like LRO, is hardware
  coalescing turned off when the host forwards (RSC's ``ForwardingEnabled`` failure reason),
  and ixgbe calls its RSC hardware LRO;
* ``tx-udp-segmentation`` (NETIF_F_GSO_UDP_L4) needs USO for both IP versions;
* ``tx-gre-segmentation`` / ``tx-udp_tnl-segmentation`` (GSO_GRE / GSO_UDP_TUNNEL) are NVGRE /
  VXLAN task offload with LsoV2Supported.

A line made of several NDIS bits is ``on`` by the rule above (all of them, or any), ``[fixed]``
when the hardware capabilities cannot make it on, ``[requested X]`` when the keywords would
make it X and it is not.  Per bit:

* ``on``/``off`` is the operational state (``stack.views._snapshot``): what the adapter runs;
* ``[fixed]``: the hardware capabilities lack the feature, so no request can turn it on;
* ``[requested X]``: the keywords ask for X (NDIS writes them for every parameters set, so this
  is also the last request) and the adapter does not run X.

The NDIS bits that no Linux feature stands for alone (the per-protocol checksums, the IPv4
header checksum, LSOv1 against LSOv2, USO, RSC and URO per IP version, NVGRE/VXLAN task offload,
IPsec, TCP chimney) follow in a separate block labelled as ndisemu's, one ``NAME: on|off``
line each in ethtool's format, named by their NDIS_OFFLOAD members.  Each adapter ends with what
every party believes, compared with NDIS's current configuration: the miniport's own
configuration and each bound protocol's view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from stack.views._features import FEATURES, Feature, feature_states
from stack.views._snapshot import AdapterSnapshot, FeatureState, ProtocolView
from stack.views._text import Block, Lines

__all__ = ["ETHTOOL_LINES", "LEGACY_FLAGS", "UNGROUPED", "ethtool_blocks", "ethtool_json"]

#: The separate block's title.
NDIS_BLOCK_TITLE: Final = "NDIS offloads without an ethtool name (ndisemu's lines, not ethtool's):"


@attrs.frozen(kw_only=True)
class KernelFeature:
    """One name of ``netdev_features_strings`` and the NDIS bits behind it."""

    name: str
    #: Feature ids (``stack.views._features``); empty: no NDIS counterpart (``off [fixed]``).
    ndis: tuple[str, ...] = ()
    #: ``all``: on when every bit is; ``any``: on when one is.
    combine: str = "all"


def _kf(name: str, *ndis: str, combine: str = "all") -> KernelFeature:
    return KernelFeature(name=name, ndis=ndis, combine=combine)


#: Legacy flags in ``off_flag_def`` order with the kernel features they match, in bit order.
#: Only the flags an NDIS bit maps to are listed (rx/tx checksumming, tso, lro).
LEGACY_FLAGS: Final[tuple[tuple[str, tuple[KernelFeature, ...]], ...]] = (
    ("rx-checksumming",
     (_kf("rx-checksum", "tcp4-rx", "udp4-rx", "tcp6-rx", "udp6-rx", combine="any"),)),
    ("tx-checksumming", (
        _kf("tx-checksum-ipv4", "tcp4-tx", "udp4-tx"),
        _kf("tx-checksum-ip-generic"),
        _kf("tx-checksum-ipv6", "tcp6-tx", "udp6-tx"),
        _kf("tx-checksum-fcoe-crc"),
        _kf("tx-checksum-sctp"),
    )),
    ("tcp-segmentation-offload", (
        _kf("tx-tcp-segmentation", "lsov1-4", "lsov2-4", combine="any"),
        _kf("tx-tcp-ecn-segmentation"),
        _kf("tx-tcp-mangleid-segmentation"),
        _kf("tx-tcp6-segmentation", "lsov2-6"),
    )),
    ("large-receive-offload", (_kf("rx-lro", "rsc-4", "rsc-6", combine="any"),)),
)  # fmt: skip

#: Kernel features no legacy flag matches, in kernel bit order (GSO_GRE, GSO_UDP_TUNNEL,
#: GSO_UDP_L4).
UNGROUPED: Final[tuple[KernelFeature, ...]] = (
    _kf("tx-gre-segmentation", "gre-lso"),
    _kf("tx-udp_tnl-segmentation", "vxlan-lso"),
    _kf("tx-udp-segmentation", "uso-4", "uso-6"),
)

#: Every kernel feature ndisemu prints, in ethtool's order.
ETHTOOL_LINES: Final[tuple[KernelFeature, ...]] = (
    *(kf for _, members in LEGACY_FLAGS for kf in members),
    *UNGROUPED,
)

#: NDIS bits that one kernel feature stands for alone: those need no line of their own.
_ONE_TO_ONE: Final = frozenset(kf.ndis[0] for kf in ETHTOOL_LINES if len(kf.ndis) == 1)


def _selected(views: Sequence[str]) -> set[str]:
    every = "all" in views
    return {f.id for f in FEATURES if every or f.view in views}


def _on(value: bool) -> str:
    return "on" if value else "off"


@attrs.frozen
class _State:
    active: bool
    requested: bool
    fixed: bool
    current: bool
    miniport: bool


def _combine(kf: KernelFeature, adapter: AdapterSnapshot) -> _State:
    if not kf.ndis:
        return _State(False, False, True, False, False)
    states: list[FeatureState] = [adapter.features[i] for i in kf.ndis]
    join = all if kf.combine == "all" else any
    return _State(
        active=join(s.operational for s in states),
        requested=join(s.requested for s in states),
        fixed=not join(s.hardware for s in states),
        current=join(s.current for s in states),
        miniport=join(s.miniport for s in states),
    )


def _line(name: str, state: _State, prefix: str = "") -> str:
    """``dump_feature``: ``[fixed]`` first, else ``[requested X]`` where wanted != active."""
    suffix = ""
    if state.fixed:
        suffix = " [fixed]"
    elif state.requested != state.active:
        suffix = f" [requested {_on(state.requested)}]"
    return f"{prefix}{name}: {_on(state.active)}{suffix}"


def _ndis_state(state: FeatureState) -> _State:
    return _State(
        active=state.operational,
        requested=state.requested,
        fixed=not state.hardware,
        current=state.current,
        miniport=state.miniport,
    )


def _ethtool_lines(adapter: AdapterSnapshot, selected: set[str]) -> list[str]:
    lines = [f"Features for {adapter.name}:"]
    for flag, members in LEGACY_FLAGS:
        if not any(i in selected for kf in members for i in kf.ndis):
            continue
        if len(members) == 1:
            lines.append(_line(flag, _combine(members[0], adapter)))
            continue
        states = [_combine(kf, adapter) for kf in members]
        lines.append(f"{flag}: {_on(any(s.active for s in states))}")
        lines += [_line(kf.name, s, "\t") for kf, s in zip(members, states, strict=True)]
    for kf in UNGROUPED:
        if any(i in selected for i in kf.ndis):
            lines.append(_line(kf.name, _combine(kf, adapter)))
    return lines


def _printed(selected: set[str]) -> list[KernelFeature]:
    """The kernel features whose lines ``ethtool -k`` prints for these NDIS bits."""
    out: list[KernelFeature] = []
    for _, members in LEGACY_FLAGS:
        if any(i in selected for kf in members for i in kf.ndis):
            out += members
    return out + [kf for kf in UNGROUPED if any(i in selected for i in kf.ndis)]


def _ndis_only(selected: set[str]) -> list[Feature]:
    return [f for f in FEATURES if f.id in selected and f.id not in _ONE_TO_ONE]


def _chimney_lines(adapter: AdapterSnapshot) -> list[str]:
    """TCP chimney (NDIS_TCP_CONNECTION_OFFLOAD SupportIPv4/SupportIPv6): the capabilities and
    the current configuration NDIS cached; no keyword reading, so no ``[requested]``."""
    lines = []
    for version in ("IPv4", "IPv6"):
        hw = adapter.connection_hardware
        cur = adapter.connection_current
        has = hw is not None and bool(hw.Encapsulation) and bool(getattr(hw, f"Support{version}"))
        on = (
            adapter.running
            and cur is not None
            and bool(cur.Encapsulation)
            and bool(getattr(cur, f"Support{version}"))
        )
        lines.append(_line(f"TcpConnectionOffload.Support{version}", _State(on, on, not has,
                                                                            on, on)))  # fmt: skip
    return lines


def _differences(reference: Mapping[str, bool], other: Mapping[str, bool],
                 features: Sequence[Feature]) -> str:  # fmt: skip
    diffs = [
        f"{f.ndis} {_on(other[f.id])} [NDIS {_on(reference[f.id])}]"
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


def _beliefs(adapter: AdapterSnapshot, features: Sequence[Feature]) -> list[str]:
    state = adapter.state.value + (", surprise removed" if adapter.surprise_removed else "")
    against = (
        "NDIS's current configuration"
        if not adapter.layer
        else f"what layer {adapter.layer} reports upward"  # show --layer
    )
    lines = [f"Who believes what about {adapter.name} ({state}), against {against} "
             "(ndisemu's lines):"]  # fmt: skip
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


def _adapter_lines(adapter: AdapterSnapshot, views: Sequence[str]) -> list[str]:
    selected = _selected(views)
    lines = _ethtool_lines(adapter, selected)
    ndis = [_line(f.ndis, _ndis_state(adapter.features[f.id])) for f in _ndis_only(selected)]
    if "all" in views:
        ndis += _chimney_lines(adapter)
    if ndis:
        lines += ["", NDIS_BLOCK_TITLE, *ndis]
    features = [f for f in FEATURES if f.id in selected]
    return [*lines, "", *_beliefs(adapter, features)]


def ethtool_blocks(views: Sequence[str], adapters: Sequence[AdapterSnapshot]) -> list[Block]:
    return [Lines(lines=tuple(_adapter_lines(adapter, views))) for adapter in adapters]


def _json_state(state: _State) -> dict[str, bool]:
    return {
        "active": state.active,
        "requested": state.requested,
        "fixed": state.fixed,
        "current": state.current,
        "miniport": state.miniport,
    }


def _believed(protocol: ProtocolView, features: Sequence[Feature]) -> dict[str, bool] | None:
    if not protocol.keeps_view or protocol.current is None:
        return None
    states = feature_states(protocol.current)
    return {f.ndis: states[f.id] for f in features}


def ethtool_json(views: Sequence[str], adapters: Sequence[AdapterSnapshot]) -> dict[str, Any]:
    """``features``: the kernel features printed, by ethtool name; ``ndis_features``: every
    NDIS bit of the views by its NDIS_OFFLOAD member; each with every source."""
    selected = _selected(views)
    kernel = _printed(selected)
    features = [f for f in FEATURES if f.id in selected]
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
                "features": {kf.name: _json_state(_combine(kf, adapter)) for kf in kernel},
                "ndis_features": {
                    f.ndis: _json_state(_ndis_state(adapter.features[f.id])) for f in features
                },
                "protocols": {
                    p.protocol: {"binding": p.binding.value, "features": _believed(p, features)}
                    for p in adapter.protocols
                },
            }
        )
    return {"adapters": out}
