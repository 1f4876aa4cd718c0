"""Get-NetAdapterAdvancedProperty: rows as PowerShell shows them.

PS/Get-NetAdapterAdvancedProperty.md, N/enumeration-keywords.md.
"""

from stack.drivers import advanced_properties


def test_standardized_keywords_appear_with_their_docs_display_names_and_defaults() -> None:
    rows = advanced_properties(())
    lso = rows["*LsoV2IPv4"]
    assert lso == {
        "DisplayName": "Large Send Offload Version 2 (IPv4)",
        "DisplayValue": "Enabled",
        "RegistryKeyword": "*LsoV2IPv4",
        "RegistryValue": "1",
    }
    assert rows["*TCPChecksumOffloadIPv4"]["DisplayValue"] == "Rx & Tx Enabled"


def test_a_stored_value_and_its_ndi_params_display_win() -> None:
    values = (("*RscIPv4", "0", "Recv Segment Coalescing (IPv4)", "Off (vendor text)"),)
    rows = advanced_properties(values)
    assert rows["*RscIPv4"]["RegistryValue"] == "0"
    assert rows["*RscIPv4"]["DisplayValue"] == "Off (vendor text)"


def test_values_without_a_display_name_need_all_properties() -> None:
    values = (("DriverDesc", "Contoso NIC", None, None),)
    assert "DriverDesc" not in advanced_properties(values)
    assert advanced_properties(values, all_properties=True)["DriverDesc"]["DisplayValue"] == (
        "Contoso NIC"
    )


def test_keyword_and_display_name_are_wildcard_patterns() -> None:
    assert set(advanced_properties((), keyword="*Lso*")) == {
        "*LsoV1IPv4",
        "*LsoV2IPv4",
        "*LsoV2IPv6",
    }
    assert set(advanced_properties((), display_name="Recv Segment*")) == {"*RscIPv4", "*RscIPv6"}
