"""Does the back's outline tell a long spine from a rounded one, whatever the head does?

    python benchmarks/back_curve.py [--cases 1600] [--save FILE.json] [--load FILE.json]

Each case is drawn at random from its own seed (case number ``i``): the fold family of
:func:`aligncheck.synth.spine.spine_fold` with F degrees of spine flexion added to
``janu_right_folded`` (F from 0 to 70; F <= 15 "extended", F >= 40 "rounded", in between
"moderate"), spread over lumbar, thoracic and upper spine in one of four ways (``SPLITS``), with
the pelvis giving back 0.55-0.85 F; the head in one of four carriages (``HEADS``: lifted to look
ahead, in line, gently released, fully released, from ``neck_flexion`` / ``head_flexion``);
done with the right or the left leg straight; seen from the folded or the straight leg's side
at 45-90 degrees of azimuth and 5-30 degrees of elevation; by a body 1.55-1.90 m tall of build
0.85-1.25.

Every render goes through the bundled model with the silhouette on (IMAGE mode, as for photos)
and through the rule file's ``back_curve`` and the former spine rule's ``ear_drop`` (added to
the rule file for this study, ``EAR_DROP``), with the side the engine detects and
``camera_view``'s near side, as the engine does; ``ear_drop`` is also measured on the render's
exact landmarks.

**Tuning and held-out halves.** Thresholds are chosen on the even cases only (best balanced
accuracy, extended against rounded) and the detection rate (rounded folds flagged) and the
false-alarm rate (extended folds flagged) are reported on the odd cases, with Wilson 95%
intervals, overall, by camera, by head carriage and by body.

``--population``: the same poses and azimuths on the people, rooms and cameras of
:mod:`aligncheck.synth.population` (skin, hair and clothing colours, furniture, windows and
light, camera height 0.3-1.8 m, sensor noise and JPEG), drawn from each case's seed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from spine_rounding import EAR_DROP  # the sibling study's text of the former spine measure

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame
from aligncheck.estimate import PoseEstimator
from aligncheck.landmarks import Landmark
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.loader import load_rules
from aligncheck.rules.measures import camera_view, evaluate
from aligncheck.rules.registry import find_pose
from aligncheck.rules.schema import RuleSet
from aligncheck.synth import BodyShape, PoseParams, Render, load_poses, mirror_params, render
from aligncheck.synth import population as pop
from aligncheck.synth.spine import spine_class, spine_fold, truth_pose

FLEXIONS = tuple(float(f) for f in range(0, 75, 5))
#: Share of the added flexion taken by lumbar, thoracic and upper spine.
SPLITS = {
    "even": (0.40, 0.35, 0.25),
    "lumbar": (0.60, 0.30, 0.10),
    "thoracic": (0.20, 0.60, 0.20),
    "upper": (0.15, 0.35, 0.50),
}
#: Head carriages: ranges of (neck_flexion, head_flexion) in degrees.
HEADS = {
    "lifted": ((-25.0, -10.0), (-25.0, -10.0)),
    "in line": ((-3.0, 5.0), (-3.0, 5.0)),
    "released": ((8.0, 20.0), (8.0, 20.0)),
    "full": ((25.0, 40.0), (25.0, 40.0)),
}
MEASURES = ("back_curve", "ear_drop")
JUDGED = ("ok", "close", "off")


def study_rules() -> RuleSet:
    """The bundled Janu Sirsasana rules with ``ear_drop`` added (unless the file has it)."""
    path = find_pose("janu_sirsasana").path
    text = path.read_text(encoding="utf-8")
    if "\n  ear_drop:\n" not in text:
        text = text.replace("\nmeasures:\n", "\nmeasures:\n" + EAR_DROP, 1)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        copy.write_text(text, encoding="utf-8")
        return load_rules(copy)


@dataclass(frozen=True)
class Case:
    """One drawn render: the pose, the camera and the body."""

    seed: int
    flexion: float
    split: str
    pelvis_share: float
    head: str
    neck: float
    nod: float
    side: str  # "right" or "left": the straight leg
    azimuth: float  # degrees, + = the folded leg's side
    elevation: float
    height: float
    build: float

    @property
    def label(self) -> str:
        return spine_class(self.flexion)

    @property
    def half(self) -> str:
        return "tune" if self.seed % 2 == 0 else "held-out"


@dataclass
class Result:
    """A case and what was measured on it (NaN where not measured)."""

    case: Case
    model: dict[str, float] = field(default_factory=dict)
    truth_ear_drop: float = math.nan
    profile: tuple[float, ...] = ()
    views: tuple[str, ...] = ()
    near_role: str = ""  # the role of the leg nearer the camera, as the engine sees it
    phase: str = ""
    status: str = ""
    reason: str = ""


def draw_case(seed: int) -> Case:
    """The case of number ``seed`` (deterministic)."""
    rng = np.random.default_rng(seed)
    head = str(rng.choice(list(HEADS)))
    (n0, n1), (h0, h1) = HEADS[head]
    return Case(
        seed=seed,
        flexion=float(rng.choice(FLEXIONS)),
        split=str(rng.choice(list(SPLITS))),
        pelvis_share=float(rng.uniform(0.55, 0.85)),
        head=head,
        neck=float(rng.uniform(n0, n1)),
        nod=float(rng.uniform(h0, h1)),
        side=str(rng.choice(["right", "left"])),
        azimuth=float(rng.choice([1.0, -1.0]) * rng.uniform(45.0, 90.0)),
        elevation=float(rng.uniform(5.0, 30.0)),
        height=float(rng.uniform(1.55, 1.90)),
        build=float(rng.uniform(0.85, 1.25)),
    )


def case_params(case: Case, base: PoseParams) -> PoseParams:
    """The pose of ``case``, for the side practised."""
    params = spine_fold(
        base, case.flexion, pelvis_share=case.pelvis_share, split=SPLITS[case.split]
    ).with_(neck_flexion=case.neck, head_flexion=case.nod)
    return mirror_params(params) if case.side == "left" else params


def render_case(case: Case, base: PoseParams, population: bool) -> tuple[Case, Render]:
    """The render of ``case``; with ``population``, the person, room and camera come from
    :func:`aligncheck.synth.population.sample_scene` of the case's seed (its azimuth kept), and
    the case returned records that person's height and build and the camera's elevation."""
    view = -case.azimuth if case.side == "left" else case.azimuth
    params = case_params(case, base)
    if not population:
        body = BodyShape(height=case.height, build=case.build)
        return case, render(params, view=view, elevation=case.elevation, body=body)
    scene = pop.sample_scene(case.seed, view)
    shot = pop.render_scene(params, scene)
    hips = (shot.world_xyz[Landmark.LEFT_HIP] + shot.world_xyz[Landmark.RIGHT_HIP]) / 2
    eye = np.asarray(shot.camera.position, dtype=float) - hips
    elevation = math.degrees(math.atan2(eye[2], math.hypot(eye[0], eye[1])))
    body = scene.person.body
    return replace(case, height=body.height, build=body.build, elevation=elevation), shot


def measure_case(
    case: Case, rules: RuleSet, estimator: PoseEstimator, base: PoseParams, population: bool
) -> Result:
    """Render ``case`` and measure it."""
    mirrored = case.side == "left"
    case, shot = render_case(case, base, population)
    result = Result(case)
    true_near = "LEFT" if (case.azimuth > 0) != mirrored else "RIGHT"
    ear = rules.measures["ear_drop"]
    threshold = DEFAULT_VISIBILITY_THRESHOLD
    result.truth_ear_drop = evaluate(ear, truth_pose(shot), mirrored, threshold, true_near).value
    pose = estimator.estimate(Frame(shot.image, 0, 0.0))
    if not pose.detected:
        result.model = {m: math.nan for m in MEASURES}
        result.reason = "nobody found"
        return result
    if pose.back_profile is not None:
        result.profile = tuple(float(v) for v in pose.back_profile)
    verdict = evaluate_still(rules, pose)
    seen_mirrored = verdict.mirrored if verdict.side else mirrored
    view_found = camera_view(pose, threshold)
    for name in MEASURES:
        value = evaluate(rules.measures[name], pose, seen_mirrored, threshold, view_found.near)
        result.model[name] = value.value
        if name == "back_curve" and not value.visible:
            result.reason = value.reason()
    result.views = tuple(sorted(view_found.matches))
    result.near_role = "folded" if (view_found.near == "LEFT") != seen_mirrored else "straight"
    result.phase = verdict.phase
    rule = next((r for r in verdict.results if r.rule_id == "spine_long_in_fold"), None)
    result.status = rule.status.value if rule is not None else ""
    return result


def run(count: int, population: bool) -> Iterator[Result]:
    rules = study_rules()
    base = load_poses().pose("janu_right_folded")
    started = time.monotonic()
    with PoseEstimator(mode="image", silhouette=True) as estimator:
        for seed in range(count):
            yield measure_case(draw_case(seed), rules, estimator, base, population)
            if (seed + 1) % 100 == 0:
                rate = (seed + 1) / (time.monotonic() - started)
                print(f"  {seed + 1}/{count} renders, {rate:.1f}/s", file=sys.stderr)


# --- statistics ---------------------------------------------------------------------------------


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (low, high); (nan, nan) when n is 0."""
    if n == 0:
        return math.nan, math.nan
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def best_threshold(rounded: list[float], extended: list[float]) -> tuple[float, float]:
    """The cut with the best balanced accuracy for "rounded when above"; (cut, accuracy)."""
    pos, neg = np.array(rounded), np.array(extended)
    if not len(pos) or not len(neg):
        return math.nan, math.nan
    values = np.unique(np.concatenate([pos, neg]))
    cuts = (values[1:] + values[:-1]) / 2 if len(values) > 1 else values
    scores = [((pos > c).mean() + (neg <= c).mean()) / 2 for c in cuts]
    best = int(np.argmax(scores))
    return float(cuts[best]), float(scores[best])


