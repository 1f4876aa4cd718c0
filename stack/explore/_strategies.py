"""Exploration strategies: every decision of a run, made from one root seed.

A strategy plugs into ``stack.runtime.Bus`` (``choose`` for deliveries, ``choose_data`` for the
drivers' fault sites) and nowhere else.  Each one draws from named sub-streams of the run's seed
(``random.Random(f"{seed}:{name}")``; string seeds are hashed with SHA-512, so the streams are the
same in every process and under every ``PYTHONHASHSEED``), never from the global generator, so
adding a draw in one concern does not shift another (../shared/design/exploration.md 11(a)1).

* ``RandomWalk``: a uniformly random enabled message each time.
* ``PCT``: probabilistic concurrency testing (Burckhardt et al., ASPLOS'10).  Every scheduling
  unit (a link ``src -> dst``, or a destination actor) gets a random priority above ``depth``;
  the highest-priority enabled unit goes next; at ``depth - 1`` change points drawn uniformly
  from the first ``k`` decisions the running unit drops below every initial priority.  Only real
  choices (more than one enabled message) count as steps, as shuttle does.
* ``DelayClog``: FIFO, except that now and then a link or an actor is *clogged* for a heavy-tailed
  number of virtual ticks (FoundationDB's swizzle-clog); when everything enabled is clogged the
  strategy lets a tick pass (``None``), so timers and timeouts see the delay.
* ``portfolio``: not a class but a rotation: run seed ``s`` uses ``PORTFOLIO[s % 3]`` (Coyote).

Fault injection is swarm style (FoundationDB BUGGIFY, TigerBeetle VOPR ``options_swarm``): per
run, each site a driver asks about (``ctx.decide("miniport.oid.fail", n)``) is switched on with
probability ``site_p`` decided by the seed *and the site name alone*, so the order in which sites
are first asked does not matter; an enabled site fires with probability ``fire_p`` each time it
is asked and then picks one of its non-default options uniformly.  Any site name works.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from stack.errors import BadInput
from stack.runtime import Bus, Envelope

#: Strategy names the campaign and the CLI accept.
STRATEGIES = ("random", "pct", "delay", "portfolio")
#: The rotation ``portfolio`` uses: run seed s runs ``PORTFOLIO[s % len(PORTFOLIO)]``.
PORTFOLIO = ("pct", "random", "delay")


def substream(seed: int, name: str) -> random.Random:
    """An independent generator for one concern of one run."""
    return random.Random(f"{seed}:{name}")


@attrs.define(eq=False)
class Swarm:
    """Per-run fault injection: which sites are on, and when an enabled site fires."""

    seed: int
    enabled: bool = True
    site_p: float = 0.25
    fire_p: float = 0.25
    _sites: dict[str, tuple[bool, random.Random]] = attrs.field(init=False, factory=dict)

    def decide(self, site: str, count: int) -> int:
        if not self.enabled:
            return 0
        state = self._sites.get(site)
        if state is None:
            # One stream per site: its on/off draw and its firing draws never shift another's.
            rng = substream(self.seed, f"fault:{site}")
            state = (rng.random() < self.site_p, rng)
            self._sites[site] = state
        on, rng = state
        if not on or rng.random() >= self.fire_p:
            return 0
        return rng.randrange(1, count)

    def sites_on(self) -> list[str]:
        """The sites asked about so far that this run switched on (sorted)."""
        return sorted(site for site, (on, _) in self._sites.items() if on)


@attrs.define(eq=False)
class Explorer:
    """What every exploring strategy shares: the seed, the fault swarm and its parameters."""

    NAME: ClassVar[str] = "explorer"
    seed: int
    #: The strategy's name as the trace and the tape show it (``random``, ``pct``, ``delay``).
    name: str = attrs.field(init=False, default="")
    faults: bool = attrs.field(default=True, kw_only=True)
    site_p: float = attrs.field(default=0.25, kw_only=True)
    fire_p: float = attrs.field(default=0.25, kw_only=True)
    swarm: Swarm = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.name = self.NAME
        self.swarm = Swarm(self.seed, self.faults, self.site_p, self.fire_p)

    def params(self) -> dict[str, Any]:
        """The parameters that, with the seed, reproduce this strategy (JSON scalars)."""
        return {"faults": self.faults, "site_p": self.site_p, "fire_p": self.fire_p}

    def describe(self) -> str:
        own = {k: v for k, v in self.params().items() if k not in ("faults", "site_p", "fire_p")}
        inner = ",".join(f"{k}={v}" for k, v in own.items())
        faults = "" if self.faults else " no-faults"
        return f"{self.name}({inner}){faults}" if inner else f"{self.name}{faults}"

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        raise NotImplementedError

    def choose_data(self, site: str, count: int, bus: Bus) -> int:
        return self.swarm.decide(site, count)


@attrs.define(eq=False)
class RandomWalk(Explorer):
    """Deliver a uniformly random enabled message."""

    NAME: ClassVar[str] = "random"
    _rng: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self._rng = substream(self.seed, "sched")

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        return self._rng.randrange(len(enabled))


def _unit_key(envelope: Envelope, unit: str) -> str:
    return envelope.dst if unit == "actor" else f"{envelope.src}>{envelope.dst}"


@attrs.define(eq=False)
class PCT(Explorer):
    """Priority-based schedules with ``depth - 1`` priority change points among ``k`` steps."""

    NAME: ClassVar[str] = "pct"
    depth: int = attrs.field(default=3, kw_only=True)
    #: The expected number of real choices in a run; change points are drawn from [1, k].
    k: int = attrs.field(default=50, kw_only=True)
    #: What a priority belongs to: a ``link`` (src -> dst queue) or a destination ``actor``.
    unit: str = attrs.field(default="link", kw_only=True)
    _rng: random.Random = attrs.field(init=False)
    _priority: dict[str, float] = attrs.field(init=False, factory=dict)
    _change_points: dict[int, int] = attrs.field(init=False, factory=dict)
    _step: int = attrs.field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.depth < 1:
            raise BadInput(f"pct: depth must be at least 1, not {self.depth}")
        if self.unit not in ("link", "actor"):
            raise BadInput(f"pct: unit must be 'link' or 'actor', not {self.unit!r}")
        self._rng = substream(self.seed, "pct")
        horizon = max(self.k, self.depth - 1, 1)
        points = self._rng.sample(range(1, horizon + 1), self.depth - 1)
        # The i-th change point (in time order) lowers a unit to priority (depth-1-i)/depth:
        # below every initial priority (all > depth), later points lower still, as in the paper.
        self._change_points = {step: i for i, step in enumerate(sorted(points))}

    def params(self) -> dict[str, Any]:
        return {"depth": self.depth, "k": self.k, "unit": self.unit, **super().params()}

    def _priority_of(self, key: str) -> float:
        priority = self._priority.get(key)
        if priority is None:
            # Units are met lazily; a fresh unit gets a random priority among the initial ones.
            priority = self._priority[key] = self.depth + self._rng.random()
        return priority

    def _best(self, enabled: Sequence[Envelope]) -> int:
        best, best_priority = 0, -1.0
        for i, envelope in enumerate(enabled):
            priority = self._priority_of(_unit_key(envelope, self.unit))
            if priority > best_priority:  # ties keep the lower index, i.e. FIFO
                best, best_priority = i, priority
        return best

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        self._step += 1
        best = self._best(enabled)
        change = self._change_points.get(self._step)
        if change is not None:
            key = _unit_key(enabled[best], self.unit)
            self._priority[key] = (self.depth - 1 - change) / self.depth
            best = self._best(enabled)
        return best


@attrs.define(eq=False)
class DelayClog(Explorer):
    """FIFO with heavy-tailed clogs of one link or one actor, in virtual ticks."""

    NAME: ClassVar[str] = "delay"
    #: Probability, per decision, that a new clog starts on one of the enabled messages' links.
    clog_p: float = attrs.field(default=0.1, kw_only=True)
    #: Clog length: ``scale * Pareto(alpha)`` ticks, at most ``max_clog``.
    scale: float = attrs.field(default=2.0, kw_only=True)
    alpha: float = attrs.field(default=1.2, kw_only=True)
    max_clog: int = attrs.field(default=200, kw_only=True)
    _rng: random.Random = attrs.field(init=False)
    _clogged: dict[str, int] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self._rng = substream(self.seed, "delay")

    def params(self) -> dict[str, Any]:
        own = {"clog_p": self.clog_p, "scale": self.scale, "alpha": self.alpha}
        return {**own, "max_clog": self.max_clog, **super().params()}

    def _is_clogged(self, envelope: Envelope, now: int) -> bool:
        for key in (f"link:{envelope.src}>{envelope.dst}", f"actor:{envelope.dst}"):
            until = self._clogged.get(key)
            if until is not None and until > now:
                return True
        return False

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        rng = self._rng
        if rng.random() < self.clog_p:
            victim = enabled[rng.randrange(len(enabled))]
            key = f"link:{victim.src}>{victim.dst}" if rng.random() < 0.5 else f"actor:{victim.dst}"
            ticks = min(self.max_clog, max(1, int(self.scale * rng.paretovariate(self.alpha))))
            self._clogged[key] = bus.now + ticks
        for i, envelope in enumerate(enabled):
            if not self._is_clogged(envelope, bus.now):
                return i
        return None


_CLASSES: dict[str, type[Explorer]] = {"random": RandomWalk, "pct": PCT, "delay": DelayClog}


def member_for(strategy: str, seed: int) -> str:
    """The concrete strategy a run seed uses (``portfolio`` rotates by seed)."""
    if strategy == "portfolio":
        return PORTFOLIO[seed % len(PORTFOLIO)]
    return strategy


def make_strategy(strategy: str, seed: int, params: Mapping[str, Any] | None = None) -> Explorer:
    """Build the strategy for one run; ``params`` not meant for it are ignored, so one set of
    options (say ``depth`` and ``clog_p``) can serve a whole portfolio."""
    name = member_for(strategy, seed)
    cls = _CLASSES.get(name)
    if cls is None:
        raise BadInput(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    fields = {f.name for f in attrs.fields(cls) if f.init} - {"seed"}
    accepted = {k: v for k, v in (params or {}).items() if k in fields}
    return cls(seed, **accepted)
