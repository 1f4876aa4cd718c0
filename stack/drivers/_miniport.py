"""A miniport driver for one physical NIC: the bottom of the stack.

Theory of operation
-------------------
The miniport owns three things NDIS only learns from it: the hardware capabilities (a
``HardwareProfile``), the current configuration, and what it does with packets.  It reacts to
messages from the NDIS library (actor ``ndis``) and to the scenario's commands:

* PnP: ``MiniportInitializeEx`` builds the current configuration from the hardware and the
  keywords NDIS read for it (``stack.ndis.current_config_from_keywords``) and answers with
  ``NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES``; ``MiniportRestart`` / ``MiniportPause`` /
  ``MiniportHaltEx`` answer with their completions; surprise removal only sets a flag.  Every
  transition goes through ``stack.ndis.MiniportAdapterStatus``, so NDIS calling an entry point in
  the wrong state is reported, not absorbed.
* OIDs: ``OID_TCP_OFFLOAD_PARAMETERS`` and ``OID_OFFLOAD_ENCAPSULATION`` sets, through the pure
  rules ``apply_offload_parameters`` and ``encapsulation_result``; every other OID is
  NDIS_STATUS_NOT_SUPPORTED.  A request completes synchronously or pends on a self-timer
  (``oid_completion``/``oid_latency``), can be cancelled while pending, and after a successful set
  the new configuration is indicated before (default) or after the completion
  (``indication_order``).
* Data: a send that asks for an offload that is not on is counted (``stats().offload_off``) and
  noted as ``send.offload_off``; after a successful set turned an LSO/USO block off, such sends
  are failed; a ``receive`` command indicates packets whose receive-checksum result respects the
  encapsulation gate.

Decisions the docs leave open, with their defaults (spec 7.1):

* A1 indication vs completion order: ``IndicationOrder.BEFORE_COMPLETE`` (spec default);
  ``AFTER_COMPLETE`` is the other legal order.  NDIS_STATUS_OFFLOAD_PAUSE always precedes the
  change (and so the completion): the target asks the host to pause *before* it changes its
  connection-offload capabilities (D/ntddndis/ns-ntddndis-_ndis_tcp_connection_offload.md).
* A2 requests the hardware cannot honour: ``stack.ndis.HardwarePolicy`` (default INVALID_DATA,
  N/oid-tcp-offload-parameters.md).  The same policy covers the connection-offload members,
  which ``apply_offload_parameters`` validates but cannot check against chimney hardware.
* A pended OID whose work item runs after a surprise removal completes with
  NDIS_STATUS_NOT_ACCEPTED and changes nothing: after MiniportDevicePnPEventNotify(SurpriseRemoved)
  the driver completes every request it gets with NDIS_STATUS_NOT_ACCEPTED until
  MiniportHaltEx (D/ndis/nc-ndis-miniport_device_pnp_event_notify.md); the hardware the work item
  would program is gone, and NDIS_STATUS_REQUEST_ABORTED is kept for cancellation and reset
  (D/ndis/nc-ndis-miniport_cancel_oid_request.md).
* Every successful parameters set, including an all-NO_CHANGE one, is followed by
  NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (spec 7.2 items 3 and 6).  A set that carries connection
  members is also reported with NDIS_STATUS_OFFLOAD_RESUME
  (N/using-the-tcp-ip-offload-administrator-interface.md), after NDIS_STATUS_OFFLOAD_PAUSE; the
  admin page's "instead" is read as "in addition", so the task-offload indication rule holds for
  every set.
* An OID_OFFLOAD_ENCAPSULATION set does not change the NDIS_OFFLOAD the miniport reports; the
  required NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (N/oid-offload-encapsulation.md) carries the
  unchanged current configuration.  What changes is the receive gate
  (``operational_receive_offloads``).
* Every send that asks for an offload that is not on is counted (the symptom scenarios check).
  An LSO/USO send is failed (NDIS_STATUS_FAILURE) when its block is off or it is larger than the
  current MaxOffLoadSize: after a successful disable the docs require dropping such NBLs, and for a
  shrunken MaxOffLoadSize the driver may fail the send
  (N/offloading-the-segmentation-of-large-tcp-packets.md, N/udp-segmentation-offload-uso-.md).  We
  fail them too when the block was never on (off by keyword at initialization): a miniport must
  not emulate an offload it does not run
  (N/security-guidelines-for-offload-capable-miniport-drivers.md).
  A checksum request while that checksum is off, or any offload request before an
  OID_OFFLOAD_ENCAPSULATION set, is counted but sent.

Fault-injection sites (``ctx.decide``; 0 is always the behaviour above, every other option
something a correct miniport may do, which the drivers above must survive):

* ``miniport.oid.fail``, asked when the miniport would apply an OID_TCP_OFFLOAD_PARAMETERS or
  OID_OFFLOAD_ENCAPSULATION set: fail it, changing nothing, with one of the statuses the docs
  or open miniports give that request (``INJECTED_FAILURES``, the OID table's
  ``injected_failures``; n = 1 + the ones offered).  A parameters set may fail
  NDIS_STATUS_INVALID_DATA or NDIS_STATUS_NOT_SUPPORTED (N/oid-tcp-offload-parameters.md,
  D/ndis/nc-ndis-miniport_oid_request.md; spec A2: what the hardware cannot honour),
  NDIS_STATUS_INVALID_PARAMETER (NetAdapterCx, FnMp, netkvm) and, for a buffer shorter than the
  structure the driver reads, NDIS_STATUS_BUFFER_TOO_SHORT with that size in BytesNeeded
  (netkvm ParaNdis6_Oid.cpp); either set NDIS_STATUS_RESOURCES (a shortage that does not mean a
  later request fails) or NDIS_STATUS_FAILURE (the non-specific failure)
  (D/ndis/nf-ndis-ndisoidrequest.md).  An encapsulation set may not fail
  NDIS_STATUS_INVALID_PARAMETER while some offload supports the encapsulation
  (N/oid-offload-encapsulation.md, checked by ``encapsulation-result``); it may fail
  NDIS_STATUS_NOT_SUPPORTED, which the page reserves for miniports without task offload but
  NetAdapterCx and FnMp return.
* ``miniport.oid.pend_long`` (3 options), asked when the miniport takes a request it will
  process: 1 and 2 pend it (even a synchronous miniport may return NDIS_STATUS_PENDING,
  D/ndis/nc-ndis-miniport_oid_request.md) for ``PEND_LONG_TICKS`` more, 1 s or 3 s: long, but
  well inside NDIS's 12 s (``oid-timed-complete``).
* ``miniport.indicate.delay`` (3 options), asked when a set that changed the configuration owes
  its indications while the adapter runs: 1 and 2 defer them to a work item ``DEFERRAL_TICKS``
  later, so they follow the completion (A1 allows either order).  A deferred indication is still
  made before the miniport handles its next OID request and before it completes a pause
  (``indication-after-change``; N/pausing-an-adapter.md: nothing of the driver's own may be
  left pending), so it never reaches NDIS after MiniportHaltEx.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from stack.drivers._api import MiniportDriver
from stack.drivers._base import (
    DriverContext,
    command_args,
    enum_option,
    hardware_policy_option,
)
from stack.drivers._presets import DEFAULT_PRESET, HardwareProfile, preset
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
    NDIS_OFFLOAD_PARAMETERS_NO_CHANGE,
    NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1,
    NDIS_STATUS_INDICATION,
    NDIS_TCP_CONNECTION_OFFLOAD,
    NDIS_VERSIONS,
    OIDS,
    HardwarePolicy,
    MiniportAdapterState,
    MiniportAdapterStatus,
    NdisRequestType,
    NdisStatus,
    NdisVersionRevisions,
    Oid,
    apply_offload_parameters,
    at_revision,
    check_header,
    current_config_from_keywords,
    encapsulation_result,
    keywords_from_parameters,
    link_state,
    lso_enabled,
    merge_encapsulation,
    miniport_handles_send_and_receive,
    miniport_may_indicate_status,
    ndis_version_revisions,
    operational_receive_offloads,
    read_keyword,
)
from stack.runtime import (
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    NET_BUFFER_LIST,
    Command,
    Envelope,
    OidRequest,
)

__all__ = [
    "MINIPORT_PRESETS",
    "IndicationOrder",
    "Miniport",
    "MiniportPreset",
    "MiniportStats",
    "OidCompletion",
]

_S: Final = NdisStatus


class OidCompletion(enum.Enum):
    """How MiniportOidRequest returns (D/ndis/nc-ndis-miniport_oid_request.md)."""

    #: Return the final status from MiniportOidRequest (the default).
    SYNCHRONOUS = "synchronous"
    #: Return NDIS_STATUS_PENDING and finish from a work item ``oid_latency`` ticks later with
    #: NdisMOidRequestComplete (pend and finish from a work item instead of blocking).
    PEND = "pend"


class IndicationOrder(enum.Enum):
    """Where NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG goes relative to the completion (spec A1)."""

    #: Indicate, then complete (the spec's default model).
    BEFORE_COMPLETE = "before-complete"
    #: Complete, then indicate.
    AFTER_COMPLETE = "after-complete"

    @classmethod
    def _missing_(cls, value: object) -> IndicationOrder | None:
        # The long spellings name the two orders too.
        return {
            "indicate-then-complete": cls.BEFORE_COMPLETE,
            "complete-then-indicate": cls.AFTER_COMPLETE,
        }.get(str(value))


#: NDIS_OFFLOAD revision -> the NDIS version a miniport without ``ndis_version`` is taken to be
#: built for: the oldest version that reports that revision (``stack.ndis.NDIS_VERSIONS``).
_VERSION_FOR_OFFLOAD_REVISION: Final[Mapping[int, str]] = MappingProxyType(
    {
        revision: next(r.version for r in NDIS_VERSIONS.values() if r.offload == revision)
        for revision in sorted({r.offload for r in NDIS_VERSIONS.values()})
    }
)

_CONNECTION_MEMBERS: Final = (
    ("TcpConnectionIPv4", "SupportIPv4"),
    ("TcpConnectionIPv6", "SupportIPv6"),
)
_CONNECTION_KEYWORDS: Final = (
    ("*TCPConnectionOffloadIPv4", "SupportIPv4"),
    ("*TCPConnectionOffloadIPv6", "SupportIPv6"),
)

#: ``miniport.oid.fail``: the failures a correct miniport may give each set it applies, from the
#: OID table (``stack.ndis.OIDS``, ``injected_failures``; module docstring).
INJECTED_FAILURES: Final[Mapping[int, tuple[int, ...]]] = MappingProxyType(
    {oid: row.injected_failures for oid, row in OIDS.items() if row.injected_failures}
)
#: ``miniport.oid.pend_long``: extra pend time of options 1 and 2 (1 s and 3 s at
#: ``stack.runtime.TICKS_PER_SECOND``).
PEND_LONG_TICKS: Final = (0, 100, 300)
#: ``miniport.indicate.delay``: how long options 1 and 2 defer the indications.
DEFERRAL_TICKS: Final = (0, 2, 20)


@attrs.frozen(kw_only=True)
class MiniportPreset:
    """A miniport that behaves like a known driver framework: its hardware profile (a name in
    ``stack.drivers.PRESETS``) and the behaviour options it sets (``Miniport`` fields of the
    same names; one given explicitly wins, except ``hardware_policy``, which is the preset's)."""

    name: str
    description: str
    hardware: str
    ndis_version: str
    min_parameters_revision: int
    encapsulation_indication: bool
    keyword_bounded: bool
    hardware_policy: HardwarePolicy


#: Behaviour presets by name (README, Design).  ``netadaptercx``: a NetAdapterCx client driver as
#: the class extension's translator presents it to NDIS (microsoft/Network-Adapter-Class-Extension
#: ``netcx/translator/nxoffload.cpp``): an NDIS_OFFLOAD of REVISION_6 (NDIS 6.83);
#: ``SetActiveCapabilities`` fails a parameters buffer shorter than
#: NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3 with STATUS_INVALID_PARAMETER, and
#: ``CheckActiveCapabilities`` fails with STATUS_NOT_SUPPORTED an enable beyond the "default"
#: capabilities, the intersection of the hardware and the advanced keywords, re-read on every
#: call; ``SetEncapsulation`` succeeds without an indication; ``PauseOffloadCapabilities``
#: indicates an all-zero HARDWARE_CAPABILITIES, then an all-zero CURRENT_CONFIG
#: (``pause-offload-capabilities`` command; ``resume-offload-capabilities`` restores both).
MINIPORT_PRESETS: Final[Mapping[str, MiniportPreset]] = MappingProxyType(
    {
        "netadaptercx": MiniportPreset(
            name="netadaptercx",
            description="a NetAdapterCx client driver (translator/nxoffload.cpp)",
            hardware="netadaptercx",
            ndis_version="6.83",
            min_parameters_revision=3,
            encapsulation_indication=False,
            keyword_bounded=True,
            hardware_policy=HardwarePolicy.NOT_SUPPORTED,
        )
    }
)


@attrs.frozen(kw_only=True)
class MiniportStats:
    """What the scenario reads from a miniport (``Miniport.stats()``)."""

    sends: int
    sends_failed: int
    #: Sends that asked for at least one offload that was not on.
    sends_offload_off: int
    #: The same, counted by reason (``lsov2-off``, ``lso-too-large``, ``tcp-checksum-off``,
    #: ``encapsulation-not-set`` ...); one send may count under several reasons.
    offload_off: Mapping[str, int]
    receives: int
    oids_completed: int
    oids_pending: int


@attrs.define(eq=False)
class _PendingOid:
    token: int
    request: NDIS_OID_REQUEST


def _non_negative(instance: Any, attribute: Any, value: int) -> None:
    if value < 0:
        raise BadInput(f"miniport {instance.name}: {attribute.name} must be >= 0, not {value}")


# Named converters (the attrs mypy plugin accepts only named functions as converters).
def _oid_completion(value: OidCompletion | str) -> OidCompletion:
    return enum_option(OidCompletion)(value)


def _indication_order(value: IndicationOrder | str) -> IndicationOrder:
    return enum_option(IndicationOrder)(value)


def _status_option(value: NdisStatus | int | str) -> NdisStatus:
    if isinstance(value, str):
        name = value if value.startswith("NDIS_STATUS_") else f"NDIS_STATUS_{value.upper()}"
        try:
            return NdisStatus[name]
        except KeyError:
            raise BadInput(f"unknown NDIS status {value!r}") from None
    return NdisStatus(value)


# Options are converted and validated as the scenario passes them (``__init__``); the driver's
# own state changes on every message, and attrs' per-assignment hook would cost each of them.
@attrs.define(eq=False, on_setattr=attrs.setters.NO_OP)
class Miniport(MiniportDriver):
    """A physical NIC's miniport driver (actor name = adapter name), on ``MiniportDriver``.

    Hardware: ``preset`` (a name from ``PRESETS``, or a behaviour preset from
    ``MINIPORT_PRESETS``, which also sets the options it names) or ``hardware`` (an
    ``NDIS_OFFLOAD`` or a ``HardwareProfile``), with ``connection_hardware`` for a custom chimney
    NIC; neither gives ``DEFAULT_PRESET``.  A model of a NIC that does one thing differently
    subclasses it and overrides that callback, or one of the OID handlers
    ``set_offload_parameters`` / ``set_encapsulation`` (which run when the request is executed:
    at once, or from the work item of a pended request).
    """

    preset: str | None = None
    hardware: NDIS_OFFLOAD | HardwareProfile | None = None
    connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None
    oid_completion: OidCompletion = attrs.field(
        default=OidCompletion.SYNCHRONOUS, converter=_oid_completion
    )
    #: Ticks between MiniportOidRequest returning PENDING and the work item completing it.
    oid_latency: int = attrs.field(default=1, validator=_non_negative)
    indication_order: IndicationOrder = attrs.field(
        default=IndicationOrder.BEFORE_COMPLETE, converter=_indication_order
    )
    hardware_policy: HardwarePolicy = attrs.field(
        default=HardwarePolicy.INVALID_DATA, converter=hardware_policy_option
    )
    #: Ticks a send stays in the hardware before NdisMSendNetBufferListsComplete (0: at once).
    send_latency: int = attrs.field(default=0, validator=_non_negative)
    #: A non-standard keyword ("0"/"1") this driver also reads for LSO and, because NDIS only
    #: writes the standardized ones, updates itself when its LSO setting changes
    #: (N/using-the-tcp-ip-offload-administrator-interface.md; spec 4).
    vendor_lso_keyword: str | None = None
    #: Whether the cable is in (the media connect state; ``link`` command).
    media_connected: bool = True
    #: The NDIS version the driver registered ("6.20", "6.86"): it reports NDIS_OFFLOAD at that
    #: version's revision (members a newer revision adds do not exist for it) and reads an
    #: NDIS_OFFLOAD_PARAMETERS buffer as the newest revision that version knows, reporting it in
    #: SupportedRevision (``stack.ndis.NDIS_VERSIONS``).  None: the version whose revision the
    #: hardware profile's NDIS_OFFLOAD carries (the preset's, for a behaviour preset).
    ndis_version: str | None = None
    #: The oldest NDIS_OFFLOAD_PARAMETERS revision it accepts: a set whose
    #: InformationBufferLength is below NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_n fails with
    #: ``revision_refusal_status`` (NetAdapterCx: 3).  None: 1 (the preset's, for a preset).
    min_parameters_revision: int | None = None
    #: The status of that refusal: INVALID_PARAMETER, NetAdapterCx's (translator/nxoffload.cpp).
    revision_refusal_status: NdisStatus = attrs.field(
        default=NdisStatus.NDIS_STATUS_INVALID_PARAMETER, converter=_status_option
    )
    #: Indicate NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG after a successful OID_OFFLOAD_ENCAPSULATION
    #: set, as N/oid-offload-encapsulation.md asks.  None: True (False for ``netadaptercx``, which,
    #: like FnMp and netkvm, does not).
    encapsulation_indication: bool | None = None
    #: Fail with NDIS_STATUS_NOT_SUPPORTED a parameters set that enables what the hardware and the
    #: keywords (as NDIS just wrote them) leave off, the way NetAdapterCx re-reads its advanced
    #: keywords on every call.  None: False (True for ``netadaptercx``).
    keyword_bounded: bool | None = None

    profile: HardwareProfile = attrs.field(init=False)
    #: The revisions of ``ndis_version`` (resolved).
    revisions: NdisVersionRevisions = attrs.field(init=False)
    _min_revision: int = attrs.field(init=False, default=1)
    _encapsulation_indication: bool = attrs.field(init=False, default=True)
    _keyword_bounded: bool = attrs.field(init=False, default=False)
    #: The keywords as the driver would read them now: those of MiniportInitializeEx, updated with
    #: what NDIS writes for each parameters set it hands over (``keyword_bounded``).
    _keywords: dict[str, str] = attrs.field(init=False, factory=dict)
    #: The current configuration PauseOffloadCapabilities saved, while paused.
    _offload_paused: NDIS_OFFLOAD | None = attrs.field(init=False, default=None)
    #: The current configuration; None before MiniportInitializeEx and after MiniportHaltEx.
    current: NDIS_OFFLOAD | None = attrs.field(init=False, default=None)
    connection_current: NDIS_TCP_CONNECTION_OFFLOAD | None = attrs.field(init=False, default=None)
    #: The effective encapsulation after the last successful OID_OFFLOAD_ENCAPSULATION set.
    encapsulation: NDIS_OFFLOAD_ENCAPSULATION | None = attrs.field(init=False, default=None)
    _encapsulated_task_on: bool = attrs.field(init=False, default=False)
    #: Requests pended to a work item (``oid-work`` timer), by token.
    _pending: dict[int, _PendingOid] = attrs.field(init=False, factory=dict)
    _next_token: int = attrs.field(init=False, default=0)
    #: Sends the hardware holds for ``send_latency`` (``send-done`` timer).
    _in_flight: dict[str, NET_BUFFER_LIST] = attrs.field(init=False, factory=dict)
    #: Indications deferred by ``miniport.indicate.delay``, in the order they are owed.
    _deferred: list[tuple[int, object]] = attrs.field(init=False, factory=list)
    _rx_serial: int = attrs.field(init=False, default=0)
    _receives: int = attrs.field(init=False, default=0)
    _offload_off: Counter[str] = attrs.field(init=False, factory=Counter)
    _sends_offload_off: int = attrs.field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        if self.preset is not None and self.hardware is not None:
            raise BadInput(f"miniport {self.name}: give preset= or hardware=, not both")
        behaviour = MINIPORT_PRESETS.get(self.preset or "")
        if isinstance(self.hardware, HardwareProfile):
            profile = self.hardware
        elif self.hardware is not None:
            profile = HardwareProfile.custom(
                self.hardware, self.connection_hardware, name=f"{self.name}-custom"
            )
        else:
            profile = preset(behaviour.hardware if behaviour else self.preset or DEFAULT_PRESET)
        if behaviour is not None:
            self.hardware_policy = hardware_policy_option(behaviour.hardware_policy)
        version = self.ndis_version or (behaviour.ndis_version if behaviour else None)
        if version is None:
            version = _VERSION_FOR_OFFLOAD_REVISION.get(profile.offload.Header.Revision, "6.85")
        try:
            self.revisions = ndis_version_revisions(version)
        except ValueError as error:
            raise BadInput(f"miniport {self.name}: {error}") from None
        if profile.offload.Header.Revision != self.revisions.offload:
            # A driver reports NDIS_OFFLOAD at its NDIS version's revision
            # (N/version-information-requirements-for-ndis-drivers.md).
            offload = at_revision(profile.offload, self.revisions.offload)
            profile = attrs.evolve(profile, offload=offload)
        self.profile = profile
        minimum = self.min_parameters_revision
        if minimum is None:
            minimum = behaviour.min_parameters_revision if behaviour else 1
        if minimum not in NDIS_OFFLOAD_PARAMETERS.REVISION_SIZES:
            known = ", ".join(map(str, NDIS_OFFLOAD_PARAMETERS.REVISION_SIZES))
            raise BadInput(f"miniport {self.name}: min_parameters_revision {minimum} is not a "
                           f"revision of NDIS_OFFLOAD_PARAMETERS ({known})")  # fmt: skip
        self._min_revision = minimum
        for field, generic in (("encapsulation_indication", True), ("keyword_bounded", False)):
            given = getattr(self, field)
            if given is None:
                given = getattr(behaviour, field) if behaviour else generic
            setattr(self, f"_{field}", bool(given))

    # -- inspection ----------------------------------------------------------------------------

    @property
    def status(self) -> MiniportAdapterStatus:
        """The adapter status (state and surprise-removal flag) of the miniport edge."""
        return self.edge.status

    def stats(self) -> MiniportStats:
        """Counters for the scenario (a frozen snapshot)."""
        edge = self.edge
        return MiniportStats(
            sends=edge.sends,
            sends_failed=edge.sends_failed,
            sends_offload_off=self._sends_offload_off,
            offload_off=MappingProxyType(dict(sorted(self._offload_off.items()))),
            receives=self._receives,
            oids_completed=edge.oids_completed,
            oids_pending=len(self._pending),
        )

    @property
    def offload_off_sends(self) -> int:
        """How many sends asked for an offload that was not on (any reason)."""
        return self._sends_offload_off

    def receive_offloads(self) -> frozenset[str]:
        """The receive offloads that run now (``stack.ndis.operational_receive_offloads``)."""
        if self.current is None:
            return frozenset()
        return operational_receive_offloads(
            self.current,
            self.encapsulation,
            encapsulated_task_offload_set_on=self._encapsulated_task_on,
        )

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, envelope: Envelope, ctx: DriverContext) -> None:
        if isinstance(envelope.message, OidRequest):
            # What the previous set owes is indicated before this request is looked at.
            self._flush_deferred(ctx)
        super().handle(envelope, ctx)

    def on_timer(self, ctx: DriverContext, timer: Command) -> None:
        if timer.name == "oid-work":
            self._on_oid_work(timer, ctx)
        elif timer.name == "send-done":
            self._on_send_done(timer, ctx)
        elif timer.name == "indicate-deferred":
            self._flush_deferred(ctx)
        else:
            super().on_timer(ctx, timer)

    def on_command(self, ctx: DriverContext, command: Command) -> None:
        if command.name == "link":
            self._on_link_command(command, ctx)
        elif command.name == "pause-offload-capabilities":
            self.PauseOffloadCapabilities(ctx)
        elif command.name == "resume-offload-capabilities":
            self.ResumeOffloadCapabilities(ctx)
        elif command.name == "receive":
            self._on_receive_command(command, ctx)
        else:
            raise BadInput(f"{self.name}: unknown command {command.name!r} (known: link, receive, "
                           "pause-offload-capabilities, resume-offload-capabilities)")  # fmt: skip

    def PauseOffloadCapabilities(self, ctx: DriverContext) -> None:
        """NetAdapterCx's NxTaskOffload::PauseOffloadCapabilities (translator/nxoffload.cpp):
        indicate an all-zero HARDWARE_CAPABILITIES, then an all-zero CURRENT_CONFIG, and run no
        offload until ``ResumeOffloadCapabilities``.  Between the two indications NDIS holds a
        current configuration beyond the hardware: a transient INV-1 objects to."""
        if self.current is None or self._offload_paused is not None:
            return
        empty = NDIS_OFFLOAD(Header=NDIS_OFFLOAD.header_for(self.revisions.offload))
        self._offload_paused, self.current = self.current, empty
        ctx.note("offload.capabilities.paused", adapter=self.name)
        self._indicate(ctx, _S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES, empty)
        self._indicate(ctx, _S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, empty)

    def ResumeOffloadCapabilities(self, ctx: DriverContext) -> None:
        """The other half (translator/nxoffload.cpp): indicate the hardware capabilities, then
        the current configuration the pause saved."""
        if self._offload_paused is None:
            return
        self.current, self._offload_paused = self._offload_paused, None
        ctx.note("offload.capabilities.resumed", adapter=self.name)
        self._indicate(ctx, _S.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES, self.profile.offload)
        self._indicate(ctx, _S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, self.current)

    def _on_link_command(self, command: Command, ctx: DriverContext) -> None:
        state = command_args(self.name, command, ("state",), ("state",))["state"]
        if state not in ("up", "down"):
            raise BadInput(f"{self.name}: link needs state up or down, not {state!r}")
        connected = state == "up"
        if connected == self.media_connected:
            return
        self.media_connected = connected
        may = miniport_may_indicate_status(self.status.state) and not self.status.surprise_removed
        ctx.note("miniport.link", adapter=self.name, state=state, indicated=may)
        if may:
            self._indicate(ctx, _S.NDIS_STATUS_LINK_STATE, link_state(connected))

    # -- PnP -----------------------------------------------------------------------------------

    def MiniportInitializeEx(
        self, ctx: DriverContext, adapter: str, keywords: Mapping[str, str]
    ) -> None:
        hardware = self.profile.offload
        # Read every standardized keyword (absent ones count as their documented defaults) and
        # enable what they allow (N/using-registry-values-to-enable-and-disable-task-offloading.md,
        # N/oid-tcp-offload-current-config.md); the rule lives in stack.ndis.
        current = current_config_from_keywords(hardware, keywords)
        self._keywords = {name: str(value) for name, value in keywords.items()}
        self._offload_paused = None
        if self.vendor_lso_keyword is not None and keywords.get(self.vendor_lso_keyword) == "0":
            off = NDIS_OFFLOAD_PARAMETERS(
                LsoV1=NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED,
                LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
                LsoV2IPv6=NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED,
            )
            current = apply_offload_parameters(current, hardware, off, HardwarePolicy.CLAMP).offload
        self.current = current
        self.connection_current = self._connection_from_keywords(keywords)
        self.encapsulation = None
        self._encapsulated_task_on = False
        attributes = NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES(
            DefaultOffloadConfiguration=current,
            HardwareOffloadCapabilities=hardware,
            DefaultTcpConnectionOffloadConfiguration=self.connection_current,
            TcpConnectionOffloadHardwareCapabilities=self.profile.connection,
        )
        self.NdisMSetMiniportAttributes(ctx, adapter, attributes)
        if not self.media_connected:
            # The cable is out: say so as soon as the adapter exists (N/ndis-status-link-state.md).
            self._indicate(ctx, _S.NDIS_STATUS_LINK_STATE, link_state(False))

    def _connection_from_keywords(
        self, keywords: Mapping[str, str]
    ) -> NDIS_TCP_CONNECTION_OFFLOAD | None:
        """Chimney current config: the hardware's, minus what *TCPConnectionOffloadIPv4/IPv6 turn
        off (N/using-registry-values-to-enable-and-disable-connection-offloading.md; absent
        keyword = its default, Enabled).  Not in stack.ndis yet: a field-level mask."""
        hardware = self.profile.connection
        if hardware is None:
            return None
        changes: dict[str, Any] = {}
        for keyword, member in _CONNECTION_KEYWORDS:
            if read_keyword(keywords, keyword) == 0:
                changes[member] = 0
        return attrs.evolve(hardware, **changes)

    def MiniportPause(self, ctx: DriverContext, adapter: str) -> None:
        # Nothing of the driver's own may be left pending (N/pausing-an-adapter.md).
        self._flush_deferred(ctx)

    def MiniportHaltEx(self, ctx: DriverContext, adapter: str) -> None:
        self._pending.clear()
        self._in_flight.clear()
        self._deferred.clear()
        self.current = None
        self.connection_current = None
        self.encapsulation = None
        self._encapsulated_task_on = False
        self._offload_paused = None

    # -- OID requests --------------------------------------------------------------------------

    def MiniportOidRequest(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST
    ) -> None:
        # Fault site: this request takes a long time (module docstring).
        extra = PEND_LONG_TICKS[ctx.decide("miniport.oid.pend_long", len(PEND_LONG_TICKS))]
        if self.oid_completion is OidCompletion.SYNCHRONOUS and not extra:
            self._execute(request, ctx)
            return
        latency = (self.oid_latency if self.oid_completion is OidCompletion.PEND else 0) + extra
        token = self._next_token
        self._next_token += 1
        self._pending[token] = _PendingOid(token, request)
        ctx.note("oid.pend", adapter=self.name, request_id=request.RequestId,
                 oid=_oid_name(request.Oid), latency=latency)  # fmt: skip
        self.set_timer(ctx, latency, "oid-work", token=token)

    def _on_oid_work(self, command: Command, ctx: DriverContext) -> None:
        pending = self._pending.pop(command.arg("token"), None)
        if pending is None:
            return  # cancelled (and completed) before its work item ran
        if self.status.surprise_removed:
            self._complete(pending.request, _S.NDIS_STATUS_NOT_ACCEPTED, [], ctx)
            return
        self._execute(pending.request, ctx)

    def MiniportCancelOidRequest(
        self, ctx: DriverContext, adapter: str, request_id: int, origin: str
    ) -> None:
        for token, pending in list(self._pending.items()):
            request = pending.request
            if request.RequestId == request_id and (
                not origin or request.RequestHandle in ("", origin)
            ):
                # Complete it at once with REQUEST_ABORTED, exactly once: the work item finds it
                # gone (D/ndis/nc-ndis-miniport_cancel_oid_request.md).
                del self._pending[token]
                self._complete(request, _S.NDIS_STATUS_REQUEST_ABORTED, [], ctx)
                return
        # Already completed: a cancel racing a completion is legal (same page).
        super().MiniportCancelOidRequest(ctx, adapter, request_id, origin)

    def _execute(self, request: NDIS_OID_REQUEST, ctx: DriverContext) -> None:
        is_set = request.RequestType == NdisRequestType.NdisRequestSetInformation
        if is_set and request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS:
            self.set_offload_parameters(ctx, request)
        elif is_set and request.Oid == Oid.OID_OFFLOAD_ENCAPSULATION:
            self.set_encapsulation(ctx, request)
        else:
            # OID_TCP_CONNECTION_OFFLOAD_PARAMETERS is not modelled (its structure is not in
            # stack.ndis); every other OID is outside this miniport.
            self._complete(request, _S.NDIS_STATUS_NOT_SUPPORTED, [], ctx)

    def _supports_task_offload(self) -> bool:
        hardware = self.profile.offload
        return hardware != NDIS_OFFLOAD(Header=hardware.Header)

    def set_offload_parameters(self, ctx: DriverContext, request: NDIS_OID_REQUEST) -> None:
        """Execute an OID_TCP_OFFLOAD_PARAMETERS set (N/oid-tcp-offload-parameters.md) and
        complete it, with the indications a change requires."""
        assert self.current is not None
        if not self._supports_task_offload() and self.profile.connection is None:
            # Optional for a miniport without TCP offloads, which answers NOT_SUPPORTED
            # (N/oid-tcp-offload-parameters.md).
            self._complete(request, _S.NDIS_STATUS_NOT_SUPPORTED, [], ctx)
            return
        params = request.InformationBuffer
        if request.InformationBufferLength < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1:
            short = request.completed(BytesNeeded=NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1)
            self._complete(short, _S.NDIS_STATUS_INVALID_LENGTH, [], ctx)
            return
        oldest = NDIS_OFFLOAD_PARAMETERS.size_for(self._min_revision)
        if request.InformationBufferLength < oldest:
            # The driver's minimum revision: NetAdapterCx fails a buffer shorter than
            # NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3 with STATUS_INVALID_PARAMETER
            # (translator/nxoffload.cpp, SetActiveCapabilities), after NDIS wrote the keywords.
            ctx.note("oid.params.revision_refused", adapter=self.name,
                     request_id=request.RequestId, length=request.InformationBufferLength,
                     minimum=self._min_revision)  # fmt: skip
            self._complete(request, self.revision_refusal_status, [], ctx)
            return
        # A receiver checks Type, Revision and Size before it reads a member, even though NDIS
        # refuses a bad header first (N/overview-of-ndis-support-for-header-versions.md).
        if not isinstance(params, NDIS_OFFLOAD_PARAMETERS) or check_header(params) is not None:
            self._complete(request, _S.NDIS_STATUS_INVALID_DATA, [], ctx)
            return
        if (
            self._keyword_bounded
            and not params.Flags & NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE
        ):
            # What NDIS wrote as it handed the set over; a driver that re-reads its keywords
            # sees it (N/oid-tcp-offload-parameters.md; NetAdapterCx adapter/nxoffload.cpp).
            written = keywords_from_parameters(params)
            self._keywords.update({name: str(value) for name, value in written.items()})
        # Read the buffer as the revision this driver knows (newer members are invisible to it).
        known = self.revisions.parameters
        if self._injected_failure(request, ctx, known=known):
            return
        revision = min(params.Header.Revision, known)
        params = at_revision(params, revision)
        if self._keyword_bounded:
            # Nothing beyond the hardware and the keywords: NOT_SUPPORTED
            # (translator/nxoffload.cpp CheckActiveCapabilities).
            bound = current_config_from_keywords(self.profile.offload, self._keywords)
            result = apply_offload_parameters(
                self.current, bound, params, HardwarePolicy.NOT_SUPPORTED
            )
        else:
            result = apply_offload_parameters(
                self.current, self.profile.offload, params, self.hardware_policy
            )
        connection, connection_ok = self._connection_change(params)
        if result.succeeded and not connection_ok:
            status = {
                HardwarePolicy.INVALID_DATA: _S.NDIS_STATUS_INVALID_DATA,
                HardwarePolicy.NOT_SUPPORTED: _S.NDIS_STATUS_NOT_SUPPORTED,
            }.get(self.hardware_policy)
            if status is not None:
                self._complete(request, status, [], ctx)
                return
        if not result.succeeded:
            ctx.note(
                "oid.params.rejected",
                adapter=self.name,
                request_id=request.RequestId,
                invalid=list(result.invalid),
                unsupported=list(result.unsupported),
            )
            self._complete(request, result.status, [], ctx)
            return
        before = self.current
        chimney = any(getattr(params, m) for m, _ in _CONNECTION_MEMBERS)
        if chimney:
            # Ask the host to stop offloading before the capabilities change (spec 2.5).
            self._indicate(ctx, _S.NDIS_STATUS_OFFLOAD_PAUSE)
            self.connection_current = connection
        self.current = result.offload
        if params.EncapsulatedPacketTaskOffload == NDIS_OFFLOAD_SET_ON:
            self._encapsulated_task_on = True
        elif params.EncapsulatedPacketTaskOffload == NDIS_OFFLOAD_SET_OFF:
            self._encapsulated_task_on = False
        if result.changed:
            ctx.note("offload.changed", adapter=self.name, changed=list(result.changed))
        self._write_vendor_keyword(before, result.offload, params, ctx)
        after: list[tuple[int, object]] = []
        if chimney:
            after.append((_S.NDIS_STATUS_OFFLOAD_RESUME, self.connection_current))
        after.append((_S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, self.current))
        self._complete(request.completed(SupportedRevision=revision), _S.NDIS_STATUS_SUCCESS,
                       after, ctx)  # fmt: skip

    def _connection_change(
        self, params: NDIS_OFFLOAD_PARAMETERS
    ) -> tuple[NDIS_TCP_CONNECTION_OFFLOAD | None, bool]:
        """The connection-offload config after ``params``, and whether the hardware allows it."""
        hardware = self.profile.connection
        current = self.connection_current
        ok = True
        changes: dict[str, Any] = {}
        for member, field in _CONNECTION_MEMBERS:
            value = getattr(params, member)
            if value == NDIS_OFFLOAD_PARAMETERS_NO_CHANGE:
                continue
            if value == NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED:
                changes[field] = 0
            elif hardware is not None and getattr(hardware, field):
                changes[field] = getattr(hardware, field)
            else:
                ok = False
        if current is None:
            return None, ok
        return attrs.evolve(current, **changes), ok

    def _write_vendor_keyword(
        self,
        before: NDIS_OFFLOAD,
        after: NDIS_OFFLOAD,
        params: NDIS_OFFLOAD_PARAMETERS,
        ctx: DriverContext,
    ) -> None:
        if self.vendor_lso_keyword is None:
            return
        if params.Flags & NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE:
            return  # a runtime-only change (N/udp-rsc-offload.md)
        was, now = bool(lso_enabled(before)), bool(lso_enabled(after))
        if was != now:
            self.NdisWriteConfiguration(ctx, self.name, self.vendor_lso_keyword,
                                        "1" if now else "0")  # fmt: skip

    def set_encapsulation(self, ctx: DriverContext, request: NDIS_OID_REQUEST) -> None:
        """Execute an OID_OFFLOAD_ENCAPSULATION set (N/oid-offload-encapsulation.md) and complete
        it with the indication it requires."""
        assert self.current is not None
        if not self._supports_task_offload():
            # Mandatory only for miniports with task offload (N/oid-offload-encapsulation.md).
            self._complete(request, _S.NDIS_STATUS_NOT_SUPPORTED, [], ctx)
            return
        asked = request.InformationBuffer
        if not isinstance(asked, NDIS_OFFLOAD_ENCAPSULATION) or check_header(asked) is not None:
            self._complete(request, _S.NDIS_STATUS_INVALID_DATA, [], ctx)
            return
        if self._injected_failure(request, ctx):
            return
        status = encapsulation_result(self.current, asked)
        if status != _S.NDIS_STATUS_SUCCESS:
            self._complete(request, status, [], ctx)
            return
        self.encapsulation = merge_encapsulation(self.encapsulation, asked)
        ctx.note(
            "encapsulation.set",
            adapter=self.name,
            ipv4=self.encapsulation.IPv4.Enabled,
            ipv6=self.encapsulation.IPv6.Enabled,
        )
        owed: list[tuple[int, object]] = [
            (_S.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, self.current)
        ]
        # NetAdapterCx, FnMp and netkvm succeed without indicating (``encapsulation_indication``).
        self._complete(
            request.completed(), _S.NDIS_STATUS_SUCCESS,
            owed if self._encapsulation_indication else [], ctx,
        )  # fmt: skip

    def _injected_failure(
        self, request: NDIS_OID_REQUEST, ctx: DriverContext, *, known: int | None = None
    ) -> bool:
        """Fault site ``miniport.oid.fail``: fail the set, changing nothing (module docstring).

        NDIS_STATUS_BUFFER_TOO_SHORT is offered only for a buffer shorter than the structure of
        revision ``known`` the driver reads, and reports that size in BytesNeeded (netkvm
        ParaNdis6_Oid.cpp: ``InformationBufferLength < sizeof(NDIS_OFFLOAD_PARAMETERS)``)."""
        statuses = list(INJECTED_FAILURES[request.Oid])
        needed = 0
        if _S.NDIS_STATUS_BUFFER_TOO_SHORT in statuses:
            cls: Any = OIDS[Oid(request.Oid)].buffer
            needed = cls.size_for(known) if cls is not None and known is not None else 0
            if request.InformationBufferLength >= needed:
                statuses.remove(_S.NDIS_STATUS_BUFFER_TOO_SHORT)
        choice = ctx.decide("miniport.oid.fail", 1 + len(statuses))
        if not choice:
            return False
        status = statuses[choice - 1]
        if status == _S.NDIS_STATUS_BUFFER_TOO_SHORT:
            request = request.completed(BytesNeeded=needed)
        self._complete(request, status, [], ctx)
        return True

    def _flush_deferred(self, ctx: DriverContext) -> None:
        """Make the indications ``miniport.indicate.delay`` deferred, in order."""
        deferred, self._deferred = self._deferred, []
        for code, buffer in deferred:
            self._indicate(ctx, code, buffer)

    def _indicate(self, ctx: DriverContext, code: int, buffer: object | None = None) -> None:
        indication = NDIS_STATUS_INDICATION.indicate(self.name, code, buffer)
        self.NdisMIndicateStatusEx(ctx, self.name, indication)

    def _complete(
        self,
        request: NDIS_OID_REQUEST,
        status: int,
        indications: list[tuple[int, object]],
        ctx: DriverContext,
    ) -> None:
        """NdisMOidRequestComplete, with the indications the change requires on the chosen side."""
        if indications and self.status.state is MiniportAdapterState.Running:
            # Fault site: the indications go to a work item that runs a little later.
            delay = DEFERRAL_TICKS[ctx.decide("miniport.indicate.delay", len(DEFERRAL_TICKS))]
            if delay:
                self._deferred.extend(indications)
                self.set_timer(ctx, delay, "indicate-deferred")
                indications = []
        if self.indication_order is IndicationOrder.BEFORE_COMPLETE:
            for code, buffer in indications:
                self._indicate(ctx, code, buffer)
        self.NdisMOidRequestComplete(ctx, self.name, request, status)
        if self.indication_order is IndicationOrder.AFTER_COMPLETE:
            for code, buffer in indications:
                self._indicate(ctx, code, buffer)

    # -- data path -----------------------------------------------------------------------------

    def MiniportSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        reasons, fail = self._check_send(nbl)
        for reason in reasons:
            self._offload_off[reason] += 1
        if reasons:
            self._sends_offload_off += 1
            ctx.note("send.offload_off", adapter=self.name, nbl=nbl.Id, reasons=reasons,
                     offloads=nbl.offloads())  # fmt: skip
        if fail:
            self._send_complete(nbl, _S.NDIS_STATUS_FAILURE, ctx)
        elif self.send_latency:
            self._in_flight[nbl.Id] = nbl
            self.set_timer(ctx, self.send_latency, "send-done", nbl=nbl.Id)
        else:
            self._send_complete(nbl, _S.NDIS_STATUS_SUCCESS, ctx)

    def _check_send(self, nbl: NET_BUFFER_LIST) -> tuple[list[str], bool]:
        """The reasons a send asks for an offload that is not on, and whether to fail it."""
        current = self.current
        assert current is not None
        reasons: list[str] = []
        fail = False
        ip = "IPv6" if nbl.IpVersion == 6 else "IPv4"
        asks_offload = bool(
            nbl.LsoMss or nbl.UsoMss or nbl.IpHeaderChecksum or nbl.TcpChecksum or nbl.UdpChecksum
        )
        if asks_offload:
            # Offloads run only once a protocol activated them with OID_OFFLOAD_ENCAPSULATION,
            # and SET_OFF deactivates all of them (N/oid-offload-encapsulation.md).
            if self.encapsulation is None:
                reasons.append("encapsulation-not-set")
            elif getattr(self.encapsulation, ip).Enabled == NDIS_OFFLOAD_SET_OFF:
                reasons.append("encapsulation-off")
        for kind, mss, block in (
            ("lso", nbl.LsoMss, _lso_block(nbl)),
            ("uso", nbl.UsoMss, f"UdpSegmentation.{ip}"),
        ):
            if not mss:
                continue
            label = f"lsov{nbl.LsoVersion}" if kind == "lso" else "uso"
            if block is None or not _block_on(current, block):
                reasons.append(f"{label}-off")
                fail = True
            elif nbl.DataLength > _get(current, block).MaxOffLoadSize:
                reasons.append(f"{kind}-too-large")
                fail = True
        transmit = getattr(current.Checksum, f"{ip}Transmit")
        if nbl.IpHeaderChecksum and not (ip == "IPv4" and transmit.IpChecksum == 1):
            reasons.append("ip-checksum-off")
        if nbl.TcpChecksum and transmit.TcpChecksum != 1:
            reasons.append("tcp-checksum-off")
        if nbl.UdpChecksum and transmit.UdpChecksum != 1:
            reasons.append("udp-checksum-off")
        return reasons, fail

    def _on_send_done(self, command: Command, ctx: DriverContext) -> None:
        nbl = self._in_flight.pop(command.arg("nbl"), None)
        if nbl is None:
            return
        status = (
            _S.NDIS_STATUS_NOT_ACCEPTED if self.status.surprise_removed else _S.NDIS_STATUS_SUCCESS
        )
        self._send_complete(nbl, status, ctx)

    def _send_complete(self, nbl: NET_BUFFER_LIST, status: int, ctx: DriverContext) -> None:
        # The base completes a waiting pause with the last outstanding send.
        self.NdisMSendNetBufferListsComplete(ctx, self.name, nbl, status)

    def _on_receive_command(self, command: Command, ctx: DriverContext) -> None:
        args = command_args(self.name, command, ("count", "ip", "protocol", "rsc"))
        count = int(args.get("count", 1))
        ip = int(args.get("ip", 4))
        protocol = str(args.get("protocol", "tcp"))
        if ip not in (4, 6) or protocol not in ("tcp", "udp"):
            raise BadInput(f"{self.name}: receive needs ip 4 or 6 and protocol tcp or udp")
        if self.status.surprise_removed or not miniport_handles_send_and_receive(self.status.state):
            ctx.note("receive.dropped", adapter=self.name, count=count,
                     state=self.status.state.value)  # fmt: skip
            return
        running = self.receive_offloads()
        version = f"IPv{ip}"
        checksum = (
            f"Checksum.{version}Receive.{'TcpChecksum' if protocol == 'tcp' else 'UdpChecksum'}"
        )
        rsc = (
            bool(args.get("rsc", False))
            and protocol == "tcp"
            and f"Rsc.{version}.Enabled" in running
        )
        for _ in range(count):
            self._rx_serial += 1
            self._receives += 1
            self.NdisMIndicateReceiveNetBufferLists(
                ctx, self.name, f"{self.name}#rx{self._rx_serial}",
                rx_checksum_offloaded=checksum in running, rsc_coalesced=rsc,
            )  # fmt: skip


# -- helpers -------------------------------------------------------------------------------------


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _block_on(offload: NDIS_OFFLOAD, block: str) -> bool:
    """An LSO/USO block is on when it lists an encapsulation (the stack.ndis convention)."""
    return bool(_get(offload, block).Encapsulation)


def _lso_block(nbl: NET_BUFFER_LIST) -> str | None:
    if nbl.LsoVersion == 1:
        return "LsoV1.IPv4" if nbl.IpVersion == 4 else None  # LSOv1 is IPv4 only
    if nbl.LsoVersion == 2:
        return f"LsoV2.IPv{6 if nbl.IpVersion == 6 else 4}"
    return None


def _oid_name(oid: int) -> str:
    try:
        return Oid(oid).name
    except ValueError:
        return f"0x{oid:08X}"
