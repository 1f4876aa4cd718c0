"""The constants keep their exact C names and the values of the SDK/WDK headers (spec 1-4)."""

import pytest

from stack import ndis
from stack.ndis import _constants as c

# A sample of (name, value) straight from the spec tables, which cite the headers.
SPEC_VALUES = [
    ("OID_TCP_OFFLOAD_PARAMETERS", 0xFC01020C),
    ("OID_TCP_OFFLOAD_CURRENT_CONFIG", 0xFC01020B),
    ("OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES", 0xFC01020D),
    ("OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG", 0xFC01020E),
    ("OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES", 0xFC01020F),
    ("OID_OFFLOAD_ENCAPSULATION", 0x0101010A),
    ("OID_TCP_CONNECTION_OFFLOAD_PARAMETERS", 0xFC030201),
    ("OID_TCP_TASK_OFFLOAD", 0xFC010201),
    ("OID_TCP_RSC_STATISTICS", 0x0002021D),
    ("NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG", 0x40020006),
    ("NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES", 0x40020007),
    ("NDIS_STATUS_OFFLOAD_ENCASPULATION_CHANGE", 0x40020008),
    ("NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES", 0x4002000B),
    ("NDIS_STATUS_OFFLOAD_RESUME", 0x40020003),
    ("NDIS_STATUS_INVALID_LENGTH", 0xC0010014),
    ("NDIS_STATUS_BUFFER_TOO_SHORT", 0xC0010016),
    ("NDIS_STATUS_INVALID_DATA", 0xC0010015),
    ("NDIS_STATUS_INVALID_PARAMETER", 0xC000000D),
    ("NDIS_STATUS_NOT_SUPPORTED", 0xC00000BB),
    ("NDIS_STATUS_PENDING", 0x00000103),
    ("NDIS_STATUS_INDICATION_REQUIRED", 0x40230001),
    ("NDIS_OBJECT_TYPE_DEFAULT", 0x80),
    ("NDIS_OBJECT_TYPE_OFFLOAD", 0xA7),
    ("NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION", 0xA8),
    ("NDIS_OBJECT_TYPE_OID_REQUEST", 0x96),
    ("NDIS_OBJECT_TYPE_STATUS_INDICATION", 0x98),
    ("NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED", 4),
    ("NDIS_OFFLOAD_PARAMETERS_IPSECV2_AH_AND_ESP_ENABLED", 4),
    ("NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE", 1),
    ("NDIS_OFFLOAD_SET_OFF", 2),
    ("NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED", 0x10),
    ("NDIS_ENCAPSULATION_TYPE_VXLAN", 2),
    ("NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_OUTER_IPV6", 8),
    ("IPSEC_OFFLOAD_V2_ENCRYPTION_AES_CBC_256", 0x100),
    ("IPSEC_OFFLOAD_V2_AND_UDP_CHECKSUM_COEXISTENCE", 4),
    ("NDIS_RFC6877_464XLAT_OFFLOAD_ON_DEMAND", 3),
    ("NDIS_OFFLOAD_REVISION_7", 7),
    ("NDIS_OFFLOAD_PARAMETERS_REVISION_6", 6),
    ("NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_5", 34),
    ("NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_4", 177),
    ("NDIS_SIZEOF_OFFLOAD_ENCAPSULATION_REVISION_1", 28),
    ("NDIS_SIZEOF_TCP_CONNECTION_OFFLOAD_REVISION_1", 20),
    ("NDIS_SIZEOF_OID_REQUEST_REVISION_2", 248),
    ("NdisRequestMethod", 12),
    ("NDIS_WMI_OBJECT_TYPE_OUTPUT_INFO", 5),
]


@pytest.mark.parametrize(("name", "value"), SPEC_VALUES)
def test_each_constant_has_the_value_the_spec_gives_it(name: str, value: int) -> None:
    assert c.ALL_CONSTANTS[name] == value
    assert getattr(ndis, name) == value


def test_every_constant_is_exported_from_the_package_under_its_c_name() -> None:
    missing = [n for n in c.ALL_CONSTANTS if getattr(ndis, n, None) != c.ALL_CONSTANTS[n]]
    assert missing == []


def test_lookup_of_0xC0010014_finds_ndis_status_invalid_length_first() -> None:
    assert c.names_for_value(0xC0010014)[0] == "NDIS_STATUS_INVALID_LENGTH"


def test_lookup_ranks_status_names_then_oids_then_the_rest() -> None:
    names = c.names_for_value(0)
    assert names[0] == "NDIS_STATUS_SUCCESS"
    families = [c.family_of(n) for n in names]
    ranks = [c.FAMILY_NAMES.index(f) for f in families]
    assert ranks == sorted(ranks)
    assert "NDIS_OFFLOAD_PARAMETERS_NO_CHANGE" in names


def test_lookup_reads_negative_numbers_as_32_bit_statuses() -> None:
    assert c.names_for_value(0xC0010014 - (1 << 32)) == ["NDIS_STATUS_INVALID_LENGTH"]


def test_lookup_of_an_unknown_value_is_empty() -> None:
    assert c.names_for_value(0xDEADBEEF) == []


def test_status_and_oid_enums_agree_with_the_plain_constants() -> None:
    for enum_cls in (c.NdisStatus, c.Oid, c.NdisRequestType):
        for member in enum_cls:
            assert getattr(c, member.name) is member
            assert c.ALL_CONSTANTS[member.name] == member.value


def test_misspelt_c_names_are_kept_as_the_headers_spell_them() -> None:
    assert c.NdisStatus.NDIS_STATUS_OFFLOAD_ENCASPULATION_CHANGE.name.endswith(
        "ENCASPULATION_CHANGE"
    )
    assert "NDIS_TCP_RECV_SEG_COALESC_OFFLOAD_REVISION_1" in c.ALL_CONSTANTS


def test_every_name_belongs_to_exactly_one_family() -> None:
    seen = [n for names in c.FAMILIES.values() for n in names]
    assert sorted(seen) == sorted(c.ALL_CONSTANTS)
    assert set(c.FAMILIES) == set(c.FAMILY_NAMES)
    assert c.family_of("OID_TCP_OFFLOAD_PARAMETERS") == "oid"
    assert c.family_of("NDIS_STATUS_PENDING") == "status"
    assert c.family_of("NDIS_OBJECT_TYPE_OFFLOAD") == "object_type"
    assert c.family_of("NDIS_OFFLOAD_REVISION_3") == "revision"
    assert c.family_of("NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3") == "size"
    assert c.family_of("NDIS_OFFLOAD_SET_ON") == "value"


def test_all_constants_order_is_fixed_statuses_first() -> None:
    names = list(c.ALL_CONSTANTS)
    assert names[0] == "NDIS_STATUS_SUCCESS"
    first_oid = names.index("OID_TCP_OFFLOAD_CURRENT_CONFIG")
    assert all(c.family_of(n) == "status" for n in names[:first_oid])


def test_revision_sizes_grow_and_sizes_are_the_size_constants() -> None:
    for cls in ndis.VERSIONED_STRUCTURES.values():
        sizes = list(cls.REVISION_SIZES.values())
        assert sizes == sorted(sizes)
        assert list(cls.REVISION_SIZES) == list(range(1, cls.HIGHEST_REVISION + 1))
    assert dict(ndis.NDIS_OFFLOAD.REVISION_SIZES) == {
        1: 112,
        2: 144,
        3: 156,
        4: 177,
        5: 188,
        6: 216,
        7: 216,
    }
    assert list(ndis.NDIS_OFFLOAD_PARAMETERS.REVISION_SIZES.values()) == [20, 22, 26, 32, 34, 35]
