"""Natural variation of a pose, graded faults and head positions, keeping the body on the floor.

* :func:`vary_pose`: every joint moves a little at random (joints under test less), the way no
  two practitioners hold a pose alike.
* :func:`fault_strength`: a pose part of the way from the correct pose to a fault; :data:`MILD`
  (or :func:`mild_strength` for a named fault) and :data:`CLEAR` are the two strengths used
  for evaluation.
* :func:`head_variant`: the head anywhere the alignment text allows in a phase.
* :func:`settle`: after any of these, or for another body, limbs that rested on the floor rest
  on it again and nothing sinks into it (see its docstring).

All angles are in degrees, with the conventions of :mod:`aligncheck.synth.params`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np

from aligncheck.synth.body import BodyShape, Skeleton, pose_body
from aligncheck.synth.params import PARAM_NAMES, PoseParams

#: Strength of a clear fault: the fault pose itself.
CLEAR = 1.0
#: Strength of a mild fault: 70 % of the way from the correct pose to the fault, where that is
#: still clearly a fault by the alignment text (checked for each Janu Sirsasana fault in
#: tests/test_population.py). At 0.7, with the right leg straight: the straight knee is bent to
#: 152 degrees ("legs stretched out straight"); the thighs are 77 degrees apart ("greater than
#: ninety degrees"); the folded knee floats 7 cm higher than resting ("resting on the floor");
#: the fold adds 40 degrees (39.9) of spine flexion with the pelvis tipped back ("extend the
#: spine without rounding your lower back"; :mod:`aligncheck.synth.spine` calls 40 "rounded");
#: the upright trunk leans 15 degrees behind vertical, 11 more than the correct pose ("on top
#: of the center of the sit bone"); the slumped spine keeps 36 degrees of flexion; the
#: preparation's elbows are at 134 degrees ("straighten the arms"); the head is lifted 26
#: degrees above the line of the neck ("release the head and neck"). Three faults need more
#: (:data:`MILD_BY_FAULT`).
MILD = 0.7
#: Mild strengths for faults that are not yet clearly faults at :data:`MILD`, by the fault
#: pose's name without its ``janu_right_`` / ``janu_left_`` prefix. At 0.7 the folded heel is
#: still 0.47 thigh lengths from the straight knee (the text allows the foot "in the middle of
#: the thigh", only not "pressing on to the knee"): 0.9 brings it to 0.31. Hands "on the shin"
#: are 0.39 thigh lengths from the ankle at 0.7, which is nearly holding the ankle: 0.85 gives
#: 0.50. "Locked" elbows are 7 degrees from straight at 0.7, hardly less bent than "slightly
#: bend your elbows": 0.85 gives 3 degrees.
MILD_BY_FAULT: Mapping[str, float] = MappingProxyType(
    {"heel_on_knee": 0.9, "folded_hands_on_shin": 0.85, "folded_elbows_locked": 0.85}
)


def mild_strength(fault: str) -> float:
    """The mild strength for the fault pose named ``fault`` (e.g.
    ``"janu_left_heel_on_knee"``): its entry in :data:`MILD_BY_FAULT`, else :data:`MILD`."""
    for side in ("janu_right_", "janu_left_"):
        if fault.startswith(side):
            return MILD_BY_FAULT.get(fault[len(side) :], MILD)
    return MILD_BY_FAULT.get(fault, MILD)


#: Fields that never vary: the body's place and heading (the caller chooses the view).
FIXED = frozenset({"root_x", "root_y", "root_yaw", "elevation"})
#: Hinge joints: their flexion cannot go below 0 (straight), so variation reflects at 0.
HINGES = frozenset(n for n in PARAM_NAMES if n.endswith(("knee_flexion", "elbow_flexion")))
#: Share of the amplitude per field (1 where not listed). The three spine segments share one
#: bend between them, and a seated pelvis hardly lists sideways.
WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        **{
            f"{segment}_{motion}": 0.5
            for segment in ("lumbar", "thoracic", "upper")
            for motion in ("flexion", "lateral", "twist")
        },
        "pelvis_list": 0.25,
    }
)
#: Phases of :func:`head_variant`: in the fold the head may hang; elsewhere it stays neutral.
FOLD_PHASES = frozenset({"fold"})
UPRIGHT_PHASES = frozenset({"upright", "twist", "folded_in", "seated"})

_CONTACT = 0.04  # metres: a part this close to the lowest part rests on the floor
_LIMB_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{
            f"{side}_leg": tuple(
                f"{side}_{joint}"
                for joint in ("hip_flexion", "hip_abduction", "hip_rotation", "ankle_dorsiflexion")
            )
            for side in ("left", "right")
        },
        "left_arm": ("left_shoulder_flexion", "left_shoulder_abduction", "left_elbow_flexion"),
        "right_arm": (
            "right_shoulder_flexion",
            "right_shoulder_abduction",
            "right_elbow_flexion",
        ),
        "head": ("neck_flexion", "head_flexion"),
    }
)
_MAX_CORRECTION = 30.0  # degrees a settling field may move


def _check_names(names: Iterable[str]) -> frozenset[str]:
    out = frozenset(names)
    for name in out:
        if name not in PARAM_NAMES:
            close = difflib.get_close_matches(name, PARAM_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown pose field {name!r}{hint}")
    return out


def vary_pose(
    params: PoseParams,
    rng: np.random.Generator,
    amplitude: float = 8.0,
    protect: Iterable[str] = (),
    protect_amplitude: float = 2.0,
) -> PoseParams:
    """``params`` with every angle moved at random, then settled on the floor.

    Each field moves by ``u * weight * amplitude`` degrees, ``u`` drawn from a smooth bump on
    (-1, 1) (a Beta(2, 2) stretched to it: most moves are small, none exceeds the amplitude),
    ``weight`` from :data:`WEIGHTS`; fields in ``protect`` (the joints under test) use
    ``protect_amplitude`` instead. :data:`FIXED` fields do not move, and hinge joints reflect at
    straight. A change of pelvis tilt is added to both hip flexions, so the thighs stay where
    they were on the floor (tilting the pelvis over still thighs), and :func:`settle` then puts
    back on the floor any limb the moves lifted off it or pushed into it.

    One value is drawn per field of :class:`PoseParams` whatever the pose, so generators seeded
    alike give a correct pose and its fault the same moves.
    """
    guarded = _check_names(protect)
    draws = 2.0 * rng.beta(2.0, 2.0, size=len(PARAM_NAMES)) - 1.0
    values = params.as_dict()
    for name, u in zip(PARAM_NAMES, draws, strict=True):
        if name in FIXED:
            continue
        size = protect_amplitude if name in guarded else amplitude
        values[name] += float(u) * WEIGHTS.get(name, 1.0) * size
    tilt = values["pelvis_tilt"] - params.pelvis_tilt
    for side in ("left", "right"):
        values[f"{side}_hip_flexion"] += tilt
    for name in HINGES:
        values[name] = abs(values[name])
    return settle(PoseParams(**values), reference=params, keep=guarded)


def fault_strength(correct: PoseParams, fault: PoseParams, strength: float) -> PoseParams:
    """The pose ``strength`` of the way from ``correct`` (0) to ``fault`` (1), field by field
    (linear; see :data:`MILD`, :func:`mild_strength` and :data:`CLEAR`)."""
    if not 0.0 <= strength <= 1.5:
        raise ValueError(f"strength must be between 0 and 1.5, got {strength}")
    a, b = correct.as_dict(), fault.as_dict()
    return PoseParams(**{n: a[n] + (b[n] - a[n]) * strength for n in PARAM_NAMES})


def head_variant(params: PoseParams, phase: str, rng: np.random.Generator) -> PoseParams:
    """``params`` with the head somewhere the alignment text allows in ``phase``.

    In the fold ("gently release the head and neck towards your knee or shinbone") anywhere
    from in line with the spine (neck and head flexion 0) to fully released (neck 32, head
    24 degrees), turned and tilted by up to 4 degrees. In the upright phases
    (:data:`UPRIGHT_PHASES`) the pose's own neutral head, nodded by up to 5 degrees either way
    and turned by up to 4.
    The result is settled (:func:`settle`), so a hanging head never sinks into the floor.
    """
    u = rng.uniform(-1.0, 1.0, size=4)
    if phase in FOLD_PHASES:
        release = float(rng.uniform(0.0, 1.0))
        head = params.with_(
            neck_flexion=32.0 * release,
            head_flexion=24.0 * release,
            neck_turn=4.0 * u[0],
            neck_lateral=4.0 * u[1],
        )
    elif phase in UPRIGHT_PHASES:
        head = params.with_(
            neck_flexion=params.neck_flexion + 5.0 * u[0],
            head_flexion=params.head_flexion + 5.0 * u[1],
            neck_turn=params.neck_turn + 4.0 * u[2],
        )
    else:
        known = sorted(FOLD_PHASES | UPRIGHT_PHASES)
        raise ValueError(f"unknown phase {phase!r}; choose from {', '.join(known)}")
    return settle(head, reference=params)


# --- floor contact ---------------------------------------------------------------------------


def part_lows(skeleton: Skeleton) -> dict[str, float]:
    """Lowest surface z (m) of the pelvis, each leg, each arm and the head of a posed body,
    from the same spheres and ellipsoids that place the body on the floor."""
    b, j = skeleton.body, skeleton.joints
    r = b.radius
    pelvis_r = skeleton.frames["pelvis"]
    centre = j["pelvis"] + pelvis_r @ b.pelvis_offset
    lows = {
        "pelvis": float(centre[2] - np.sqrt(np.sum((pelvis_r[2] * b.ellipsoid("pelvis")) ** 2)))
    }
    leg = {
        "hip": r("thigh"),
        "knee": r("knee"),
        "ankle": r("ankle"),
        "heel": r("foot"),
        "foot_index": r("toe"),
    }
    arm = {
        "shoulder": r("upper_arm"),
        "elbow": r("elbow"),
        "wrist": r("wrist"),
        "fingertips": r("wrist") * 0.6,
    }
    for side in ("left", "right"):
        lows[f"{side}_leg"] = min(float(j[f"{side}_{n}"][2]) - rad for n, rad in leg.items())
        lows[f"{side}_arm"] = min(float(j[f"{side}_{n}"][2]) - rad for n, rad in arm.items())
    lows["head"] = float(j["head"][2] - b.ellipsoid("head")[2])
    return lows


def _relative(params: PoseParams, body: BodyShape) -> dict[str, float]:
    """Part lows measured from the pelvis's lowest point (independent of the body's lift)."""
    lows = part_lows(pose_body(params, body))
    return {part: low - lows["pelvis"] for part, low in lows.items()}


def _solve(
    params: PoseParams, body: BodyShape, part: str, target: float, fields: tuple[str, ...]
) -> PoseParams:
    """Move one of ``fields`` until the low point of ``part`` is at ``target`` (pelvis-relative
    metres): for each field secant steps within ±30 degrees; the field that gets there (within
    a millimetre) with the smallest change wins, else the one that comes closest."""

    def miss(field: str, value: float) -> float:
        return _relative(params.with_(**{field: value}), body)[part] - target

    here = miss(fields[0], getattr(params, fields[0]))
    options = []
    for field in fields:
        start = getattr(params, field)
        x0, g0, x1 = start, here, start + 1.0
        g1 = miss(field, x1)
        best = min((abs(g0), x0), (abs(g1), x1))
        for _ in range(10):
            if best[0] < 5e-4 or abs(g1 - g0) < 1e-9:
                break
            x2 = x1 - g1 * (x1 - x0) / (g1 - g0)
            x2 = float(np.clip(x2, start - _MAX_CORRECTION, start + _MAX_CORRECTION))
            x0, g0, x1, g1 = x1, g1, x2, miss(field, x2)
            best = min(best, (abs(g1), x1))
        options.append(
            (best[0] >= 1e-3, abs(best[1] - start) if best[0] < 1e-3 else best[0], field, best[1])
        )
    _, _, field, value = min(options)
    return params.with_(**{field: value})


def settle(
    params: PoseParams,
    body: BodyShape | None = None,
    reference: PoseParams | None = None,
    reference_body: BodyShape | None = None,
    keep: Iterable[str] = (),
) -> PoseParams:
    """``params`` with the limbs put back where ``reference`` had them against the floor.

    Heights are measured from the pelvis's lowest point. A leg, arm or the head that rested on
    the floor in ``reference`` posed on ``reference_body`` (within 4 cm of the lowest part)
    is brought back to the same height; any other part that would sink below that floor is
    raised to it. Each part is moved by one field, not in ``keep``: the one that gets it there
    with the smallest change (or, if none can within 30 degrees, the one that comes closest,
    and then another, at most three times), from hip
    flexion, abduction, rotation or ankle dorsiflexion for a leg; shoulder flexion, abduction
    or elbow flexion for an arm; neck or head flexion for the head (a part whose fields are
    all kept stays as it is).
    Without ``reference`` the pose is its own reference (use it with another ``body``);
    bodies default to the reference body :class:`BodyShape`.
    """
    body = body or BodyShape()
    reference = reference or params
    kept = _check_names(keep)
    wanted = _relative(reference, reference_body or BodyShape())
    floor = min(wanted.values())
    now = _relative(params, body)
    for part, candidates in _LIMB_FIELDS.items():
        fields = tuple(f for f in candidates if f not in kept)
        if wanted[part] < floor + _CONTACT:
            target = wanted[part]
        elif now[part] < floor:
            target = floor
        else:
            continue
        for _ in range(3):  # one field may not get there alone: then another goes on
            if not fields or abs(_relative(params, body)[part] - target) <= 1e-3:
                break
            params = _solve(params, body, part, target, fields)
    return params
