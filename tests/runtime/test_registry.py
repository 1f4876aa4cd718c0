"""The keyword store: adapters matched to class keys, writes, snapshots, .reg load and save."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack.errors import BadInput
from stack.runtime._regfile import (
    HEADER_V5,
    REG_DWORD,
    REG_SZ,
    RegFileError,
    RegValue,
    decode_reg_bytes,
    encode_reg_text,
)
from stack.runtime._registry import (
    ADAPTER_NAME_VALUE,
    NET_CLASS_KEY,
    NdiEnumChoice,
    NdiParam,
    Registry,
    load_reg,
    save_reg,
)

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "intel-i219-export.reg"  # reg export of one Intel NIC: UTF-16 LE, BOM, CRLF
PASTE = DATA / "contoso-team-paste.reg"  # two tagged NICs and two service keys: UTF-8, LF


def reg_text(*blocks: str) -> str:
    return HEADER_V5 + "\r\n\r\n" + "\r\n".join(blocks) + "\r\n"


def instance_key(instance: str, *values: str) -> str:
    return "\r\n".join((f"[{NET_CLASS_KEY}\\{instance}]", *values, ""))


# --- a real export ------------------------------------------------------------------------------


def test_an_untagged_export_becomes_the_first_adapter_with_its_keywords() -> None:
    registry = load_reg(EXPORT, adapters=["nic0"])
    nic0 = registry.adapter("nic0")
    assert nic0.instance == "0001"
    assert nic0.get("*LsoV2IPv4") == "1"
    assert nic0.get("*TCPChecksumOffloadIPv4") == "3"
    assert nic0.get("*RscIPv4") == "1"
    assert nic0.get("*lsov2ipv4") == "1"  # Windows value names are case-insensitive
    assert nic0.get("*IfType") == "6"  # a REG_DWORD reads as its decimal number
    assert nic0.get("*UsoIPv4") is None
    assert nic0.value("*LsoV2IPv4") == RegValue.sz("*LsoV2IPv4", "1")


def test_the_export_s_ndi_params_describe_its_keywords() -> None:
    nic0 = load_reg(EXPORT, adapters=["nic0"]).adapter("nic0")
    lso = nic0.param("*LsoV2IPv4")
    assert lso == NdiParam(
        keyword="*LsoV2IPv4",
        ParamDesc="Large Send Offload V2 (IPv4)",
        default="1",
        type="enum",
        enum=(
            NdiEnumChoice(value="0", display="Disabled"),
            NdiEnumChoice(value="1", display="Enabled"),
        ),
    )
    checksum = nic0.param("*tcpchecksumoffloadipv4")
    assert checksum is not None
    assert checksum.display("3") == "Rx & Tx Enabled"
    assert checksum.display("7") is None
    assert [p.keyword for p in nic0.params()] == [
        "*IPChecksumOffloadIPv4",
        "*JumboPacket",
        "*LsoV2IPv4",
        "*LsoV2IPv6",
        "*RscIPv4",
        "*TCPChecksumOffloadIPv4",
    ]
    assert nic0.param("*UsoIPv4") is None


def test_an_unchanged_export_saves_back_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out.reg"
    save_reg(load_reg(EXPORT, adapters=["nic0"]), out)
    assert out.read_bytes() == EXPORT.read_bytes()


def test_changing_one_keyword_changes_one_line_of_the_export() -> None:
    registry = load_reg(EXPORT, adapters=["nic0"])
    before = registry.to_reg_text().splitlines()
    registry.adapter("nic0").set("*LsoV2IPv4", 0)
    after = registry.to_reg_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('"*LsoV2IPv4"="1"', '"*LsoV2IPv4"="0"')]


def test_a_utf16_export_without_its_bom_loads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "no-bom.reg"
    path.write_bytes(EXPORT.read_bytes()[2:])
    assert load_reg(path).snapshot() == load_reg(EXPORT).snapshot()


# --- a pasted file ------------------------------------------------------------------------------


def test_tags_match_adapters_before_file_order() -> None:
    registry = load_reg(PASTE, adapters=["nic0", "nic1"])
    assert [(a.name, a.instance) for a in registry.adapters] == [("nic0", "0012"), ("nic1", "0007")]
    assert registry.adapter("nic0").get("DriverDesc") == "Contoso® 25GbE Adapter"
    assert registry.adapter("nic1").get("Note") == 'say "hi" to C:\\temp'


def test_a_pasted_file_keeps_its_comments_and_other_keys_and_gets_crlf() -> None:
    registry = load_reg(PASTE, adapters=["nic0", "nic1"])
    assert registry.get_value(
        r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters",
        "DisableTaskOffload",
    ) == RegValue.dword("DisableTaskOffload", 0)
    # Only line ends and the blank line reg export puts at the end differ.
    assert (
        registry.to_reg_text() == PASTE.read_text(encoding="utf-8").replace("\n", "\r\n") + "\r\n"
    )


def test_a_keyword_stored_as_dword_reads_as_a_number_and_is_rewritten_as_reg_sz() -> None:
    nic0 = load_reg(PASTE, adapters=["nic0"]).adapter("nic0")
    assert nic0.value("*JumboPacket") == RegValue.dword("*JumboPacket", 9000)
    assert nic0.get("*JumboPacket") == "9000"
    nic0.set("*JumboPacket", 1514)
    assert nic0.value("*JumboPacket") == RegValue.sz("*JumboPacket", "1514")


def test_attach_instances_names_every_remaining_key_by_its_tag_or_number() -> None:
    text = reg_text(
        instance_key("0003", '"*RscIPv4"="0"'), *PASTE.read_text("utf-8").split("\n")[2:]
    )
    registry = Registry.from_reg_text(text)
    assert not registry.adapters
    registry.attach_instances()
    assert [(a.name, a.instance) for a in registry.adapters] == [
        ("0003", "0003"),
        ("nic1", "0007"),
        ("nic0", "0012"),
    ]


# --- matching adapters to keys ------------------------------------------------------------------


def test_adapters_take_explicit_then_tagged_then_free_keys_in_number_order() -> None:
    text = reg_text(
        instance_key("0005"),
        instance_key("0002", f'"{ADAPTER_NAME_VALUE}"="b"'),
        instance_key("0001"),
        instance_key("0009"),
    )
    registry = Registry.from_reg_text(text, adapters=["a", "b", "c"], instances={"d": "0001"})
    assert [(a.name, a.instance) for a in registry.adapters] == [
        ("a", "0005"),  # 0001 is pinned for d, 0002 tagged for b
        ("b", "0002"),
        ("c", "0009"),
    ]
    # Adapters the scenario creates later follow the same rule.
    assert registry.ensure_adapter("d").instance == "0001"
    assert registry.ensure_adapter("e").instance == "0010"


def test_an_attached_adapter_cannot_be_pinned_elsewhere() -> None:
    registry = Registry()
    registry.add_adapter("nic0")
    registry.pin("nic0", "0000")  # where it already is: fine
    with pytest.raises(BadInput, match="'nic0' is already attached to instance 0000"):
        registry.pin("nic0", "0001")


def test_an_adapter_with_no_key_gets_a_new_one_at_its_first_write_only() -> None:
    registry = Registry()
    nic0, nic1 = registry.add_adapter("nic0"), registry.add_adapter("nic1")
    assert (nic0.instance, nic1.instance) == ("0000", "0001")
    assert registry.keys() == ()
    assert nic1.get("*RscIPv4") is None
    nic1.set("*RscIPv4", 1)
    assert registry.keys() == (f"{NET_CLASS_KEY}\\0001",)
    assert nic0.path == f"{NET_CLASS_KEY}\\0000"


@pytest.mark.parametrize(
    ("text", "adapters", "instances", "message"),
    [
        (
            reg_text(
                instance_key("0001", f'"{ADAPTER_NAME_VALUE}"="nic0"'),
                instance_key("0002", '"x"="1"', f'"{ADAPTER_NAME_VALUE}"="nic0"'),
            ),
            [],
            None,
            "<text>:8: adapter name 'nic0' is also given to instance 0001",
        ),
        (
            reg_text(instance_key("0001", f'"{ADAPTER_NAME_VALUE}"=dword:00000001')),
            [],
            None,
            f'<text>:4: "{ADAPTER_NAME_VALUE}" must be a non-empty string',
        ),
        (
            reg_text(instance_key("0001\\Ndi", f'"{ADAPTER_NAME_VALUE}"="nic0"')),
            [],
            None,
            f'<text>:4: "{ADAPTER_NAME_VALUE}" belongs in the instance key',
        ),
        (
            reg_text(instance_key("0001", f'"{ADAPTER_NAME_VALUE}"="nic1"')),
            ["nic0", "nic1"],
            {"nic0": "0001"},
            f'<text>: adapter \'nic0\': instance 0001 is tagged "{ADAPTER_NAME_VALUE}"="nic1"',
        ),
        (
            reg_text(),
            [],
            {"nic0": "0001", "nic1": "0001"},
            "adapter 'nic1': instance 0001 is pinned for 'nic0'",
        ),
        (reg_text(), ["nic0", "nic0"], None, "adapter 'nic0' is attached twice"),
        (reg_text(), ["nic0"], {"nic0": "1"}, "instance must be four digits, got '1'"),
    ],
)
def test_a_file_and_an_adapter_list_that_disagree_fail_naming_the_file(
    text: str, adapters: list[str], instances: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(RegFileError) as info:
        Registry.from_reg_text(text, adapters=adapters, instances=instances)
    assert message in str(info.value)
    assert str(info.value).startswith("<text>")


# --- writes -------------------------------------------------------------------------------------


def test_set_stores_reg_sz_text_and_keeps_the_name_as_first_spelled() -> None:
    registry = Registry.from_reg_text(
        reg_text(instance_key("0001", '"*LsoV2IPv4"="1"')), adapters=["nic0"]
    )
    nic0 = registry.adapter("nic0")
    nic0.set("*lsov2ipv4", 0)
    nic0.set("*RscIPv4", "1")
    assert nic0.values() == (RegValue.sz("*LsoV2IPv4", "0"), RegValue.sz("*RscIPv4", "1"))
    assert nic0.value("*RscIPv4") == RegValue(
        name="*RscIPv4", type=REG_SZ, data="1\0".encode("utf-16-le")
    )


@pytest.mark.parametrize("bad", [True, 1.0, None, b"1"])
def test_set_takes_only_text_or_integers(bad: object) -> None:
    nic0 = Registry().add_adapter("nic0")
    with pytest.raises(TypeError, match="must be str or int"):
        nic0.set("*RscIPv4", bad)  # type: ignore[arg-type]


def test_every_write_counts_even_an_unchanged_one_and_loading_does_not() -> None:
    registry = Registry.from_reg_text(
        reg_text(instance_key("0001", '"*RscIPv4"="1"')), adapters=["a", "b"]
    )
    a, b = registry.adapter("a"), registry.adapter("b")
    assert (registry.change_count, a.change_count, b.change_count) == (0, 0, 0)
    a.set("*RscIPv4", 1)
    a.set("*RscIPv4", 1)
    b.set("*RscIPv4", 0)
    a.delete("*RscIPv4")
    a.delete("*RscIPv4")  # nothing left to delete: not a write
    registry.set_value(r"HKEY_LOCAL_MACHINE\SOFTWARE\x", RegValue.dword("y", 1))
    assert (registry.change_count, a.change_count, b.change_count) == (5, 3, 1)


def test_snapshots_are_frozen_values_that_show_each_write() -> None:
    registry = load_reg(EXPORT, adapters=["nic0"])
    nic0 = registry.adapter("nic0")
    first, again = registry.snapshot(), registry.snapshot()
    assert first == again
    assert hash(first) == hash(again)
    before = nic0.snapshot()
    nic0.set("*LsoV2IPv4", 0)
    assert registry.snapshot() != first
    assert (before.get("*LsoV2IPv4"), nic0.snapshot().get("*lsov2ipv4")) == ("1", "0")
    assert first.adapters == (("nic0", "0001"),)


def test_new_keys_and_values_go_where_regedit_would_sort_them() -> None:
    registry = Registry.from_reg_text(
        reg_text(instance_key("0001", '"A"="1"', '"AB"="1"', '"B"="1"')), adapters=["nic0"]
    )
    nic0 = registry.adapter("nic0")
    nic0.set("A_", 1)  # upper-case ordinal order, like regedit: "_" sorts after letters
    nic0.set("0", 1)
    assert [v.name for v in nic0.values()] == ["0", "A", "AB", "A_", "B"]
    nic0.define_param(NdiParam(keyword="*RscIPv4", ParamDesc="Recv Segment Coalescing (IPv4)"))
    registry.set_value(NET_CLASS_KEY + "\\0000", RegValue.sz("x", "y"))
    assert registry.keys() == (
        NET_CLASS_KEY + "\\0000",
        NET_CLASS_KEY + "\\0001",
        NET_CLASS_KEY + "\\0001\\Ndi\\params\\*RscIPv4",
    )


def test_in_a_file_s_own_order_a_new_value_goes_before_the_first_that_sorts_after_it() -> None:
    registry = Registry.from_reg_text(
        reg_text(instance_key("0001", '"B"="1"', '"A"="1"', '"D"="1"')), adapters=["nic0"]
    )
    registry.adapter("nic0").set("C", 1)
    assert [v.name for v in registry.adapter("nic0").values()] == ["B", "A", "C", "D"]


keyword_values = st.dictionaries(
    st.sampled_from(
        ["*LsoV2IPv4", "*RscIPv4", "*TCPChecksumOffloadIPv4", "*UsoIPv6", "Vendor_x", "A"]
    ),
    st.integers(0, 3),
    min_size=1,
)


@given(keyword_values, st.data())
def test_the_saved_file_depends_on_what_was_written_never_on_the_order(
    values: dict[str, int], data: st.DataObject
) -> None:
    texts = set()
    for _ in range(3):
        registry = Registry.from_reg_text(PASTE.read_text("utf-8"), adapters=["nic0", "nic2"])
        for keyword, value in data.draw(st.permutations(list(values.items()))):
            registry.adapter("nic2").set(keyword, value)
            registry.adapter("nic0").set(keyword, value)
        texts.add(registry.to_reg_text())
    assert len(texts) == 1


def test_the_runtime_interface_ensures_reads_writes_and_deletes_keywords() -> None:
    registry = load_reg(PASTE)  # the scenario's adapters attach as it creates them
    nic0 = registry.ensure_adapter("nic0")
    assert registry.ensure_adapter("nic0") is nic0
    assert registry.ensure_adapter("nic9").instance == "0013"
    assert dict(registry.keywords("nic0"))["*TCPChecksumOffloadIPv4"] == "3"
    assert ADAPTER_NAME_VALUE not in dict(registry.keywords("nic0"))
    registry.write("nic9", "*RscIPv4", "0")
    assert registry.keywords("nic9") == (("*RscIPv4", "0"),)
    registry.write("nic9", "*RscIPv4", None)
    assert registry.keywords("nic9") == ()
    with pytest.raises(KeyError):
        registry.keywords("nobody")


def test_a_defined_param_reads_back_and_saves_as_an_inf_would_install_it() -> None:
    nic0 = Registry().add_adapter("nic0")
    param = NdiParam(
        keyword="*UsoIPv4",
        ParamDesc="USO (IPv4)",
        default="0",
        type="enum",
        enum=(
            NdiEnumChoice(value="0", display="Disabled"),
            NdiEnumChoice(value="1", display="Enabled"),
        ),
    )
    nic0.define_param(param)
    assert nic0.param("*USOIPV4") == param
    again = Registry.from_reg_text(nic0.registry.to_reg_text(), adapters=["nic0"])
    assert again.adapter("nic0").params() == (param,)


def test_a_copy_is_independent_of_the_original() -> None:
    original = load_reg(PASTE, adapters=["nic0"])
    copy = original.copy()
    assert copy.snapshot() == original.snapshot()
    copy.adapter("nic0").set("*LsoV2IPv4", 0)
    assert original.adapter("nic0").get("*LsoV2IPv4") == "1"
    assert copy.adapter("nic0").registry is copy
    assert (original.change_count, copy.change_count) == (0, 1)
    assert copy.to_reg_text() != original.to_reg_text()


def test_deletion_lines_apply_while_loading_and_the_result_is_what_is_saved() -> None:
    text = reg_text(
        instance_key("0001", '"*RscIPv4"="1"', '"Old"="1"'),
        instance_key("0001\\Ndi", '"Service"="x"'),
        f"[-{NET_CLASS_KEY}\\0001\\Ndi]",
        "",
        instance_key("0001", '"Old"=-', '"*RscIPv4"="0"'),
    )
    registry = Registry.from_reg_text(text, adapters=["nic0"])
    assert registry.keys() == (f"{NET_CLASS_KEY}\\0001",)
    assert registry.adapter("nic0").values() == (RegValue.sz("*RscIPv4", "0"),)
    assert "[-" not in registry.to_reg_text()


def test_a_regedit4_file_is_saved_in_the_version_5_format() -> None:
    text = "REGEDIT4\r\n\r\n" + instance_key("0001", '"p"=hex(2):25,41,25,00', '"*RscIPv4"="1"')
    registry = Registry.from_reg_text(text, adapters=["nic0"])
    assert registry.to_reg_text() == reg_text(
        instance_key("0001", '"p"=hex(2):25,00,41,00,25,00,00,00', '"*RscIPv4"="1"')
    )


def test_general_keys_are_read_and_written_by_path() -> None:
    registry = Registry()
    path = r"HKEY_LOCAL_MACHINE\System\CurrentControlSet\Services\TCPIP\Parameters"
    registry.set_value(path, RegValue.dword("DisableTaskOffload", 1))
    assert registry.get_value(path.upper(), "disabletaskoffload") == RegValue.dword(
        "DisableTaskOffload", 1
    )
    assert registry.get_value(path, "other") is None
    registry.delete_value(path, "DisableTaskOffload")
    assert registry.get_value(path, "DisableTaskOffload") is None
    with pytest.raises(BadInput, match="unknown root key 'HKLM'"):
        registry.set_value(r"HKLM\SOFTWARE", RegValue.dword("x", 1))


# --- files --------------------------------------------------------------------------------------


# Quotes and backslashes (escaped in the file), and what else the format treats specially.
_tricky = st.sampled_from(list('"\\;=@[]-*\r\n '))
_keywords = st.text(
    _tricky | st.characters(exclude_categories=["Cs"], exclude_characters="\0"),
    min_size=1,
    max_size=12,
)
_texts = st.text(_tricky | st.characters(exclude_categories=["Cs"]), max_size=20)


@given(st.dictionaries(_keywords, _texts | st.integers(0, 10**6), max_size=5))
def test_any_keyword_survives_save_and_load_in_both_encodings(values: dict[str, str | int]) -> None:
    registry = Registry()
    nic0 = registry.add_adapter("nic0")
    for keyword, value in values.items():
        nic0.set(keyword, value)
    for encoding in ("utf-16", "utf-8"):
        # through bytes, as save_reg/load_reg do, without touching the disk for every example
        data = encode_reg_text(registry.to_reg_text(), encoding=encoding)
        loaded = Registry.from_reg_text(decode_reg_bytes(data, source="x"), adapters=["nic0"])
        assert loaded.snapshot() == registry.snapshot()
        for keyword in values:
            assert loaded.adapter("nic0").get(keyword) == nic0.get(keyword)


def test_save_is_atomic_keeps_permissions_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "nic.reg"
    out.write_bytes(b"old")
    out.chmod(0o640)
    registry = load_reg(PASTE, adapters=["nic0"])
    save_reg(registry, out, encoding="utf-8")
    assert out.read_bytes().startswith(HEADER_V5.encode())
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["nic.reg"]
    assert load_reg(out, adapters=["nic0"]).snapshot() == registry.snapshot()


def test_files_that_cannot_be_read_or_written_fail_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.reg"
    with pytest.raises(
        RegFileError, match=r"missing\.reg: cannot read: No such file or directory$"
    ):
        load_reg(missing)
    with pytest.raises(RegFileError, match=r"nowhere[/\\]out\.reg: cannot write: "):
        save_reg(Registry(), tmp_path / "nowhere" / "out.reg")


def test_a_malformed_file_names_itself_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "nic.reg"
    path.write_text(reg_text(instance_key("0001", "LsoV2IPv4=1")), encoding="utf-8")
    with pytest.raises(RegFileError) as info:
        load_reg(path)
    assert str(info.value) == f"{path}:4: expected \"name\"=value or [key], got 'LsoV2IPv4=1'"


def test_value_types_other_than_text_and_numbers_read_as_none() -> None:
    registry = Registry.from_reg_text(
        reg_text(instance_key("0001", '"b"=hex:01', '"d"=dword:1')), adapters=["n"]
    )
    assert registry.adapter("n").get("b") is None
    assert registry.adapter("n").value("d") == RegValue(name="d", type=REG_DWORD, data=b"\1\0\0\0")
    assert registry.keywords("n") == (("d", "1"),)