def auc(rounded: list[float], extended: list[float]) -> float:
    """P(a rounded fold reads higher than an extended one), ties half."""
    if not rounded or not extended:
        return math.nan
    r, e = np.array(rounded)[:, None], np.array(extended)[None, :]
    return float(((r > e).sum() + 0.5 * (r == e).sum()) / (r.size * e.size))


def _values(results: Iterable[Result], measure: str, label: str) -> list[float]:
    out = []
    for r in results:
        if r.case.label == label:
            value = r.truth_ear_drop if measure == "ear_drop (truth)" else r.model[measure]
            if math.isfinite(value):
                out.append(value)
    return out


def _rate(values: list[float], cut: float) -> str:
    if not values:
        return f"{'-':>21}"
    hits = sum(v > cut for v in values)
    low, high = wilson(hits, len(values))
    return f"{hits / len(values):>5.0%} [{low:>3.0%}-{high:>4.0%}] n={len(values):<3}"


# --- tables -------------------------------------------------------------------------------------


def _bands() -> list[tuple[str, Callable[[Result], bool]]]:
    def az(low: float, high: float, sign: float) -> Callable[[Result], bool]:
        return lambda r: low <= sign * r.case.azimuth <= high

    return [
        ("side, folded leg's side (75-90)", az(75, 90, 1)),
        ("side, straight leg's side (75-90)", az(75, 90, -1)),
        ("diagonal 60-75, folded side", az(60, 75, 1)),
        ("diagonal 60-75, straight side", az(60, 75, -1)),
        ("diagonal 45-60, folded side", az(45, 60, 1)),
        ("diagonal 45-60, straight side", az(45, 60, -1)),
        ("model's view: side", lambda r: "side" in r.views),
        ("model's view: diagonal only", lambda r: "diagonal" in r.views and "side" not in r.views),
        (
            "model's view: diagonal/folded only",
            lambda r: "diagonal" in r.views and "side" not in r.views and r.near_role == "folded",
        ),
        ("elevation 5-15", lambda r: r.case.elevation < 15),
        ("elevation 15-22", lambda r: 15 <= r.case.elevation < 22),
        ("elevation 22-30", lambda r: r.case.elevation >= 22),
        *[(f"head {h}", lambda r, h=h: r.case.head == h) for h in HEADS],
        *[(f"rounding {s}", lambda r, s=s: r.case.split == s) for s in SPLITS],
        ("right leg straight", lambda r: r.case.side == "right"),
        ("left leg straight", lambda r: r.case.side == "left"),
        ("body under 1.70 m", lambda r: r.case.height < 1.70),
        ("body 1.70 m and over", lambda r: r.case.height >= 1.70),
        ("build under 1.05", lambda r: r.case.build < 1.05),
        ("build 1.05 and over", lambda r: r.case.build >= 1.05),
    ]


