"""The command line: argument parsing and wiring only.

Each command is a small function that parses its arguments, hands them to the module that does
the work (``stack._hexinput``, ``stack._names``, ``stack._render``, ``stack.ndis``) and prints
the result.  Bad input anywhere below raises ``stack.errors.BadInput``; the group turns it into
one ``Error: ...`` line on stderr and exit code 2, so no command handles it itself.

Output: ``--color`` (``stack._render.color_mode``) decides whether stdout is styled (rich
tables) or plain ASCII; progress goes to stderr, as a bar only when stderr is a terminal.
Every ``--json`` document starts with ``schema`` (``SCHEMAS``; the README documents each field).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from stack import __version__
from stack.errors import BadInput


def _lazy(name: str) -> types.ModuleType:
    """``name``, imported on first use: ``--help`` and most commands need neither rich nor the
    NDIS structure tables, which were most of the start-up time (``python -X importtime -m
    stack --help``; README "Benchmarks")."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from rich.console import Console

    import stack.ndis as _ndis
    from stack import _hexinput, _jsoninput, _names, _render
else:
    _hexinput = _lazy("stack._hexinput")
    _jsoninput = _lazy("stack._jsoninput")
    _names = _lazy("stack._names")
    _ndis = _lazy("stack.ndis")
    _render = _lazy("stack._render")

EXIT_CODES = """\b
Exit codes:
  0  success
  1  a failure found: a buffer that does not decode, a value no constant has,
     a scenario or invariant that failed
  2  bad input: unknown name, malformed hex, JSON or file, bad option"""

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

#: The ``schema`` of each ``--json`` document: ``ndisemu.<document>/<version>``.  The version
#: goes up when a documented field is removed, renamed or changes type or meaning; a new field
#: may appear without one (read what you know, ignore the rest).  README: "JSON output".
SCHEMAS = {
    "run": "ndisemu.run/1",
    "explore": "ndisemu.explore/1",
    "explore-shard": "ndisemu.explore-shard/1",
    "replay": "ndisemu.replay/1",
    "show-powershell": "ndisemu.show.powershell/1",
    "show-ethtool": "ndisemu.show.ethtool/1",
    "show-bindings": "ndisemu.show.bindings/1",
}


class BadInputExit(click.ClickException):
    """Bad input, shown as click shows its own usage errors: one ``Error: ...`` line, exit 2."""

    exit_code = EXIT_BAD_INPUT


class Switchboard(click.Group):
    """The ``ndisemu`` group: catches BadInput from any command in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadInput as exc:
            raise BadInputExit(str(exc)) from None


@click.group(
    cls=Switchboard,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES,
)
@click.version_option(__version__, prog_name="ndisemu")
@click.option(
    "--color",
    type=click.Choice(("auto", "always", "never")),  # stack._render.COLOR_CHOICES
    default="auto",
    show_default=True,
    help="Styled output (rich tables, colours) on stdout: auto = on a terminal, unless "
    "NO_COLOR is set or FORCE_COLOR forces it; never: no ANSI escapes.",
)
@click.pass_context
def cli(ctx: click.Context, color: str) -> None:
    """ndisemu: emulate the NDIS 6.x task-offload stack, deterministically."""
    ctx.obj = color


# -- helpers shared by commands ------------------------------------------------------------------


def read_source(source: str, what: str) -> str:
    """The text of file ``source``, or of stdin when it is ``-``; BadInput if it cannot be read."""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {what} {source!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{what} {source!r} is not UTF-8 text") from None


def fail(message: str) -> NoReturn:
    """A failure found (not bad input): one line on stderr, exit 1."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(EXIT_FAILURE)


def emit_lines(lines: list[str]) -> None:
    click.echo("\n".join(lines))


def _color_choice() -> str:
    ctx = click.get_current_context(silent=True)
    choice = ctx.find_root().obj if ctx is not None else None
    return choice if isinstance(choice, str) else "auto"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _console(stream: Any, is_terminal: bool) -> Console:
    from rich.console import Console

    mode = _render.color_mode(_color_choice(), os.environ, is_terminal)
    return Console(
        file=stream,
        force_terminal=mode.styled,
        color_system="auto" if mode.color else None,
        no_color=not mode.color,
        # Off a terminal nothing is cut to fit: a pipe or a file gets every column whole
        # (../shared/design/ux.md: never truncate unless a TTY is narrower than the table).
        width=None if is_terminal else 200,
    )


