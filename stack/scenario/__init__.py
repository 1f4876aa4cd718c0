"""Scenarios: the object a script receives (``Stack``), loading scripts, running one.

A scenario file defines ``async def scenario(stack)``; ``run_scenario(path, seed=...)`` runs it
in a fresh trio run and returns a ``RunResult`` (trace, failure, the live stack for inspection).
"""

from stack.scenario._load import ScenarioFile as ScenarioFile
from stack.scenario._load import load_scenario as load_scenario
from stack.scenario._run import (
    Failure as Failure,
)
from stack.scenario._run import (
    RunResult as RunResult,
)
from stack.scenario._run import (
    run_scenario as run_scenario,
)
from stack.scenario._run import (
    run_stack as run_stack,
)
from stack.scenario._stack import DISRUPTIVE_FAULTS as DISRUPTIVE_FAULTS
from stack.scenario._stack import ExpectationFailed as ExpectationFailed
from stack.scenario._stack import Stack as Stack
from stack.scenario._summary import (
    describe_offload as describe_offload,
)
from stack.scenario._summary import (
    render_summary as render_summary,
)
from stack.scenario._summary import (
    summary_json as summary_json,
)

__all__ = [
    "DISRUPTIVE_FAULTS",
    "ExpectationFailed",
    "Failure",
    "RunResult",
    "ScenarioFile",
    "Stack",
    "describe_offload",
    "load_scenario",
    "render_summary",
    "run_scenario",
    "run_stack",
    "summary_json",
]
