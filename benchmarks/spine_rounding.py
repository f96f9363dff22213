"""Spine rounding in Janu Sirsasana: how well do spine measures tell a rounded fold from an
extended one, on renders with a known spine shape?

    python benchmarks/spine_rounding.py [--quick]

The folds come from :func:`aligncheck.synth.spine.spine_fold`: ``janu_right_folded`` with F
degrees of spine flexion added (0-70; F <= 15 "extended", F >= 40 "rounded"), the pelvis
tipped back by 0.7 F so the trunk still reaches forward, the hands refitted to the foot. Each
fold is rendered on both sides, from cameras at azimuths 45, 60, 80 (folded leg's side) and
-60, -80 (straight leg's side), 8 and 15 degrees high, for bodies 1.60, 1.75 and 1.90 m tall.
The model runs with the silhouette on, so the rule's ``back_curve`` (the back's outline) is
measured next to the former rule's ``ear_drop`` (the ear below the hips-shoulders line); the
truth has no silhouette, so ``back_curve`` has no truth column. Every measure is evaluated
with ``aligncheck.rules.measures.evaluate`` on the render's exact landmarks ("truth", with the
camera's real side and near side) and on the bundled model's
("model", with the side the engine detects and ``camera_view``'s near side, as the engine
does); calibrated measures are divided by the same person's value in ``janu_right_upright``
seen through the same fixed camera (framing both poses), as the engine does in a video. The
rule file's measures are joined by a few candidates (``CANDIDATES``), loaded
through the rule loader so that their YAML is validated. ``--quick``: one body, one camera
height, no control poses.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame, PoseFrame, Status, Verdict
from aligncheck.estimate import PoseEstimator
from aligncheck.landmarks import Landmark
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.loader import load_rules
from aligncheck.rules.measures import camera_view, evaluate
from aligncheck.rules.schema import RuleSet
from aligncheck.synth import (
    BodyShape,
    Camera,
    PoseParams,
    framing_points,
    load_poses,
    mirror_params,
    pose_body,
    render,
    view_camera,
)
from aligncheck.synth.spine import FLEXIONS, reach_for_foot, spine_class, spine_fold, truth_pose

RULES = Path(__file__).resolve().parent.parent / "rules" / "janu_sirsasana.yaml"
AZIMUTHS = (45.0, 60.0, 80.0, -60.0, -80.0)  # positive: the folded leg's side
ELEVATIONS = (8.0, 15.0)
HEIGHTS = (1.60, 1.75, 1.90)
RULE_MEASURES = ("back_curve", "upper_back", "hip_angle", "trunk")
#: The limits ear_drop had as the spine rule's measure, before back_curve replaced it.
EAR_OK_HIGH, EAR_CLOSE_HIGH = 0.07, 0.085
#: Thresholds of the calibrated torso-length rule this study led us to drop (ok >= 0.86).
TORSO_OK_LOW, TORSO_CLOSE_LOW = 0.86, 0.82

#: The former spine rule's measure (the ear below the hips-shoulders line), as rule-file text.
EAR_DROP = """\
  ear_drop:
    type: line_offset
    points: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER), NEAR_EAR, STRAIGHT_KNEE]
    reference: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]
    space: image
    views: [side, diagonal]
    label: Ear dropped below the hips-shoulders line (torso lengths)
"""

#: Candidate measures, added to the rule file's ``measures:`` for this study only.
CANDIDATES = (
    EAR_DROP
    + """\
  torso_length:
    type: distance
    points: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]
    space: image
    views: [side, diagonal]
    label: Hips-to-shoulders length, relative to your upright length
    calibrate: {phase: upright, seconds: 1.0}
  ear_drop_mid:
    type: line_offset
    points:
      - mid(LEFT_HIP, RIGHT_HIP)
      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)
      - mid(LEFT_EAR, RIGHT_EAR)
      - STRAIGHT_KNEE
    reference: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]
    space: image
    views: [side, diagonal]
    label: Ears (midpoint) dropped below the hips-shoulders line (torso lengths)
  upper_back_3d:
    type: joint_angle
    points:
      - mid(LEFT_HIP, RIGHT_HIP)
      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)
      - mid(LEFT_EAR, RIGHT_EAR)
    space: world
    views: [side, diagonal]
    label: Hips-shoulders-ears angle (3D)
  torso_length_3d:
    type: relative_distance
    points: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]
    reference: [STRAIGHT_HIP, STRAIGHT_KNEE]
    space: world
    views: [side, diagonal]
    label: Hips-to-shoulders length (3D), relative to your upright length
    calibrate: {phase: upright, seconds: 1.0}
  ear_to_hips:
    type: relative_distance
    points: [NEAR_EAR, mid(LEFT_HIP, RIGHT_HIP)]
    reference: [STRAIGHT_HIP, STRAIGHT_ANKLE]
    space: image
    views: [side, diagonal]
    label: Ear-to-hips length, relative to your upright length
    calibrate: {phase: upright, seconds: 1.0}
