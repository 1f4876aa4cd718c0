"""The object a scenario script receives: build a topology, drive it, inspect it.

A scenario is an ``async def scenario(stack)`` function in a Python file.  Everything it does goes
through the bus: topology calls register actors, ``start()`` brings every adapter up, driver
helpers post ``Command`` messages, and ``settle()`` / ``advance()`` let the bus deliver.  Between
two awaits the scenario runs alone, so its own code never races the drivers.

Topology (before ``start()``): ``add_miniport(driver)``, ``add_protocol(driver, bind=[...])`` and
``add_mux(driver, team, members=[...], mode=...)`` put any driver built on the public bases
(``stack.drivers.MiniportDriver``, ``ProtocolDriver``, ``MuxDriver``) into the stack;
``miniport``, ``tcpip``, ``ndisprot`` and ``mux`` build the correct drivers and call them;
``configure_ndis`` changes the NDIS library's documented choices or replaces the library with a
subclass.  NDIS's topology changes only through ``NdisLibrary.add_adapter`` / ``bind_protocol``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import trio

from stack.drivers import (
    AdminClient,
    FilterDriver,
    HardwareProfile,
    IndicationOrder,
    Miniport,
    MiniportDriver,
    NdisprotProtocol,
    OffloadMaskingFilter,
    OidCompletion,
    PassthroughFilter,
    ProtocolDriver,
    TcpIpProtocol,
    cmdlet,
    offload_parameters,
    wmi_set_parameters,
)
from stack.drivers.mux import Advertises, Mux, MuxDriver, MuxMode, mux_monitors
from stack.errors import BadInput
from stack.ndis import (
    NDIS_OFFLOAD,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OID_REQUEST,
    NDIS_TCP_CONNECTION_OFFLOAD,
    HardwarePolicy,
    MiniportAdapterState,
    NdisStatus,
    ProtocolBindingState,
)
from stack.runtime import (
    Actor,
    AdapterControl,
    Bus,
    Command,
    Context,
    Envelope,
    LayerView,
    Message,
    NdisLibrary,
    NdisOptions,
    OffloadView,
    Registry,
    filter_monitors,
)

SCENARIO = "scenario"
#: Fault sites whose firing changes what a scenario can check afterwards: a NIC pulled, a stack
#: paused and restarted (a MUX member leaves and rejoins), a set failed (``stack.faults_fired``).
DISRUPTIVE_FAULTS = frozenset(
    {"ndis.surprise_remove", "ndis.pause_during_oid", "ndis.filter.reattach", "miniport.oid.fail"}
)
#: ``Stack.filter`` kinds: the shipped filter drivers.
FILTER_KINDS: dict[str, type[FilterDriver]] = {
    "passthrough": PassthroughFilter,
    "mask": OffloadMaskingFilter,
}
_D = TypeVar("_D", bound=Actor)
_M = TypeVar("_M", bound=MiniportDriver)
_P = TypeVar("_P", bound=ProtocolDriver)
_X = TypeVar("_X", bound=MuxDriver)


class ExpectationFailed(AssertionError):
    """A scenario's ``stack.expect(...)`` did not hold."""


@attrs.define(eq=False)
class _NdisPort:
    """The bus actor ``ndis``: hands every message to the stack's NDIS library, so that
    ``configure_ndis(library=...)`` can replace the library before anything is posted."""

    stack: Stack
    name: str

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        self.stack.ndis.handle(envelope, ctx)


