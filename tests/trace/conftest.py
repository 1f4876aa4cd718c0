"""Fixtures of the exporter tests."""

from __future__ import annotations

import pytest
from zoo_artifacts import ZooFailure, zoo_failures


@pytest.fixture(scope="session")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ZooFailure]:
    """Every zoo bug's committed tape replayed and written out exactly as explore does."""
    return zoo_failures(tmp_path_factory.mktemp("zoo-artifacts"))
