"""The console summary of a run: what happened, each invariant, every adapter and every view.

Rendered with rich (tables when stdout is a terminal, plain text otherwise) from the RunResult,
which itself comes from the trace and the drivers' public inspection methods.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from stack import __version__
from stack.ndis import NDIS_OFFLOAD, NDIS_TCP_CONNECTION_OFFLOAD, to_cmap
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


def render_summary(result: RunResult, console: Console) -> None:
    records = result.trace.records
    deliveries = [r for r in records if "dst" in r]
    kinds = Counter(r["kind"] for r in deliveries)
    scenario = result.scenario
    console.print(
        f"ndisemu {__version__}  scenario {scenario.name} (sha {scenario.sha256[:7]})  "
        f"seed {result.seed}  strategy {result.strategy}",
        highlight=False,
    )
    if scenario.description:
        console.print(f"  {scenario.description}", highlight=False)
    ticks = result.stack.bus.now
    console.print(
        f"  {len(deliveries)} deliveries in {ticks} virtual ticks: "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
        highlight=False,
    )

    table = Table(title="Invariants", title_justify="left", show_edge=False)
    table.add_column("result")
    table.add_column("invariant")
    table.add_column("docs page")
    failed_rule = result.failure.rule if result.failure else None
    for monitor in result.stack.bus.monitors:
        table.add_row("FAIL" if monitor.id == failed_rule else "ok", monitor.id, monitor.page)
    console.print(table)

    adapters = Table(title="Adapters (NDIS's view)", title_justify="left", show_edge=False)
    adapters.add_column("adapter")
    adapters.add_column("state")
    adapters.add_column("hardware capabilities / current configuration")
    for record in result.stack.ndis.adapters.values():
        state = record.state.value + (" (surprise removed)" if record.surprise_removed else "")
        adapters.add_row(record.name, state, "hw  " + describe_offload(record.hardware))
        adapters.add_row("", "", "cur " + describe_offload(record.current))
        if record.connection_hardware or record.connection_current:
            adapters.add_row("", "", describe_connection(record.connection_current))
    console.print(adapters)

    teams = Table(title="MUX teams", title_justify="left", show_edge=False)
    for column in ("team", "mode", "state", "active", "joined", "members"):
        teams.add_column(column)
    for driver in result.stack.drivers.values():
        # A MUX lists its virtual miniports (``Mux.teams``) and describes each (``Mux.team``).
        team_names = getattr(driver, "teams", None)
        if not isinstance(team_names, list) or not hasattr(driver, "team"):
            continue
        for name in team_names:
            team = driver.team(name)
            teams.add_row(
                name,
                str(team.mode.value),
                team.state.value,
                team.active or "-",
                ", ".join(team.joined) or "-",
                ", ".join(team.members),
            )
    if teams.row_count:
        console.print(teams)

    views = Table(title="Protocol views", title_justify="left", show_edge=False)
    views.add_column("protocol")
    views.add_column("adapter")
    views.add_column("what the protocol believes is current")
    for name, driver in result.stack.drivers.items():
        view_of = getattr(driver, "view", None)
        if view_of is None:
            continue
        for record in result.stack.ndis.adapters.values():
            if name not in record.bindings:
                continue
            view: Any = view_of(record.name)
            current = getattr(view, "current", None)
            views.add_row(name, record.name, describe_offload(current))
    console.print(views)

    if result.failure is None:
        console.print("PASS", style="bold green")
    else:
        failure = result.failure
        failed = next((m for m in result.stack.bus.monitors if m.id == failure.rule), None)
        console.print(
            f"FAIL {failure.rule} at seq {failure.seq}", style="bold red", highlight=False
        )
        console.print(f"  {failure.reason}", highlight=False)
        if failed is not None:
            console.print(f"  rule: {failed.explanation} ({failed.page})", highlight=False)


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
        "failure": None
        if failure is None
        else {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason},
        "deliveries": sum(1 for r in result.trace.records if "dst" in r),
        "ticks": result.stack.bus.now,
        "trace_sha256": result.trace.sha256(),
        "invariants": [
            {"id": m.id, "page": m.page, "ok": failure is None or m.id != failure.rule}
            for m in result.stack.bus.monitors
        ],
        "adapters": adapters,
        "views": views,
    }
