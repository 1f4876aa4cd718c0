"""The filter layers in the views: ``show bindings`` draws each adapter's filter modules (table,
DOT, JSON); ``show adapter`` lists what each layer reports upward and ``--layer NAME`` shows the
cmdlets' columns as seen above one layer; DOT strings are quoted by the DOT language's rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stack.cli import cli
from stack.views import TOP_LAYER, at_layer, run_for_view
from stack.views._bindings import dot_quote
from stack.views._powershell import LAYERS_TITLE

ROOT = Path(__file__).resolve().parents[2]
TWO_LWFS = str(ROOT / "scenarios" / "filters_two_lwfs.py")
ABOVE_MUX = str(ROOT / "scenarios" / "filter_above_mux_member.py")
TOGGLE = str(ROOT / "scenarios" / "toggle_offloads.py")
#: A trace line of filters_two_lwfs after start() and before the administrator's set: nic0 runs
#: LSO, npcap masks it (the scenario's first expectations hold there).
AFTER_START = "60"


def _show(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["show", *args])
    return result.exit_code, result.stdout, result.stderr


def _block(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index(title) + 2
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


# -- show bindings -------------------------------------------------------------------------------


def test_bindings_table_lists_the_filter_modules_from_the_miniport_up() -> None:
    code, out, _ = _show(TWO_LWFS, "bindings")
    assert code == 0
    assert _block(out, "Filter modules, from the miniport up (layer 1 is just above it)") == [
        "Adapter  Layer  Filter  Driver                FilterClass  State",
        "-------  -----  ------  ------                -----------  -----",
        "nic0     1      lwf     PassthroughFilter     custom       Running",
        "         2      npcap   OffloadMaskingFilter  compression  Running",
    ]


def test_bindings_without_filters_print_no_filter_table() -> None:
    _, out, _ = _show(TOGGLE, "bindings")
    assert "Filter modules" not in out
    assert "" not in out.splitlines()


def test_bindings_dot_puts_the_filters_between_the_adapter_and_its_protocols() -> None:
    code, out, _ = _show(TWO_LWFS, "bindings", "--format", "dot")
    assert code == 0
    edges = [line.strip() for line in out.splitlines() if " -> " in line]
    assert edges == [
        '"adapter:nic0" -> "filter:nic0/lwf";',
        '"filter:nic0/lwf" -> "filter:nic0/npcap";',
        '"filter:nic0/npcap" -> "driver:tcpip" [label="Running"];',
        '"filter:nic0/npcap" -> "driver:ndisprot" [label="Running"];',
    ]
    assert (
        '  "filter:nic0/npcap" [shape=box, style=rounded, '
        'label="npcap\\nOffloadMaskingFilter\\ncompression, Running"];'
    ) in out.splitlines()


def test_bindings_dot_draws_a_filter_below_a_mux_and_one_above_its_team() -> None:
    """At the end of filter_above_mux_member nic0 is pulled: mask0 is detached (dotted, still in
    its place below the MUX's unbound open), lwf sits between team0 and TCP/IP."""
    _, out, _ = _show(ABOVE_MUX, "bindings", "--format", "dot")
    edges = [line.strip() for line in out.splitlines() if " -> " in line]
    assert '"adapter:team0" -> "filter:team0/lwf";' in edges
    assert '"filter:team0/lwf" -> "driver:tcpip" [label="Running"];' in edges
    assert '"adapter:nic0" -> "filter:nic0/mask0" [style=dotted];' in edges
    assert '"filter:nic0/mask0" -> "driver:mux" [label="Unbound", style=dotted];' in edges
    assert '"adapter:nic1" -> "driver:mux" [label="Running"];' in edges


def test_bindings_json_lists_each_adapters_filters() -> None:
    _, out, _ = _show(ABOVE_MUX, "bindings", "--json")
    adapters = {a["name"]: a for a in json.loads(out)["adapters"]}
    assert adapters["team0"]["filters"] == [
        {"name": "lwf", "driver": "PassthroughFilter", "filter_class": "custom", "state": "Running"}
    ]
    assert [f["state"] for f in adapters["nic0"]["filters"]] == ["Detached"]
    assert adapters["nic1"]["filters"] == []


def _unquote(quoted: str) -> str:
    """A DOT quoted string read back as graphviz reads an escString label."""
    assert quoted[0] == quoted[-1] == '"'
    body = quoted[1:-1]
    assert re.search(r'(?<!\\)(\\\\)*"', body) is None, "an unescaped quote ends the string"
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), body)


@given(st.text(alphabet=st.characters(blacklist_characters="\r", blacklist_categories=("Cs",))))
def test_dot_quote_reads_back_as_the_text(text: str) -> None:
    quoted = dot_quote(text)
    assert "\n" not in quoted
    assert _unquote(quoted) == text


def test_dot_quote_leaves_unicode_alone_unlike_json() -> None:
    assert dot_quote('Intel® "x710"\nnic\\0') == '"Intel® \\"x710\\"\\nnic\\\\0"'


