"""The README's "Testing your own driver" walk-through, executed: the file it shows is written to
a fresh directory, every ``$ ndisemu ...`` command of its ``text`` blocks is run there in order
(the fix in between applied to the file as the README says), and each prints exactly what the
README shows (a ``...`` line stands for lines left out) with the exit code the text implies.

``python tests/test_readme_driver.py DIR`` prints the real outputs, run in DIR, to paste in.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from stack.cli import cli

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Testing your own driver"
FILE = "my_filter.py"
#: Exit codes, in command order: run passes, explore finds, the replay fails again, show shows;
#: after the fix the replay and a longer exploration pass.
EXIT_CODES = (0, 1, 1, 0, 0, 0)


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(HEADING + "\n", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str) -> Iterator[tuple[str, str]]:
    for match in re.finditer(r"^```(\w+)\n(.*?)^```$", text, re.M | re.S):
        yield match.group(1), match.group(2)


def steps(text: str) -> list[tuple[str, str | list[str]]]:
    """``("file", source)``, ``("fix", class source)`` and ``("cmd", [command, *expected])``."""
    out: list[tuple[str, str | list[str]]] = []
    pythons = 0
    for lang, body in _blocks(text):
        if lang == "python":
            out.append((("file", "fix", "pytest")[pythons], body))
            pythons += 1
        elif lang == "text":
            for line in body.splitlines():
                if line.startswith("$ "):
                    out.append(("cmd", [line[2:]]))
                else:
                    command = out[-1][1]
                    assert isinstance(command, list)
                    command.append(line)
    return out


def apply_fix(source: str, fixed_class: str) -> str:
    """Replace the class the fix block defines, up to the next top-level definition."""
    name = re.search(r"^class (\w+)", fixed_class, re.M)
    assert name is not None
    pattern = re.compile(rf"^class {name.group(1)}\b.*?(?=^\S)", re.M | re.S)
    assert pattern.search(source), f"the file has no class {name.group(1)}"
    return pattern.sub(lambda _: fixed_class + "\n\n", source, count=1)


def run(command: str) -> tuple[int, list[str]]:
    argv = shlex.split(command)
    assert argv[0] == "ndisemu"
    result = CliRunner().invoke(cli, argv[1:])
    return result.exit_code, result.stdout.splitlines()


def matches(expected: list[str], printed: list[str]) -> bool:
    if "..." not in expected:
        return printed == expected
    cut = expected.index("...")
    head, tail = expected[:cut], expected[cut + 1 :]
    return (
        printed[: len(head)] == head
        and (not tail or printed[-len(tail) :] == tail)
        and len(printed) >= len(head) + len(tail)
    )


@pytest.mark.slow
def test_the_walkthrough_runs_as_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    codes = []
    for kind, payload in steps(section()):
        if kind == "pytest":
            continue
        if kind == "file":
            assert isinstance(payload, str)
            (tmp_path / FILE).write_text(payload, encoding="utf-8")
        elif kind == "fix":
            assert isinstance(payload, str)
            source = (tmp_path / FILE).read_text(encoding="utf-8")
            (tmp_path / FILE).write_text(apply_fix(source, payload), encoding="utf-8")
        else:
            assert isinstance(payload, list)
            command, *expected = payload
            code, printed = run(command)
            assert matches(expected, printed), (command, printed)
            codes.append(code)
    assert tuple(codes) == EXIT_CODES


def test_the_walkthrough_uses_only_the_public_api() -> None:
    (source,) = [p for k, p in steps(section()) if k == "file"]
    assert isinstance(source, str)
    imported = re.findall(r"^(?:from|import) (\S+)", source, re.M)
    private = [m for m in imported if any(part.startswith("_") for part in m.split("."))]
    assert imported and not private
    assert "PassthroughFilter" in source and "stack.add_filter(" in source


def test_the_fix_replaces_the_buggy_class_only() -> None:
    found = {kind: payload for kind, payload in steps(section()) if kind != "cmd"}
    assert set(found) == {"file", "fix", "pytest"}
    file, fix = found["file"], found["fix"]
    assert isinstance(file, str) and isinstance(fix, str)
    fixed = apply_fix(file, fix)
    assert "is not FilterModuleState.Running" in file and "is not FilterModuleState" not in fixed
    assert fixed.count("async def scenario(stack):") == 1


@pytest.mark.slow
def test_the_pytest_route_finds_the_same_bug_and_its_tape_replays(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = {kind: payload for kind, payload in steps(section()) if kind != "cmd"}
    pytester.makefile(".py", my_filter=str(found["file"]), test_capture=str(found["pytest"]))
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\ntrio_mode = true\n")
    monkeypatch.syspath_prepend(str(pytester.path))
    result = pytester.runpytest("--ndis-seed=0", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*FAIL filter-view-converges*", "*shrunk * -> 1 deviation*"])
    (tape,) = (pytester.path / ".pytest_cache" / "d" / "ndisemu").glob("*seed*[0-9].tape.json")
    code, printed = run(f"ndisemu replay {tape}")
    assert code == 1 and "  reproduced: the recorded failure, at the same trace line" in printed
    code, printed = run(f"ndisemu show --tape {tape} adapter nic0 lso")
    assert code == 0 and "nic0 capture Running True          True        True" in printed


if __name__ == "__main__":  # pragma: no cover - regenerates the outputs to paste
    os.chdir(sys.argv[1])
    for kind, payload in steps(section()):
        if kind == "pytest":
            continue
        if kind == "file":
            Path(FILE).write_text(str(payload), encoding="utf-8")
        elif kind == "fix":
            Path(FILE).write_text(apply_fix(Path(FILE).read_text(), str(payload)))
        else:
            command = payload[0]
            code, printed = run(command)
            print(f"$ {command}   [exit {code}]")
            print("\n".join(printed))