def table_medians(results: list[Result]) -> None:
    print("\nMedian by added spine flexion F and head carriage (model; all cameras)")
    for measure in (*MEASURES, "ear_drop (truth)"):
        print(f"  {measure}")
        print(f"  {'head':<10}" + "".join(f"{f'F{f:g}':>7}" for f in FLEXIONS[::2]))
        for head in HEADS:
            cells = []
            for f in FLEXIONS[::2]:
                group = [r for r in results if r.case.head == head and abs(r.case.flexion - f) < 3]
                values = [
                    r.truth_ear_drop if measure == "ear_drop (truth)" else r.model[measure]
                    for r in group
                ]
                finite = [v for v in values if math.isfinite(v)]
                cells.append(f"{np.median(finite):>7.3f}" if finite else f"{'-':>7}")
            print(f"  {head:<10}" + "".join(cells))


def table_split(results: list[Result], keep: Callable[[Result], bool], title: str) -> None:
    tune = [r for r in results if r.case.half == "tune" and keep(r)]
    held = [r for r in results if r.case.half == "held-out" and keep(r)]
    print(f"\n{title}: {len(tune)} tuning renders, {len(held)} held-out")
    print(
        f"{'measure':<18}{'cut (tuned)':>12}{'bal.acc tune':>13}{'AUC held':>10}"
        f"{'rounded flagged (held-out)':>31}{'extended flagged (held-out)':>31}"
    )
    cuts = {}
    for measure in (*MEASURES, "ear_drop (truth)"):
        cut, acc = best_threshold(
            _values(tune, measure, "rounded"), _values(tune, measure, "extended")
        )
        cuts[measure] = cut
        r, e = _values(held, measure, "rounded"), _values(held, measure, "extended")
        print(
            f"{measure:<18}{cut:>12.3f}{acc:>13.1%}{auc(r, e):>10.3f}"
            f"{_rate(r, cut):>31}{_rate(e, cut):>31}"
        )
    print("\n  Held-out, by group, with the cuts above (rounded flagged / extended flagged)")
    for name, where in _bands():
        group = [r for r in held if where(r)]
        cells = []
        for measure in MEASURES:
            r = _values(group, measure, "rounded")
            e = _values(group, measure, "extended")
            cells.append(f"{_rate(r, cuts[measure])} / {_rate(e, cuts[measure])}")
        shown = (f"{measure}: {c}" for measure, c in zip(MEASURES, cells, strict=True))
        print(f"  {name:<36}" + "   ".join(shown))


