"""Every failure window parses by the sequenceDiagram grammar and reads as the issue asks.

The grammar check (mermaid_grammar.py) is pure Python so CI needs no browser;
benchmarks/render_windows.py renders the same windows with the real mermaid library in
headless Chromium and prints their heights.
"""

from __future__ import annotations

import re

import pytest
from mermaid_grammar import MermaidSyntaxError, parse
from zoo_artifacts import ROOT, ZooFailure

from stack.trace import DECIDING_FIELDS, annotations_from_records, to_mermaid
from stack.trace._mermaid import FAIL_FILL

SEQ = re.compile(r"^\[(\d+)\] ")


@pytest.mark.parametrize(
    "text",
    [
        "graph TD\n A-->B\n",  # not a sequence diagram
        "sequenceDiagram\n    a->>b: [1] x\n",  # participants never declared
        "sequenceDiagram\n    participant a\n    participant b\n    a=>b: x\n",  # no such arrow
        "sequenceDiagram\n    participant a\n    participant b\n    a->>b: x; y\n",  # raw ';'
        "sequenceDiagram\n    participant a\n    participant b\n    a->>b: nbl#1\n",  # raw '#'
        "sequenceDiagram\n    participant a\n    loop x\n    Note over a: y\n",  # open block
        "sequenceDiagram\n    participant a\n    end\n",  # end without a block
        "sequenceDiagram\n    participant end\n",  # a keyword as an id
        "sequenceDiagram\n    participant a\n    rect red\n    Note over a: y\n    end\n",
        "sequenceDiagram\n    participant a\n    participant a\n",  # twice
        '%%{init: {"sequence": }}%%\nsequenceDiagram\n',  # a broken directive
    ],
)
def test_the_grammar_check_rejects_what_mermaid_rejects(text: str) -> None:
    with pytest.raises(MermaidSyntaxError):
        parse(text)


def test_the_grammar_check_accepts_the_shapes_ndisemu_writes() -> None:
    diagram = parse(
        '%%{init: {"sequence": {"mirrorActors": false}}}%%\n'
        "sequenceDiagram\n%% a comment\n    participant a as A\n    participant b\n"
        "    a->>b: [1] kind nbl=a#35;1 x#59;y\n    b-->>a: [2] done\n"
        "    loop \N{MULTIPLICATION SIGN} 3 (seq 3 to 9)\n        a->>a: [3] timer\n    end\n"
        "    rect rgb(255, 205, 205)\n        a--xb: [10] bad\n"
        "        Note over a,b: FAIL r at seq 10\n    end\n"
    )
    assert list(diagram.participants) == ["a", "b"]
    assert [m.arrow for m in diagram.messages] == ["->>", "-->>", "->>", "--x"]
    assert diagram.messages[-1].blocks == (("rect", "rgb(255, 205, 205)"),)
    assert diagram.config == {"sequence": {"mirrorActors": False}}


def test_every_zoo_window_parses_and_reads_as_a_failure_window(
    zoo: dict[str, ZooFailure],
) -> None:
    for failure in zoo.values():
        diagram = parse(failure.mermaid)
        assert not diagram.autonumber, failure.name  # one numbering: the trace seq
        assert 1 <= len(diagram.messages) <= 40, failure.name
        seqs = [int(SEQ.match(m.text).group(1)) for m in diagram.messages]  # type: ignore[union-attr]
        # In log order, except that a cycle's body is its first iteration's seqs.
        assert seqs[-1] == failure.tape.failure.seq, failure.name  # type: ignore[union-attr]
        # The failing arrow, and only it, is crossed and sits in the red block with the note.
        crossed = [m for m in diagram.messages if m.arrow.endswith("x")]
        assert crossed == [diagram.messages[-1]], failure.name
        assert crossed[0].blocks == (("rect", FAIL_FILL),)
        (fail_note,) = [n for n in diagram.notes if n.text.startswith("FAIL ")]
        assert fail_note.text.startswith(f"FAIL {failure.rule} at seq "), failure.name
        assert fail_note.blocks == (("rect", FAIL_FILL),)


def test_the_failing_label_carries_the_fields_that_decide_the_rule(
    zoo: dict[str, ZooFailure],
) -> None:
    for failure in zoo.values():
        seq = failure.tape.failure.seq  # type: ignore[union-attr]
        record = next(r for r in failure.records if r["seq"] == seq)
        text = parse(failure.mermaid).messages[-1].text
        for key in DECIDING_FIELDS[failure.rule]:
            if key in record:
                assert f"{key}={record[key]}" in text, (failure.name, text)
    gate = parse(zoo["receive_checksum_before_encapsulation"].mermaid).messages[-1]
    assert "rx_checksum=True" in gate.text


def test_the_ping_pong_window_draws_its_cycle_once(zoo: dict[str, ZooFailure]) -> None:
    diagram = parse(zoo["propagation_ping_pong"].mermaid)
    (loop,) = [b for b in diagram.blocks if b[0] == "loop"]
    times = int(re.match("\N{MULTIPLICATION SIGN}" r" (\d+) \(seq \d+ to \d+\)", loop[1]).group(1))  # type: ignore[union-attr]
    assert times > 100
    inside = [m for m in diagram.messages if ("loop", loop[1]) in m.blocks]
    assert 2 <= len(inside) <= 8


def test_the_readme_tutorial_window_is_the_real_one() -> None:
    """The tutorial's diagram is what `trace export --to mermaid` writes for the tutorial's
    failure (regenerate it with the command the README gives), so it parses, fits the cap and
    stays under 1,500 px tall (benchmarks/render_windows.py measured it)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tutorial = readme.split("## Tutorial", 1)[1].split("\n## ", 1)[0]
    block = tutorial.split("```mermaid\n", 1)[1].split("```", 1)[0]
    diagram = parse(block)
    assert not diagram.autonumber and len(diagram.messages) <= 30
    from zoo_artifacts import zoo_trace

    records = zoo_trace("ndis_keywords_at_queue")
    assert block == to_mermaid(records, annotations_from_records(records))