# -- show adapter, per layer ----------------------------------------------------------------------


def test_show_adapter_lists_what_each_layer_reports_upward() -> None:
    code, out, _ = _show(TWO_LWFS, "adapter", "nic0", "lso", "--at", AFTER_START)
    assert code == 0
    assert _block(out, LAYERS_TITLE) == [
        "Name Layer State   V1IPv4Enabled IPv4Enabled IPv6Enabled",
        "---- ----- -----   ------------- ----------- -----------",
        "nic0 nic0  Running True          True        True",
        "nic0 lwf   Running True          True        True",
        "nic0 npcap Running False         False       False",
    ]


def test_an_adapter_without_filters_has_no_layer_table() -> None:
    _, out, _ = _show(TOGGLE, "adapter", "lso")
    assert LAYERS_TITLE not in out


def _cmdlet_row(out: str) -> list[str]:
    return out.splitlines()[2].split()


def test_layer_shows_the_cmdlet_columns_above_that_layer() -> None:
    default = _show(TWO_LWFS, "adapter", "nic0", "lso", "--at", AFTER_START)[1]
    below = _show(TWO_LWFS, "adapter", "nic0", "lso", "--at", AFTER_START, "--layer", "lwf")[1]
    above = _show(TWO_LWFS, "adapter", "nic0", "lso", "--at", AFTER_START, "--layer", "npcap")[1]
    top = _show(TWO_LWFS, "adapter", "nic0", "lso", "--at", AFTER_START, "--layer", "top")[1]
    assert _cmdlet_row(default)[-3:] == _cmdlet_row(below)[-3:] == ["True", "True", "True"]
    assert _cmdlet_row(above)[-3:] == _cmdlet_row(top)[-3:] == ["False", "False", "False"]


def test_layer_with_ethtool_compares_every_belief_with_the_layers_view() -> None:
    _, out, _ = _show(
        TWO_LWFS, "adapter", "nic0", "lso", "--style", "ethtool", "--at", AFTER_START,
        "--layer", "npcap",
    )  # fmt: skip
    lines = out.splitlines()
    # ethtool's on/off is what runs (nic0 runs LSO); the beliefs are against npcap's view.
    assert "tcp-segmentation-offload: on" in lines
    assert (
        "Who believes what about nic0 (Running), against what layer npcap reports upward "
        "(ndisemu's lines):"
    ) in lines
    assert "\tminiport nic0: LsoV1.IPv4 on [NDIS off], LsoV2.IPv4 on [NDIS off], " in out


def test_layer_in_json_names_it_and_keeps_every_layers_view() -> None:
    _, out, _ = _show(
        TWO_LWFS, "adapter", "nic0", "lso", "--json", "--at", AFTER_START, "--layer", "npcap"
    )
    (record,) = json.loads(out)["lso"]
    assert record["IPv4Enabled"] is False
    assert record["ndisemu"]["Layer"] == "npcap"
    views = record["ndisemu"]["LayerViews"]
    assert list(views) == ["nic0", "lwf", "npcap"]
    assert views["lwf"]["IPv4Enabled"] is True and views["npcap"]["IPv4Enabled"] is False


def test_a_detached_module_reports_nothing_and_top_skips_it() -> None:
    """After nic0 is pulled mask0 is detached (still in its place): it reports nothing, and the
    top of nic0's stack is the miniport's edge again."""
    nic0 = run_for_view(ABOVE_MUX).adapter("nic0")
    miniport, mask0 = nic0.layers
    assert (miniport.state, mask0.state) == ("Halted", "Detached")
    assert mask0.current is None and mask0.hardware is None
    top = at_layer(nic0, TOP_LAYER)
    assert top is not None and top.layer == TOP_LAYER
    assert (top.current, top.hardware) == (miniport.current, miniport.hardware)
    detached = at_layer(nic0, "mask0")
    assert detached is not None and detached.current is None
    assert not any(state.current for state in detached.features.values())
    assert at_layer(nic0, "lwf") is None


def test_layer_shows_only_the_adapters_that_have_it() -> None:
    _, out, _ = _show(ABOVE_MUX, "adapter", "checksum", "--layer", "lwf")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[2 : lines.index("")]] == ["team0"]
    _, out, _ = _show(ABOVE_MUX, "adapter", "checksum")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[2 : lines.index("")]] == ["team0", "nic1"]


def test_an_unknown_layer_or_a_layer_of_bindings_is_bad_input() -> None:
    code, _, err = _show(TWO_LWFS, "adapter", "lso", "--layer", "nope")
    assert code == 2
    assert err.strip() == (
        "Error: no adapter shown has a layer 'nope' (layers from the miniport up: "
        "nic0: nic0, lwf, npcap; or top)"
    )
    code, _, err = _show(TWO_LWFS, "bindings", "--layer", "lwf")
    assert code == 2 and "--layer" in err
