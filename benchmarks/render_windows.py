"""Render the zoo's failure windows with the real mermaid library and graphviz; print the sizes.

A script, not a test (CI needs no browser; tests/trace/test_mermaid_syntax.py checks the same
windows with a pure-Python grammar check).  For every bug of ``stack.drivers.zoo.BUGS`` it
replays the committed tape (tests/explore/data/zoo), writes the artifacts exactly as ``explore``
does, renders the ``.mmd`` with mermaid in headless Chromium (benchmarks/mermaid_render.mjs)
and the ``trace export --to dot`` graph with ``dot -Tsvg``, and prints the height of each window,
the width of each graph, and the same for the README tutorial's window.

Set-up (Debian; the npm packages in any directory)::

    apt-get install -y chromium graphviz
    npm install --prefix /tmp/mermaid mermaid playwright-core
    python benchmarks/render_windows.py --node-modules /tmp/mermaid [--keep DIR] [--png]

``--keep DIR`` leaves the .mmd/.dot/.svg files there; ``--png`` also screenshots each diagram
(PNG_DIR of mermaid_render.mjs).  Exit 1 when mermaid rejects a window.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stack.drivers.zoo import BUGS
from stack.explore import load_tape, replay_tape, tape_of, write_artifacts
from stack.explore._artifacts import canonical_records
from stack.scenario import load_scenario
from stack.trace import annotations_from_records, to_dot, to_mermaid

ROOT = Path(__file__).resolve().parent.parent
TAPES = ROOT / "tests" / "explore" / "data" / "zoo"
#: The issue's bar for the README tutorial's window.
TUTORIAL_LIMIT_PX = 1500


def write_inputs(out: Path) -> list[str]:
    """The zoo's .mmd (explore's artifact) and .dot files, and the tutorial's window."""
    names = []
    for bug in BUGS:
        scenario = load_scenario(ROOT / bug.scenario)
        replayed = replay_tape(load_tape(TAPES / f"{bug.name}.tape.json"), scenario=scenario)
        stored = replayed.tape
        tape = tape_of(scenario, stored.seed, stored.strategy, stored.params, replayed.run,
                       stored.shrunk)  # fmt: skip
        trace = replayed.run.result.trace
        write_artifacts(out / "artifacts", bug.name, tape=tape, trace=trace)
        shutil.copy(out / "artifacts" / f"{bug.name}.mmd", out / f"{bug.name}.mmd")
        records = canonical_records(trace)
        notes = annotations_from_records(records)
        (out / f"{bug.name}.dot").write_text(to_dot(records, notes), encoding="utf-8")
        if bug.name == "ndis_keywords_at_queue":  # the tutorial: `trace export --to mermaid`
            (out / "tutorial.mmd").write_text(to_mermaid(records, notes), encoding="utf-8")
        names.append(bug.name)
    return [*names, "tutorial"]


def mermaid_sizes(node_modules: Path, files: list[Path], png: Path | None) -> dict[str, dict]:
    script = Path(__file__).resolve().parent / "mermaid_render.mjs"
    env = None
    if png is not None:
        import os

        env = {**os.environ, "PNG_DIR": str(png)}
    done = subprocess.run(
        ["node", str(script), str(node_modules), *map(str, files)],
        capture_output=True, text=True, check=False, env=env, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"mermaid_render.mjs failed: {done.stderr.strip()}")
    sizes = {}
    for line in done.stdout.splitlines():
        result = json.loads(line)
        sizes[Path(result["file"]).stem] = result
    return sizes


def dot_width(path: Path) -> str:
    if shutil.which("dot") is None:
        return "-"
    svg = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True,
                         check=True, timeout=120).stdout  # fmt: skip
    path.with_suffix(".svg").write_text(svg, encoding="utf-8")
    match = re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', svg)
    if not match:
        return "?"
    # graphviz writes points; a browser draws 96 px per 72 pt.
    return f"{round(int(match.group(1)) * 4 / 3)} x {round(int(match.group(2)) * 4 / 3)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--node-modules",
        type=Path,
        required=True,
        help="a directory with node_modules/mermaid and playwright-core",
    )
    parser.add_argument("--keep", type=Path, help="keep the files in this directory")
    parser.add_argument("--png", action="store_true", help="also screenshot each diagram")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.keep or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        names = write_inputs(out)
        sizes = mermaid_sizes(args.node_modules, [out / f"{n}.mmd" for n in names],
                              out if args.png else None)  # fmt: skip
        rows = [("window", "arrows", "mermaid w x h px", "dot w x h px")]
        failed = False
        for name in names:
            size = sizes[name]
            text = (out / f"{name}.mmd").read_text(encoding="utf-8")
            arrows = len(re.findall(r"^\s*\w+-{1,2}(?:>>|x)\w+:", text, flags=re.MULTILINE))
            if size["ok"]:
                drawn = f"{size['width']} x {size['height']}"
            else:
                drawn, failed = f"REJECTED: {size['error']}", True
            dot = out / f"{name}.dot"
            rows.append((name, str(arrows), drawn, dot_width(dot) if dot.exists() else "-"))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        tutorial = sizes["tutorial"]
        if tutorial["ok"]:
            verdict = "under" if tutorial["height"] < TUTORIAL_LIMIT_PX else "OVER"
            print(f"tutorial window: {tutorial['height']} px tall, {verdict} {TUTORIAL_LIMIT_PX}")
        if failed:
            sys.exit(1)


if __name__ == "__main__":
    main()
