"""NDIS_LINK_STATE: what a miniport says of its link in NDIS_STATUS_LINK_STATE.

A miniport indicates NDIS_STATUS_LINK_STATE whenever its link changes (a cable pulled or plugged
back), with an NDIS_LINK_STATE in StatusBuffer (D/ndis/ns-ndis-_ndis_link_state.md,
N/ndis-status-link-state.md); NDIS passes it to every bound protocol, and an intermediate driver
reacts to it (the WDK MUX sample's ``PtStatus`` forwards exactly this status; a team fails over
on it).

The structure is a bus payload, not byte-codec'd: the codec has no ULONG64 (XmitLinkSpeed,
RcvLinkSpeed), and nothing in the emulator reads a link state from bytes.  ``buffer_length`` reads
``Header.Size`` (NDIS_SIZEOF_LINK_STATE_REVISION_1, 40 on x64).
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from stack.ndis import _constants as _c
from stack.ndis._structs import NDIS_OBJECT_HEADER

__all__ = ["NDIS_LINK_STATE", "link_state"]


def _link_state_header() -> NDIS_OBJECT_HEADER:
    return NDIS_OBJECT_HEADER(
        Type=_c.NDIS_OBJECT_TYPE_DEFAULT,
        Revision=_c.NDIS_LINK_STATE_REVISION_1,
        Size=_c.NDIS_SIZEOF_LINK_STATE_REVISION_1,
    )


@attrs.frozen(kw_only=True)
class NDIS_LINK_STATE:
    """NDIS_LINK_STATE [D/ndis/ns-ndis-_ndis_link_state.md]: Header (NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_LINK_STATE_REVISION_1), MediaConnectState (NDIS_MEDIA_CONNECT_STATE), MediaDuplexState,
    XmitLinkSpeed / RcvLinkSpeed (bits per second; NDIS_LINK_SPEED_UNKNOWN is all ones),
    PauseFunctions (NDIS_SUPPORTED_PAUSE_FUNCTIONS), AutoNegotiationFlags."""

    C_NAME: ClassVar[str] = "NDIS_LINK_STATE"

    Header: NDIS_OBJECT_HEADER = attrs.field(factory=_link_state_header)
    MediaConnectState: int = _c.MediaConnectStateUnknown
    MediaDuplexState: int = _c.MediaDuplexStateUnknown
    XmitLinkSpeed: int = 0
    RcvLinkSpeed: int = 0
    PauseFunctions: int = _c.NdisPauseFunctionsUnknown
    AutoNegotiationFlags: int = 0

    @property
    def connected(self) -> bool:
        """Only MediaConnectStateDisconnected means no link: Unknown is what a miniport reports
        before it knows, and NDIS treats such an adapter as usable (we do the same)."""
        return self.MediaConnectState != _c.MediaConnectStateDisconnected


def link_state(connected: bool, speed: int = 10_000_000_000) -> NDIS_LINK_STATE:
    """The NDIS_LINK_STATE a full-duplex Ethernet miniport indicates: connected at ``speed``
    bits per second, or disconnected (speed 0, duplex unknown, as drivers report a pulled cable)."""
    if connected:
        return NDIS_LINK_STATE(
            MediaConnectState=_c.MediaConnectStateConnected,
            MediaDuplexState=_c.MediaDuplexStateFull,
            XmitLinkSpeed=speed,
            RcvLinkSpeed=speed,
            PauseFunctions=_c.NdisPauseFunctionsSendAndReceive,
        )
    return NDIS_LINK_STATE(MediaConnectState=_c.MediaConnectStateDisconnected)
