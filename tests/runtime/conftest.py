"""Run an inline scenario function through the real runner (bus, NDIS library, monitors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from stack.scenario import RunResult, ScenarioFile, run_stack

InlineRunner = Callable[..., Awaitable[RunResult]]


@pytest.fixture
def run_inline() -> InlineRunner:
    async def run(fn: Callable[[Any], Awaitable[None]], **kwargs: Any) -> RunResult:
        scenario = ScenarioFile(
            path=Path(f"{fn.__name__}.py"),
            name=fn.__name__,
            fn=fn,
            sha256="0" * 64,
            description="",
        )
        return await run_stack(scenario, **kwargs)

    return run