"""
)
MEASURES = (
    *RULE_MEASURES,
    "ear_drop",
    "torso_length",
    "ear_drop_mid",
    "upper_back_3d",
    "torso_length_3d",
    "ear_to_hips",
)


@dataclass(frozen=True)
class Shot:
    """Where a pose is seen from: side practised, camera azimuth (relative to the folded leg's
    side), camera elevation, body height."""

    side: str
    azimuth: float
    elevation: float
    height: float


@dataclass
class Sample:
    """One render of one fold: measure values on the truth and on the model, and what the
    engine made of the model's pose: phase, side, status of ``spine_long_in_fold``."""

    group: str
    flexion: float
    shot: Shot
    truth: dict[str, float] = field(default_factory=dict)
    model: dict[str, float] = field(default_factory=dict)
    phase: str = ""
    status: Status = Status.NOT_VISIBLE
    swapped: bool = False  # the model labelled the body's left and right the other way round
    side_ok: bool = True  # the engine found the side practised (physically, despite a swap)
    near_ok: tuple[bool, bool] = (True, True)  # camera_view's near side right (truth, model)
    views: frozenset[str] = frozenset()  # the views camera_view found the model's pose matches

    @property
    def label(self) -> str:
        return spine_class(self.flexion) if self.group == "family" else "control"