def stdout_console() -> Console:
    """A console on the current stdout (CliRunner swaps it): styled (``console.is_terminal``)
    or plain as ``--color`` decides."""
    return _console(sys.stdout, _isatty(sys.stdout))


def progress_console() -> Console:
    """A console on stderr for progress: a live bar needs a real terminal (FORCE_COLOR and
    ``--color always`` colour it but do not make one), so a log gets plain lines."""
    is_terminal = _isatty(sys.stderr)
    console = _console(sys.stderr, is_terminal)
    if not is_terminal:
        from rich.console import Console

        console = Console(file=sys.stderr, force_terminal=False, color_system=None, width=200)
    return console


def emit_json(document: str, data: dict[str, Any]) -> None:
    """One ``--json`` document: ``schema`` and the ``ndisemu`` version first, then ``data``."""
    click.echo(_render.to_json({"schema": SCHEMAS[document], "ndisemu": __version__, **data}))


# -- decode --------------------------------------------------------------------------------------


@cli.command("decode", epilog=EXIT_CODES)
@click.argument("struct_name", metavar="STRUCT")
@click.argument("hex_parts", metavar="HEX...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of C members.")
def decode_cmd(struct_name: str, hex_parts: tuple[str, ...], as_json: bool) -> None:
    """Decode a buffer as the NDIS structure STRUCT (its C typedef name).

    HEX is one string (80011400..., 0x optional), bytes separated by spaces, or WinDbg
    db/dw/dd/dc/dq output pasted whole; several arguments are joined with spaces.  Give - to
    read it from stdin (a multi-line paste).  Bytes past the structure are ignored, so a
    128-byte db dump is fine.

    \b
    Examples:
      ndisemu decode NDIS_OFFLOAD_PARAMETERS 80011400040404040400000202000000 00000000
      ndisemu decode --json NDIS_OFFLOAD - < windbg-db-output.txt
    """
    cls = _names.structure_class(struct_name)
    data = _hexinput.parse_hex(_hex_text(hex_parts))
    try:
        value: object = _ndis.decode(cls, data)
    except _ndis.NdisDecodeError as error:
        if as_json:
            click.echo(_render.to_json(_render.decode_failure_json(error)))
        fail(_render.decode_failure_line(error))
    if as_json:
        click.echo(_render.structure_json(value))
        return
    title = _render.structure_title(value, len(data))
    console = stdout_console()
    if console.is_terminal:
        console.print(_render.rich_tree(value, title))
    else:
        emit_lines(_render.tree_lines(value, title))


def _hex_text(parts: tuple[str, ...]) -> str:
    if parts == ("-",):
        return read_source("-", "hex")
    if "-" in parts:
        raise BadInput("give - alone to read the hex from stdin")
    return " ".join(parts)


# -- encode --------------------------------------------------------------------------------------


@cli.command(
    "encode", epilog=EXIT_CODES, short_help="Encode a structure from JSON; print it as hex."
)
@click.argument("struct_name", metavar="STRUCT")
@click.argument("json_file", metavar="JSON_FILE")
@click.option(
    "--revision",
    type=click.IntRange(min=1),
    help="The revision to write when the JSON has no Header (default: the newest).",
)
def encode_cmd(struct_name: str, json_file: str, revision: int | None) -> None:
    """Encode the NDIS structure STRUCT described by JSON_FILE; print its bytes as hex.

    The JSON is what decode --json prints: C member names nested as C reaches them, with
    integer values or, for members that have them, C constant names
    ("IPv4Checksum": "NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED").  Missing members are zero.
    Give - to read the JSON from stdin.
    """
    cls = _names.structure_class(struct_name)
    source = "stdin" if json_file == "-" else json_file
    text = read_source(json_file, "JSON file")
    click.echo(_jsoninput.encode_json(cls, text, source, revision).hex())


# -- lookup --------------------------------------------------------------------------------------


