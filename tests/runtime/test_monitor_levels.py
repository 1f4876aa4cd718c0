"""Monitor levels (issue 10 item 6): rules only the docs' letter requires warn at ``practice``
(the default) and fail at ``strict``; never silently dropped.

The two strict checks reproduce the fidelity review's experiments 1 and 2
(shared/spec/fidelity-review-2026-12.md, Appendix A): NetAdapterCx's PauseOffloadCapabilities
order (HARDWARE_CAPABILITIES = 0, then CURRENT_CONFIG = 0) and a miniport that completes an
OID_OFFLOAD_ENCAPSULATION set without indicating (NetCx, FnMp, netkvm).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from stack.cli import cli
from stack.errors import BadInput
from stack.runtime import MonitorLevel, current_monitor_level, monitor_level
from stack.scenario import run_scenario

QUIET_ENCAPSULATION = '''\
"""A miniport that completes OID_OFFLOAD_ENCAPSULATION without indicating, as NetCx does."""

from stack.drivers import Miniport
from stack.ndis import NdisStatus, merge_encapsulation


class QuietEncapsulation(Miniport):
    def set_encapsulation(self, ctx, request):
        self.encapsulation = merge_encapsulation(self.encapsulation, request.InformationBuffer)
        self.NdisMOidRequestComplete(
            ctx, self.name, request.completed(), NdisStatus.NDIS_STATUS_SUCCESS
        )


async def scenario(stack):
    stack.add_miniport(QuietEncapsulation("nic0", preset="intel-x710"))
    stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
'''

PAUSE_ORDER = '''\
"""NetAdapterCx's PauseOffloadCapabilities: hardware = 0 first, then current = 0."""

from stack.ndis import NDIS_OFFLOAD, NDIS_STATUS_INDICATION, NdisStatus
from stack.runtime import StatusIndication

CODES = {
    "hw": NdisStatus.NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES,
    "cur": NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
}


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    for which in ORDER:
        indication = NDIS_STATUS_INDICATION.indicate("nic0", CODES[which], NDIS_OFFLOAD())
        stack.bus.post("nic0", "ndis", StatusIndication("nic0", indication))
    await stack.settle()
'''


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def quiet(tmp_path: Path) -> Path:
    return _write(tmp_path, "quiet_encapsulation", QUIET_ENCAPSULATION)


def _pause(tmp_path: Path, *order: str) -> Path:
    return _write(tmp_path, "pause_" + "_".join(order), f"ORDER = {order!r}\n" + PAUSE_ORDER)


def test_no_indication_after_an_encapsulation_set_warns_at_practice(quiet: Path) -> None:
    result = run_scenario(quiet)
    assert result.passed and result.level is MonitorLevel.PRACTICE
    (warning,) = result.warnings
    assert warning.rule == "indication-after-change"
    assert "OID_OFFLOAD_ENCAPSULATION" in warning.reason
    warns = [r for r in result.trace.records if r["kind"] == "invariant.warn"]
    assert [w["rule"] for w in warns] == ["indication-after-change"]


def test_no_indication_after_an_encapsulation_set_fails_at_strict(quiet: Path) -> None:
    result = run_scenario(quiet, level="strict")
    assert result.failure is not None and result.failure.rule == "indication-after-change"
    assert result.warnings == []


def test_the_netcx_pause_order_is_a_transient_that_warns_at_practice(tmp_path: Path) -> None:
    result = run_scenario(_pause(tmp_path, "hw", "cur"))
    assert result.passed
    assert [w.rule for w in result.warnings] == ["INV-1-current-within-hardware"]
    strict = run_scenario(_pause(tmp_path, "hw", "cur"), level=MonitorLevel.STRICT)
    assert strict.failure is not None
    assert strict.failure.rule == "INV-1-current-within-hardware"


def test_an_excess_that_is_never_closed_fails_at_any_level(tmp_path: Path) -> None:
    # Hardware withdrawn, the current configuration never follows: at quiescence it is a
    # failure even at practice (only the transient is strict-only).
    result = run_scenario(_pause(tmp_path, "hw"))
    assert result.failure is not None
    assert result.failure.rule == "INV-1-current-within-hardware"
    assert [w.rule for w in result.warnings] == ["INV-1-current-within-hardware"]


def test_the_level_context_is_the_default_of_every_run(quiet: Path) -> None:
    assert current_monitor_level() is MonitorLevel.PRACTICE
    with monitor_level("strict"):
        assert not run_scenario(quiet).passed
    assert run_scenario(quiet).passed
    with pytest.raises(BadInput, match="not 'strict' or 'practice'"):
        MonitorLevel.parse("lenient")


def test_run_prints_the_warning_and_level_strict_fails(quiet: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["run", str(quiet)])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert any(line.split()[:2] == ["warn", "indication-after-change"] for line in lines)
    assert any(line.startswith("Warnings (") for line in lines)
    assert "PASS" in lines and "  with 1 warning (level practice, above)" in lines
    strict = runner.invoke(cli, ["run", "--level", "strict", str(quiet)])
    assert strict.exit_code == 1
    assert "level strict" in strict.stdout.splitlines()[0]
    assert "FAIL indication-after-change" in strict.stdout
    data = json.loads(runner.invoke(cli, ["run", "--json", str(quiet)]).stdout)
    assert data["level"] == "practice" and data["passed"] is True
    assert [w["rule"] for w in data["warnings"]] == ["indication-after-change"]
    warned = [i["id"] for i in data["invariants"] if i["warned"]]
    assert warned == ["indication-after-change"]
    bad = runner.invoke(cli, ["run", "--level", "lenient", str(quiet)])
    assert bad.exit_code == 2


def test_explore_reports_the_warnings_of_every_run(quiet: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["explore", str(quiet), "--runs", "3", "--out", str(tmp_path / "out")]
    done = runner.invoke(cli, args)
    assert done.exit_code == 0, done.output
    # Every run warns unless a fault failed TCP/IP's encapsulation set (nothing owed then).
    assert re.search(
        r"^  WARN indication-after-change: [1-3] runs?, first seed 0: ", done.stdout, re.M
    )
    data = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert data["level"] == "practice" and data["failed_runs"] == 0
    (group,) = data["warnings"]
    assert (group["rule"], group["first_seed"]) == ("indication-after-change", 0)
    assert 1 <= group["runs"] <= 3 and "OID_OFFLOAD_ENCAPSULATION" in group["reason"]
    strict = runner.invoke(cli, [*args, "--level", "strict", "--json"])
    assert strict.exit_code == 1
    report = json.loads(strict.stdout)
    assert report["level"] == "strict" and report["warnings"] == []
    (failure,) = report["failures"]
    assert failure["rule"] == "indication-after-change"
