"""The administrator: NetAdapter cmdlets turned into WMI requests and registry writes."""

from __future__ import annotations

from typing import Any

import pytest

from stack.drivers import (
    GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG,
    GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    GUID_NDIS_TCP_OFFLOAD_PARAMETERS,
    PRESETS,
    WMI_SET_PARAMETERS,
    AdminClient,
    OffloadPath,
    RecordingContext,
    cmdlet,
    offload_parameters,
    wmi_set_parameters,
)
from stack.errors import BadInput
from stack.ndis import (
    NDIS_ENCAPSULATION_TYPE_GRE_MAC,
    NDIS_ENCAPSULATION_TYPE_VXLAN,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_USO_ENABLED,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NdisStatus,
    current_config_from_keywords,
)
from stack.runtime import (
    AdapterControl,
    RegistryRead,
    RegistryValues,
    RegistryWrite,
    WmiComplete,
    WmiRequest,
)

S = NdisStatus


def run(admin: AdminClient, ctx: RecordingContext, name: str, **params: Any) -> list[Any]:
    ctx.take()
    ctx.deliver(admin, cmdlet(name, "nic0", **params), src="scenario")
    return [m for _, m, _ in ctx.posts]


def sent_parameters(admin: AdminClient, ctx: RecordingContext, name: str, **params: Any) -> Any:
    (request,) = run(admin, ctx, name, **params)
    assert isinstance(request, WmiRequest)
    assert (request.guid, request.operation) == (GUID_NDIS_TCP_OFFLOAD_PARAMETERS, "set")
    assert isinstance(request.buffer, NDIS_OFFLOAD_PARAMETERS)
    return request.buffer


def test_get_cmdlets_run_the_current_config_method_and_show_properties() -> None:
    ctx = RecordingContext()
    admin = AdminClient(offload_path=OffloadPath.WMI)
    (request,) = run(admin, ctx, "Get-NetAdapterChecksumOffload")
    assert request == WmiRequest(GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG, "nic0", "method", 1)
    current = current_config_from_keywords(
        PRESETS["intel-x710"].offload, {"*TCPChecksumOffloadIPv6": "1"}
    )
    ctx.deliver(admin, WmiComplete(request.guid, "nic0", 1, S.NDIS_STATUS_SUCCESS, current))
    result = admin.last()
    assert result is not None and result.ok and result.buffer == current
    assert result.properties["TcpIPv6Enabled"] == "TxEnabled"
    assert result.properties["TcpIPv4Enabled"] == "RxTxEnabled"


def test_get_is_registry_backed_by_default() -> None:
    """The cmdlets report the registry-backed MSFT_NetAdapter*SettingData (Emulex manual,
    "Advisory: PowerShell Behavior"): the keywords' configuration within the hardware, which
    after -NoRestart is not what the adapter runs."""
    ctx = RecordingContext()
    admin = AdminClient()
    (request,) = run(admin, ctx, "Get-NetAdapterLso")
    assert request == WmiRequest(GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES, "nic0", "method", 1)
    hardware = PRESETS["intel-x710"].offload
    ctx.take()
    ctx.deliver(admin, WmiComplete(request.guid, "nic0", 1, S.NDIS_STATUS_SUCCESS, hardware))
    (read,) = ctx.messages(RegistryRead)
    assert admin.results == []
    values = (("*LsoV2IPv4", "0", None, None),)
    ctx.deliver(admin, RegistryValues("nic0", read.request_id, values))
    result = admin.last()
    assert result is not None and result.ok
    assert result.buffer == current_config_from_keywords(hardware, {"*LsoV2IPv4": "0"})
    assert result.properties["IPv4Enabled"] is False
    assert result.properties["IPv6Enabled"] is True


def test_get_with_hardware_uses_the_hardware_capabilities_method() -> None:
    ctx = RecordingContext()
    (request,) = run(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Get-NetAdapterLso", Hardware=True
    )
    assert request.guid == GUID_NDIS_TCP_OFFLOAD_HARDWARE_CAPABILITIES


def test_set_checksum_maps_directions_to_parameter_values() -> None:
    ctx = RecordingContext()
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Set-NetAdapterChecksumOffload",
        TcpIPv4Enabled="TxEnabled", UdpIPv6Enabled="Disabled",
    )  # fmt: skip
    assert params.TCPIPv4Checksum == NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED
    assert params.UDPIPv6Checksum == NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED
    assert params.IPv4Checksum == 0 and params.LsoV1 == 0  # untouched members: NO_CHANGE


def test_bad_direction_is_bad_input() -> None:
    ctx = RecordingContext()
    with pytest.raises(BadInput, match="RxTxEnabled"):
        run(
            AdminClient(offload_path=OffloadPath.WMI),
            ctx,
            "Set-NetAdapterChecksumOffload",
            TcpIPv4Enabled="Both",
        )