def load_study_rules() -> RuleSet:
    """The rule file with ``CANDIDATES`` inserted under ``measures:``, loaded and validated."""
    text = RULES.read_text(encoding="utf-8").replace("\nmeasures:\n", "\nmeasures:\n" + CANDIDATES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "janu_sirsasana.yaml"
        path.write_text(text, encoding="utf-8")
        return load_rules(path)


def _values(rules: RuleSet, pose: PoseFrame, mirrored: bool, near: str) -> dict[str, float]:
    threshold = DEFAULT_VISIBILITY_THRESHOLD
    return {m: evaluate(rules.measures[m], pose, mirrored, threshold, near).value for m in MEASURES}


def _calibrate(rules: RuleSet, values: dict[str, float], upright: dict[str, float]) -> None:
    for m in MEASURES:
        cal = rules.measures[m].calibrate
        if cal is not None:
            values[m + "_raw"] = values[m]
            values[m] = cal.apply(values[m], upright[m])


def _swapped(found: PoseFrame, truth: PoseFrame) -> bool:
    """True when the model's left hip and shoulder lie nearer the true right ones than the
    true left ones (knees are no guide: the model often guesses a hidden folded knee along the
    straight leg)."""
    left = [Landmark.LEFT_HIP, Landmark.LEFT_SHOULDER]
    right = [Landmark.RIGHT_HIP, Landmark.RIGHT_SHOULDER]
    same = np.linalg.norm(found.image_xy[left] - truth.image_xy[left], axis=1).sum()
    crossed = np.linalg.norm(found.image_xy[left] - truth.image_xy[right], axis=1).sum()
    return bool(crossed < same)


@dataclass(frozen=True)
class _Measured:
    truth: dict[str, float]
    model: dict[str, float]
    verdict: Verdict
    swapped: bool
    side_ok: bool
    near_ok: tuple[bool, bool]
    views: frozenset[str]


class Study:
    """Renders and measures.

    The truth is measured with the side and near side the camera really has; the model's pose
    as the engine would: the side the engine detects (the known side if it finds none) and
    ``camera_view``'s near side.
    """

    def __init__(self, rules: RuleSet, estimator: PoseEstimator) -> None:
        self.rules, self.estimator = rules, estimator
        self.library = load_poses()

    def camera(self, params: PoseParams, shot: Shot) -> Camera:
        """One fixed camera for ``params`` and the upright preparation, framing both (as a
        camera on a tripod sees the whole practice), so pixel lengths compare between them."""
        body = BodyShape(height=shot.height)
        upright = self.library.pose("janu_right_upright")
        if shot.side == "left":
            params, upright = mirror_params(params), mirror_params(upright)
        points = np.concatenate(
            [framing_points(pose_body(params, body)), framing_points(pose_body(upright, body))]
        )
        view = -shot.azimuth if shot.side == "left" else shot.azimuth
        return view_camera(points, view, 0.0, shot.elevation)

    def measure(self, params: PoseParams, shot: Shot, camera: Camera) -> _Measured:
        """Raw values of ``params`` (a right-side pose) seen from ``shot`` through ``camera``."""
        mirrored = shot.side == "left"
        params = mirror_params(params) if mirrored else params
        image = render(params, camera, body=BodyShape(height=shot.height))
        truth = truth_pose(image)
        found = self.estimator.estimate(Frame(image.image, 0, 0.0))
        near = "LEFT" if (shot.azimuth > 0) != mirrored else "RIGHT"
        verdict = evaluate_still(self.rules, found)
        seen_mirrored = verdict.mirrored if verdict.side else mirrored
        swapped = _swapped(found, truth) if found.detected else False
        model_near = camera_view(found, DEFAULT_VISIBILITY_THRESHOLD).near
        return _Measured(
            _values(self.rules, truth, mirrored, near),
            _values(self.rules, found, seen_mirrored, model_near),
            verdict,
            swapped,
            (seen_mirrored != swapped) == mirrored,
            (camera_view(truth).near == near, (model_near == near) != swapped),
            camera_view(found, DEFAULT_VISIBILITY_THRESHOLD).matches,
        )

    def sample(self, group: str, flexion: float, params: PoseParams, shot: Shot) -> Sample:
        """Measure ``params`` from ``shot``, calibrated against the upright pose seen by the
        same camera."""
        camera = self.camera(params, shot)
        upright = self.measure(self.library.pose("janu_right_upright"), shot, camera)
        got = self.measure(params, shot, camera)
        _calibrate(self.rules, got.truth, upright.truth)
        _calibrate(self.rules, got.model, upright.model)
        status = got.verdict.result("spine_long_in_fold").status
        return Sample(
            group,
            flexion,
            shot,
            got.truth,
            got.model,
            got.verdict.phase,
            status,
            got.swapped,
            got.side_ok,
            got.near_ok,
            got.views,
        )


def shots(quick: bool) -> list[Shot]:
    """Every camera and body of the study."""
    elevations = (8.0,) if quick else ELEVATIONS
    heights = (1.75,) if quick else HEIGHTS
    return [
        Shot(side, az, el, h)
        for side in ("right", "left")
        for az in AZIMUTHS
        for el in elevations
        for h in heights
    ]


def controls(base: PoseParams) -> dict[str, tuple[float, PoseParams]]:
    """Folds that vary what the family keeps fixed: head position, depth, where the spine bends."""

    def head(params: PoseParams, neck: float, nod: float) -> PoseParams:
        return params.with_(neck_flexion=neck, head_flexion=nod)

    f60 = spine_fold(base, 60.0)
    shallow = base.with_(
        pelvis_tilt=base.pelvis_tilt - 30,
        left_hip_flexion=base.left_hip_flexion - 30,
        right_hip_flexion=base.right_hip_flexion - 30,
    )
    return {
        "F0 head lifted (neck -10, head -10)": (0.0, head(base, -10, -10)),
        "F0 head dropped (neck 35, head 20)": (0.0, head(base, 35, 20)),
        "F60 head lifted (neck -10, head -10)": (60.0, head(f60, -10, -10)),
        "F60 head dropped (neck 35, head 20)": (60.0, head(f60, 35, 20)),
        "F0 shallow (pelvis 30 back)": (0.0, reach_for_foot(shallow, base)),
        "F50 lumbar-heavy (70/30/0)": (50.0, spine_fold(base, 50.0, split=(0.7, 0.3, 0.0))),
        "F50 upper-heavy (0/30/70)": (50.0, spine_fold(base, 50.0, split=(0.0, 0.3, 0.7))),
    }


def run(study: Study, quick: bool) -> Iterator[Sample]:
    """The family on every shot, then (unless ``quick``) the controls on the 1.75 m body."""
    base = study.library.pose("janu_right_folded")
    for flexion in FLEXIONS:
        params = spine_fold(base, flexion)
        for shot in shots(quick):
            yield study.sample("family", flexion, params, shot)
        print(f"  F={flexion:g} done", file=sys.stderr)
    if quick:
        return
    for name, (flexion, params) in controls(base).items():
        for shot in shots(quick):
            if shot.height == 1.75:
                yield study.sample(name, flexion, params, shot)


# --- statistics -------------------------------------------------------------------------------


def _finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def median(values: Iterable[float]) -> float:
    """Median of the finite values (NaN if none)."""
    finite = _finite(values)
    return statistics.median(finite) if finite else math.nan


def auc(rounded: Iterable[float], extended: Iterable[float]) -> float:
    """P(a rounded value > an extended value), ties counted half (NaN values dropped)."""
    pos, neg = np.array(_finite(rounded)), np.array(_finite(extended))
    if not len(pos) or not len(neg):
        return math.nan
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def best_threshold(
    rounded: Iterable[float], extended: Iterable[float], higher: bool
) -> tuple[float, float]:
    """The threshold with the best balanced accuracy (mean of the two classes' hit rates) for
    calling a value rounded when above it (``higher``) or below it; (threshold, accuracy)."""
    pos, neg = np.array(_finite(rounded)), np.array(_finite(extended))
    if not len(pos) or not len(neg):
        return math.nan, math.nan
    values = np.unique(np.concatenate([pos, neg]))
    cuts = np.concatenate([[values[0] - 1e-9], (values[1:] + values[:-1]) / 2, [values[-1] + 1e-9]])
    best = (math.nan, -1.0)
    for cut in cuts:
        hit = (pos > cut).mean() if higher else (pos < cut).mean()
        reject = (neg <= cut).mean() if higher else (neg >= cut).mean()
        score = (hit + reject) / 2
        if score > best[1]:
            best = (float(cut), float(score))
    return best


# --- tables -----------------------------------------------------------------------------------


def _pick(samples: list[Sample], source: str, measure: str, **where: object) -> list[float]:
    out = []
    for s in samples:
        if all(getattr(s, k, getattr(s.shot, k, None)) == v for k, v in where.items()):
            out.append((s.truth if source == "truth" else s.model).get(measure, math.nan))
    return out


def _fmt(value: float, digits: int = 3) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:.0f}" if abs(value) >= 20 else f"{value:.{digits}f}"


