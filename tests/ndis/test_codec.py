"""The byte codec: round trips for every structure and revision, header rules, and fuzzing."""

from __future__ import annotations

import contextlib
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stack import ndis
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_STATUS_BUFFER_TOO_SHORT,
    NDIS_STATUS_INVALID_DATA,
    NDIS_STATUS_INVALID_LENGTH,
    NDIS_STATUS_INVALID_PARAMETER,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters,
    NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters,
    NdisDecodeError,
    at_revision,
    decode,
    encode,
    layout,
)

FAST = settings(max_examples=60, deadline=None)

VERSIONED = list(ndis.VERSIONED_STRUCTURES.values())
PLAIN = [c for c in ndis.STRUCTURES.values() if c not in VERSIONED] + list(
    ndis.NESTED_STRUCTURES.values()
)
CLASS_REVISIONS = [(cls, rev) for cls in VERSIONED for rev in cls.REVISION_SIZES]


def _is_union(cls: type) -> bool:
    return any(m.name == "Value" for m in layout(cls)) and len(layout(cls)) > 1


def values(
    cls: type, revision: int | None = None, base: int = 0, limit: int | None = None
) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` whose members hold any value their C type allows.

    Members a revision does not carry (ending past ``limit`` or newer than ``revision``) stay zero,
    so the object is exactly what a revision-n image can express. Unions are drawn through
    ``Value``, their canonical storage.
    """
    members: dict[str, st.SearchStrategy[Any]] = {}
    for m in layout(cls):
        cf = m.field
        if m.name == "Header":
            continue
        if limit is not None and base + cf.offset + cf.size > limit:
            continue
        if revision is not None and cf.since > revision:
            continue
        if _is_union(cls) and m.name != "Value":
            continue
        if cf.kind == "struct":
            assert cf.struct is not None
            members[m.name] = values(cf.struct, revision, base + cf.offset, limit)
        else:
            members[m.name] = st.integers(0, (1 << cf.bit_width) - 1)
    return st.fixed_dictionaries(members).map(lambda kw: cls(**kw))


@st.composite
def versioned_values(draw: st.DrawFn, cls: Any, revision: int) -> Any:
    obj = draw(values(cls, revision, 0, cls.size_for(revision)))
    return attrs.evolve(obj, Header=cls.header_for(revision))


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize(
    ("cls", "revision"), CLASS_REVISIONS, ids=[f"{c.__name__}-r{r}" for c, r in CLASS_REVISIONS]
)
def test_every_revision_round_trips_through_bytes(cls: Any, revision: int) -> None:
    @FAST
    @given(versioned_values(cls, revision))
    def check(obj: Any) -> None:
        data = encode(obj)
        assert len(data) == cls.size_for(revision)
        assert decode(cls, data) == obj

    check()


@pytest.mark.parametrize("cls", PLAIN, ids=[c.__name__ for c in PLAIN])
def test_every_substructure_round_trips_through_bytes(cls: Any) -> None:
    @FAST
    @given(values(cls))
    def check(obj: Any) -> None:
        data = encode(obj)
        assert len(data) == cls.C_SIZE
        assert decode(cls, data) == obj

    check()


def _all_ones(cls: Any, revision: int) -> Any:
    """The object with every member carried by ``revision`` at its maximum."""
    limit = cls.size_for(revision)

    def fill(c: Any, base: int) -> Any:
        kw: dict[str, Any] = {}
        for m in layout(c):
            cf = m.field
            if m.name == "Header" or base + cf.offset + cf.size > limit or cf.since > revision:
                continue
            if _is_union(c) and m.name != "Value":
                continue
            kw[m.name] = fill(cf.struct, base + cf.offset) if cf.struct else (1 << cf.bit_width) - 1
        return c(**kw)

    return attrs.evolve(fill(cls, 0), Header=cls.header_for(revision))


@pytest.mark.parametrize(
    ("cls", "revision"), CLASS_REVISIONS, ids=[f"{c.__name__}-r{r}" for c, r in CLASS_REVISIONS]
)
def test_decoding_then_encoding_keeps_every_member_bit_and_zeroes_only_padding(
    cls: Any, revision: int
) -> None:
    size = cls.size_for(revision)
    mask = encode(_all_ones(cls, revision))
    header = encode(ndis.NDIS_OBJECT_HEADER(Type=cls.OBJECT_TYPE, Revision=revision, Size=size))

    @FAST
    @given(st.binary(min_size=size - 4, max_size=size - 4))
    def check(body: bytes) -> None:
        data = header + body
        again = encode(decode(cls, data))
        assert again == bytes(a & b for a, b in zip(data, mask, strict=True))

    check()


def _member_bits(cls: Any, revision: int, base: int = 0) -> int:
    """Sum of the bit widths of the members ``revision`` carries (unions counted once)."""
    limit = cls.size_for(revision) if hasattr(cls, "REVISION_SIZES") and base == 0 else None
    return _count(cls, revision, base, limit)


def _count(cls: Any, revision: int, base: int, limit: int | None) -> int:
    total = 0
    for m in layout(cls):
        cf = m.field
        if m.name == "Header" or (limit is not None and base + cf.offset + cf.size > limit):
            continue
        if cf.since > revision or (_is_union(cls) and m.name != "Value"):
            continue
        if cf.struct is not None:
            total += _count(cf.struct, revision, base + cf.offset, limit)
        else:
            total += cf.bit_width
    return total


@pytest.mark.parametrize(
    ("cls", "revision"), CLASS_REVISIONS, ids=[f"{c.__name__}-r{r}" for c, r in CLASS_REVISIONS]
)
def test_members_never_overlap_and_cover_every_bit_but_padding(cls: Any, revision: int) -> None:
    mask = encode(_all_ones(cls, revision))[4:]  # the header is given, not a member value
    assert sum(bin(b).count("1") for b in mask) == _member_bits(cls, revision)


def test_the_padding_bytes_are_where_the_spec_layouts_put_them() -> None:
    # NDIS_OFFLOAD_PARAMETERS rev 6: pad bytes 15, 26 and 27 (spec 3.2 layout)
    mask = encode(_all_ones(NDIS_OFFLOAD_PARAMETERS, 6))
    assert [i for i, b in enumerate(mask) if b == 0 and i >= 4] == [15, 26, 27]
    # NDIS_OFFLOAD rev 7: IPsecV2 pad @127, Rsc pad @146-147, EncapsulationTypes pad @177-179
    mask7 = encode(_all_ones(NDIS_OFFLOAD, 7))
    for pad in (127, 146, 147, 177, 178, 179):
        assert mask7[pad] == 0


# ---------------------------------------------------------------------------------------------
# Decoding under the header-versioning rules


def _header(cls: Any, revision: int, size: int | None = None, type_: int | None = None) -> bytes:
    t = cls.OBJECT_TYPE if type_ is None else type_
    s = cls.size_for(min(revision, cls.HIGHEST_REVISION)) if size is None else size
    return bytes([t, revision]) + s.to_bytes(2, "little")


@pytest.mark.parametrize(
    ("cls", "revision"), CLASS_REVISIONS, ids=[f"{c.__name__}-r{r}" for c, r in CLASS_REVISIONS]
)
def test_a_truncated_buffer_fails_with_invalid_length_and_the_bytes_needed(
    cls: Any, revision: int
) -> None:
    size = cls.size_for(revision)
    data = encode(cls(Header=cls.header_for(revision)))[: size - 1]
    with pytest.raises(NdisDecodeError) as err:
        decode(cls, data)
    assert err.value.status == NDIS_STATUS_INVALID_LENGTH
    assert err.value.bytes_needed == size


@pytest.mark.parametrize("length", [0, 1, 2, 3])
def test_a_buffer_without_a_whole_header_asks_for_the_revision_1_size(length: int) -> None:
    with pytest.raises(NdisDecodeError) as err:
        decode(NDIS_OFFLOAD, bytes([0xA7, 1, 0x70])[:length])
    assert err.value.status == NDIS_STATUS_INVALID_LENGTH
    assert err.value.bytes_needed == ndis.NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1


def test_the_short_buffer_status_is_chosen_by_the_caller() -> None:
    # OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES answers a short buffer with BUFFER_TOO_SHORT
    with pytest.raises(NdisDecodeError) as err:
        decode(NDIS_OFFLOAD, _header(NDIS_OFFLOAD, 3), short_status=NDIS_STATUS_BUFFER_TOO_SHORT)
    assert err.value.status == NDIS_STATUS_BUFFER_TOO_SHORT
    assert err.value.bytes_needed == 156


@pytest.mark.parametrize("cls", VERSIONED, ids=[c.__name__ for c in VERSIONED])
def test_a_wrong_object_type_is_an_invalid_parameter(cls: Any) -> None:
    data = _header(cls, 1, type_=0x42) + bytes(300)
    with pytest.raises(NdisDecodeError) as err:
        decode(cls, data)
    assert err.value.status == NDIS_STATUS_INVALID_PARAMETER
    assert err.value.bytes_needed == 0
    assert "Type" in str(err.value)


def test_the_invalid_header_status_is_chosen_by_the_caller() -> None:
    # OID_TCP_OFFLOAD_PARAMETERS asks for INVALID_DATA on invalid contents
    data = _header(NDIS_OFFLOAD_PARAMETERS, 0, size=35) + bytes(40)
    with pytest.raises(NdisDecodeError) as err:
        decode(NDIS_OFFLOAD_PARAMETERS, data, invalid_status=NDIS_STATUS_INVALID_DATA)
    assert err.value.status == NDIS_STATUS_INVALID_DATA


@pytest.mark.parametrize("cls", VERSIONED, ids=[c.__name__ for c in VERSIONED])
def test_revision_0_is_an_invalid_parameter(cls: Any) -> None:
    data = bytes([cls.OBJECT_TYPE, 0]) + (300).to_bytes(2, "little") + bytes(300)
    with pytest.raises(NdisDecodeError) as err:
        decode(cls, data)
    assert err.value.status == NDIS_STATUS_INVALID_PARAMETER
    assert "Revision" in str(err.value)


@pytest.mark.parametrize(
    ("cls", "revision"), CLASS_REVISIONS, ids=[f"{c.__name__}-r{r}" for c, r in CLASS_REVISIONS]
)
def test_a_size_below_the_revision_minimum_is_an_invalid_parameter(cls: Any, revision: int) -> None:
    size = cls.size_for(revision)
    data = _header(cls, revision, size=size - 1) + bytes(size)
    with pytest.raises(NdisDecodeError) as err:
        decode(cls, data)
    assert err.value.status == NDIS_STATUS_INVALID_PARAMETER
    assert "Size" in str(err.value)


def test_a_size_beyond_the_buffer_asks_for_header_size_bytes() -> None:
    data = _header(NDIS_OFFLOAD, 1, size=120) + bytes(112)
    with pytest.raises(NdisDecodeError) as err:
        decode(NDIS_OFFLOAD, data)
    assert err.value.status == NDIS_STATUS_INVALID_LENGTH
    assert err.value.bytes_needed == 120


def test_a_larger_size_than_the_revision_needs_is_accepted_and_kept() -> None:
    data = encode(NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(1)))
    bigger = data[:2] + (216).to_bytes(2, "little") + data[4:] + b"\xff" * 104
    got = decode(NDIS_OFFLOAD, bigger)
    assert got.Header.Size == 216
    assert got.IPsecV2 == ndis.NDIS_IPSEC_OFFLOAD_V2()  # not carried by revision 1


@pytest.mark.parametrize("cls", VERSIONED, ids=[c.__name__ for c in VERSIONED])
def test_revision_99_is_read_as_the_newest_revision_we_know(cls: Any) -> None:
    newest = cls.HIGHEST_REVISION
    known = encode(_all_ones(cls, newest))
    data = bytes([cls.OBJECT_TYPE, 99]) + (len(known) + 8).to_bytes(2, "little")
    data += known[4:] + b"\xee" * 8
    got = decode(cls, data)
    assert got.Header == ndis.NDIS_OBJECT_HEADER(Type=cls.OBJECT_TYPE, Revision=99, Size=len(data))
    assert attrs.evolve(got, Header=cls.header_for(newest)) == _all_ones(cls, newest)
    # the header as given cannot be written back; at_revision() normalises it
    with pytest.raises(ValueError, match="Revision = 99"):
        encode(got)
    assert encode(at_revision(got)) == known


def test_trailing_bytes_after_a_substructure_are_ignored() -> None:
    assert decode(ndis.NDIS_UDP_RSC_OFFLOAD, b"\x01\xff\xff").Enabled == 1


def test_a_short_substructure_buffer_says_how_many_bytes_it_needs() -> None:
    with pytest.raises(NdisDecodeError) as err:
        decode(ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD, bytes(31))
    assert (err.value.status, err.value.bytes_needed) == (NDIS_STATUS_INVALID_LENGTH, 32)


ALL_CLASSES = list(ndis.STRUCTURES.values()) + list(ndis.NESTED_STRUCTURES.values())


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
def test_random_bytes_only_ever_raise_ndis_decode_error(cls: Any) -> None:
    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=300))
    def check(data: bytes) -> None:
        with contextlib.suppress(NdisDecodeError):
            decode(cls, data)

    check()


@pytest.mark.parametrize("cls", VERSIONED, ids=[c.__name__ for c in VERSIONED])
def test_random_headers_over_random_bodies_only_ever_raise_ndis_decode_error(cls: Any) -> None:
    @settings(max_examples=150, deadline=None)
    @given(
        st.sampled_from([cls.OBJECT_TYPE, 0x80, 0xA7, 0x00, 0xFF]),
        st.integers(0, 255),
        st.integers(0, 0xFFFF),
        st.binary(max_size=300),
    )
    def check(type_: int, revision: int, size: int, body: bytes) -> None:
        data = bytes([type_, revision]) + size.to_bytes(2, "little") + body
        try:
            obj = decode(cls, data)
        except NdisDecodeError:
            return
        assert obj.Header.Revision == revision
        assert encode(at_revision(obj))  # whatever decodes can be normalised and written

    check()


def test_ndis_decode_error_is_bad_input_and_survives_pickling() -> None:
    err = NdisDecodeError(NDIS_STATUS_INVALID_LENGTH, 20, "NDIS_OFFLOAD_PARAMETERS: too short")
    assert isinstance(err, ValueError)
    assert isinstance(err, BadInput)
    again = pickle.loads(pickle.dumps(err))
    assert (again.status, again.bytes_needed, again.message) == (err.status, 20, err.message)
    assert str(err) == (
        "NDIS_OFFLOAD_PARAMETERS: too short (NDIS_STATUS_INVALID_LENGTH, BytesNeeded=20)"
    )


def test_decode_refuses_non_bytes_and_non_structures_as_caller_bugs() -> None:
    with pytest.raises(TypeError):
        decode(NDIS_OFFLOAD, "a7 01")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decode(int, b"")


# ---------------------------------------------------------------------------------------------
# Encoding errors


def test_a_bitfield_value_out_of_range_names_the_member() -> None:
    obj = NDIS_OFFLOAD(
        Checksum=ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD(
            IPv4Transmit=ndis.NDIS_TCP_IP_CHECKSUM_OFFLOAD_IPv4Transmit(TcpChecksum=4)
        )
    )
    with pytest.raises(ValueError, match=r"NDIS_OFFLOAD\.Checksum\.IPv4Transmit\.TcpChecksum"):
        encode(obj)


@pytest.mark.parametrize("bad", [-1, 256, True, "4"])
def test_a_uchar_member_must_be_an_int_that_fits(bad: object) -> None:
    with pytest.raises(ValueError, match=r"NDIS_OFFLOAD_PARAMETERS\.IPv4Checksum"):
        encode(NDIS_OFFLOAD_PARAMETERS(IPv4Checksum=bad))  # type: ignore[arg-type]


def test_a_header_whose_size_disagrees_with_its_revision_is_refused() -> None:
    obj = NDIS_OFFLOAD_PARAMETERS(Header=ndis.NDIS_OBJECT_HEADER(Type=0x80, Revision=3, Size=35))
    with pytest.raises(ValueError, match=r"Size = 35 but revision 3 is 26 bytes"):
        encode(obj)


def test_a_header_of_the_wrong_type_is_refused() -> None:
    obj = NDIS_OFFLOAD(Header=ndis.NDIS_OBJECT_HEADER(Type=0x80, Revision=1, Size=112))
    with pytest.raises(ValueError, match=r"Header\.Type"):
        encode(obj)


def test_header_for_an_unknown_revision_is_refused() -> None:
    with pytest.raises(ValueError, match=r"revision 8"):
        NDIS_OFFLOAD.header_for(8)


def test_encoding_at_an_older_revision_drops_newer_members() -> None:
    obj = NDIS_OFFLOAD_PARAMETERS(
        Header=NDIS_OFFLOAD_PARAMETERS.header_for(2), IPsecV2=2, RscIPv4=2
    )
    assert len(encode(obj)) == 22
    assert decode(NDIS_OFFLOAD_PARAMETERS, encode(obj)).RscIPv4 == 0


def test_at_revision_gives_what_a_reader_of_that_revision_sees() -> None:
    obj = NDIS_OFFLOAD_PARAMETERS(
        IPv4Checksum=4, RscIPv4=2, UdpRsc=ndis.NDIS_OFFLOAD_PARAMETERS_UdpRsc(Enabled=1)
    )
    old = at_revision(obj, 2)
    assert old.Header == NDIS_OFFLOAD_PARAMETERS.header_for(2)
    assert (old.IPv4Checksum, old.RscIPv4, old.UdpRsc.Enabled) == (4, 0, 0)
    assert at_revision(obj) == obj


def test_ndis_offload_udprsc_is_in_memory_only() -> None:
    obj = NDIS_OFFLOAD(UdpRsc=ndis.NDIS_UDP_RSC_OFFLOAD(Enabled=1))
    assert len(encode(obj)) == 216
    assert decode(NDIS_OFFLOAD, encode(obj)).UdpRsc.Enabled == 0


# ---------------------------------------------------------------------------------------------
# Unions


def test_a_union_given_by_one_view_fills_the_other() -> None:
    by_port = NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(
        VxlanParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters(
            VxlanUDPPortNumber=4789
        )
    )
    by_value = NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(Value=4789)
    assert by_port == by_value
    assert by_value.VxlanParameters.VxlanUDPPortNumber == 4789


def test_a_union_whose_views_disagree_is_refused() -> None:
    with pytest.raises(ValueError, match="describe different bytes"):
        NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters(
            Value=1,
            VxlanParameters=NDIS_OFFLOAD_PARAMETERS_EncapsulationProtocolParameters_VxlanParameters(
                VxlanUDPPortNumber=2
            ),
        )


def test_the_vxlan_info_bitfield_sits_in_the_second_ushort() -> None:
    info = ndis.NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2_EncapsulationProtocolInfo(
        Value=0x0001_12B5
    )
    assert info.VxlanInfo.VxlanUDPPortNumber == 4789
    assert info.VxlanInfo.VxlanUDPPortNumberConfigurable == 1