@attrs.define(eq=False)
class Stack:
    """A driver stack under one bus.  Built by ``stack.scenario.run_scenario``."""

    bus: Bus
    registry: Registry
    seed: int
    _nursery: trio.Nursery
    ndis: NdisLibrary = attrs.field(init=False)
    drivers: dict[str, Any] = attrs.field(init=False, factory=dict)
    #: Adapters in the order they were declared; ``start()`` brings them up in this order.
    adapters: list[str] = attrs.field(init=False, factory=list)
    expectations: list[tuple[str, bool]] = attrs.field(init=False, factory=list)
    _admin: AdminClient | None = attrs.field(init=False, default=None)
    _started: bool = attrs.field(init=False, default=False)
    _filter_monitors: bool = attrs.field(init=False, default=False)
    _mux_monitors: bool = attrs.field(init=False, default=False)
    _random: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.ndis = NdisLibrary(self.registry, options=NdisOptions())
        self.bus.add_actor(_NdisPort(self, self.ndis.name), self._nursery)
        # The scenario's own randomness: a named sub-stream of the run's seed, never the
        # global generator (../shared/design/exploration.md 11(a)1).
        self._random = random.Random(f"{self.seed}:scenario")

    # -- topology ------------------------------------------------------------------------------

    def add_driver(self, driver: _D) -> _D:
        """Register a bare actor (a ``name`` and a synchronous ``handle(envelope, ctx)``) that
        NDIS does not wire anywhere; drivers on the public bases go through ``add_miniport``,
        ``add_protocol`` or ``add_mux``."""
        return self._add(driver)

    def _add(self, driver: _D) -> _D:
        if driver.name in self.drivers or driver.name in (SCENARIO, self.ndis.name):
            raise BadInput(f"scenario: two drivers named {driver.name!r}")
        self.drivers[driver.name] = driver
        self.bus.add_actor(driver, self._nursery)
        return driver

    def add_miniport(self, driver: _M) -> _M:
        """Add a miniport driver; the adapter it plays is named ``driver.name`` (NDIS registers
        it, its registry key is created, and ``start()`` brings it up in declaration order)."""
        if not isinstance(driver, MiniportDriver):
            raise BadInput(f"scenario: add_miniport needs a MiniportDriver, not {driver!r}")
        self._add(driver)
        self.ndis.add_adapter(driver.name, miniport=driver.name)
        self.adapters.append(driver.name)
        self.registry.ensure_adapter(driver.name)
        return driver

    def add_protocol(self, driver: _P, *, bind: Sequence[str] = ()) -> _P:
        """Add a protocol driver that NDIS binds to the declared adapters ``bind`` (in order)."""
        if not isinstance(driver, ProtocolDriver):
            raise BadInput(f"scenario: add_protocol needs a ProtocolDriver, not {driver!r}")
        self._add(driver)
        self._bind(driver, bind)
        return driver

    def add_mux(
        self,
        driver: _X,
        team: str,
        *,
        members: Sequence[str],
        mode: MuxMode | str = MuxMode.FAILOVER,
    ) -> _X:
        """Add virtual miniport ``team`` over the declared adapters ``members`` (team order),
        played by the MUX ``driver`` (added on first use; call again with the same driver for
        another team).  NDIS binds the driver to the members and the MUX monitors
        (``stack.drivers.mux.mux_monitors``) join the run; declare protocols bound to ``team``
        after this call.  ``mode`` is ``failover`` or ``team`` (``stack.drivers.mux``)."""
        if not isinstance(driver, MuxDriver):
            raise BadInput(f"scenario: add_mux needs a MuxDriver, not {driver!r}")
        known = self.drivers.get(driver.name)
        if known is None:
            self._add(driver)
        elif known is not driver:
            raise BadInput(f"scenario: two drivers named {driver.name!r}")
        if not self._mux_monitors:
            self._mux_monitors = True
            self.bus.monitors.extend(mux_monitors(self.ndis, self._muxes))
        for member in members:
            if member not in self.ndis.adapters:
                raise BadInput(f"scenario: MUX team {team!r} has unknown member {member!r}")
        driver.add_team(team, members=members, mode=mode)
        self.ndis.add_adapter(team, miniport=driver.name, virtual=True)
        self.registry.ensure_adapter(team)
        for member in members:
            self.ndis.bind_protocol(member, driver.name)
        return driver

    def _muxes(self) -> list[MuxDriver]:
        return [d for d in self.drivers.values() if isinstance(d, MuxDriver)]

    def _bind(self, protocol: Actor, bind: Sequence[str]) -> None:
        for adapter in bind:
            if adapter not in self.ndis.adapters:
                raise BadInput(f"scenario: {protocol.name} binds to unknown adapter {adapter!r}")
            self.ndis.bind_protocol(adapter, protocol.name)

    def configure_ndis(self, library: type[NdisLibrary] | None = None, **options: Any) -> None:
        """Change documented NDIS choices (``NdisOptions`` fields, see the README's Design
        section) before ``start()``; ``library`` replaces the NDIS library with a subclass (a
        zoo exhibit, a model of a different ndis.sys), constructed with the stack's registry and
        the options, which must come before any driver or adapter is added."""
        try:
            chosen = attrs.evolve(self.ndis.options, **options)
        except TypeError:
            known = ", ".join(f.name for f in attrs.fields(NdisOptions))
            raise BadInput(f"scenario: configure_ndis takes {known} (and library=)") from None
        if library is None:
            self.ndis.options = chosen
            return
        if not (isinstance(library, type) and issubclass(library, NdisLibrary)):
            raise BadInput(f"scenario: configure_ndis(library=) needs an NdisLibrary subclass, "
                           f"not {library!r}")  # fmt: skip
        if self.drivers or self.adapters or self.bus.posted or self._started:
            raise BadInput("scenario: configure_ndis(library=...) must come before any driver, "
                           "adapter or message")  # fmt: skip
        previous, self.ndis = self.ndis, library(self.registry, options=chosen)
        # Monitors made for the stack's library before the scenario ran (the default ones) watch
        # the new one; nothing has been delivered, so they hold no state yet.
        for monitor in self.bus.monitors:
            if getattr(monitor, "ndis", None) is previous:
                setattr(monitor, "ndis", self.ndis)  # noqa: B010 -- monitors are duck-typed

    def miniport(
        self,
        name: str,
        *,
        preset: str | None = None,
        hardware: NDIS_OFFLOAD | HardwareProfile | None = None,
        connection_hardware: NDIS_TCP_CONNECTION_OFFLOAD | None = None,
        oid_completion: OidCompletion | str = OidCompletion.SYNCHRONOUS,
        oid_latency: int = 1,
        indication_order: IndicationOrder | str = IndicationOrder.BEFORE_COMPLETE,
        hardware_policy: HardwarePolicy | str = HardwarePolicy.INVALID_DATA,
        send_latency: int = 0,
        vendor_lso_keyword: str | None = None,
        media_connected: bool = True,
        ndis_version: str | None = None,
        min_parameters_revision: int | None = None,
        revision_refusal_status: NdisStatus | int | str = NdisStatus.NDIS_STATUS_INVALID_PARAMETER,
        encapsulation_indication: bool | None = None,
        keyword_bounded: bool | None = None,
    ) -> Miniport:
        """Add a NIC (``stack.drivers.Miniport``).  ``preset=`` names a NIC profile or a
        behaviour preset (``netadaptercx``, ``stack.drivers.MINIPORT_PRESETS``);
        ``hardware=`` gives a custom ``NDIS_OFFLOAD``; ``media_connected=False`` starts it with
        its cable out (``link_up`` plugs it in); the others are the miniport's documented knobs
        (README, Design)."""
        return self.add_miniport(
            Miniport(
                name,
                preset=preset,
                hardware=hardware,
                connection_hardware=connection_hardware,
                oid_completion=oid_completion,
                oid_latency=oid_latency,
                indication_order=indication_order,
                hardware_policy=hardware_policy,
                send_latency=send_latency,
                vendor_lso_keyword=vendor_lso_keyword,
                media_connected=media_connected,
                ndis_version=ndis_version,
                min_parameters_revision=min_parameters_revision,
                revision_refusal_status=revision_refusal_status,
                encapsulation_indication=encapsulation_indication,
                keyword_bounded=keyword_bounded,
            )
        )

    def tcpip(
        self,
        name: str = "tcpip",
        *,
        bind: Sequence[str] = (),
        mtu: int = 1500,
        query_hardware: bool = False,
        task_offload: bool = True,
        encapsulation_ipv4: str = "on",
        encapsulation_ipv6: str = "on",
        ndis_version: str | None = None,
    ) -> TcpIpProtocol:
        """Add a TCP/IP-like protocol (``stack.drivers.TcpIpProtocol``) bound to ``bind``;
        ``task_offload=False`` is ``taskoffload=disabled``, ``encapsulation_ipv4/ipv6="off"``
        sends SET_OFF for that IP version, ``ndis_version`` the version it was built for."""
        return self.add_protocol(
            TcpIpProtocol(
                name=name,
                mtu=mtu,
                query_hardware=query_hardware,
                task_offload=task_offload,
                encapsulation_ipv4=encapsulation_ipv4,
                encapsulation_ipv6=encapsulation_ipv6,
                ndis_version=ndis_version,
            ),
            bind=bind,
        )

    def ndisprot(self, name: str = "ndisprot", *, bind: Sequence[str] = ()) -> NdisprotProtocol:
        """Add a minimal ndisprot-like protocol (``stack.drivers.NdisprotProtocol``) bound to
        ``bind``."""
        return self.add_protocol(NdisprotProtocol(name=name), bind=bind)

    @property
    def admin(self) -> AdminClient:
        """The administrator (WMI / PowerShell NetAdapter cmdlets), created on first use."""
        if self._admin is None:
            self._admin = self._add(AdminClient(name="admin"))
        return self._admin

    def mux(
        self,
        team: str,
        *,
        members: Sequence[str],
        mode: MuxMode | str = MuxMode.FAILOVER,
        driver: str = "mux",
        advertises: Advertises | str | None = None,
        failback: bool | None = None,
        hardware_policy: HardwarePolicy | str | None = None,
        init_latency: int | None = None,
        failover_advertises: Advertises | str | None = None,
    ) -> Mux:
        """Add virtual miniport ``team`` over the declared miniports ``members`` (team order),
        played by the MUX actor ``driver`` (a ``stack.drivers.mux.Mux``, created on first use
        with the options given; ``add_mux`` does the rest).  ``mode`` is ``failover`` or
        ``team``; ``advertises`` is ``lbfo`` (default), ``active`` or ``intersection``;
        ``failback`` (default False) lets a failover team's first member in team order take the
        active role back when it regains link (``failover_advertises`` is the older name of
        ``advertises``).  The MUX binds to the members and initializes ``team`` once they have
        joined (``stack.drivers.mux``); declare protocols bound to ``team`` after this call."""
        if advertises is None:
            advertises = failover_advertises
        given: dict[str, Any] = {
            key: value
            for key, value in (
                ("advertises", advertises),
                ("failback", failback),
                ("hardware_policy", hardware_policy),
                ("init_latency", init_latency),
            )
            if value is not None
        }
        mux = self.drivers.get(driver)
        if mux is None:
            mux = Mux(name=driver, **given)
        elif not isinstance(mux, Mux) or given:
            raise BadInput(f"scenario: {driver!r} is not a MUX, or its options were given twice")
        return self.add_mux(mux, team, members=members, mode=mode)

    def mux_command(
        self, team: str, command: str, *, driver: str = "mux", delay: int = 0, **args: str
    ) -> None:
        """Change a MUX team at run time: ``add-member`` (member=), ``remove-member`` (member=),
        ``swap`` (to=), ``replace-member`` (old=, new=), ``delay`` ticks from now.  A new member
        the MUX is not bound to yet gets the MUX as a protocol and is enabled (or restarted, so
        NDIS binds it)."""
        for name in (args.get("member"), args.get("new")):
            record = self.ndis.adapters.get(name) if name else None
            if record is not None and self.ndis.bind_protocol(record.name, driver):
                halted = record.state is MiniportAdapterState.Halted
                operation = "enable" if halted else "restart"
                self.post(self.ndis.name, AdapterControl(record.name, operation))
        self._command(driver, command, {"team": team, **args}, delay=delay)

    # -- filters ------------------------------------------------------------------------------

    def add_filter(self, driver: FilterDriver, *, adapter: str | Sequence[str]) -> FilterDriver:
        """Put a module of filter driver ``driver`` into the stack of ``adapter`` (a name or a
        list of names: a miniport, a MUX member or a MUX team declared before), at its place by
        ``driver.filter_class`` and declaration order (stack.ndis.FilterClass).  Before
        ``start()`` NDIS attaches it as it brings the adapter up; afterwards it pauses the running
        stack, attaches the module and restarts it.  The filter monitors join the run."""
        known = self.drivers.get(driver.name)
        if known is None:
            self._add(driver)
        elif known is not driver:
            raise BadInput(f"scenario: two drivers named {driver.name!r}")
        for name in [adapter] if isinstance(adapter, str) else list(adapter):
            self._adapter(name)
            added = self.ndis.add_filter(
                name,
                driver.name,
                filter_class=driver.filter_class,
                characteristics=driver.characteristics(),
            )
            if added and self._started:
                self.post(self.ndis.name, AdapterControl(name, "attach_filter", filter=driver.name))
        if not self._filter_monitors:
            self._filter_monitors = True
            self.bus.monitors.extend(filter_monitors(self.ndis, self._filter_rewrite))
        return driver

    def filter(
        self,
        name: str,
        *,
        adapter: str | Sequence[str],
        kind: str = "passthrough",
        **options: Any,
    ) -> FilterDriver:
        """Add a shipped filter driver ``name`` (created on first use) to ``adapter``:
        ``kind="passthrough"`` (``PassthroughFilter``) or ``"mask"`` (``OffloadMaskingFilter``,
        ``masked=("lso", "checksum")`` by default); ``filter_class=`` places it."""
        driver = self.drivers.get(name)
        if driver is None:
            cls = FILTER_KINDS.get(kind)
            if cls is None:
                raise BadInput(f"scenario: filter kind {kind!r} (known: {', '.join(FILTER_KINDS)})")
            driver = cls(name=name, **options)
        elif not isinstance(driver, FILTER_KINDS.get(kind, FilterDriver)) or options:
            raise BadInput(
                f"scenario: {name!r} is not a {kind} filter, or its options were given twice"
            )
        return self.add_filter(driver, adapter=adapter)

    def remove_filter(self, name: str, *, adapter: str) -> None:
        """Take filter ``name``'s module out of ``adapter``'s stack (NDIS pauses the running
        stack, detaches the module and restarts the rest)."""
        if self.ndis.filter_module(self._adapter(adapter), name) is None:
            raise BadInput(f"scenario: {adapter} has no filter {name!r}")
        self.post(self.ndis.name, AdapterControl(adapter, "detach_filter", filter=name))

    def layers(self, adapter: str) -> tuple[LayerView, ...]:
        """``adapter``'s stack below the protocols, from the miniport up, with what each layer
        reports upward (NDIS's records)."""
        return self.ndis.layers(self._adapter(adapter))

    def top_view(self, adapter: str) -> OffloadView:
        """What NDIS shows the protocols bound to ``adapter`` (the top layer's view)."""
        return self.ndis.top_view(self._adapter(adapter))

    def _filter_rewrite(self, name: str, adapter: str, offload: NDIS_OFFLOAD) -> NDIS_OFFLOAD:
        driver = self.drivers.get(name)
        return (
            driver.rewrite_offload(adapter, offload)
            if isinstance(driver, FilterDriver)
            else offload
        )

    # -- driving -------------------------------------------------------------------------------

    def post(self, dst: str, message: Message, *, delay: int = 0) -> None:
        """Post a message from the scenario (e.g. a ``Command``) to an actor."""
        if dst not in self.bus.actor_names:
            known = ", ".join(name for name in self.bus.actor_names if name != self.ndis.name)
            raise BadInput(f"scenario: no driver named {dst!r} (known: {known})")
        self.bus.post(SCENARIO, dst, message, delay=delay)

    def _adapter(self, adapter: str) -> str:
        """``adapter``, if the topology declared it: a typo is bad input, not an NDIS failure."""
        if adapter not in self.ndis.adapters:
            known = ", ".join(self.ndis.adapters) or "none"
            raise BadInput(f"scenario: no adapter named {adapter!r} (known: {known})")
        return adapter

    def command(self, dst: str, name: str, **args: Any) -> None:
        """Post scenario command ``name`` to driver ``dst`` (its ``on_command``)."""
        self._command(dst, name, args)

    def _command(self, dst: str, name: str, args: dict[str, Any], *, delay: int = 0) -> None:
        self.post(dst, Command(name, tuple(sorted(args.items()))), delay=delay)

    async def start(self) -> None:
        """Bring every declared adapter up: initialize, bind while Paused, restart the stack
        (N/starting-a-driver-stack.md)."""
        if self._started:
            raise BadInput("scenario: stack.start() was called twice")
        self._started = True
        for adapter in self.adapters:
            self.post(self.ndis.name, AdapterControl(adapter, "enable"))
        await self.settle()

    async def settle(self) -> None:
        """Let the bus deliver until nothing is pending."""
        await self.bus.settle()

    async def advance(self, ticks: int) -> None:
        """Let ``ticks`` of virtual time pass."""
        await self.bus.advance(ticks)

    async def run_until(self, done: Callable[[], bool]) -> None:
        """Let the bus deliver until ``done()`` holds (an error if everything goes quiet
        first): stop at a chosen moment, e.g. once a request is pending in a miniport."""
        await self.bus.run_until(done)

    @property
    def max_steps(self) -> int:
        """The run's delivery budget: more deliveries without quiescence fail the run
        (``liveness-step-budget``); lower it to report a livelock sooner."""
        return self.bus.max_steps

    @max_steps.setter
    def max_steps(self, steps: int) -> None:
        if steps < 1:
            raise BadInput(f"scenario: max_steps must be >= 1, not {steps}")
        self.bus.max_steps = steps

    def cmdlet(
        self, name: str, adapter: str, *, no_restart: bool = False, **parameters: Any
    ) -> None:
        """Run a NetAdapter cmdlet through the admin client, e.g.
        ``stack.cmdlet("Disable-NetAdapterLso", "nic0", IPv4=True)``; its ``AdminResult`` lands
        in ``stack.admin.results`` once the bus has delivered it.  The offload Set/Enable/Disable
        cmdlets write the keywords and restart the adapter, as on Windows; ``no_restart=True``
        (``-NoRestart``) writes the registry only, so the running configuration stays as it was
        until the next restart (``stack.drivers._admin`` docstring)."""
        if no_restart:
            parameters["NoRestart"] = True
        self.post(self.admin.name, cmdlet(name, self._adapter(adapter), **parameters))

    def wmi_set_parameters(
        self, adapter: str, parameters: NDIS_OFFLOAD_PARAMETERS | str, **cmdlet_parameters: Any
    ) -> None:
        """Set GUID_NDIS_TCP_OFFLOAD_PARAMETERS on ``adapter`` as a WMI client does: NDIS maps
        it to OID_TCP_OFFLOAD_PARAMETERS, the change applies at run time (keywords persisted,
        CURRENT_CONFIG indicated to every protocol), no restart.  ``parameters`` is an
        ``NDIS_OFFLOAD_PARAMETERS``, or a cmdlet name whose parameters to send, e.g.
        ``stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso", IPv6=True)``
        (``stack.drivers.offload_parameters``).  The result lands in ``stack.admin.results``
        under ``cmdlet == stack.drivers.WMI_SET_PARAMETERS``."""
        if isinstance(parameters, str):
            parameters = offload_parameters(parameters, **cmdlet_parameters)
        elif cmdlet_parameters:
            raise BadInput("scenario: wmi_set_parameters takes cmdlet parameters only with a "
                           "cmdlet name")  # fmt: skip
        self.post(self.admin.name, wmi_set_parameters(self._adapter(adapter), parameters))

    def send(self, protocol: str, **args: Any) -> None:
        """Ask a protocol to send (``adapter=``, ``count=``, ``length=``, ``ip=``)."""
        if "adapter" in args:
            self._adapter(args["adapter"])
        self.command(protocol, "send", **args)

    def receive(self, adapter: str, *, delay: int = 0, **args: Any) -> None:
        """Ask a miniport to indicate received packets (``count=``, ``ip=``, ``protocol=``,
        ``rsc=``), ``delay`` ticks from now."""
        self._command(self._adapter(adapter), "receive", args, delay=delay)

    def oid(
        self,
        protocol: str,
        adapter: str,
        request: NDIS_OID_REQUEST,
        *,
        request_id: int | None = None,
    ) -> None:
        """Ask an ndisprot-like protocol to issue an OID request.  ``request_id`` (else the
        request's own ``RequestId`` if non-zero, else the protocol's next) lets a later
        ``cancel_oid(protocol, adapter, request_id)`` name it."""
        args: dict[str, Any] = {"adapter": self._adapter(adapter), "request": request}
        chosen = request_id if request_id is not None else getattr(request, "RequestId", 0)
        if chosen:
            args["request_id"] = chosen
        self.command(protocol, "oid", **args)

    def cancel_oid(self, protocol: str, adapter: str, request_id: int) -> None:
        """Ask an ndisprot-like protocol to cancel its request ``request_id``
        (NdisCancelOidRequest)."""
        self._command(protocol, "cancel", {"adapter": self._adapter(adapter),
                                            "request_id": request_id})  # fmt: skip

    def enable_adapter(self, adapter: str, *, delay: int = 0) -> None:
        """Bring one adapter up (what ``start()`` does for each), ``delay`` ticks from now."""
        self._control(adapter, "enable", delay)

    def disable_adapter(self, adapter: str, *, delay: int = 0) -> None:
        """Take one adapter down: NDIS pauses and unbinds the protocols, then halts it."""
        self._control(adapter, "disable", delay)

    def restart_adapter(self, adapter: str, *, delay: int = 0) -> None:
        """Disable then enable the adapter (keywords are re-read at initialize, spec A13)."""
        self._control(adapter, "restart", delay)

    def surprise_remove(self, adapter: str, *, delay: int = 0) -> None:
        """Pull the NIC: NDIS notifies the miniport, pauses, unbinds and halts it."""
        self._control(adapter, "surprise_remove", delay)

    def link_down(self, adapter: str, *, delay: int = 0) -> None:
        """Pull the cable of NIC ``adapter``, ``delay`` ticks from now: its miniport indicates
        NDIS_STATUS_LINK_STATE (MediaConnectStateDisconnected) and a failover team over it fails
        over (N/ndis-status-link-state.md).  The adapter stays bound and running."""
        self._link(adapter, "down", delay)

    def link_up(self, adapter: str, *, delay: int = 0) -> None:
        """Plug the cable of NIC ``adapter`` back in (MediaConnectStateConnected)."""
        self._link(adapter, "up", delay)

    def _link(self, adapter: str, state: str, delay: int) -> None:
        name = self._adapter(adapter)
        record = self.ndis.adapters[name]
        if record.virtual:
            raise BadInput(f"scenario: {name!r} is a virtual miniport; it has no cable to pull")
        self._command(record.miniport, "link", {"state": state}, delay=delay)

    def _control(self, adapter: str, operation: str, delay: int) -> None:
        self.post(self.ndis.name, AdapterControl(self._adapter(adapter), operation), delay=delay)

    @property
    def random(self) -> random.Random:
        return self._random

    # -- checking ------------------------------------------------------------------------------

    def binding_state(self, adapter: str, protocol: str) -> ProtocolBindingState | None:
        """The state NDIS holds for ``protocol``'s binding to ``adapter`` (None: not bound)."""
        return self.ndis.adapters[self._adapter(adapter)].bindings.get(protocol)

    def faults_fired(self) -> frozenset[str]:
        """The fault sites that have fired so far in this run (exploration's legal surprises,
        the ``fault`` lines of the trace), for expectations that must allow for them."""
        return frozenset(r["site"] for r in self.bus.trace.records if r["kind"] == "fault")

    def expect(self, condition: bool, description: str) -> None:
        """Record a scenario expectation; a false one fails the run (exit 1)."""
        self.expectations.append((description, bool(condition)))
        self.bus.trace.emit("scenario.expect", description=description, ok=bool(condition))
        if not condition:
            raise ExpectationFailed(description)

    @property
    def now(self) -> int:
        return self.bus.now