def _higher_when_rounded(family: list[Sample], measure: str) -> bool:
    """The direction rounding moves the measure: on the truth, or on the model where the
    truth has no value (``back_curve`` needs a silhouette)."""
    for source in ("truth", "model"):
        rounded = median(_pick(family, source, measure, label="rounded"))
        extended = median(_pick(family, source, measure, label="extended"))
        if math.isfinite(rounded) and math.isfinite(extended):
            return rounded > extended
    return True


def table_by_flexion(family: list[Sample]) -> None:
    print("\nMedian value by added spine flexion F (degrees); t = truth, m = model")
    print(f"{'measure':<20}" + "".join(f"{f'F{f:g}':>8}" for f in FLEXIONS) + f"{'seen':>7}")
    for measure in MEASURES:
        for source in ("truth", "model"):
            cells = [median(_pick(family, source, measure, flexion=f)) for f in FLEXIONS]
            seen = _finite(_pick(family, source, measure))
            name = f"{measure} {source[0]}"
            print(
                f"{name:<20}"
                + "".join(f"{_fmt(c):>8}" for c in cells)
                + f"{len(seen) / len(family):>7.0%}"
            )


def table_separation(family: list[Sample]) -> None:
    print("\nExtended (F <= 15) vs rounded (F >= 40): AUC (0.5 = chance, 1 = perfect; oriented")
    print("by the truth's direction) and the best single threshold on the model's values")
    print(
        f"{'measure':<18}{'rounded':>9}{'AUC t':>8}{'AUC m':>8}{'best thr':>10}{'bal.acc':>9}"
        f"{'worst-case gap':>16}"
    )
    for measure in MEASURES:
        higher = _higher_when_rounded(family, measure)
        sign = 1.0 if higher else -1.0
        cells = {}
        for source in ("truth", "model"):
            r = _pick(family, source, measure, label="rounded")
            e = _pick(family, source, measure, label="extended")
            cells[source] = auc([sign * v for v in r], [sign * v for v in e])
        r = _pick(family, "model", measure, label="rounded")
        e = _pick(family, "model", measure, label="extended")
        cut, acc = best_threshold(r, e, higher)
        gap = (min(_finite(r)) - max(_finite(e))) if higher else (min(_finite(e)) - max(_finite(r)))
        print(
            f"{measure:<18}{'higher' if higher else 'lower':>9}{cells['truth']:>8.3f}"
            f"{cells['model']:>8.3f}{_fmt(cut):>10}{acc:>9.1%}{_fmt(gap):>16}"
        )


