"""The object a scenario script receives: build a topology, drive it, inspect it.

A scenario is an ``async def scenario(stack)`` function in a Python file.  Everything it does goes
through the bus: topology calls register actors, ``start()`` brings every adapter up, driver
helpers post ``Command`` messages, and ``settle()`` / ``advance()`` let the bus deliver.  Between
two awaits the scenario runs alone, so its own code never races the drivers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, TypeVar

import attrs
import trio

from stack.drivers import (
    AdminClient,
    FilterDriver,
    Miniport,
    NdisprotProtocol,
    OffloadMaskingFilter,
    PassthroughFilter,
    TcpIpProtocol,
    cmdlet,
)
from stack.drivers.mux import Mux, mux_monitors
from stack.errors import BadInput
from stack.ndis import NDIS_OFFLOAD
from stack.runtime import (
    Actor,
    AdapterControl,
    Bus,
    Command,
    LayerView,
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


class ExpectationFailed(AssertionError):
    """A scenario's ``stack.expect(...)`` did not hold."""


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
    _random: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.ndis = NdisLibrary(self.registry, options=NdisOptions())
        self.bus.add_actor(self.ndis, self._nursery)
        # The scenario's own randomness: a named sub-stream of the run's seed, never the
        # global generator (../shared/design/exploration.md 11(a)1).
        self._random = random.Random(f"{self.seed}:scenario")

    # -- topology ------------------------------------------------------------------------------

    def add_driver(self, driver: _D) -> _D:
        """Register any actor (a ``name`` and a synchronous ``handle(envelope, ctx)``): a custom
        or deliberately buggy driver; wire it to an adapter with ``ndis.add_adapter``."""
        return self._add(driver)

    def _add(self, driver: _D) -> _D:
        if driver.name in self.drivers or driver.name in (SCENARIO, self.ndis.name):
            raise BadInput(f"scenario: two drivers named {driver.name!r}")
        self.drivers[driver.name] = driver
        self.bus.add_actor(driver, self._nursery)
        return driver

    def configure_ndis(self, **options: Any) -> None:
        """Change a documented NDIS choice (see ``NdisOptions``) before ``start()``."""
        self.ndis.options = attrs.evolve(self.ndis.options, **options)

    def miniport(self, name: str, **options: Any) -> Miniport:
        """Add a miniport adapter.  ``preset=`` names a NIC profile; ``hardware=`` gives a custom
        ``NDIS_OFFLOAD``; other options are the miniport's documented knobs."""
        miniport = self._add(Miniport(name=name, **options))
        self.ndis.add_adapter(name, miniport=name)
        self.adapters.append(name)
        self.registry.ensure_adapter(name)
        return miniport

    def _bind(self, protocol: Any, bind: Sequence[str]) -> None:
        for adapter in bind:
            if adapter not in self.ndis.adapters:
                raise BadInput(f"scenario: {protocol.name} binds to unknown adapter {adapter!r}")
            self.ndis.bind_protocol(adapter, protocol.name)

    def tcpip(
        self, name: str = "tcpip", *, bind: Sequence[str] = (), **options: Any
    ) -> TcpIpProtocol:
        """Add a TCP/IP-like protocol bound to ``bind``."""
        protocol = self._add(TcpIpProtocol(name=name, **options))
        self._bind(protocol, bind)
        return protocol

    def ndisprot(
        self, name: str = "ndisprot", *, bind: Sequence[str] = (), **options: Any
    ) -> NdisprotProtocol:
        """Add a minimal ndisprot-like protocol bound to ``bind``."""
        protocol = self._add(NdisprotProtocol(name=name, **options))
        self._bind(protocol, bind)
        return protocol

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
        mode: str = "failover",
        driver: str = "mux",
        **options: Any,
    ) -> Mux:
        """Add virtual miniport ``team`` over the declared miniports ``members`` (team order),
        played by the MUX actor ``driver`` (created on first use with ``options``; its monitors
        join the run).  ``mode`` is ``failover`` or ``team``.  The MUX binds to the members and
        initializes ``team`` once they have joined (``stack.drivers.mux``); declare protocols
        bound to ``team`` after this call."""
        mux = self.drivers.get(driver)
        if mux is None:
            mux = self._add(Mux(name=driver, **options))
        elif not isinstance(mux, Mux) or options:
            raise BadInput(f"scenario: {driver!r} is not a MUX, or its options were given twice")
        if not any(m.id.startswith("mux-") for m in self.bus.monitors):
            self.bus.monitors.extend(mux_monitors(self.ndis, self._muxes))
        for member in members:
            if member not in self.ndis.adapters:
                raise BadInput(f"scenario: MUX team {team!r} has unknown member {member!r}")
        mux.add_team(team, members=members, mode=mode)
        self.ndis.add_adapter(team, miniport=driver, virtual=True)
        self.registry.ensure_adapter(team)
        for member in members:
            self.ndis.bind_protocol(member, driver)
        return mux

    def _muxes(self) -> list[Mux]:
        return [d for d in self.drivers.values() if isinstance(d, Mux)]

    def mux_command(self, team: str, command: str, *, driver: str = "mux", **args: str) -> None:
        """Change a MUX team at run time: ``add-member`` (member=), ``remove-member`` (member=),
        ``swap`` (to=), ``replace-member`` (old=, new=).  A new member the MUX is not bound to
        yet gets the MUX as a protocol and is enabled (or restarted, so NDIS binds it)."""
        for name in (args.get("member"), args.get("new")):
            record = self.ndis.adapters.get(name) if name else None
            if record is not None and self.ndis.bind_protocol(record.name, driver):
                operation = "enable" if record.state.value == "Halted" else "restart"
                self.post(self.ndis.name, AdapterControl(record.name, operation))
        self.command(driver, command, team=team, **args)

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

    def post(self, dst: str, message: Any, *, delay: int = 0) -> None:
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
        self.post(dst, Command(name, tuple(sorted(args.items()))))

    async def start(self) -> None:
        """Bring every declared adapter up (initialize, restart, bind, restart bindings)."""
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

    def cmdlet(self, name: str, adapter: str, **parameters: Any) -> None:
        """Run a NetAdapter cmdlet through the admin client, e.g.
        ``stack.cmdlet("Disable-NetAdapterLso", "nic0", IPv4=True)``; its ``AdminResult`` lands
        in ``stack.admin.results`` once the bus has delivered it."""
        self.post(self.admin.name, cmdlet(name, self._adapter(adapter), **parameters))

    def send(self, protocol: str, **args: Any) -> None:
        """Ask a protocol to send (``adapter=``, ``count=``, ``length=``, ``ip=``)."""
        if "adapter" in args:
            self._adapter(args["adapter"])
        self.command(protocol, "send", **args)

    def receive(self, adapter: str, **args: Any) -> None:
        """Ask a miniport to indicate received packets."""
        self.command(self._adapter(adapter), "receive", **args)

    def oid(
        self, protocol: str, adapter: str, request: Any, *, request_id: int | None = None
    ) -> None:
        """Ask an ndisprot-like protocol to issue an OID request.  ``request_id`` (else the
        request's own ``RequestId`` if non-zero, else the protocol's next) lets a later
        ``command(protocol, "cancel", adapter=..., request_id=...)`` name it."""
        args: dict[str, Any] = {"adapter": self._adapter(adapter), "request": request}
        chosen = request_id if request_id is not None else getattr(request, "RequestId", 0)
        if chosen:
            args["request_id"] = chosen
        self.command(protocol, "oid", **args)

    def restart_adapter(self, adapter: str) -> None:
        """Disable then enable the adapter (keywords are re-read at initialize, spec A13)."""
        self.post(self.ndis.name, AdapterControl(self._adapter(adapter), "restart"))

    def surprise_remove(self, adapter: str) -> None:
        """Pull the NIC: NDIS notifies the miniport, pauses, unbinds and halts it."""
        self.post(self.ndis.name, AdapterControl(self._adapter(adapter), "surprise_remove"))

    @property
    def random(self) -> random.Random:
        return self._random

    # -- checking ------------------------------------------------------------------------------

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
