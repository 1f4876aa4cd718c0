"""``ndisemu run``: exit codes, trace file, registry file, summary."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from stack.cli import cli

ROOT = Path(__file__).resolve().parents[2]
TOGGLE = str(ROOT / "scenarios" / "toggle_offloads.py")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["run", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_passing_scenario_exits_0_and_prints_the_summary() -> None:
    code, out, _ = _run(TOGGLE)
    assert code == 0
    assert "PASS" in out
    assert "indication-after-change" in out
    assert "nic0" in out


def test_the_trace_file_is_jsonl_with_sorted_keys(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    code, _, _ = _run(TOGGLE, "--trace", str(trace))
    assert code == 0
    lines = trace.read_text().splitlines()
    assert lines
    for line in lines:
        record = json.loads(line)
        assert list(record) == sorted(record)
    kinds = {json.loads(line)["kind"] for line in lines}
    assert {"oid.request", "oid.complete", "status.indicate", "pnp"} <= kinds


def test_json_summary_names_every_invariant_and_adapter() -> None:
    code, out, _ = _run(TOGGLE, "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["passed"] is True
    assert summary["failure"] is None
    assert [a["adapter"] for a in summary["adapters"]] == ["nic0"]
    assert any(i["id"] == "registry-before-miniport" for i in summary["invariants"])
    assert summary["adapters"][0]["current"]["Header"]["Type"] == 0xA7


def test_the_registry_file_is_created_and_then_reused(tmp_path: Path) -> None:
    reg = tmp_path / "nic.reg"
    code, _, _ = _run(TOGGLE, "--registry", str(reg))
    assert code == 0
    data = reg.read_bytes()
    assert data.startswith(b"\xff\xfe")  # reg export's UTF-16 LE byte-order mark
    text = data.decode("utf-16")
    assert '"*LsoV2IPv4"="1"' in text  # re-enabled at the end of the scenario
    code, _, _ = _run(TOGGLE, "--registry", str(reg))
    assert code == 0


def test_a_failed_expectation_exits_1_naming_the_rule(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text(
        "async def scenario(stack):\n"
        "    stack.miniport('nic0')\n"
        "    await stack.start()\n"
        "    stack.expect(False, 'this cannot hold')\n"
    )
    code, out, _ = _run(str(script))
    assert code == 1
    assert "FAIL scenario-expectation" in out
    assert "this cannot hold" in out


def test_bad_inputs_exit_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    syntax = tmp_path / "syntax.py"
    syntax.write_text("async def scenario(stack):\n    return (\n")
    raises = tmp_path / "raises.py"
    raises.write_text("async def scenario(stack):\n    raise RuntimeError('boom')\n")
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    bad_reg = tmp_path / "bad.reg"
    bad_reg.write_text("not a registry file\n")
    cases = [
        [str(tmp_path / "missing.py")],
        [str(syntax)],
        [str(raises)],
        [str(empty)],
        [TOGGLE, "--registry", str(bad_reg)],
        [TOGGLE, "--no-such-option"],
    ]
    for args in cases:
        code, _, err = _run(*args)
        assert code == 2, (args, err)
        lines = err.strip().splitlines()
        assert lines, args
        assert "Traceback" not in err, args
        assert len([line for line in lines if line.startswith("Error")]) == 1, (args, err)


def test_names_the_topology_lacks_and_a_second_start_are_bad_input(tmp_path: Path) -> None:
    """A typo in a scenario is the user's input, not an NDIS failure (exit 2, not 1)."""
    bodies = {
        "unknown_driver": "    stack.send('nope', adapter='nic0')\n",
        "unknown_adapter": "    stack.cmdlet('Get-NetAdapterLso', 'nic7')\n",
        "second_start": "    await stack.start()\n",
    }
    for name, body in bodies.items():
        script = tmp_path / f"{name}.py"
        script.write_text(
            "async def scenario(stack):\n"
            "    stack.miniport('nic0')\n"
            "    stack.tcpip('tcpip', bind=['nic0'])\n"
            "    await stack.start()\n" + body
        )
        code, _, err = _run(str(script))
        assert code == 2, (name, err)
        assert err.startswith("Error: scenario:"), err