def table_by_camera(family: list[Sample], quick: bool) -> None:
    print("\nModel AUC by camera and body (extended vs rounded)")
    columns: list[tuple[str, dict[str, object]]] = [(f"az{a:g}", {"azimuth": a}) for a in AZIMUTHS]
    columns += [(f"el{e:g}", {"elevation": e}) for e in ((8.0,) if quick else ELEVATIONS)]
    columns += [(f"h{h:g}", {"height": h}) for h in ((1.75,) if quick else HEIGHTS)]
    columns += [("right", {"side": "right"}), ("left", {"side": "left"})]
    print(f"{'measure':<18}" + "".join(f"{c:>7}" for c, _ in columns))
    for measure in MEASURES:
        sign = 1.0 if _higher_when_rounded(family, measure) else -1.0
        cells = []
        for _, where in columns:
            r = _pick(family, "model", measure, label="rounded", **where)
            e = _pick(family, "model", measure, label="extended", **where)
            cells.append(auc([sign * v for v in r], [sign * v for v in e]))
        print(f"{measure:<18}" + "".join(f"{c:>7.2f}" for c in cells))


def _rate(values: list[float], flagged: Callable[[float], bool]) -> str:
    finite = _finite(values)
    if not finite:
        return "-"
    return f"{sum(flagged(v) for v in finite) / len(finite):.0%}"


def table_thresholds(family: list[Sample], rules: RuleSet) -> None:
    rule = {r.id: r for r in rules.rules}["spine_long_in_fold"]
    flags = {
        "back_curve": (lambda v: v > rule.ok.high, lambda v: v > rule.close.high),
        "ear_drop": (lambda v: v > EAR_OK_HIGH, lambda v: v > EAR_CLOSE_HIGH),
        "torso_length": (lambda v: v < TORSO_OK_LOW, lambda v: v < TORSO_CLOSE_LOW),
    }
    print("\nThresholds on the model's values, by F (share of measured renders flagged / off):")
    print(f"  back_curve: the rule's ok band ends at {rule.ok.high}, close at {rule.close.high};")
    print(f"  ear_drop: the former rule's {EAR_OK_HIGH} and {EAR_CLOSE_HIGH};")
    print(f"  torso_length ratio flagged below {TORSO_OK_LOW}, off below {TORSO_CLOSE_LOW};")
    print("  engine = evaluate_still's status of spine_long_in_fold (close/off among all renders;")
    print("  in brackets the share the engine judged at all: phase 'fold' and view accepted)")
    print(
        f"{'F':>4}{'class':>10}"
        + "".join(f"{m:>16}" for m in flags)
        + f"{'engine':>8}{'(judged)':>10}"
    )
    for f in FLEXIONS:
        cells = []
        for m, (flag, off) in flags.items():
            values = _pick(family, "model", m, flexion=f)
            cells.append(f"{_rate(values, flag)} / {_rate(values, off)}")
        group = [s for s in family if s.flexion == f]
        flagged = sum(s.status in (Status.CLOSE, Status.OFF) for s in group) / len(group)
        judged = sum(s.status.judged for s in group) / len(group)
        print(
            f"{f:>4g}{spine_class(f):>10}"
            + "".join(f"{c:>16}" for c in cells)
            + f"{flagged:>8.0%}{f'({judged:.0%})':>10}"
        )
    print("\nBy camera: rounded flagged / extended false alarms (model, thresholds above)")
    print(f"{'azimuth':>8}" + "".join(f"{m:>16}" for m in flags))
    for a in AZIMUTHS:
        cells = []
        for m, (flag, _) in flags.items():
            r = _rate(_pick(family, "model", m, label="rounded", azimuth=a), flag)
            e = _rate(_pick(family, "model", m, label="extended", azimuth=a), flag)
            cells.append(f"{r} / {e}")
        print(f"{a:>8g}" + "".join(f"{c:>16}" for c in cells))
    print("\nBy the view camera_view recognises on the model's pose (thresholds above):")
    print("share of renders, rounded flagged / extended false alarms")
    print(f"  {'view':<20}{'share':>6}" + "".join(f"{m:>16}" for m in ("back_curve", "ear_drop")))
    for name, keep in (
        ("side", lambda v: "side" in v),
        ("diagonal, not side", lambda v: "diagonal" in v and "side" not in v),
        ("neither (front)", lambda v: not v & {"side", "diagonal"}),
    ):
        group = [s for s in family if keep(s.views)]
        cells = []
        for m in ("back_curve", "ear_drop"):
            flag = flags[m][0]
            r = _rate(_pick(group, "model", m, label="rounded"), flag)
            e = _rate(_pick(group, "model", m, label="extended"), flag)
            cells.append(f"{r} / {e}")
        print(f"  {name:<20}{len(group) / len(family):>6.0%}" + "".join(f"{c:>16}" for c in cells))


