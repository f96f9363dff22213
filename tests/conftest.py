"""Shared fixtures: the real-data folder (optional) and one MediaPipe estimator per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aligncheck.estimate import PoseEstimator

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL = SHARED / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/data/real``; tests using it are skipped when it is absent."""
    if not REAL.is_dir():
        pytest.skip("../shared/data/real is not beside the repository")
    return REAL


@pytest.fixture(scope="session")
def image_estimator() -> Iterator[PoseEstimator]:
    """One IMAGE-mode estimator with the bundled model, shared by the session."""
    with PoseEstimator(mode="image") as estimator:
        yield estimator