def test_disable_checksum_also_disables_lso_and_rsc_for_that_ip_version() -> None:
    ctx = RecordingContext()
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI),
        ctx,
        "Disable-NetAdapterChecksumOffload",
        TcpIPv4=True,
    )
    assert params.TCPIPv4Checksum == NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED
    assert params.LsoV1 == NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED
    assert params.LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED
    assert params.RscIPv4 == NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED
    assert params.LsoV2IPv6 == 0 and params.TCPIPv6Checksum == 0

    plain = AdminClient(offload_path=OffloadPath.WMI, checksum_disable_cascades=False)
    params = sent_parameters(plain, ctx, "Disable-NetAdapterChecksumOffload", TcpIPv4=True)
    assert params.LsoV2IPv4 == 0


def test_enable_checksum_without_switches_enables_every_checksum() -> None:
    ctx = RecordingContext()
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Enable-NetAdapterChecksumOffload"
    )
    members = ("IPv4Checksum", "TCPIPv4Checksum", "TCPIPv6Checksum", "UDPIPv4Checksum",
               "UDPIPv6Checksum")  # fmt: skip
    assert all(getattr(params, m) == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED for m in members)


def test_disable_lso_ipv4_covers_lsov1_and_lsov2_ipv4() -> None:
    ctx = RecordingContext()
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Disable-NetAdapterLso", IPv4=True
    )
    assert (params.LsoV1, params.LsoV2IPv4, params.LsoV2IPv6) == (1, 1, 0)
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Set-NetAdapterLso", IPv6Enabled=False
    )
    assert (params.LsoV1, params.LsoV2IPv4, params.LsoV2IPv6) == (0, 0, 1)


def test_rsc_and_uso_cmdlets() -> None:
    ctx = RecordingContext()
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Disable-NetAdapterRsc"
    )
    assert (params.RscIPv4, params.RscIPv6) == (1, 1)
    params = sent_parameters(
        AdminClient(offload_path=OffloadPath.WMI), ctx, "Enable-NetAdapterUso", IPv6=True
    )
    assert params.UdpSegmentation.IPv6 == NDIS_OFFLOAD_PARAMETERS_USO_ENABLED
    assert params.UdpSegmentation.IPv4 == 0


def test_set_result_is_recorded_when_the_wmi_set_completes() -> None:
    ctx = RecordingContext()
    admin = AdminClient(offload_path=OffloadPath.WMI)
    (request,) = run(admin, ctx, "Disable-NetAdapterLso")
    assert admin.results == [] and admin.outstanding == 1
    ctx.deliver(admin, WmiComplete(request.guid, "nic0", request.request_id, S.NDIS_STATUS_SUCCESS))
    result = admin.last("Disable-NetAdapterLso")
    assert result is not None and result.ok
    assert result.properties == {"LsoV1": 1, "LsoV2IPv4": 1, "LsoV2IPv6": 1}
    assert ctx.messages(AdapterControl) == []  # the WMI set applied it at run time


def test_restart_after_set_option_restarts_unless_no_restart() -> None:
    ctx = RecordingContext()
    admin = AdminClient(offload_path=OffloadPath.WMI, restart_after_set=True)
    (request,) = run(admin, ctx, "Disable-NetAdapterLso")
    ctx.deliver(admin, WmiComplete(request.guid, "nic0", request.request_id, S.NDIS_STATUS_SUCCESS))
    assert ctx.messages(AdapterControl) == [AdapterControl("nic0", "restart")]
    (request,) = run(admin, ctx, "Disable-NetAdapterLso", NoRestart=True)
    ctx.take()
    ctx.deliver(admin, WmiComplete(request.guid, "nic0", request.request_id, S.NDIS_STATUS_SUCCESS))
    assert ctx.messages(AdapterControl) == []


def test_registry_path_is_the_default_and_writes_the_keywords_and_restarts() -> None:
    # PS/Set-NetAdapterRsc.md, PS/Disable-NetAdapterChecksumOffload.yml: "... and restarts the
    # network adapter(s)"; -NoRestart (PS/Set-NetAdapterLso.yml) leaves the restart out.
    ctx = RecordingContext()
    admin = AdminClient()
    assert admin.offload_path is OffloadPath.REGISTRY
    posted = run(admin, ctx, "Disable-NetAdapterLso", IPv6=True)
    assert posted == [RegistryWrite("nic0", "*LsoV2IPv6", "0"), AdapterControl("nic0", "restart")]
    assert admin.last() is not None and admin.last().ok  # type: ignore[union-attr]
    posted = run(admin, ctx, "Disable-NetAdapterRsc", NoRestart=True)
    assert posted == [
        RegistryWrite("nic0", "*RscIPv4", "0"),
        RegistryWrite("nic0", "*RscIPv6", "0"),
    ]
    assert not ctx.messages(WmiRequest)