def table_sides(family: list[Sample]) -> None:
    print("\nSides by camera (model): left/right labels swapped, side practised found (after any")
    print("swap), camera_view's near side right on the truth and on the model, phase 'fold'")
    print(f"{'azimuth':>8}{'swapped':>10}{'side ok':>9}{'near t':>8}{'near m':>8}{'fold':>7}")
    for a in AZIMUTHS:
        group = [s for s in family if s.shot.azimuth == a]
        n = len(group)
        print(
            f"{a:>8g}{sum(s.swapped for s in group) / n:>10.0%}"
            f"{sum(s.side_ok for s in group) / n:>9.0%}"
            f"{sum(s.near_ok[0] for s in group) / n:>8.0%}"
            f"{sum(s.near_ok[1] for s in group) / n:>8.0%}"
            f"{sum(s.phase == 'fold' for s in group) / n:>7.0%}"
        )


def table_controls(samples: list[Sample], family: list[Sample], rules: RuleSet) -> None:
    rule = {r.id: r for r in rules.rules}["spine_long_in_fold"]
    names = list(dict.fromkeys(s.group for s in samples if s.group != "family"))
    if not names:
        return
    shown = ("back_curve", "ear_drop", "ear_drop_mid", "upper_back", "torso_length", "trunk")
    print("\nControls (1.75 m body, all cameras): medians t/m; flags: model back_curve above the")
    print(f"rule's ok band ({rule.ok.high}), model ear_drop above the former {EAR_OK_HIGH}")
    print(
        f"{'pose':<38}" + "".join(f"{m:>14}" for m in shown) + f"{'back flag':>10}{'ear flag':>10}"
    )
    reference = [("family F0", [s for s in family if s.flexion == 0 and s.shot.height == 1.75])]
    reference += [("family F60", [s for s in family if s.flexion == 60 and s.shot.height == 1.75])]
    rows = reference + [(n, [s for s in samples if s.group == n]) for n in names]
    for name, group in rows:
        cells = [
            f"{_fmt(median(_pick(group, 'truth', m)))}/{_fmt(median(_pick(group, 'model', m)))}"
            for m in shown
        ]
        back = _rate(_pick(group, "model", "back_curve"), lambda v: v > rule.ok.high)
        ear = _rate(_pick(group, "model", "ear_drop"), lambda v: v > EAR_OK_HIGH)
        print(f"{name:<38}" + "".join(f"{c:>14}" for c in cells) + f"{back:>10}{ear:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one body, one camera height")
    args = parser.parse_args()
    rules = load_study_rules()
    with PoseEstimator(mode="image", silhouette=True) as estimator:
        samples = list(run(Study(rules, estimator), args.quick))
    family = [s for s in samples if s.group == "family"]
    print(
        f"{len(family)} renders of the fold family ({len(family) // len(FLEXIONS)} per F), "
        f"{len(samples) - len(family)} of control poses"
    )
    table_by_flexion(family)
    table_separation(family)
    table_by_camera(family, args.quick)
    table_thresholds(family, rules)
    table_sides(family)
    table_controls(samples, family, rules)


if __name__ == "__main__":
    main()
