"""Shared fixtures: the real-data folder (optional) and MediaPipe estimators shared by the
session: one for landmarks only, one that also measures the back's outline (silhouette)."""

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


@pytest.fixture(scope="session")
def silhouette_estimator() -> Iterator[PoseEstimator]:
    """One IMAGE-mode estimator that also takes the back's profile from the person's mask, as
    the engine asks for when a pose's rules measure the back's curve."""
    with PoseEstimator(mode="image", silhouette=True) as estimator:
        yield estimator