def test_wmi_set_parameters_is_a_run_time_set_without_restart() -> None:
    ctx = RecordingContext()
    admin = AdminClient()
    params = offload_parameters("Disable-NetAdapterLso", IPv6=True)
    assert params == NDIS_OFFLOAD_PARAMETERS(LsoV2IPv6=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED)
    ctx.deliver(admin, wmi_set_parameters("nic0", params), src="scenario")
    (request,) = ctx.messages(WmiRequest)
    assert (request.guid, request.operation, request.buffer) == (
        GUID_NDIS_TCP_OFFLOAD_PARAMETERS,
        "set",
        params,
    )
    ctx.deliver(admin, WmiComplete(request.guid, "nic0", request.request_id, S.NDIS_STATUS_SUCCESS))
    result = admin.last(WMI_SET_PARAMETERS)
    assert result is not None and result.ok and result.properties == {"LsoV2IPv6": 1}
    assert ctx.messages(AdapterControl) == []
    with pytest.raises(BadInput, match="no NDIS_OFFLOAD_PARAMETERS"):
        offload_parameters("Disable-NetAdapterEncapsulatedPacketTaskOffload")
    with pytest.raises(BadInput, match="needs an NDIS_OFFLOAD_PARAMETERS"):
        wmi_set_parameters("nic0", "Disable-NetAdapterLso")  # type: ignore[arg-type]


def test_encapsulated_packet_task_offload_reads_then_sets() -> None:
    ctx = RecordingContext()
    admin = AdminClient(offload_path=OffloadPath.WMI)
    (read,) = run(admin, ctx, "Disable-NetAdapterEncapsulatedPacketTaskOffload",
                  EncapsulationType="NVGRE")  # fmt: skip
    assert read.guid == GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG
    current = current_config_from_keywords(PRESETS["intel-x710"].offload, {})
    assert (
        current.EncapsulationTypes
        == NDIS_ENCAPSULATION_TYPE_GRE_MAC | NDIS_ENCAPSULATION_TYPE_VXLAN
    )
    ctx.take()
    ctx.deliver(
        admin, WmiComplete(read.guid, "nic0", read.request_id, S.NDIS_STATUS_SUCCESS, current)
    )
    (write,) = ctx.messages(WmiRequest)
    assert write.guid == GUID_NDIS_TCP_OFFLOAD_PARAMETERS
    assert write.buffer.EncapsulatedPacketTaskOffload == NDIS_OFFLOAD_SET_ON
    assert write.buffer.EncapsulationTypes == NDIS_ENCAPSULATION_TYPE_VXLAN  # VXLAN kept on

    (read,) = run(admin, ctx, "Disable-NetAdapterEncapsulatedPacketTaskOffload")
    ctx.take()
    ctx.deliver(
        admin, WmiComplete(read.guid, "nic0", read.request_id, S.NDIS_STATUS_SUCCESS, current)
    )
    (write,) = ctx.messages(WmiRequest)
    assert write.buffer.EncapsulatedPacketTaskOffload == NDIS_OFFLOAD_SET_OFF


def test_set_advanced_property_writes_the_registry_then_restarts() -> None:
    ctx = RecordingContext()
    admin = AdminClient(offload_path=OffloadPath.WMI)
    posted = run(admin, ctx, "Set-NetAdapterAdvancedProperty",
                 RegistryKeyword="*LsoV2IPv4", RegistryValue="0")  # fmt: skip
    assert posted == [RegistryWrite("nic0", "*LsoV2IPv4", "0"), AdapterControl("nic0", "restart")]
    posted = run(admin, ctx, "Set-NetAdapterAdvancedProperty",
                 RegistryKeyword="*RscIPv4", RegistryValue=0, NoRestart=True)  # fmt: skip
    assert posted == [RegistryWrite("nic0", "*RscIPv4", "0")]
    assert [r.cmdlet for r in admin.results] == ["Set-NetAdapterAdvancedProperty"] * 2


def test_cmdlet_helper_checks_names_and_parameters() -> None:
    command = cmdlet("Disable-NetAdapterLso", "nic0", IPv4=True)
    assert command.name == "Disable-NetAdapterLso" and command.arg("adapter") == "nic0"
    with pytest.raises(BadInput, match="unknown cmdlet"):
        cmdlet("Disable-NetAdapterMagic", "nic0")
    with pytest.raises(BadInput, match="no parameter -IPv5"):
        cmdlet("Disable-NetAdapterLso", "nic0", IPv5=True)


def test_unknown_wmi_completion_is_reported() -> None:
    ctx = RecordingContext()
    admin = AdminClient(offload_path=OffloadPath.WMI)
    ctx.deliver(admin, WmiComplete(GUID_NDIS_TCP_OFFLOAD_PARAMETERS, "nic0", 42, 0))
    assert [rule for rule, _ in ctx.failures] == ["admin-wmi-complete-unknown"]
