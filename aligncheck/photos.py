"""Still photos: measure the key joint angles, or check a pose's rules.

source -> estimator -> angles or rule engine -> table / JSON / annotated image.

A batch goes on past a photo that cannot be read (missing, empty, damaged, not an image): it
yields a :class:`PhotoError` in that photo's place and checks the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aligncheck.angles import KEY_ANGLES, key_angles
from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame, PoseFrame, Verdict
from aligncheck.draw import draw_angles, draw_skeleton
from aligncheck.draw.verdict import draw_verdict
from aligncheck.errors import SourceError
from aligncheck.estimate import PoseEstimator
from aligncheck.landmarks import Landmark
from aligncheck.recognise import RecogniseSettings, Recognition, no_pose_verdict, recognise
from aligncheck.rules import EngineSettings, RuleSet, evaluate_still
from aligncheck.sinks import ensure_output_dir, write_image
from aligncheck.sources import read_image

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PhotoError:
    """A photo of a batch that could not be read; ``message`` names it and says why."""

    path: Path
    message: str

    def to_json(self) -> dict[str, Any]:
        """The JSON entry standing in the photo's place."""
        return {"schema_version": SCHEMA_VERSION, "file": str(self.path), "error": self.message}


def _frames(paths: Sequence[Path | str]) -> Iterator[Frame | PhotoError]:
    """Each photo decoded in turn, or the reason it cannot be."""
    for index, path in enumerate(paths):
        try:
            image = read_image(path)
        except SourceError as exc:
            yield PhotoError(Path(path), str(exc))
            continue
        yield Frame(image, index, 0.0, str(path))


def _posed(
    paths: Sequence[Path | str], model: Path | str | None, silhouette: bool = False
) -> Iterator[tuple[Frame, PoseFrame] | PhotoError]:
    """Each photo with the pose found in it, or the reason it cannot be read. The model is
    loaded only when at least one of the files exists; ``silhouette``: also take the back's
    profile (when the rules measure the back's curve)."""
    with ExitStack() as stack:
        estimator = None
        if any(Path(p).expanduser().is_file() for p in paths):
            estimator = stack.enter_context(
                PoseEstimator(model, mode="image", silhouette=silhouette)
            )
        for frame in _frames(paths):
            if isinstance(frame, PhotoError):
                yield frame
            elif estimator is not None:  # always: a decoded frame means a file exists
                yield frame, estimator.estimate(frame)


@dataclass(frozen=True, eq=False)
class PhotoAngles:
    """The pose found in one photo and its key angles in 2D (image) and 3D (world).

    Angles whose landmarks are below the visibility threshold are NaN ("not visible").
    """

    path: Path
    pose: PoseFrame
    angles_2d: dict[str, float]
    angles_3d: dict[str, float]
    threshold: float

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; NaN becomes null."""

        def num(value: float) -> float | None:
            return None if not math.isfinite(value) else round(value, 2)

        return {
            "schema_version": SCHEMA_VERSION,
            "file": str(self.path),
            "image_size": list(self.pose.image_size),
            "people": self.pose.people,
            "chosen_by": self.pose.chosen_by or None,
            "visibility_threshold": self.threshold,
            "angles_deg": {
                a.name: {
                    "label": a.label,
                    "image_2d": num(self.angles_2d[a.name]),
                    "world_3d": num(self.angles_3d[a.name]),
                }
                for a in KEY_ANGLES
            },
            "landmarks": {
                lm.name.lower(): {
                    "x_px": num(float(self.pose.image_xy[lm, 0])),
                    "y_px": num(float(self.pose.image_xy[lm, 1])),
                    "world_m": [num(float(v)) for v in self.pose.world_xyz[lm]],
                    "visibility": num(float(self.pose.visibility[lm])),
                }
                for lm in Landmark
            }
            if self.pose.detected
            else {},
        }


def measure_photos(
    paths: Sequence[Path | str],
    model: Path | str | None = None,
    out_dir: Path | str | None = None,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
) -> Iterator[PhotoAngles | PhotoError]:
    """Yield the pose and key angles of each photo; write ``<name>_pose.png`` into ``out_dir``.

    The output folder is checked before the model is loaded; a photo that cannot be read is
    yielded as a :class:`PhotoError` and the batch goes on.
    """
    folder = ensure_output_dir(out_dir) if out_dir is not None else None
    for item in _posed(paths, model):
        if isinstance(item, PhotoError):
            yield item
            continue
        frame, pose = item
        visible = pose.masked(threshold)
        result = PhotoAngles(
            Path(frame.source),
            pose,
            key_angles(visible.image_xy),
            key_angles(visible.world_xyz),
            threshold,
        )
        if folder is not None:
            annotated = draw_angles(
                draw_skeleton(frame.image, pose, threshold=threshold), pose, result.angles_2d
            )
            write_image(folder / f"{result.path.stem}_pose.png", annotated)
        yield result


@dataclass(frozen=True, eq=False)
class PhotoCheck:
    """The verdict of a pose's rules on one photo."""

    path: Path
    pose: PoseFrame
    verdict: Verdict
    #: With ``--pose auto``: which pose was recognised (None when the pose was given).
    recognition: Recognition | None = None


def judge_still(
    rules: RuleSet | Sequence[RuleSet], pose: PoseFrame, settings: EngineSettings
) -> tuple[Verdict, Recognition | None]:
    """The verdict of ``rules`` on one photo; given several rule sets (``--pose auto``), of
    the pose recognised among them, or a "no known pose" verdict."""
    if isinstance(rules, RuleSet):
        return evaluate_still(rules, pose, settings), None
    found = recognise(
        rules, pose, RecogniseSettings(visibility_threshold=settings.visibility_threshold)
    )
    if not found.pose_id:
        return no_pose_verdict(pose, found), found
    chosen = next(r for r in rules if r.pose.id == found.pose_id)
    return evaluate_still(chosen, pose, settings), found


def check_photos(
    paths: Sequence[Path | str],
    rules: RuleSet | Sequence[RuleSet],
    model: Path | str | None = None,
    out_dir: Path | str | None = None,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
) -> Iterator[PhotoCheck | PhotoError]:
    """Yield the verdict of ``rules`` on each photo; write ``<name>_check.png`` into ``out_dir``.

    Given several rule sets (``--pose auto``), each photo is judged by the pose recognised
    among them (:func:`judge_still`).

    A photo that cannot be read is yielded as a :class:`PhotoError` and the batch goes on.
    """
    folder = ensure_output_dir(out_dir) if out_dir is not None else None
    settings = EngineSettings(visibility_threshold=threshold)
    library = [rules] if isinstance(rules, RuleSet) else list(rules)
    silhouette = any(r.needs_silhouette for r in library)
    for item in _posed(paths, model, silhouette):
        if isinstance(item, PhotoError):
            yield item
            continue
        frame, pose = item
        verdict, found = judge_still(rules, pose, settings)
        if folder is not None:
            annotated = draw_verdict(frame.image, pose, verdict, threshold=threshold)
            write_image(folder / f"{Path(frame.source).stem}_check.png", annotated)
        yield PhotoCheck(Path(frame.source), pose, verdict, found)
