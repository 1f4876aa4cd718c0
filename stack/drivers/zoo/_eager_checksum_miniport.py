"""A miniport that starts receive checksum offload as soon as OID_TCP_OFFLOAD_PARAMETERS turns
it on, without waiting for OID_OFFLOAD_ENCAPSULATION.

Bug class: the encapsulation gate (behaviour 7; spec 7.2 item 9).  For receive checksum (and
receive IPsec) OID_TCP_OFFLOAD_PARAMETERS is a configuration change only: the offload may run
once a protocol has set OID_OFFLOAD_ENCAPSULATION (N/oid-tcp-offload-parameters.md,
N/oid-offload-encapsulation.md; the docs issue #221 discussion of drivers that miss it).  A
driver that programs the hardware on the parameters set reports checksum results the protocol
never asked for, for an encapsulation it never declared.

The one change: after a successful parameters set that turns TCP IPv4 receive checksum on, the
miniport behaves as if Ethernet had been set on.  The interleaving that exposes it: at bring-up,
TCP/IP's encapsulation set and the administrator's Set-NetAdapterChecksumOffload race to the
miniport; when the administrator's set is applied first, receives indicated before TCP/IP's set
completes carry checksum results (``receive-gate``).  Under FIFO TCP/IP's set is first.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from stack.drivers import DriverContext, Miniport
from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
    operational_receive_offloads,
)

__all__ = ["EagerChecksumMiniport"]

_RX_ON = (NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED, NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED)
_ETHERNET = NDIS_OFFLOAD_ENCAPSULATION(
    IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
        Enabled=NDIS_OFFLOAD_SET_ON, EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3, HeaderSize=14
    ),
    IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(
        Enabled=NDIS_OFFLOAD_SET_ON, EncapsulationType=NDIS_ENCAPSULATION_IEEE_802_3, HeaderSize=14
    ),
)


@attrs.define(eq=False)
class EagerChecksumMiniport(Miniport):
    _started_early: bool = attrs.field(init=False, default=False)

    def MiniportInitializeEx(
        self, ctx: DriverContext, adapter: str, keywords: Mapping[str, str]
    ) -> None:
        self._started_early = False
        super().MiniportInitializeEx(ctx, adapter, keywords)

    def set_offload_parameters(self, ctx: DriverContext, request: NDIS_OID_REQUEST) -> None:
        super().set_offload_parameters(ctx, request)
        params = request.InformationBuffer
        if (
            isinstance(params, NDIS_OFFLOAD_PARAMETERS)
            and params.TCPIPv4Checksum in _RX_ON
            and self.current is not None
            and self.current.Checksum.IPv4Receive.TcpChecksum == 1
        ):
            self._started_early = True  # the bug: the hardware runs it from now on

    def receive_offloads(self) -> frozenset[str]:
        if self._started_early and self.encapsulation is None and self.current is not None:
            return operational_receive_offloads(self.current, _ETHERNET)
        return super().receive_offloads()
