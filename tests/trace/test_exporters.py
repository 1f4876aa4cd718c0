"""Every view is derived from the JSONL log alone, and each is well formed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from zoo_artifacts import zoo_trace

from stack.cli import cli
from stack.errors import BadInput
from stack.scenario import run_scenario
from stack.trace import (
    annotations_from_records,
    parse_jsonl,
    parse_window,
    to_dot,
    to_mermaid,
    to_perfetto,
    window,
)
from stack.trace._mermaid import INIT, _text
from stack.trace._window import MAX_ARROWS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    trace = run_scenario(ROOT / "scenarios" / "two_protocols_set_parameters.py").trace
    return parse_jsonl(trace.to_jsonl())


def test_mermaid_has_one_arrow_per_delivery_and_marks_completions(records: list[Any]) -> None:
    text = to_mermaid(records, max_arrows=1000)
    deliveries = [r for r in records if "dst" in r]
    arrows = [line for line in text.splitlines() if "->>" in line]
    assert text.splitlines()[:2] == [INIT, "sequenceDiagram"]
    assert "autonumber" not in text
    assert len(arrows) == len(deliveries)
    assert any("-->>" in line and "oid.complete" in line for line in arrows)
    # One numbering: each arrow starts with its trace seq.
    assert [int(line.split("[", 1)[1].split("]")[0]) for line in arrows] == [
        r["seq"] for r in deliveries
    ]


def test_mermaid_of_a_passing_run_keeps_the_last_arrows(records: list[Any]) -> None:
    text = to_mermaid(records)
    assert len([line for line in text.splitlines() if "->>" in line]) == MAX_ARROWS
    text = to_mermaid(records, max_arrows=10)
    assert len([line for line in text.splitlines() if "->>" in line]) == 10
    elided = len([r for r in records if "dst" in r]) - 10
    assert f"… {elided} deliveries elided …" in text


def test_mermaid_escapes_what_would_break_the_diagram() -> None:
    assert _text("tcpip#3; x") == "tcpip#35;3#59; x"


def test_perfetto_slices_pair_up_and_flows_join_requests_to_completions(
    records: list[Any],
) -> None:
    doc = to_perfetto(records, annotations_from_records(records))
    json.dumps(doc)
    events = doc["traceEvents"]
    begins = {e["id"] for e in events if e["ph"] == "b"}
    ends = {e["id"] for e in events if e["ph"] == "e"}
    assert begins and begins == ends
    starts = [(e["cat"], e["id"]) for e in events if e["ph"] == "s"]
    finishes = [(e["cat"], e["id"]) for e in events if e["ph"] == "f"]
    assert sorted(starts) == sorted(finishes)
    assert any(cat == "indication" for cat, _ in starts), "fan-out flows"
    assert any(cat == "oid" for cat, _ in starts), "request-to-completion flows"
    slices = [e for e in events if e["ph"] == "X"]
    assert len(slices) == len([r for r in records if "dst" in r])
    times = [e["ts"] for e in slices]
    assert times == sorted(times) and len(set(times)) == len(times)
    named = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert {"ndis", "nic0", "prot1", "prot2"} <= named


def test_dot_draws_every_pair_of_actors_once(records: list[Any]) -> None:
    text = to_dot(records)
    pairs = {frozenset((r["src"], r["dst"])) for r in records if "dst" in r}
    edges = [line for line in text.splitlines() if '" -> "' in line]
    assert len(edges) == len(pairs)
    assert text.startswith("digraph") and text.rstrip().endswith("}")


def test_window_selects_a_seq_range(records: list[Any]) -> None:
    assert [r["seq"] for r in window(records, parse_window("10:12"))] == [10, 11, 12]
    assert window(records, parse_window(":3"))[-1]["seq"] == 3
    for bad in ("a:b", "5", "9:3"):
        with pytest.raises(BadInput):
            parse_window(bad)


def test_a_corrupt_trace_is_one_line_naming_the_line() -> None:
    with pytest.raises(BadInput, match=r"<trace>:2: not JSON"):
        parse_jsonl('{"seq":0,"t":0,"kind":"run.start"}\n{oops\n')
    with pytest.raises(BadInput, match="does not increase"):
        parse_jsonl('{"seq":1,"t":0,"kind":"a"}\n{"seq":1,"t":0,"kind":"b"}\n')


def test_trace_export_command_writes_each_view(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    runner = CliRunner()
    result = runner.invoke(cli, ["run", str(ROOT / "scenarios" / "toggle_offloads.py"),
                                 "--trace", str(trace)])  # fmt: skip
    assert result.exit_code == 0
    for target, marker in (("mermaid", "sequenceDiagram"), ("dot", "digraph"),
                           ("perfetto", '"traceEvents"')):  # fmt: skip
        out = runner.invoke(cli, ["trace", "export", str(trace), "--to", target])
        assert out.exit_code == 0, out.output
        assert marker in out.stdout
    out_file = tmp_path / "view.json"
    out = runner.invoke(cli, ["trace", "export", str(trace), "--to", "perfetto",
                              "--window", "20:60", "-o", str(out_file)])  # fmt: skip
    assert out.exit_code == 0
    assert json.loads(out_file.read_text())["traceEvents"]
    bad = runner.invoke(cli, ["trace", "export", str(tmp_path / "missing.jsonl"), "--to", "dot"])
    assert bad.exit_code == 2
    assert bad.stderr.count("\n") == 1


def test_trace_export_draws_the_failure_window_and_takes_a_cap(tmp_path: Path) -> None:
    trace = tmp_path / "failure.jsonl"
    records = zoo_trace("ndis_keywords_at_queue")
    trace.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    runner = CliRunner()
    whole = runner.invoke(cli, ["trace", "export", str(trace), "--to", "mermaid"])
    assert whole.exit_code == 0 and "[63]" in whole.stdout and "[59]" not in whole.stdout
    small = runner.invoke(cli, ["trace", "export", str(trace), "--to", "mermaid",
                                "--max-arrows", "5"])  # fmt: skip
    assert small.exit_code == 0
    assert len([line for line in small.stdout.splitlines() if ": [" in line
                and "Note" not in line]) == 5  # fmt: skip
    assert "deliveries elided" in small.stdout
    past = runner.invoke(cli, ["trace", "export", str(trace), "--to", "perfetto",
                               "--window", "failure"])  # fmt: skip
    names = [e.get("args", {}).get("seq") for e in json.loads(past.stdout)["traceEvents"]]
    assert 63 in names and 59 not in names
    bad = runner.invoke(cli, ["trace", "export", str(trace), "--to", "mermaid",
                              "--max-arrows", "0"])  # fmt: skip
    assert bad.exit_code == 2


def test_the_cli_default_cap_is_the_library_default() -> None:
    for name in ("explore", "merge"):
        command = cli.commands[name]  # type: ignore[attr-defined]
        (option,) = [p for p in command.params if p.name == "max_arrows"]
        assert option.default == MAX_ARROWS
    export = cli.commands["trace"].commands["export"]  # type: ignore[attr-defined]
    (option,) = [p for p in export.params if p.name == "max_arrows"]
    assert option.default == MAX_ARROWS


def test_explore_caps_its_window_with_max_arrows(tmp_path: Path) -> None:
    race = ROOT / "tests" / "explore" / "data" / "race.py"
    argv = ["explore", str(race), "--runs", "20", "--strategy", "random", "--out",
            str(tmp_path), "--max-arrows", "1"]  # fmt: skip
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1, result.output
    (window,) = tmp_path.glob("*.mmd")
    arrows = [line for line in window.read_text().splitlines() if ": [" in line
              and "Note" not in line]  # fmt: skip
    assert len(arrows) == 1 and "-x" in arrows[0]


def test_a_window_without_the_failing_line_still_names_the_failure(tmp_path: Path) -> None:
    trace = tmp_path / "failure.jsonl"
    records = zoo_trace("ndis_keywords_at_queue")
    trace.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    out = CliRunner().invoke(cli, ["trace", "export", str(trace), "--to", "mermaid",
                                   "--window", "40:52"])  # fmt: skip
    assert out.exit_code == 0
    assert "FAIL registry-before-miniport at seq 63, outside this window" in out.stdout
    assert "-x" not in out.stdout
