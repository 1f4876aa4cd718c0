"""DOT output: labels escaped once (graphviz escString rules), one edge per pair, and, where
graphviz is installed, a graph `dot` lays out."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zoo_artifacts import ZooFailure

from stack.trace import annotations_from_records, to_dot
from stack.trace._dot import quote


def label_lines(quoted: str) -> list[str]:
    """What graphviz draws for a quoted label (graphviz.org/docs/attr-types/escString/): the
    string's only escape is \\" (graphviz.org/doc/info/lang.html); in the label \\\\ is one
    backslash and \\n, \\l, \\r end a line."""
    assert quoted.startswith('"') and quoted.endswith('"')
    body, lines, current, i = quoted[1:-1], [], "", 0
    while i < len(body):
        char = body[i]
        if char == '"':
            raise AssertionError(f"unescaped quote in {quoted!r}")
        if char == "\n":
            raise AssertionError(f"raw newline in {quoted!r}")
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "nlr":
                lines.append(current)
                current = ""
            elif nxt in '\\"':
                current += nxt
            else:
                current += char + nxt
            i += 2
            continue
        current += char
        i += 1
    if current:
        lines.append(current)
    return lines


@given(st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"),
                        min_size=1), min_size=1))  # fmt: skip
def test_a_label_draws_exactly_its_lines(lines: list[str]) -> None:
    assert label_lines(quote("\n".join(lines), label=True)) == lines


@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r")))
def test_an_id_keeps_its_text(text: str) -> None:
    quoted = quote(text)
    assert quoted[1:-1].replace('\\"', '"').replace("\\\\", "\\") == text


def test_zoo_graphs_show_no_literal_backslash_n(zoo: dict[str, ZooFailure]) -> None:
    for failure in zoo.values():
        text = to_dot(failure.records, annotations_from_records(failure.records))
        assert "\\\\n" not in text and "\\n" not in text, failure.name
        for quoted in re.findall(r'label=("(?:[^"\\]|\\.)*")', text):
            for line in label_lines(quoted):
                assert "\\" not in line, (failure.name, line)
        assert "rankdir=LR" in text
        assert "dir=both" in text  # ndis and each miniport talk both ways: one edge


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed")
def test_graphviz_lays_out_every_zoo_graph(zoo: dict[str, ZooFailure]) -> None:
    for failure in zoo.values():
        text = to_dot(failure.records, annotations_from_records(failure.records))
        done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True,
                              check=False, timeout=60)  # fmt: skip
        assert done.returncode == 0 and not done.stderr, (failure.name, done.stderr)
        assert "<svg" in done.stdout
