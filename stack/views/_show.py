"""``ndisemu show``: what to show, checked before anything runs, and the output it makes.

``show [SCENARIO] adapter [NAME...] [VIEW]`` and ``show [SCENARIO] bindings``; SCENARIO may be
left out with ``--tape`` (the tape names its scenario).  VIEW is one of ``checksum``, ``lso``,
``uso``, ``rsc``, ``encapsulation``, ``advanced`` or ``all`` (the default).

``--layer NAME`` shows an adapter as the layer above layer NAME of its stack sees it: NAME is the
miniport, a filter module (its driver's name) or ``top`` (what the protocols see).  The default
stays the miniport's edge: the cmdlets' objects are NDIS's own answer for the adapter (NDIS
answers GUID_NDIS_TCP_OFFLOAD_CURRENT_CONFIG without an OID, N/guid-ndis-tcp-offload-
capabilities.md) and the docs do not say it is taken above the filters, so ndisemu reads its
record of what the miniport reported.  A driver developer looking at one filter module's upper
edge asks ``!ndiskd.filter`` for it; ``--layer`` is that question.  Adapters whose stack has no
layer NAME are left out; none having it is bad input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs

from stack import __version__
from stack.errors import BadInput
from stack.views._bindings import bindings_blocks, bindings_dot, bindings_json
from stack.views._ethtool import ethtool_blocks, ethtool_json
from stack.views._features import VIEWS
from stack.views._powershell import powershell_blocks, powershell_json
from stack.views._snapshot import TOP_LAYER, AdapterSnapshot, StackSnapshot, at_layer
from stack.views._text import Block, Lines

__all__ = ["SUBJECTS", "ShowOutput", "ShowRequest", "parse_show", "render_show", "show_notes"]

SUBJECTS: Final = ("adapter", "bindings")
STYLES: Final = ("powershell", "ethtool")
FORMATS: Final = ("table", "list", "json", "dot")


@attrs.frozen(kw_only=True)
class ShowRequest:
    scenario: str | None
    subject: str
    names: tuple[str, ...] = ()
    view: str = "all"
    style: str = "powershell"
    format: str = "table"
    #: ``--layer``: the layer whose upper edge is shown (None: the miniport's, as the cmdlets).
    layer: str | None = None

    @property
    def views(self) -> tuple[str, ...]:
        if self.view != "all":
            return (self.view,)
        return VIEWS if self.style == "powershell" else ("all",)


@attrs.frozen(kw_only=True)
class ShowOutput:
    """Either blocks of text (tables, lines) or one JSON document."""

    blocks: tuple[Block, ...] = ()
    data: Any = None

    @property
    def is_json(self) -> bool:
        return self.data is not None


def parse_show(
    words: Sequence[str],
    *,
    tape: bool,
    style: str = "powershell",
    fmt: str = "table",
    layer: str | None = None,
) -> ShowRequest:
    """Read ``[SCENARIO] SUBJECT [ARGS...]``; BadInput for anything that cannot be shown."""
    rest = list(words)
    scenario = None
    if not tape or (rest and rest[0] not in SUBJECTS):
        if not rest:
            raise BadInput("give a SCENARIO file (or --tape TAPE), then adapter or bindings")
        scenario = rest.pop(0)
    if not rest:
        raise BadInput("say what to show: adapter [NAME...] [VIEW] or bindings")
    subject = rest.pop(0)
    if subject not in SUBJECTS:
        raise BadInput(f"cannot show {subject!r}: show adapter [NAME...] [VIEW] or show bindings")
    if style not in STYLES:
        raise BadInput(f"unknown style {style!r} (styles: {', '.join(STYLES)})")
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    if subject == "bindings":
        if layer is not None:
            raise BadInput("--layer picks a layer for show adapter; show bindings draws them all")
        if rest:
            raise BadInput(f"show bindings takes no arguments, got {' '.join(rest)!r}")
        if fmt == "list":
            raise BadInput("show bindings prints --format table, dot or json")
        return ShowRequest(scenario=scenario, subject=subject, style=style, format=fmt)
    view = "all"
    if rest and rest[-1] in (*VIEWS, "all"):
        view = rest.pop()
    elif len(rest) > 1:
        raise BadInput(f"unknown view {rest[-1]!r} (views: {', '.join(VIEWS)}, all)")
    if fmt == "dot":
        raise BadInput("--format dot draws show bindings; show adapter prints table, list or json")
    if style == "ethtool" and fmt == "list":
        raise BadInput("--style ethtool prints ethtool -k lines or JSON, not --format list")
    if style == "ethtool" and view == "advanced":
        raise BadInput("advanced properties are registry keywords: use --style powershell")
    if layer is not None and not layer:
        raise BadInput("--layer needs a NAME: the miniport, a filter or top")
    return ShowRequest(
        scenario=scenario,
        subject=subject,
        names=tuple(rest),
        view=view,
        style=style,
        format=fmt,
        layer=layer,
    )


def _adapters(snapshot: StackSnapshot, request: ShowRequest) -> list[AdapterSnapshot]:
    if not request.names:
        return list(snapshot.adapters)
    known = {a.name for a in snapshot.adapters}
    for name in request.names:
        if name not in known and len(request.names) == 1 and request.view == "all":
            raise BadInput(
                f"{name!r} is neither an adapter ({', '.join(sorted(known)) or 'none'}) nor a "
                f"view ({', '.join(VIEWS)}, all)"
            )
    return [snapshot.adapter(name) for name in request.names]


def _at_layer(adapters: Sequence[AdapterSnapshot], layer: str) -> list[AdapterSnapshot]:
    seen = [at_layer(adapter, layer) for adapter in adapters]
    found = [adapter for adapter in seen if adapter is not None]
    if not found:
        stacks = "; ".join(
            f"{a.name}: {', '.join(layer.name for layer in a.layers)}" for a in adapters
        )
        raise BadInput(
            f"no adapter shown has a layer {layer!r} (layers from the miniport up: "
            f"{stacks or 'none'}; or {TOP_LAYER})"
        )
    return found


def _header(snapshot: StackSnapshot) -> dict[str, Any]:
    failure = snapshot.failure
    return {
        "ndisemu": __version__,
        "scenario": snapshot.scenario,
        "seed": snapshot.seed,
        "strategy": snapshot.strategy,
        "at": None
        if snapshot.at is None
        else {"seq": snapshot.at.seq, "delivery": dict(snapshot.at.delivery)},
        "failure": None
        if failure is None
        else {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason},
    }


def render_show(snapshot: StackSnapshot, request: ShowRequest) -> ShowOutput:
    """The output of ``show`` for a snapshot (BadInput for an unknown adapter)."""
    if request.subject == "bindings":
        if request.format == "json":
            return ShowOutput(
                data={**_header(snapshot), "adapters": bindings_json(snapshot.adapters)}
            )
        if request.format == "dot":
            return ShowOutput(blocks=(Lines(lines=tuple(bindings_dot(snapshot))),))
        return ShowOutput(blocks=tuple(bindings_blocks(snapshot)))
    adapters = _adapters(snapshot, request)
    if request.layer is not None:
        adapters = _at_layer(adapters, request.layer)
    if request.style == "ethtool":
        if request.format == "json":
            return ShowOutput(data={**_header(snapshot), **ethtool_json(request.views, adapters)})
        return ShowOutput(blocks=tuple(ethtool_blocks(request.views, adapters)))
    if request.format == "json":
        return ShowOutput(data={**_header(snapshot), **powershell_json(request.views, adapters)})
    blocks = powershell_blocks(request.views, adapters, request.format, named=bool(request.names))
    return ShowOutput(blocks=tuple(blocks))


def show_notes(snapshot: StackSnapshot) -> list[str]:
    """What the output does not say itself, for stderr: where the state was taken, and a failure
    of the run before that point."""
    notes = []
    if snapshot.divergence:
        notes.append(f"the tape no longer fits the run; first divergence: {snapshot.divergence}")
    at = snapshot.at
    if at is not None:
        delivery = at.delivery
        what = (
            f"{delivery.get('kind')} {delivery.get('src')} -> {delivery.get('dst')} "
            f"(seq {delivery.get('seq')}, t={delivery.get('t')})"
            if delivery
            else "nothing delivered"
        )
        notes.append(f"state after trace seq {at.seq}: last delivery {what}")
    if snapshot.failure is not None:
        failure = snapshot.failure
        notes.append(
            f"the run failed before that point: FAIL {failure.rule} at seq {failure.seq}: "
            f"{failure.reason}"
            if at is not None
            else f"the run failed: FAIL {failure.rule} at seq {failure.seq}: {failure.reason}"
        )
    return notes
