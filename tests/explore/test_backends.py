"""Campaigns give the same failures wherever they run: shards merged, or a Dask cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stack.cli import cli
from stack.errors import BadInput
from stack.explore import (
    Shard,
    executor_for,
    explore,
    merge_campaigns,
    plan_for,
    run_campaign,
    save_campaign,
    shard_file,
)
from stack.scenario import load_scenario

DATA = Path(__file__).parent / "data"
RACE = DATA / "race.py"


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without where its files went (each run writes to its own directory)."""
    for failure in report["failures"]:
        for key in ("artifacts", "replay", "selfcheck"):
            failure.pop(key, None)
    return report


def test_shards_merge_into_exactly_the_whole_campaign(tmp_path: Path) -> None:
    runner = CliRunner()
    for index in range(3):
        result = runner.invoke(cli, ["explore", str(RACE), "--runs", "24", "--shard",
                                     f"{index}/3", "--out", str(tmp_path / "shards")])  # fmt: skip
        assert result.exit_code == 0, result.output
    files = sorted(str(p) for p in (tmp_path / "shards").glob("*.campaign-*.json"))
    assert len(files) == 3
    merged = runner.invoke(cli, ["merge", *files, "--out", str(tmp_path / "m"), "--json"])
    whole = runner.invoke(cli, ["explore", str(RACE), "--runs", "24", "--out",
                                str(tmp_path / "w"), "--json"])  # fmt: skip
    assert merged.exit_code == whole.exit_code == 1  # the toy race fails somewhere
    assert _comparable(json.loads(merged.stdout)) == _comparable(json.loads(whole.stdout))


def test_merge_refuses_missing_duplicate_and_foreign_files(tmp_path: Path) -> None:
    scenario = load_scenario(RACE)
    plan = plan_for(scenario, "random")
    paths = []
    for index in range(2):
        shard = Shard(index, 2)
        campaign = run_campaign(plan, 8, shard=shard)
        path = shard_file(tmp_path, scenario.name, shard)
        save_campaign(path, campaign, base=0, runs=8, shard=shard)
        paths.append(path)
    assert len(merge_campaigns(paths)[0].outcomes) == 8
    with pytest.raises(BadInput, match="missing shards: 1/2"):
        merge_campaigns(paths[:1])
    with pytest.raises(BadInput, match="again"):
        merge_campaigns([paths[0], paths[0]])
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"format": "something else"}')
    with pytest.raises(BadInput, match="not an ndisemu campaign file"):
        merge_campaigns([foreign])
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(BadInput, match="not a JSON campaign file"):
        merge_campaigns([broken])


def test_shard_syntax_is_checked() -> None:
    assert Shard.parse("2/5").select(tuple(range(12))) == (2, 7)
    for bad in ("5/5", "x/2", "3", "-1/2"):
        with pytest.raises(BadInput):
            Shard.parse(bad)


def test_dask_needs_a_scheduler_address() -> None:
    with pytest.raises(BadInput, match="--scheduler"), executor_for("dask"):
        pass


@pytest.mark.slow
def test_a_dask_cluster_finds_the_same_failures_as_the_local_pool(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = explore(RACE, runs=40, jobs=2, out=tmp_path / "local", check=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        executor_for("dask", scheduler=cluster.scheduler_address) as executor,
    ):
        remote = explore(RACE, runs=40, out=tmp_path / "dask", check=False, executor=executor)
    assert _comparable(remote.as_dict()) == _comparable(local.as_dict())
    assert local.failures, "the toy race is found at all"
