"""The README's tables of --json fields list exactly the fields the commands print.

Each table in the README section "Output: terminals, pipes, --color, --json" documents one
document (its schema named in the text above it).  The commands are run for real, passing and
failing, with and without the optional objects, and every field path they print (``a.b``,
``a[].b``) must be in the table, and every path in the table must be printed by some run.  Only
values documented as ``object``, ``object or null`` or ``array of objects`` are looked into;
maps, C-member structures and cmdlet records are fields of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stack.cli import SCHEMAS, cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TOGGLE = str(ROOT / "scenarios" / "toggle_offloads.py")
MUX = str(ROOT / "scenarios" / "mux_failover_lso.py")
TWO_LWFS = str(ROOT / "scenarios" / "filters_two_lwfs.py")
RACE = str(ROOT / "tests" / "explore" / "data" / "race.py")
REG = ROOT / "tests" / "runtime" / "data" / "intel-i219-export.reg"
DESCEND = {"object", "object or null", "array of objects"}

#: A miniport that completes OID_OFFLOAD_ENCAPSULATION without indicating (as NetAdapterCx
#: does): a strict-only breach, so its runs carry warnings at the default level.
WARNING = """\
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
"""

FAILING = """\
async def scenario(stack):
    stack.miniport('nic0', preset='intel-x710')
    stack.tcpip('tcpip', bind=['nic0'])
    await stack.start()
    stack.expect(False, 'this cannot hold')
"""


HEADING = "## Output: terminals, pipes, `--color`, `--json`"


def _section() -> str:
    return README.split(HEADING, 1)[1].split("\n## ", 1)[0]


def documented() -> dict[str, dict[str, str]]:
    """schema -> {field path: type}, from the tables; a table belongs to the schemas named in
    the paragraph above it (the show header table to all three show schemas)."""
    tables: dict[str, dict[str, str]] = {}
    schemas: list[str] = []
    after_table = False
    for line in _section().splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            match = re.fullmatch(r"`([^`]+)`", cells[0])
            if match and len(cells) == 3:
                assert schemas, f"a table with no schema above it: {line}"
                for schema in schemas:
                    tables.setdefault(schema, {})[match.group(1)] = cells[1]
            after_table = True
            continue
        if after_table and line.strip():
            schemas = []  # the text after a table names the next table's schemas
            after_table = False
        named = re.findall(r"schema `(ndisemu\.[^`]+)`|`(ndisemu\.[a-z.-]+/\d+)`", line)
        for pair in named:
            schema = pair[0] or pair[1]
            if schema not in schemas:
                schemas.append(schema)
    return tables


def _paths(value: Any, prefix: str, types: dict[str, str]) -> Iterator[str]:
    if not isinstance(value, dict):
        return
    for key, child in value.items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        if types.get(path) not in DESCEND:
            continue
        if isinstance(child, dict):
            yield from _paths(child, path, types)
        elif isinstance(child, list):
            for item in child:
                yield from _paths(item, f"{path}[]", types)


def _json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Real --json documents of every schema, between them carrying every optional object."""
    tmp = tmp_path_factory.mktemp("json")
    failing = tmp / "fails.py"
    failing.write_text(FAILING)
    warning = tmp / "warns.py"
    warning.write_text(WARNING)
    reg = tmp / "nics.reg"
    reg.write_bytes(REG.read_bytes())
    out = tmp / "out"
    docs = [
        _json("run", "--json", TOGGLE),
        _json("run", "--json", str(failing)),
        _json("explore", RACE, "--runs", "6", "--registry", str(reg), "--out", str(out), "--json"),
        _json("explore", RACE, "--runs", "6", "--shard", "1/2", "--out", str(out), "--json"),
        _json("explore", TOGGLE, "--runs", "2", "--out", str(out), "--json"),
        _json("run", "--json", str(warning)),
        _json("explore", str(warning), "--runs", "2", "--out", str(tmp / "w"), "--json"),
    ]
    (tape,) = [p for p in out.glob("*.tape.json") if "unshrunk" not in p.name]
    docs += [
        _json("replay", "--json", str(tape)),
        _json("replay", "--json", "--scenario", str(failing), str(tape)),
        _json("show", TOGGLE, "adapter", "--json", "--at", "62"),
        _json("show", str(failing), "adapter", "--json"),
        _json("show", MUX, "adapter", "--style", "ethtool", "--json", "--at", "20"),
        _json("show", str(failing), "adapter", "--style", "ethtool", "--json"),
        _json("show", MUX, "bindings", "--json", "--at", "20"),
        _json("show", str(failing), "bindings", "--json"),
        _json("show", TWO_LWFS, "bindings", "--json"),
    ]
    by_schema: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_schema.setdefault(doc["schema"], []).append(doc)
    return by_schema


def test_every_schema_of_the_cli_has_a_table_and_a_document(
    documents: dict[str, list[dict[str, Any]]],
) -> None:
    assert set(documented()) == set(SCHEMAS.values()) == set(documents)


@pytest.mark.parametrize("schema", sorted(SCHEMAS.values()))
def test_the_readme_table_lists_exactly_the_fields_printed(
    schema: str, documents: dict[str, list[dict[str, Any]]]
) -> None:
    types = documented()[schema]
    printed: set[str] = set()
    for doc in documents[schema]:
        paths = list(_paths(doc, "", types))
        assert list(doc)[:2] == ["schema", "ndisemu"]
        undocumented = sorted(set(paths) - set(types))
        assert not undocumented, f"{schema}: printed but not in the README: {undocumented}"
        printed |= set(paths)
    missing = sorted(set(types) - printed)
    assert not missing, f"{schema}: in the README but printed by no run: {missing}"


def test_a_schema_value_is_named_and_versioned() -> None:
    for schema in SCHEMAS.values():
        assert re.fullmatch(r"ndisemu\.[a-z][a-z.-]*/[1-9][0-9]*", schema), schema