# A negative status (-1073676268) must reach the argument, not be read as an unknown option.
@cli.command(epilog=EXIT_CODES, context_settings={"ignore_unknown_options": True})
@click.argument("query", metavar="[NAME_OR_VALUE]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {name: value}.")
def lookup(query: str | None, as_json: bool) -> None:
    """Find an NDIS constant by C name or by value, like WinDbg's !error.

    NAME_OR_VALUE is a C name (exact, else case-insensitive) or a value: 0xC0010014, c0010014,
    3221291028, 0n20 or a negative status (-1073676268).  Every name with that value is
    printed, NDIS_STATUS and OID names first.  With --json and no argument, every known
    constant is printed.
    """
    if query is None:
        if not as_json:
            raise BadInput("give a NAME_OR_VALUE, or --json alone to list every constant")
        click.echo(_render.to_json(_names.all_constants()))
        return
    value, matches = _names.lookup_constants(query)
    if as_json:
        click.echo(_render.to_json(matches))
    elif matches:
        emit_lines(_render.constant_lines(matches))
    if not matches:
        assert value is not None  # a name either matches or raises
        fail(f"no known constant has the value {_render.format_int(value, hex_first=True)}")


# -- run ----------------------------------------------------------------------------------------


#: ``--level``: do rules only the docs' letter requires fail the run (runtime.MonitorLevel).
_level_option = click.option(
    "--level",
    type=click.Choice(["practice", "strict"]),
    default="practice",
    show_default=True,
    help="strict: also fail on rules Microsoft's own drivers break (the docs' letter); "
    "practice: report those as warnings.",
)


@cli.command("run", epilog=EXIT_CODES)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--seed", type=int, default=0, show_default=True, help="Root seed of the run.")
@click.option("--trace", "trace_path", metavar="FILE", help="Write the JSONL trace to FILE.")
@click.option(
    "--registry",
    "registry_path",
    metavar="FILE",
    help="Load adapter keywords from a .reg file (created if missing) and save them back.",
)
@_level_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def run_cmd(
    scenario_path: str,
    seed: int,
    trace_path: str | None,
    registry_path: str | None,
    level: str,
    as_json: bool,
) -> None:
    """Run one scenario script and print what happened.

    Exit 0 when the scenario and every invariant pass, 1 on a failure (the rule, the trace seq of
    the event that broke it, a one-line reason).
    """
    from stack.runtime import Registry, load_reg, save_reg
    from stack.scenario import render_summary, run_scenario, summary_json

    registry = Registry()
    if registry_path is not None and Path(registry_path).exists():
        registry = load_reg(registry_path)
    result = run_scenario(scenario_path, seed=seed, registry=registry, level=level)
    if trace_path is not None:
        _write_text(trace_path, result.trace.to_jsonl())
    if registry_path is not None:
        save_reg(registry, registry_path)
    if as_json:
        emit_json("run", summary_json(result))
    else:
        render_summary(result, stdout_console())
    if not result.passed:
        raise click.exceptions.Exit(EXIT_FAILURE)


