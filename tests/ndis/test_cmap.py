"""The C mapping: JSON-ready dicts of C member names, and the symbolic walk for the CLI tree."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stack import ndis
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    CMapError,
    decode,
    from_cmap,
    to_cmap,
    walk,
)

VERSIONED = list(ndis.VERSIONED_STRUCTURES.values())
CLASS_REVISIONS = [(cls, rev) for cls in VERSIONED for rev in cls.REVISION_SIZES]
PLAIN = [c for c in ndis.STRUCTURES.values() if c not in VERSIONED] + list(
    ndis.NESTED_STRUCTURES.values()
)


def decoded(cls: Any, revision: int | None = None) -> st.SearchStrategy[Any]:
    """Arbitrary valid instances, drawn as random bytes behind a right header."""
    if revision is None:
        return st.binary(min_size=cls.C_SIZE, max_size=cls.C_SIZE).map(lambda b: decode(cls, b))
    size = cls.size_for(revision)
    header = bytes([cls.OBJECT_TYPE, revision]) + size.to_bytes(2, "little")
    return st.binary(min_size=size - 4, max_size=size - 4).map(lambda b: decode(cls, header + b))


@pytest.mark.parametrize(
    ("cls", "revision"), CLASS_REVISIONS, ids=[f"{c.__name__}-r{r}" for c, r in CLASS_REVISIONS]
)
def test_every_revision_round_trips_through_json(cls: Any, revision: int) -> None:
    @settings(max_examples=60, deadline=None)
    @given(decoded(cls, revision))
    def check(obj: Any) -> None:
        text = json.dumps(to_cmap(obj), sort_keys=True)
        assert from_cmap(cls, json.loads(text)) == obj

    check()


@pytest.mark.parametrize("cls", PLAIN, ids=[c.__name__ for c in PLAIN])
def test_every_substructure_round_trips_through_its_c_mapping(cls: Any) -> None:
    @settings(max_examples=60, deadline=None)
    @given(decoded(cls))
    def check(obj: Any) -> None:
        assert from_cmap(cls, to_cmap(obj)) == obj

    check()


def test_the_mapping_nests_c_member_names_as_c_reaches_them() -> None:
    cmap = to_cmap(NDIS_OFFLOAD())
    assert cmap["Header"] == {"Type": 0xA7, "Revision": 7, "Size": 216}
    assert cmap["Checksum"]["IPv4Transmit"]["TcpChecksum"] == 0
    assert cmap["LsoV2"]["IPv4"]["MaxOffLoadSize"] == 0
    params = to_cmap(NDIS_OFFLOAD_PARAMETERS())
    assert "RscIPv4" in params  # anonymous struct members are flattened
    assert params["EncapsulationProtocolParameters"] == {
        "VxlanParameters": {"VxlanUDPPortNumber": 0},
        "Value": 0,
    }


def test_missing_members_are_zero_and_a_missing_header_is_the_newest() -> None:
    obj = from_cmap(NDIS_OFFLOAD_PARAMETERS, {"IPv4Checksum": 4})
    assert obj == NDIS_OFFLOAD_PARAMETERS(IPv4Checksum=4)
    assert obj.Header == NDIS_OFFLOAD_PARAMETERS.header_for(6)


def test_a_requested_revision_fills_the_header() -> None:
    obj = from_cmap(NDIS_OFFLOAD, {}, revision=3)
    assert obj.Header == NDIS_OFFLOAD.header_for(3)


def test_a_partial_header_is_completed_from_its_revision() -> None:
    obj = from_cmap(NDIS_OFFLOAD, {"Header": {"Revision": 2}})
    assert obj.Header == NDIS_OFFLOAD.header_for(2)


def test_a_whole_header_is_taken_as_given() -> None:
    obj = from_cmap(NDIS_OFFLOAD, {"Header": {"Type": 0xA7, "Revision": 99, "Size": 400}})
    assert (obj.Header.Revision, obj.Header.Size) == (99, 400)


def test_a_union_may_be_given_by_either_view() -> None:
    a = from_cmap(
        NDIS_OFFLOAD_PARAMETERS,
        {"EncapsulationProtocolParameters": {"VxlanParameters": {"VxlanUDPPortNumber": 4789}}},
    )
    b = from_cmap(NDIS_OFFLOAD_PARAMETERS, {"EncapsulationProtocolParameters": {"Value": 4789}})
    assert a == b


@pytest.mark.parametrize(
    ("mapping", "path"),
    [
        ({"IPv4Checksun": 4}, "NDIS_OFFLOAD_PARAMETERS.IPv4Checksun"),
        ({"UdpSegmentation": {"IPv5": 1}}, "NDIS_OFFLOAD_PARAMETERS.UdpSegmentation.IPv5"),
        ({"IPv4Checksum": "4"}, "NDIS_OFFLOAD_PARAMETERS.IPv4Checksum"),
        ({"IPv4Checksum": True}, "NDIS_OFFLOAD_PARAMETERS.IPv4Checksum"),
        ({"IPv4Checksum": 4.0}, "NDIS_OFFLOAD_PARAMETERS.IPv4Checksum"),
        ({"IPv4Checksum": 256}, "NDIS_OFFLOAD_PARAMETERS.IPv4Checksum"),
        ({"Flags": -1}, "NDIS_OFFLOAD_PARAMETERS.Flags"),
        ({"UdpSegmentation": 2}, "NDIS_OFFLOAD_PARAMETERS.UdpSegmentation"),
        ({"Header": {"Revision": 9}}, "NDIS_OFFLOAD_PARAMETERS.Header.Revision"),
        (
            {
                "EncapsulationProtocolParameters": {
                    "Value": 1,
                    "VxlanParameters": {"VxlanUDPPortNumber": 2},
                }
            },
            "NDIS_OFFLOAD_PARAMETERS.EncapsulationProtocolParameters",
        ),
    ],
)
def test_bad_input_names_the_member_path(mapping: dict[str, Any], path: str) -> None:
    with pytest.raises(CMapError) as err:
        from_cmap(NDIS_OFFLOAD_PARAMETERS, mapping)
    assert err.value.path == path
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith(path + ":")


def test_a_bitfield_out_of_range_names_its_nested_path() -> None:
    with pytest.raises(CMapError) as err:
        from_cmap(NDIS_OFFLOAD, {"Checksum": {"IPv4Transmit": {"TcpChecksum": 4}}})
    assert err.value.path == "NDIS_OFFLOAD.Checksum.IPv4Transmit.TcpChecksum"
    assert "2 bits" in str(err.value)


def test_a_structure_without_header_takes_no_revision() -> None:
    with pytest.raises(CMapError):
        from_cmap(ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD, {}, revision=1)


def test_symbolic_names_are_accepted_when_asked_for() -> None:
    obj = from_cmap(
        NDIS_OFFLOAD_PARAMETERS,
        {
            "IPv4Checksum": "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED",
            "EncapsulatedPacketTaskOffload": "NDIS_OFFLOAD_SET_ON",
            "EncapsulationTypes": "NDIS_ENCAPSULATION_TYPE_GRE_MAC | NDIS_ENCAPSULATION_TYPE_VXLAN",
            "UdpSegmentation": {"IPv4": "NDIS_OFFLOAD_PARAMETERS_UDP_SEG_ENABLED"},
        },
        symbolic=True,
    )
    assert (obj.IPv4Checksum, obj.EncapsulatedPacketTaskOffload, obj.EncapsulationTypes) == (
        4,
        1,
        3,
    )
    assert obj.UdpSegmentation.IPv4 == 2


def test_a_symbol_from_another_members_vocabulary_is_refused() -> None:
    with pytest.raises(CMapError, match="IPv4Checksum"):
        from_cmap(NDIS_OFFLOAD_PARAMETERS, {"IPv4Checksum": "NDIS_OFFLOAD_SET_ON"}, symbolic=True)


def test_symbols_are_refused_unless_asked_for() -> None:
    with pytest.raises(CMapError, match="expected an integer"):
        from_cmap(
            NDIS_OFFLOAD_PARAMETERS, {"IPv4Checksum": "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED"}
        )


# ---------------------------------------------------------------------------------------------
# walk()


def _by_path(obj: Any) -> dict[str, ndis.CMember]:
    return {m.path: m for m in walk(obj)}


def test_walk_names_values_with_their_c_constants() -> None:
    params = _by_path(NDIS_OFFLOAD_PARAMETERS(IPv4Checksum=4, LsoV2IPv4=2, Flags=1))
    assert params["IPv4Checksum"].symbol == "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED"
    assert params["LsoV2IPv4"].symbol == "NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED"
    assert params["Flags"].symbol == "NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE"
    assert params["Header.Type"].symbol == "NDIS_OBJECT_TYPE_DEFAULT"
    assert params["Header.Revision"].symbol == "NDIS_OFFLOAD_PARAMETERS_REVISION_6"
    assert params["Header.Size"].symbol == "NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_6"

    offload = NDIS_OFFLOAD(
        Checksum=ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD(
            IPv4Transmit=ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit(
                Encapsulation=2, TcpChecksum=1
            ),
            IPv4Receive=ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Receive(Encapsulation=6),
        ),
        Flags=0x6,
    )
    tree = _by_path(offload)
    assert tree["Header.Type"].symbol == "NDIS_OBJECT_TYPE_OFFLOAD"
    assert tree["Header.Size"].symbol == "NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_7"
    assert tree["Checksum.IPv4Transmit.Encapsulation"].symbol == "NDIS_ENCAPSULATION_IEEE_802_3"
    assert tree["Checksum.IPv4Receive.Encapsulation"].symbol == (
        "NDIS_ENCAPSULATION_IEEE_802_3 | NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q"
    )
    assert tree["Checksum.IPv4Transmit.TcpChecksum"].symbol == "NDIS_OFFLOAD_SUPPORTED"
    assert tree["Flags"].symbol == (
        "IPSEC_OFFLOAD_V2_AND_TCP_CHECKSUM_COEXISTENCE"
        " | IPSEC_OFFLOAD_V2_AND_UDP_CHECKSUM_COEXISTENCE"
    )
    assert tree["LsoV1.IPv4.MaxOffLoadSize"].symbol is None  # a plain number


def test_walk_gives_none_for_values_outside_the_vocabulary() -> None:
    tree = _by_path(NDIS_OFFLOAD_PARAMETERS(IPv4Checksum=9, EncapsulationTypes=0x80))
    assert tree["IPv4Checksum"].symbol is None
    assert tree["EncapsulationTypes"].symbol is None


def test_walk_visits_the_same_members_as_the_mapping_with_offsets_and_types() -> None:
    def leaves(cmap: dict[str, Any], prefix: str = "") -> list[str]:
        out: list[str] = []
        for k, v in cmap.items():
            out += leaves(v, f"{prefix}{k}.") if isinstance(v, dict) else [f"{prefix}{k}"]
        return out

    obj = NDIS_OFFLOAD()
    walked = [m for m in walk(obj)]
    assert [m.path for m in walked if m.value is not None] == leaves(to_cmap(obj))
    tree = {m.path: m for m in walked}
    # top-level offsets of spec 3.3
    offsets = {
        "Checksum": 4,
        "LsoV1": 36,
        "IPsecV1": 52,
        "LsoV2": 80,
        "Flags": 108,
        "IPsecV2": 112,
        "Rsc": 144,
        "EncapsulatedPacketTaskOffloadGre": 148,
        "EncapsulatedPacketTaskOffloadVxlan": 156,
        "EncapsulationTypes": 176,
        "Rfc6877Xlat": 180,
        "UdpSegmentation": 188,
    }
    assert {p: tree[p].offset for p in offsets} == offsets
    assert tree["Checksum"].c_type == "NDIS_TCP_IP_CHECKSUM_OFFLOAD"
    assert tree["Checksum.IPv6Receive.UdpChecksum"].c_type == "ULONG:2"
    assert tree["Checksum.IPv6Receive.UdpChecksum"].offset == 4 + 24 + 4
    assert tree["EncapsulationTypes"].c_type == "UCHAR"
    assert tree["Header.Size"].c_type == "USHORT"
    assert tree["Checksum.IPv4Transmit"].depth == 1
    assert tree["Checksum.IPv4Transmit.IpChecksum"].depth == 2


def test_walk_marks_members_the_header_revision_does_not_carry() -> None:
    tree = _by_path(NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(3)))
    assert tree["EncapsulatedPacketTaskOffloadGre.VmqSupported"].in_revision
    assert not tree["EncapsulatedPacketTaskOffloadGre.UsoSupported"].in_revision  # 6.85, rev 7
    assert not tree["EncapsulationTypes"].in_revision
    assert not tree["UdpRsc.Enabled"].in_revision  # never on the wire
    encap = _by_path(NDIS_OFFLOAD_ENCAPSULATION())
    assert all(m.in_revision for m in encap.values())


def test_walk_of_a_substructure_has_no_header_and_carries_everything() -> None:
    members = list(walk(ndis.NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD(UsoSupported=5)))
    assert [m.name for m in members][:2] == [
        "TransmitChecksumOffloadSupported",
        "ReceiveChecksumOffloadSupported",
    ]
    uso = next(m for m in members if m.name == "UsoSupported")
    assert uso.symbol == (
        "NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV4"
        " | NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_INNER_IPV6"
    )
    assert all(m.in_revision for m in members)
