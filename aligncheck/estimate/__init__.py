"""Pose estimation: the MediaPipe adapter and model-file checks.

Importing this package does not import mediapipe; :class:`PoseEstimator` does so when created.
"""

from aligncheck.estimate.landmarker import PoseEstimator
from aligncheck.estimate.model import DEFAULT_MODEL, ModelInfo, check_model

__all__ = ["DEFAULT_MODEL", "ModelInfo", "PoseEstimator", "check_model"]