def _write_text(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {path!r}: {exc.strerror or exc}") from None


# -- explore and replay ---------------------------------------------------------------------------

#: ``--max-arrows``: the cap of a Mermaid failure window (explore's artifact, trace export).
_max_arrows_option = click.option(
    "--max-arrows",
    type=click.IntRange(min=1),
    default=40,
    show_default=True,
    help="At most this many arrows in the Mermaid failure window (the rest is elided).",
)


@cli.command("explore", epilog=EXIT_CODES)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="How many seeds to run.",
)
@click.option(
    "--strategy",
    type=click.Choice(["random", "pct", "delay", "portfolio"]),
    default="portfolio",
    show_default=True,
    help="How each run schedules messages.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Base seed: run i uses seed S+i."
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    show_default="the CPUs this process may use",
    help="Worker processes (the failures found do not depend on it).",
)
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    help="Where failure artifacts go (default .ndisemu/failures).",
)
@click.option("--stop-on-first", is_flag=True, help="Stop at the lowest failing seed.")
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="PCT depth (priority change points + 1).",
)
@click.option(
    "--faults/--no-faults",
    default=True,
    show_default=True,
    help="Swarm fault injection at the drivers' fault sites.",
)
@click.option(
    "--registry",
    "registry_path",
    metavar="FILE",
    help="Every run starts from the adapter keywords of this .reg file (never written).",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a process pool of --jobs workers; dask: a Dask distributed cluster.",
)
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (--backend dask).")
@click.option(
    "--shard",
    "shard_text",
    metavar="i/N",
    help="Run only part i of N (0-based) and write its campaign file for `ndisemu merge`.",
)
@_max_arrows_option
@_level_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def explore_cmd(
    scenario_path: str,
    runs: int,
    strategy: str,
    seed: int,
    jobs: int | None,
    out_dir: str | None,
    stop_on_first: bool,
    depth: int,
    faults: bool,
    registry_path: str | None,
    backend: str,
    scheduler: str | None,
    shard_text: str | None,
    max_arrows: int,
    level: str,
    as_json: bool,
) -> None:
    """Run SCENARIO under many seeds and schedules; shrink, write out and replay each failure.

    For each distinct failure (one per rule) it prints how many runs hit it, the deviations
    from FIFO before and after shrinking, a self-check in a fresh process, and the command that
    replays it.  Exit 0 when no run failed, 1 when one did.
    """
    from stack.explore import DEFAULT_OUT, Shard, default_jobs, executor_for, explore
    from stack.explore._campaign import CHUNK
    from stack.explore._console import (
        campaign_progress,
        explore_header,
        finished_line,
        print_lines,
    )
    from stack.runtime import monitor_level
    from stack.scenario import load_scenario

    if jobs is None:  # os.sched_getaffinity: what a container or taskset allows, not the host
        jobs = min(default_jobs(), -(-runs // CHUNK))  # no idle workers for a short campaign
    console = stdout_console()
    scenario = load_scenario(scenario_path)
    out = Path(out_dir) if out_dir is not None else DEFAULT_OUT
    params = {"depth": depth, "faults": faults}
    if shard_text is not None:
        with monitor_level(level):
            _explore_shard(scenario_path, Shard.parse(shard_text), runs, strategy, seed, jobs,
                           params, out, registry_path, stop_on_first, as_json)  # fmt: skip
        return
    if not as_json:
        print_lines(
            console, [explore_header(scenario.name, scenario.sha256, strategy, seed, runs, jobs)]
        )
    with (
        executor_for(backend, scheduler=scheduler) as executor,
        campaign_progress(progress_console(), runs) as display,
    ):
        report = explore(
            scenario_path,
            runs=runs,
            strategy=strategy,
            seed=seed,
            jobs=jobs,
            params=params,
            out=out,
            stop_on_first=stop_on_first,
            progress=display.progress,
            status=display.status,
            registry=registry_path,
            executor=executor,
            max_arrows=max_arrows,
            level=level,
        )
    click.echo(finished_line(report.runs, report.failed_runs, report.campaign.elapsed), err=True)
    _print_report(report, as_json)


def _print_report(report: Any, as_json: bool) -> None:
    from stack.explore._console import explore_lines, print_lines

    if as_json:
        emit_json("explore", report.as_dict())
    else:
        print_lines(stdout_console(), explore_lines(report))
    if report.failures:
        raise click.exceptions.Exit(EXIT_FAILURE)


def _explore_shard(
    scenario_path: str,
    shard: Any,
    runs: int,
    strategy: str,
    seed: int,
    jobs: int,
    params: dict[str, Any],
    out: Path,
    registry_path: str | None,
    stop_on_first: bool,
    as_json: bool,
) -> None:
    """One shard of a campaign: run its seeds and write the campaign file ``merge`` reads."""
    from stack.explore import plan_for, run_campaign, save_campaign, shard_file
    from stack.explore._console import campaign_progress, finished_line
    from stack.scenario import load_scenario

    if stop_on_first:
        raise BadInput("--stop-on-first cannot be split into shards")
    scenario = load_scenario(scenario_path)
    plan = plan_for(scenario, strategy, params, registry_path)
    seeds = len(shard.select(range(seed, seed + runs)))
    with campaign_progress(progress_console(), max(seeds, 1)) as display:
        campaign = run_campaign(
            plan, runs, seed=seed, jobs=jobs, shard=shard, progress=display.progress
        )
    click.echo(
        finished_line(len(campaign.outcomes), len(campaign.failed), campaign.elapsed), err=True
    )
    path = shard_file(out, scenario.name, shard)
    save_campaign(path, campaign, base=seed, runs=runs, shard=shard)
    summary = {"shard": str(shard), "runs": len(campaign.outcomes),
               "failed_runs": len(campaign.failed), "file": str(path)}  # fmt: skip
    if as_json:
        emit_json("explore-shard", summary)
    else:
        click.echo(
            f"shard {shard}: {summary['runs']} runs, {summary['failed_runs']} failed; "
            f"wrote {path} (combine the shards with: ndisemu merge {out}/"
            f"{scenario.name}.campaign-*-of-{shard.count}.json)"
        )


@cli.command("merge", epilog=EXIT_CODES)
@click.argument("campaign_files", metavar="CAMPAIGN_FILE...", nargs=-1, required=True)
@click.option("--out", "out_dir", metavar="DIR", help="Where failure artifacts go.")
@_max_arrows_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def merge_cmd(
    campaign_files: tuple[str, ...], out_dir: str | None, max_arrows: int, as_json: bool
) -> None:
    """Combine the campaign files of `explore --shard i/N` into the whole campaign's report.

    The failures, their shrunk tapes and the report are exactly those of running all the seeds
    in one `explore`.  Exit 0 when no run failed, 1 when one did.
    """
    from stack.explore import DEFAULT_OUT, merge_campaigns, report_on
    from stack.explore._console import campaign_progress, explore_header, print_lines
    from stack.scenario import load_scenario

    campaign, base, runs = merge_campaigns([Path(f) for f in campaign_files])
    plan = campaign.plan
    scenario = load_scenario(plan.path, source=plan.scenario_source or None)
    if not as_json:
        header = explore_header(scenario.name, scenario.sha256, plan.strategy, base, runs, 1)
        print_lines(stdout_console(), [header + f"  merged from {len(campaign_files)} shards"])
    out = Path(out_dir) if out_dir is not None else DEFAULT_OUT
    with campaign_progress(progress_console(), max(runs, 1)) as display:
        report = report_on(
            scenario, plan, campaign, out=out, status=display.status, max_arrows=max_arrows
        )
    _print_report(report, as_json)


@cli.command("replay", epilog=EXIT_CODES)
@click.argument("tape_path", metavar="TAPE")
@click.option(
    "--scenario",
    "scenario_path",
    metavar="FILE",
    help="Run this scenario (or test) file instead of the path the tape records.",
)
@click.option(
    "--registry",
    "registry_path",
    metavar="FILE",
    help="Start from this .reg file instead of the one the tape records.",
)
@click.option("--trace", "trace_path", metavar="FILE", help="Write the JSONL trace to FILE.")
@_level_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
def replay_cmd(
    tape_path: str,
    scenario_path: str | None,
    registry_path: str | None,
    trace_path: str | None,
    level: str,
    as_json: bool,
) -> None:
    """Reproduce the run a tape recorded: the same failure and the same trace hash.

    A tape is data: loading one never runs code from it.  A tape of the pytest plugin runs the
    test it names, without pytest (see the README).  If the scenario changed since the
    tape was recorded, the first decision that no longer fits is reported.  Exit 1 when the
    run fails (normally: the recorded failure reproduces), 0 when it passes, 2 when the tape is
    corrupt or foreign.
    """
    from stack.explore import load_tape, registry_of, replay_tape, scenario_of
    from stack.explore._console import print_lines, replay_dict, replay_lines
    from stack.runtime import monitor_level

    tape = load_tape(tape_path)
    scenario = scenario_of(tape, scenario_path)
    with monitor_level(level):
        replay = replay_tape(tape, scenario, registry_of(tape, registry_path))
    if trace_path is not None:
        _write_text(trace_path, replay.run.result.trace.to_jsonl())
    if as_json:
        emit_json("replay", replay_dict(replay, tape_path))
    else:
        print_lines(stdout_console(), replay_lines(replay))
    if replay.failure is not None:
        raise click.exceptions.Exit(EXIT_FAILURE)


# -- show ---------------------------------------------------------------------------------------


@cli.command(
    "show",
    epilog=EXIT_CODES,
    short_help="Show adapters or bindings after a run, as PowerShell or ethtool would.",
)
@click.argument("words", nargs=-1, metavar="[SCENARIO] {adapter [NAME...] [VIEW] | bindings}")
@click.option("--seed", type=int, help="Root seed of the run (default 0).")
@click.option(
    "--at",
    "at_seq",
    type=click.IntRange(min=0),
    metavar="SEQ",
    help="Show the state right after trace line SEQ instead of at the end.",
)
@click.option(
    "--tape", metavar="TAPE", help="Replay this tape (ndisemu explore, the pytest plugin) instead."
)
@click.option(
    "--registry", "registry_path", metavar="FILE", help="Start from a .reg file (read only)."
)
@click.option(
    "--style",
    type=click.Choice(["powershell", "ethtool"]),
    default="powershell",
    show_default=True,
    help="Get-NetAdapter* tables, or ethtool -k lines.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "list", "json", "dot"]),
    default="table",
    show_default=True,
    help="list: Format-List *; dot: Graphviz (bindings).",
)
@click.option(
    "--layer",
    metavar="NAME",
    help="show adapter: the view above layer NAME of the adapter's stack (the miniport, a "
    "filter, or top: what the protocols see) instead of the miniport's.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
def show_cmd(
    words: tuple[str, ...],
    seed: int | None,
    at_seq: int | None,
    tape: str | None,
    registry_path: str | None,
    style: str,
    fmt: str,
    layer: str | None,
    as_json: bool,
) -> None:
    """Run SCENARIO and show its adapters or its binding topology.

    \b
    show SCENARIO adapter [NAME...] [VIEW]   VIEW: checksum, lso, uso, rsc,
                                             encapsulation, advanced, all
    show SCENARIO bindings                   adapters, miniports, filters,
                                             protocols

    An adapter with filter modules also gets what each layer of its stack reports upward;
    --layer NAME shows the cmdlets' columns as seen above that layer.

    The state is the one at the end of the run, or right after trace line SEQ (--at, the seq of
    ndisemu run --trace).  With --tape, SCENARIO may be left out.
    """
    from stack import views

    if as_json and fmt not in ("table", "json"):
        raise BadInput(f"--json and --format {fmt} exclude each other")
    request = views.parse_show(
        words, tape=tape is not None, style=style, fmt="json" if as_json else fmt, layer=layer
    )
    snapshot = views.run_for_view(
        request.scenario, seed=seed, at=at_seq, tape=tape, registry_path=registry_path
    )
    output = views.render_show(snapshot, request)
    for note in views.show_notes(snapshot):
        click.echo(note, err=True)
    if output.is_json:
        document = "show-bindings" if request.subject == "bindings" else f"show-{request.style}"
        emit_json(document, output.data)
    else:
        views.print_blocks(output.blocks, stdout_console())


# -- names ---------------------------------------------------------------------------------------


@cli.command("names", epilog=EXIT_CODES)
@click.argument("name", metavar="[C_NAME]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@click.option("--markdown", is_flag=True, help="Print the whole glossary as a Markdown table.")
def names_cmd(name: str | None, as_json: bool, markdown: bool) -> None:
    """Where an NDIS C name (a structure, call, callback, state, constant) lives in ndisemu."""
    import attrs

    from stack import _glossary

    if markdown:
        click.echo(_glossary.markdown(), nl=False)
        return
    found = _glossary.entries() if name is None else _glossary.lookup(name)
    if name is not None and not found:
        raise BadInput(f"ndisemu models no C name {name!r}")
    if as_json:
        click.echo(_render.to_json([attrs.asdict(entry) for entry in found]))
        return
    for entry in found:
        note = f"  ({entry.note})" if entry.note else ""
        click.echo(f"{entry.c_name}  {entry.kind}  ->  {entry.python}{note}")


# -- trace export ----------------------------------------------------------------------------


@cli.group("trace")
def trace_group() -> None:
    """Work with a JSONL trace written by run --trace (or replay --trace)."""


@trace_group.command("export", epilog=EXIT_CODES)
@click.argument("trace_path", metavar="TRACE")
@click.option(
    "--to",
    "target",
    type=click.Choice(["perfetto", "mermaid", "dot"]),
    required=True,
    help="perfetto: trace-event JSON for ui.perfetto.dev; mermaid: a sequence diagram; "
    "dot: who talked to whom.",
)
@click.option(
    "--window",
    "span",
    metavar="SEQ:SEQ|failure",
    help="Only the lines with seq in range, or (failure) the failure's causal past.",
)
@_max_arrows_option
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def trace_export_cmd(
    trace_path: str, target: str, span: str | None, max_arrows: int, output: str | None
) -> None:
    """Convert a trace into a view; every view is derived from the log alone.

    The Mermaid view of a failing run is its failure window: the deliveries the failure
    depends on, capped at --max-arrows.
    """
    from stack import trace

    everything = trace.read_jsonl(trace_path)
    notes = trace.annotations_from_records(everything)
    if span == "failure":
        records = trace.failure_past(everything, notes)
    else:
        records = trace.window(everything, trace.parse_window(span) if span else None)
    if target == "perfetto":
        text = json.dumps(trace.to_perfetto(records, notes), separators=(",", ":")) + "\n"
    elif target == "mermaid":
        text = trace.to_mermaid(records, notes, max_arrows=max_arrows)
    else:
        text = trace.to_dot(records, notes)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_text(output, text)


def main() -> None:
    cli(prog_name="ndisemu")
