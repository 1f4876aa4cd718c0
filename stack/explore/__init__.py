"""Exploring interleavings: strategies, choice tapes, replay, shrinking, campaigns, artifacts.

* Strategies (``RandomWalk``, ``PCT``, ``DelayClog``, the ``portfolio`` rotation) plug into the
  bus and make every decision of a run from one seed, with swarm-style fault injection at the
  drivers' named sites.
* A ``Tape`` records every decision; ``Replay`` feeds one back (``replay_tape``), and
  ``load_tape`` reads one as data, never as code.
* Tapes of the pytest plugin name a test, which ``scenario_of`` loads without pytest
  (``scenario_of_test``; ``node_of`` and ``unsupported_argument`` say what a tape carries).
* ``shrink`` reduces a failing tape toward FIFO / no faults.
* ``run_campaign`` runs many seeds on a local process pool; ``explore`` adds, per distinct
  failure, shrinking, artifacts (``write_artifacts``) and a fresh-process ``selfcheck``.

See ../shared/design/exploration.md for the evidence behind each choice.
"""

from stack.explore._artifacts import Artifacts as Artifacts
from stack.explore._artifacts import failure_stem as failure_stem
from stack.explore._artifacts import mermaid_text as mermaid_text
from stack.explore._artifacts import perfetto_events as perfetto_events
from stack.explore._artifacts import steps_text as steps_text
from stack.explore._artifacts import write_artifacts as write_artifacts
from stack.explore._backends import BACKENDS as BACKENDS
from stack.explore._backends import executor_for as executor_for
from stack.explore._campaign import CampaignResult as CampaignResult
from stack.explore._campaign import FailureGroup as FailureGroup
from stack.explore._campaign import Plan as Plan
from stack.explore._campaign import RunOutcome as RunOutcome
from stack.explore._campaign import Shard as Shard
from stack.explore._campaign import default_jobs as default_jobs
from stack.explore._campaign import plan_for as plan_for
from stack.explore._campaign import run_campaign as run_campaign
from stack.explore._explore import DEFAULT_OUT as DEFAULT_OUT
from stack.explore._explore import ExploreReport as ExploreReport
from stack.explore._explore import FailureReport as FailureReport
from stack.explore._explore import explore as explore
from stack.explore._explore import report_on as report_on
from stack.explore._explore import tape_of as tape_of
from stack.explore._pytest_node import node_of as node_of
from stack.explore._pytest_node import scenario_of_test as scenario_of_test
from stack.explore._pytest_node import unsupported_argument as unsupported_argument
from stack.explore._replay import Divergence as Divergence
from stack.explore._replay import Replay as Replay
from stack.explore._replay import Replayed as Replayed
from stack.explore._replay import TapeReplay as TapeReplay
from stack.explore._replay import read_registry as read_registry
from stack.explore._replay import registry_of as registry_of
from stack.explore._replay import replay_entries as replay_entries
from stack.explore._replay import replay_tape as replay_tape
from stack.explore._replay import scenario_of as scenario_of
from stack.explore._selfcheck import SelfCheck as SelfCheck
from stack.explore._selfcheck import selfcheck as selfcheck
from stack.explore._shards import merge_campaigns as merge_campaigns
from stack.explore._shards import save_campaign as save_campaign
from stack.explore._shards import shard_file as shard_file
from stack.explore._shrink import ShrinkResult as ShrinkResult
from stack.explore._shrink import shrink as shrink
from stack.explore._strategies import PCT as PCT
from stack.explore._strategies import PORTFOLIO as PORTFOLIO
from stack.explore._strategies import STRATEGIES as STRATEGIES
from stack.explore._strategies import DelayClog as DelayClog
from stack.explore._strategies import Explorer as Explorer
from stack.explore._strategies import RandomWalk as RandomWalk
from stack.explore._strategies import Swarm as Swarm
from stack.explore._strategies import make_strategy as make_strategy
from stack.explore._tape import Decision as Decision
from stack.explore._tape import PytestNode as PytestNode
from stack.explore._tape import Tape as Tape
from stack.explore._tape import load_tape as load_tape
from stack.explore._tape import parse_tape as parse_tape
from stack.explore._tape import recorded_path as recorded_path

__all__ = [
    "BACKENDS",
    "DEFAULT_OUT",
    "PCT",
    "PORTFOLIO",
    "STRATEGIES",
    "Artifacts",
    "CampaignResult",
    "Decision",
    "DelayClog",
    "Divergence",
    "ExploreReport",
    "Explorer",
    "FailureGroup",
    "FailureReport",
    "Plan",
    "PytestNode",
    "RandomWalk",
    "Replay",
    "Replayed",
    "RunOutcome",
    "SelfCheck",
    "Shard",
    "ShrinkResult",
    "Swarm",
    "Tape",
    "TapeReplay",
    "default_jobs",
    "executor_for",
    "explore",
    "failure_stem",
    "load_tape",
    "make_strategy",
    "merge_campaigns",
    "mermaid_text",
    "node_of",
    "parse_tape",
    "perfetto_events",
    "plan_for",
    "read_registry",
    "recorded_path",
    "registry_of",
    "replay_entries",
    "replay_tape",
    "report_on",
    "run_campaign",
    "save_campaign",
    "scenario_of",
    "scenario_of_test",
    "selfcheck",
    "shard_file",
    "shrink",
    "steps_text",
    "tape_of",
    "unsupported_argument",
    "write_artifacts",
]