def table_missing(results: list[Result]) -> None:
    print("\nback_curve not measured (model), by camera band:")
    for name, where in _bands()[:9]:
        group = [r for r in results if where(r)]
        if not group:
            continue
        missing = [r for r in group if not math.isfinite(r.model.get("back_curve", math.nan))]
        reasons: dict[str, int] = {}
        for r in missing:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        top = ", ".join(f"{n} {k}" for k, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:3])
        print(f"  {name:<36}{len(missing) / len(group):>5.0%} of {len(group):<4} {top}")


def table_engine(results: list[Result]) -> None:
    """What the engine says with the rule file's limits and views (``evaluate_still``)."""
    print("\nThe engine (rule file's limits and views), spine_long_in_fold on each still:")
    print("flagged (close/off) among the renders it judged; judged = phase 'fold', view accepted,")
    print("back measured")
    print(f"  {'half':<10}{'group':<36}{'rounded flagged':>22}{'long flagged':>22}{'judged':>8}")
    for half in ("tune", "held-out"):
        for name, where in [("all cameras", lambda r: True), *_bands()[:6], *_bands()[12:16]]:
            group = [r for r in results if r.case.half == half and where(r)]
            cells = []
            for label in ("rounded", "extended"):
                judged = [r for r in group if r.case.label == label and r.status in JUDGED]
                hits = sum(r.status in ("close", "off") for r in judged)
                low, high = wilson(hits, len(judged))
                cells.append(
                    f"{hits / len(judged):>4.0%} [{low:>3.0%}-{high:>4.0%}] n={len(judged):<3}"
                    if judged
                    else "-"
                )
            share = sum(r.status in JUDGED for r in group) / len(group) if group else math.nan
            print(f"  {half:<10}{name:<36}{cells[0]:>22}{cells[1]:>22}{share:>8.0%}")


def report(results: list[Result]) -> None:
    print(f"{len(results)} renders")
    table_medians(results)
    table_missing(results)
    side = _bands()[0][1], _bands()[1][1]
    table_split(results, lambda r: side[0](r) or side[1](r), "Side views (azimuth 75-90)")
    table_split(results, lambda r: "side" in r.views, "Views the model's pose calls side")
    table_split(
        results,
        lambda r: "side" in r.views or ("diagonal" in r.views and r.near_role == "folded"),
        "Views the model's pose calls side, or diagonal from the folded leg's side",
    )
    table_split(results, lambda r: True, "All cameras (45-90 degrees)")
    table_engine(results)


def _result(row: dict) -> Result:
    case = Case(**row.pop("case"))
    return Result(case, **{k: tuple(v) if k in ("views", "profile") else v for k, v in row.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1600)
    parser.add_argument("--save", type=Path, help="write the measured cases as JSON")
    parser.add_argument("--load", type=Path, help="report on cases saved earlier")
    parser.add_argument(
        "--population",
        action="store_true",
        help="people, rooms and cameras from aligncheck.synth.population (elevation, height "
        "and build then come from the scene)",
    )
    args = parser.parse_args()
    if args.load:
        rows = json.loads(args.load.read_text(encoding="utf-8"))
        results = [_result(row) for row in rows]
    else:
        results = list(run(args.cases, args.population))
    if args.save:
        rows = [asdict(r) for r in results]
        text = json.dumps(rows, allow_nan=True)
        args.save.write_text(text, encoding="utf-8")
    report(results)


if __name__ == "__main__":
    main()
