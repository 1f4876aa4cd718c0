"""The console summary of a run: what happened, each invariant, every adapter and every view.

Rendered with rich (tables when stdout is styled: a terminal, or colour forced) or as plain ASCII
lines (a pipe, a file: ``summary_lines``) from the RunResult, which itself comes from the trace
and the drivers' public inspection methods.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table

from stack import __version__
from stack._render import PLAIN_WIDTH, plain_table, wrap_cell
from stack.ndis import NDIS_OFFLOAD, NDIS_TCP_CONNECTION_OFFLOAD, to_cmap
from stack.runtime import MonitorLevel
from stack.scenario._run import RunResult

_SHORT = {"IpChecksum": "ip", "TcpChecksum": "tcp", "UdpChecksum": "udp"}


def _on(value: int) -> bool:
    # spec A3: inside NDIS_OFFLOAD, 1 is on; 0 and 2 (SET_OFF) are off.
    return value == 1


def describe_offload(offload: NDIS_OFFLOAD | None) -> str:
    """A one-line, ethtool-like digest of an NDIS_OFFLOAD (what is on, and LSO sizes)."""
    if offload is None:
        return "-"
    parts = []
    csum = offload.Checksum
    for label, tx, rx, names in (
        (
            "csum4",
            csum.IPv4Transmit,
            csum.IPv4Receive,
            ("IpChecksum", "TcpChecksum", "UdpChecksum"),
        ),
        ("csum6", csum.IPv6Transmit, csum.IPv6Receive, ("TcpChecksum", "UdpChecksum")),
    ):
        tx_on = [_SHORT[n] for n in names if tx.Encapsulation and _on(getattr(tx, n))]
        rx_on = [_SHORT[n] for n in names if rx.Encapsulation and _on(getattr(rx, n))]
        parts.append(f"{label} tx:{','.join(tx_on) or 'off'} rx:{','.join(rx_on) or 'off'}")
    v1 = offload.LsoV1.IPv4
    parts.append(f"lsov1 {v1.MaxOffLoadSize}" if v1.Encapsulation else "lsov1 off")
    v2 = offload.LsoV2
    v2_parts = [
        f"{ip}:{block.MaxOffLoadSize}"
        for ip, block in (("4", v2.IPv4), ("6", v2.IPv6))
        if block.Encapsulation
    ]
    parts.append(f"lsov2 {' '.join(v2_parts)}" if v2_parts else "lsov2 off")
    ipsec = offload.IPsecV2.Encapsulation or offload.IPsecV1.Supported.Encapsulation
    parts.append("ipsec on" if ipsec else "ipsec off")
    rsc = [ip for ip, b in (("4", offload.Rsc.IPv4), ("6", offload.Rsc.IPv6)) if b.Enabled]
    parts.append(f"rsc {','.join(rsc)}" if rsc else "rsc off")
    uso = [
        ip
        for ip, b in (("4", offload.UdpSegmentation.IPv4), ("6", offload.UdpSegmentation.IPv6))
        if b.Encapsulation
    ]
    parts.append(f"uso {','.join(uso)}" if uso else "uso off")
    return " | ".join(parts)


def describe_connection(offload: NDIS_TCP_CONNECTION_OFFLOAD | None) -> str:
    if offload is None or not offload.Encapsulation:
        return "chimney off"
    ips = [ip for ip, v in (("4", offload.SupportIPv4), ("6", offload.SupportIPv6)) if v]
    return f"chimney {','.join(ips) or 'none'} capacity {offload.TcpConnectionOffloadCapacity}"


@attrs.frozen
class _Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen
class _Summary:
    """What the summary says, laid out either way: header lines, tables, the verdict."""

    header: tuple[str, ...]
    tables: tuple[_Table, ...]
    passed: bool
    verdict: tuple[str, ...]


def _summary(result: RunResult) -> _Summary:
    records = result.trace.records
    deliveries = [r for r in records if "dst" in r]
    kinds = Counter(r["kind"] for r in deliveries)
    scenario = result.scenario
    header = [
        f"ndisemu {__version__}  scenario {scenario.name} (sha {scenario.sha256[:7]})  "
        f"seed {result.seed}  strategy {result.strategy}"
        + ("  level strict" if result.level is MonitorLevel.STRICT else "")
    ]
    if scenario.description:
        header.append(f"  {scenario.description}")
    header.append(
        f"  {len(deliveries)} deliveries in {result.stack.bus.now} virtual ticks: "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    )

    failed_rule = result.failure.rule if result.failure else None
    warned = {w.rule for w in result.warnings}
    invariants = _Table(
        "Invariants",
        ("result", "invariant", "docs page"),
        tuple(
            (
                "FAIL" if monitor.id == failed_rule else "warn" if monitor.id in warned else "ok",
                monitor.id,
                monitor.page,
            )
            for monitor in result.stack.bus.monitors
        ),
    )
    warnings = _Table(
        "Warnings (rules only the docs' letter requires; they fail the run with --level strict)",
        ("invariant", "seq", "what happened"),
        tuple((w.rule, str(w.seq), w.reason) for w in result.warnings),
    )

    adapter_rows: list[tuple[str, ...]] = []
    for record in result.stack.ndis.adapters.values():
        state = record.state.value + (" (surprise removed)" if record.surprise_removed else "")
        adapter_rows.append((record.name, state, "hw  " + describe_offload(record.hardware)))
        adapter_rows.append(("", "", "cur " + describe_offload(record.current)))
        if record.connection_hardware or record.connection_current:
            adapter_rows.append(("", "", describe_connection(record.connection_current)))
    adapters = _Table(
        "Adapters (NDIS's view)",
        ("adapter", "state", "hardware capabilities / current configuration"),
        tuple(adapter_rows),
    )

    team_rows: list[tuple[str, ...]] = []
    for driver in result.stack.drivers.values():
        # A MUX lists its virtual miniports (``Mux.teams``) and describes each (``Mux.team``).
        team_names = getattr(driver, "teams", None)
        if not isinstance(team_names, list) or not hasattr(driver, "team"):
            continue
        for name in team_names:
            team = driver.team(name)
            team_rows.append(
                (
                    name,
                    str(team.mode.value),
                    team.state.value,
                    team.active or "-",
                    ", ".join(team.joined) or "-",
                    ", ".join(team.members),
                )
            )
    teams = _Table(
        "MUX teams", ("team", "mode", "state", "active", "joined", "members"), tuple(team_rows)
    )

    view_rows: list[tuple[str, ...]] = []
    for name, driver in result.stack.drivers.items():
        view_of = getattr(driver, "view", None)
        if view_of is None:
            continue
        for record in result.stack.ndis.adapters.values():
            if name not in record.bindings:
                continue
            view: Any = view_of(record.name)
            current = getattr(view, "current", None)
            view_rows.append((name, record.name, describe_offload(current)))
    views = _Table(
        "Protocol views",
        ("protocol", "adapter", "what the protocol believes is current"),
        tuple(view_rows),
    )

    verdict = ["PASS"]
    if result.warnings:
        count = len(result.warnings)
        verdict.append(f"  with {count} warning{'s' * (count != 1)} (level practice, above)")
    if result.failure is not None:
        failure = result.failure
        failed = next((m for m in result.stack.bus.monitors if m.id == failure.rule), None)
        verdict = [f"FAIL {failure.rule} at seq {failure.seq}", f"  {failure.reason}"]
        if failed is not None:
            verdict.append(f"  rule: {failed.explanation} ({failed.page})")
    tables = [
        invariants,
        *([warnings] if result.warnings else []),
        adapters,
        *([teams] if team_rows else []),
        views,
    ]
    return _Summary(tuple(header), tuple(tables), result.failure is None, tuple(verdict))


def summary_lines(result: RunResult, width: int = PLAIN_WIDTH) -> list[str]:
    """The summary as plain ASCII lines (stdout not a terminal): no box drawing, no trailing
    spaces, lines wrapped to ``width`` where a space allows (``stack._render.plain_table``)."""
    summary = _summary(result)
    lines: list[str] = []
    for index, text in enumerate(summary.header):
        # The deliveries line is a list: it breaks between its items, never inside "12 pnp".
        sep = ", " if index == len(summary.header) - 1 else None
        lines += wrap_cell(text, width, indent=2 if index == 0 else 4, sep=sep)
    for table in summary.tables:
        lines.append("")
        lines += plain_table(table.columns, table.rows, title=table.title, width=width)
    lines.append("")
    for index, text in enumerate(summary.verdict):
        lines += wrap_cell(text, width, indent=2 if index == 0 else 4)
    return lines


def render_summary(result: RunResult, console: Console) -> None:
    """Rich tables when ``console`` is styled (a terminal, or colour forced); plain lines
    otherwise (``summary_lines``)."""
    if not console.is_terminal:
        console.file.write("".join(line + "\n" for line in summary_lines(result)))
        console.file.flush()
        return
    summary = _summary(result)
    for text in summary.header:
        console.print(text, highlight=False, markup=False)
    for table in summary.tables:
        rich_table = Table(title=table.title, title_justify="left", show_edge=False)
        for column in table.columns:
            rich_table.add_column(column)
        for row in table.rows:
            rich_table.add_row(*row)
        console.print(rich_table)
    style = "bold green" if summary.passed else "bold red"
    console.print(summary.verdict[0], style=style, highlight=False, markup=False)
    for text in summary.verdict[1:]:
        console.print(text, highlight=False, markup=False)


def summary_json(result: RunResult) -> dict[str, Any]:
    """The summary as plain data (``run --json``): C member names for every structure."""
    failure = result.failure
    adapters = []
    for record in result.stack.ndis.adapters.values():
        adapters.append(
            {
                "adapter": record.name,
                "state": record.state.value,
                "surprise_removed": record.surprise_removed,
                "hardware": to_cmap(record.hardware) if record.hardware else None,
                "current": to_cmap(record.current) if record.current else None,
            }
        )
    views = []
    for name, driver in result.stack.drivers.items():
        view_of = getattr(driver, "view", None)
        if view_of is None:
            continue
        for record in result.stack.ndis.adapters.values():
            if name in record.bindings:
                current = getattr(view_of(record.name), "current", None)
                views.append(
                    {
                        "protocol": name,
                        "adapter": record.name,
                        "current": to_cmap(current) if current else None,
                    }
                )
    return {
        "scenario": result.scenario.name,
        "sha256": result.scenario.sha256,
        "seed": result.seed,
        "strategy": result.strategy,
        "passed": result.passed,
        "level": result.level.value,
        "warnings": [{"rule": w.rule, "seq": w.seq, "reason": w.reason} for w in result.warnings],
        "failure": None
        if failure is None
        else {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason},
        "deliveries": result.trace.deliveries,
        "ticks": result.stack.bus.now,
        "trace_sha256": result.trace.sha256(),
        "invariants": [
            {
                "id": m.id,
                "page": m.page,
                "ok": failure is None or m.id != failure.rule,
                "warned": any(w.rule == m.id for w in result.warnings),
            }
            for m in result.stack.bus.monitors
        ],
        "adapters": adapters,
        "views": views,
    }
