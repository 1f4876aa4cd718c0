"""The LBFO advertising rule (``stack.drivers.mux.lbfo_offloads``, ``aggregate(..., LBFO)``):
transmit offloads (checksum transmit, LSO, USO, IPsec) only if every member has them, receive
checksum and RSC if any member does, no chimney -- Microsoft's NIC Teaming guide, section
"Feature compatibilities" (the ``_rules`` docstring)."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from stack.drivers import PRESETS
from stack.drivers.mux import (
    RECEIVE_BLOCKS,
    Advertises,
    MemberCapabilities,
    aggregate,
    lbfo_offloads,
)
from stack.ndis import NDIS_OFFLOAD, capability_excess, intersect_offloads

#: Blocks a generated member may lack (zeroed), transmit and receive alike.
_BLOCKS = (
    "Checksum.IPv4Transmit",
    "Checksum.IPv4Receive",
    "Checksum.IPv6Transmit",
    "Checksum.IPv6Receive",
    "LsoV1",
    "LsoV2.IPv4",
    "LsoV2.IPv6",
    "IPsecV1",
    "IPsecV2",
    "Rsc.IPv4",
    "Rsc.IPv6",
    "UdpSegmentation",
    "UdpRsc",
)
_HARDWARE = [p.offload for name, p in sorted(PRESETS.items())]


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _zero(obj: Any, path: str) -> Any:
    head, _, rest = path.partition(".")
    inner = getattr(obj, head)
    if not rest:
        return attrs.evolve(obj, **{head: type(inner)()})
    return attrs.evolve(obj, **{head: _zero(inner, rest)})


@st.composite
def members(draw: st.DrawFn) -> NDIS_OFFLOAD:
    """A shipped NIC's hardware with some of its blocks missing."""
    offload = draw(st.sampled_from(_HARDWARE))
    for path in draw(st.sets(st.sampled_from(_BLOCKS))):
        offload = _zero(offload, path)
    return offload


def _receive_path(path: str) -> bool:
    return any(path == b or path.startswith(b + ".") for b in RECEIVE_BLOCKS)


_RX_FEATURES = (
    "Checksum.IPv4Receive.IpChecksum",
    "Checksum.IPv4Receive.TcpChecksum",
    "Checksum.IPv4Receive.UdpChecksum",
    "Checksum.IPv6Receive.TcpChecksum",
    "Checksum.IPv6Receive.UdpChecksum",
    "Rsc.IPv4.Enabled",
    "Rsc.IPv6.Enabled",
    "UdpRsc.Enabled",
)

team = st.lists(members(), min_size=1, max_size=4)


@given(team)
def test_no_transmit_offload_beyond_any_member(offloads: list[NDIS_OFFLOAD]) -> None:
    """LSO, IPsec, USO and checksum transmit only if every member supports them: against each
    member, the team claims more only in the receive blocks."""
    result = lbfo_offloads(offloads)
    for member in offloads:
        excess = [path for path, _, _ in capability_excess(result, member)]
        assert all(_receive_path(p) for p in excess), excess


@given(team)
def test_the_transmit_side_is_the_meet(offloads: list[NDIS_OFFLOAD]) -> None:
    result = lbfo_offloads(offloads)
    meet = intersect_offloads(offloads)
    for path in ("Checksum.IPv4Transmit", "Checksum.IPv6Transmit", "LsoV1", "LsoV2", "IPsecV1",
                 "IPsecV2", "UdpSegmentation", "EncapsulatedPacketTaskOffloadGre"):  # fmt: skip
        assert _get(result, path) == _get(meet, path), path


@given(team)
def test_receive_checksum_and_rsc_if_any_member_has_them(offloads: list[NDIS_OFFLOAD]) -> None:
    result = lbfo_offloads(offloads)
    for path in _RX_FEATURES:
        anyone = any(_get(o, path) == 1 for o in offloads)
        assert (_get(result, path) == 1) == anyone, path


@given(team, st.randoms(use_true_random=False))
def test_member_order_does_not_matter(offloads: list[NDIS_OFFLOAD], rng: Any) -> None:
    shuffled = list(offloads)
    rng.shuffle(shuffled)
    assert lbfo_offloads(shuffled) == lbfo_offloads(offloads)
    assert lbfo_offloads(offloads + offloads) == lbfo_offloads(offloads)


@given(st.lists(st.tuples(members(), st.sets(st.sampled_from(_BLOCKS))), min_size=1, max_size=4))
def test_current_stays_within_hardware(pairs: list[tuple[NDIS_OFFLOAD, set[str]]]) -> None:
    """Each member's current configuration within its hardware (some blocks off) keeps the
    team's within the team's hardware (invariant 7.2 item 1 for the virtual miniport)."""
    hardware = [hw for hw, _ in pairs]
    current = []
    for hw, off in pairs:
        for path in sorted(off):
            hw = _zero(hw, path)
        current.append(hw)
    assert not list(capability_excess(lbfo_offloads(current), lbfo_offloads(hardware)))


def test_no_chimney_through_a_team() -> None:
    chimney = PRESETS["chimney-capable"]
    assert chimney.connection is not None
    member = MemberCapabilities(
        adapter="nic0",
        hardware=chimney.offload,
        current=chimney.offload,
        connection_hardware=chimney.connection,
        connection_current=chimney.connection,
    )
    lbfo = aggregate([member], Advertises.LBFO)
    assert lbfo.connection_hardware is None and lbfo.connection_current is None
    strict = aggregate([member], Advertises.INTERSECTION)
    assert strict.connection_hardware is not None


def test_the_guide_s_example_a_strong_and_a_weak_nic() -> None:
    """intel-x710 (LSO, USO, RSC) teamed with lso-v2-small (16 KB LSOv2, no RSC)."""
    x710, small = PRESETS["intel-x710"].offload, PRESETS["lso-v2-small"].offload
    result = lbfo_offloads([x710, small])
    assert result.LsoV2.IPv4.MaxOffLoadSize == 16384
    assert not result.LsoV1.IPv4.Encapsulation and not result.UdpSegmentation.IPv4.Encapsulation
    assert result.Rsc.IPv4.Enabled == 1 and result.Rsc.IPv6.Enabled == 1
    assert result.Header.Revision == max(x710.Header.Revision, small.Header.Revision)
