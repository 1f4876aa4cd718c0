"""``explore``: a campaign, then for each distinct failure: replay, shrink, artifacts, self-check.

For every rule that failed, the run with the lowest seed is the representative.  Its raw tape is
replayed in-process first (which must reproduce the campaign's failure and trace hash, or the
emulator is nondeterministic within one process), shrunk toward FIFO/no faults, written out with
its artifacts, and replayed once more in a fresh process (``_selfcheck``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import attrs

from stack.runtime import Registry, current_monitor_level, monitor_level
from stack.scenario import Failure, ScenarioFile, load_scenario
from stack.trace import MAX_ARROWS

from ._artifacts import Artifacts, failure_stem, write_artifacts
from ._campaign import CampaignResult, FailureGroup, Plan, Progress, plan_for, run_campaign
from ._replay import Replayed, read_registry, registry_from_bytes, replay_entries
from ._selfcheck import SelfCheck, code_fingerprint, selfcheck
from ._shrink import DEFAULT_BUDGET, shrink
from ._tape import Tape, deviations, from_bus_tape, recorded_path

#: Seeds listed per failure in the JSON report.
MAX_SEEDS = 50
#: Where failures go when ``--out`` is not given (relative to the working directory).
DEFAULT_OUT = Path(".ndisemu") / "failures"


def _failure_dict(failure: Failure | None) -> dict[str, Any] | None:
    if failure is None:
        return None
    return {"rule": failure.rule, "seq": failure.seq, "reason": failure.reason}


@attrs.frozen
class FailureReport:
    """One distinct failure (one rule) of a campaign, shrunk and written out."""

    id: str
    rule: str
    seeds: tuple[int, ...]
    seed: int
    strategy: str
    failure: Failure
    deviations_before: int
    deviations_after: int
    candidate_runs: int
    #: The shrunk schedule in words: one line per remaining deviation.
    deviation_notes: tuple[str, ...]
    decisions: int
    artifacts: Artifacts
    explanation: str = ""
    selfcheck: SelfCheck | None = None
    #: An in-process replay of the campaign's tape gave the campaign's failure and trace hash.
    replayed_in_process: bool = True

    @property
    def runs(self) -> int:
        return len(self.seeds)

    @property
    def replay_command(self) -> str:
        return f"ndisemu replay {self.artifacts.tape}"

    @property
    def emulator_bug(self) -> bool:
        return not self.replayed_in_process or (
            self.selfcheck is not None and self.selfcheck.emulator_bug
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "runs": self.runs,
            # The lowest seeds only: a long campaign can fail thousands of times.
            "seeds": list(self.seeds[:MAX_SEEDS]),
            "seed": self.seed,
            "strategy": self.strategy,
            "failure": _failure_dict(self.failure),
            "explanation": self.explanation,
            "decisions": self.decisions,
            "deviations_before": self.deviations_before,
            "deviations_after": self.deviations_after,
            "candidate_runs": self.candidate_runs,
            "deviation_notes": list(self.deviation_notes),
            "replay": self.replay_command,
            "artifacts": self.artifacts.as_dict(),
            "replayed_in_process": self.replayed_in_process,
            "selfcheck": self.selfcheck.as_dict() if self.selfcheck is not None else None,
            "emulator_bug": self.emulator_bug,
        }


@attrs.frozen
class ExploreReport:
    """What ``explore`` found; ``as_dict`` is the ``--json`` output (identical for any jobs)."""

    scenario: ScenarioFile
    plan: Plan
    campaign: CampaignResult
    failures: tuple[FailureReport, ...]

    @property
    def runs(self) -> int:
        return len(self.campaign.outcomes)

    @property
    def failed_runs(self) -> int:
        return len(self.campaign.failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": {
                "name": self.scenario.name,
                "path": str(self.scenario.path),
                "sha256": self.scenario.sha256,
            },
            "registry": self.plan.registry or None,
            "strategy": self.plan.strategy,
            "params": dict(self.plan.params),
            "seeds": [self.campaign.seeds[0], self.campaign.seeds[-1]],
            "runs": self.runs,
            "failed_runs": self.failed_runs,
            "stopped_early": self.campaign.stopped_early,
            "distinct_failures": len(self.failures),
            "failures": [f.as_dict() for f in self.failures],
            "level": self.plan.level,
            "warnings": [
                {"rule": g.rule, "runs": g.runs, "first_seed": g.first_seed, "reason": g.reason}
                for g in self.campaign.warning_groups()
            ],
        }


def _explanation(replayed: Replayed, rule: str) -> str:
    for monitor in replayed.result.stack.bus.monitors:
        if getattr(monitor, "id", None) == rule:
            text = str(getattr(monitor, "explanation", "") or "")
            page = str(getattr(monitor, "page", "") or "")
            return f"{text} ({page})" if text and page else text
    return ""


def tape_of(
    scenario: ScenarioFile,
    seed: int,
    strategy: str,
    params: Mapping[str, Any],
    run: Replayed,
    shrunk: Mapping[str, int] | None = None,
    registry: tuple[str, str] = ("", ""),
) -> Tape:
    """The tape of a replayed run: its recorded decisions and outcome.  Paths below the
    working directory are recorded relative to it (``recorded_path``)."""
    here = Path.cwd()
    return Tape(
        scenario_name=scenario.name,
        scenario_path=recorded_path(scenario.path, here),
        scenario_sha256=scenario.sha256,
        strategy=strategy,
        params=dict(params),
        seed=seed,
        entries=run.decisions,
        failure=run.failure,
        trace_sha256=run.trace_sha256,
        shrunk=shrunk,
        registry_path=recorded_path(registry[0], here) if registry[0] else "",
        registry_sha256=registry[1],
    )


def investigate(
    scenario: ScenarioFile,
    group: FailureGroup,
    number: int,
    out: Path,
    *,
    shrink_budget: int = DEFAULT_BUDGET,
    check: bool = True,
    status: Callable[[str], None] | None = None,
    registry: Registry | None = None,
    registry_file: tuple[str, str] = ("", ""),
    code_at_start: str = "",
    max_arrows: int = MAX_ARROWS,
) -> FailureReport:
    """Replay, shrink, write out and self-check the representative run of ``group``.

    ``registry`` is the registry every run starts from; ``registry_file`` its path and sha256,
    recorded in the tape; ``max_arrows`` caps the Mermaid failure window."""
    first = group.first
    assert first.failure is not None
    say = status or (lambda _text: None)
    fid = f"F{number}"
    say(f"{fid} {group.rule}: replaying seed {first.seed}")
    boot = replay_entries(
        scenario, first.seed, from_bus_tape(first.tape), name=first.strategy, registry=registry
    )
    in_process = boot.failure == first.failure and boot.trace_sha256 == first.trace_sha256
    final, before, runs = boot, deviations(boot.decisions), 0
    if boot.failure is not None and boot.failure.rule == group.rule:
        say(f"{fid} {group.rule}: shrinking {before} deviations")
        result = shrink(
            scenario,
            first.seed,
            boot,
            name=first.strategy,
            budget=shrink_budget,
            registry=registry,
        )
        final, runs = result.run, result.candidate_runs
    failure = final.failure
    if failure is None:  # the campaign's failure did not come back at all
        failure = first.failure
    after = deviations(final.decisions)
    shrunk_info = {"deviations_before": before, "deviations_after": after, "candidate_runs": runs}
    tape = tape_of(
        scenario, first.seed, first.strategy, first.params, final, shrunk_info, registry_file
    )
    stem = failure_stem(scenario.name, group.rule, first.seed)
    unshrunk = tape_of(
        scenario, first.seed, first.strategy, first.params, boot, None, registry_file
    )
    unshrunk.save(out / f"{stem}.unshrunk.tape.json")
    explanation = _explanation(final, group.rule)
    tape_path = out / f"{stem}.tape.json"
    artifacts = write_artifacts(
        out,
        stem,
        tape=tape,
        trace=final.result.trace,
        explanation=explanation,
        replay_command=f"ndisemu replay {tape_path}",
        max_arrows=max_arrows,
    )
    check_result = None
    if check:
        say(f"{fid} {group.rule}: replaying the tape in a fresh process")
        check_result = selfcheck(artifacts.tape, tape, code_at_start)
    notes = tuple(
        f"decision {i}" + (f" (seq {d.seq})" if d.seq >= 0 else "") + f": {d.note or d.kind}"
        for i, d in enumerate(final.decisions)
        if d.is_deviation
    )
    return FailureReport(
        id=fid,
        rule=group.rule,
        seeds=group.seeds,
        seed=first.seed,
        strategy=tape.describe_strategy(),
        failure=failure,
        deviations_before=before,
        deviations_after=after,
        candidate_runs=runs,
        deviation_notes=notes,
        decisions=len(final.decisions),
        artifacts=artifacts,
        explanation=explanation,
        selfcheck=check_result,
        replayed_in_process=in_process,
    )


def explore(
    path: str | Path,
    *,
    runs: int,
    strategy: str = "portfolio",
    seed: int = 0,
    jobs: int = 1,
    params: Mapping[str, Any] | None = None,
    out: Path | None = None,
    stop_on_first: bool = False,
    shrink_budget: int = DEFAULT_BUDGET,
    check: bool = True,
    progress: Progress | None = None,
    status: Callable[[str], None] | None = None,
    registry: str | Path | None = None,
    executor: Executor | None = None,
    max_arrows: int = MAX_ARROWS,
    level: str | None = None,
) -> ExploreReport:
    """Explore ``runs`` seeds of the scenario at ``path``, every run starting from a copy of
    the ``registry`` .reg file when one is given; see the module docstring.  ``executor`` (a
    Dask cluster's) runs the campaign instead of a local pool of ``jobs`` processes.  ``level``
    (``strict`` or ``practice``, default the current one) is the monitor level of every run,
    and of the replays, shrinks and self-checks of the failures."""
    with monitor_level(level if level is not None else current_monitor_level()):
        return _explore(
            path, runs=runs, strategy=strategy, seed=seed, jobs=jobs, params=params, out=out,
            stop_on_first=stop_on_first, shrink_budget=shrink_budget, check=check,
            progress=progress, status=status, registry=registry, executor=executor,
            max_arrows=max_arrows,
        )  # fmt: skip


def _explore(
    path: str | Path,
    *,
    runs: int,
    strategy: str,
    seed: int,
    jobs: int,
    params: Mapping[str, Any] | None,
    out: Path | None,
    stop_on_first: bool,
    shrink_budget: int,
    check: bool,
    progress: Progress | None,
    status: Callable[[str], None] | None,
    registry: str | Path | None,
    executor: Executor | None,
    max_arrows: int,
) -> ExploreReport:
    code_at_start = code_fingerprint() if check else ""
    scenario = load_scenario(path)
    plan = plan_for(scenario, strategy, params, registry)
    campaign = run_campaign(
        plan,
        runs,
        seed=seed,
        jobs=jobs,
        stop_on_first=stop_on_first,
        progress=progress,
        executor=executor,
    )
    return report_on(
        scenario, plan, campaign, out=out, shrink_budget=shrink_budget, check=check,
        status=status, code_at_start=code_at_start, max_arrows=max_arrows,
    )  # fmt: skip


def report_on(
    scenario: ScenarioFile,
    plan: Plan,
    campaign: CampaignResult,
    *,
    out: Path | None = None,
    shrink_budget: int = DEFAULT_BUDGET,
    check: bool = True,
    status: Callable[[str], None] | None = None,
    code_at_start: str = "",
    max_arrows: int = MAX_ARROWS,
) -> ExploreReport:
    """Replay, shrink, write out and self-check every distinct failure of ``campaign`` (from
    one run of ``explore``, or from ``merge`` of its shards)."""
    start = None
    if plan.registry:
        start = (
            registry_from_bytes(plan.registry, plan.registry_bytes)[0]
            if plan.registry_bytes
            else read_registry(plan.registry)[0]
        )
    out = out if out is not None else DEFAULT_OUT
    failures = tuple(
        investigate(
            scenario,
            group,
            number,
            out,
            shrink_budget=shrink_budget,
            check=check,
            status=status,
            registry=start,
            registry_file=(plan.registry, plan.registry_sha256),
            code_at_start=code_at_start,
            max_arrows=max_arrows,
        )
        for number, group in enumerate(campaign.groups(), start=1)
    )
    return ExploreReport(scenario, plan, campaign, failures)
