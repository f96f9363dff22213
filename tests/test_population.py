"""Tests of the synthetic population: sampling, pose variation, graded faults, rendering."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from aligncheck.core import Frame
from aligncheck.geometry import joint_angle
from aligncheck.landmarks import MIRROR_INDEX
from aligncheck.landmarks import Landmark as L
from aligncheck.synth import BodyShape, PoseParams, load_poses, pose_body, render, view_direction
from aligncheck.synth.body import PROPORTION_NAMES
from aligncheck.synth.population import (
    BUILD_RANGE,
    CAMERA_HEIGHT_RANGE,
    CLEAR,
    DISTANCE_RANGE,
    FOV_RANGE,
    HEIGHT_RANGE,
    MILD,
    NOISE_RANGE,
    PROPORTION_SPREAD,
    SIZES,
    Room,
    fault_strength,
    head_variant,
    mild_strength,
    render_scene,
    sample_person,
    sample_room,
    sample_scene,
    sample_shot,
    vary_pose,
)
from aligncheck.synth.render import framing_points, true_angles
from aligncheck.synth.room import Furniture
from aligncheck.synth.scenery import draw_room
from aligncheck.synth.shapes import HAIR_STYLES, PATTERNS, Palette
from aligncheck.synth.variation import FIXED, WEIGHTS, part_lows, settle


@pytest.fixture(scope="module")
def library():
    return load_poses()


def _top_of_head(body: BodyShape) -> float:
    return float(framing_points(pose_body(PoseParams(), body))[:, 2].max())


# --- bodies ---------------------------------------------------------------------------------


def test_default_body_has_no_proportions_and_reference_lengths():
    body = BodyShape()
    assert body == BodyShape(proportions={}) == BodyShape(proportions={"thigh": 1.0})
    assert not body.proportions
    assert body.length("thigh") == 0.43 and body.factor("thigh") == 1.0


def test_proportions_change_the_landmarks_but_not_the_height():
    long_thighs = BodyShape(1.8, proportions={"thigh": 1.08, "shank": 0.92})
    short_thighs = BodyShape(1.8, proportions={"thigh": 0.92, "shank": 1.08})
    wide = BodyShape(1.8, proportions={"shoulder_half_width": 1.08})

    def lengths(body: BodyShape) -> tuple[float, float, float]:
        p = pose_body(PoseParams(), body).landmarks
        return (
            float(np.linalg.norm(p[L.LEFT_HIP] - p[L.LEFT_KNEE])),
            float(np.linalg.norm(p[L.LEFT_KNEE] - p[L.LEFT_ANKLE])),
            float(np.linalg.norm(p[L.LEFT_SHOULDER] - p[L.RIGHT_SHOULDER])),
        )

    plain = lengths(BodyShape(1.8))
    a, b, c = lengths(long_thighs), lengths(short_thighs), lengths(wide)
    assert a[0] / a[1] > 1.15 * plain[0] / plain[1] > 1.3 * b[0] / b[1]
    assert c[2] > 1.05 * plain[2]
    for body in (long_thighs, short_thighs, wide):
        assert _top_of_head(body) == pytest.approx(_top_of_head(BodyShape(1.8)), abs=1e-9)


@pytest.mark.parametrize(
    ("proportions", "error"),
    [({"thight": 1.0}, "did you mean 'thigh'"), ({"neck": 1.5}, "between 0.7 and 1.3")],
)
def test_bad_proportions_are_refused(proportions, error):
    with pytest.raises(ValueError, match=error):
        BodyShape(proportions=proportions)


# --- sampling -------------------------------------------------------------------------------


def test_sampled_people_rooms_and_shots_stay_in_their_ranges():
    rng = np.random.default_rng(0)
    people = [sample_person(rng) for _ in range(300)]
    heights = [p.body.height for p in people]
    assert HEIGHT_RANGE[0] <= min(heights) < 1.55 and 1.9 < max(heights) <= HEIGHT_RANGE[1]
    assert all(BUILD_RANGE[0] <= p.body.build <= BUILD_RANGE[1] for p in people)
    for person in people:
        assert set(person.body.proportions) == set(PROPORTION_NAMES)
        assert all(abs(v - 1) <= PROPORTION_SPREAD for v in person.body.proportions.values())
    assert {p.palette.pattern for p in people} == set(PATTERNS)
    assert {p.palette.hair_style for p in people} == set(HAIR_STYLES)
    skin = [sum(p.palette.skin) / 3 for p in people]
    assert min(skin) < 70 and max(skin) > 190  # very dark to very light
    shots = [sample_shot(rng, 45.0) for _ in range(300)]
    for name, (low, high) in (
        ("camera_height", CAMERA_HEIGHT_RANGE),
        ("distance", DISTANCE_RANGE),
        ("fov", FOV_RANGE),
        ("noise", NOISE_RANGE),
    ):
        values = [getattr(s, name) for s in shots]
        assert low <= min(values) and max(values) <= high, name
        assert max(values) - min(values) > 0.8 * (high - low), name
    assert {(s.width, s.height) for s in shots} == {size for size, _ in SIZES}
    qualities = {s.jpeg_quality for s in shots}
    assert 0 in qualities and all(q == 0 or 60 <= q <= 95 for q in qualities)
    rooms = [sample_room(rng) for _ in range(100)]
    assert {f.kind for r in rooms for f in r.furniture} == {
        "sofa",
        "shelf",
        "plant",
        "cabinet",
        "table",
    }
    assert {f.kind for r in rooms for f in r.features} == {"window", "picture", "door"}
    for room in rooms:  # the mat's middle is well inside the room
        yaw = np.radians(room.yaw)
        rot = np.array([[np.cos(yaw), np.sin(yaw)], [-np.sin(yaw), np.cos(yaw)]])
        u, v = rot @ (np.array([0.365, 0.0]) - room.centre)
        assert abs(u) <= room.size[0] / 2 - 1.39 and abs(v) <= room.size[1] / 2 - 1.39


def test_scenes_are_deterministic_and_views_share_the_person(library):
    params = library.pose("janu_right_upright")
    a, b = sample_scene(11, 45.0), sample_scene(11, 45.0)
    assert a == b
    assert np.array_equal(render_scene(params, a).image, render_scene(params, b).image)
    side = sample_scene(11, 90.0)
    assert side.person == a.person and side.room == a.room and side.shot.azimuth == 90.0
    other = sample_scene(12, 45.0)
    assert other.person != a.person and other.room != a.room


# --- pose variation ---------------------------------------------------------------------------


def test_vary_pose_moves_each_joint_within_its_amplitude(library):
    base = library.pose("janu_right_upright")
    protect = ("right_knee_flexion", "left_elbow_flexion", "neck_flexion")
    settled = {
        n
        for n in base.as_dict()
        if n.endswith(("hip_flexion", "hip_abduction", "hip_rotation", "ankle_dorsiflexion"))
    }
    settled |= {n for n in base.as_dict() if "shoulder" in n or "elbow" in n} | {"head_flexion"}
    resting = part_lows(pose_body(base))
    moved = []
    for seed in range(12):
        varied = vary_pose(base, np.random.default_rng(seed), protect=protect)
        assert varied == vary_pose(base, np.random.default_rng(seed), protect=protect)
        for name, value in varied.as_dict().items():
            change = abs(value - getattr(base, name))
            if name in FIXED:
                assert change == 0.0, name
            elif name in protect:
                assert change <= 2.0 + 1e-9, name
            elif name not in settled:
                assert change <= 8.0 * WEIGHTS.get(name, 1.0) + 1e-9, name
        moved.append(abs(varied.left_ankle_dorsiflexion - base.left_ankle_dorsiflexion))
        # the seat and the folded knee still rest on the floor as they did
        lows = part_lows(pose_body(varied))
        assert lows["pelvis"] == pytest.approx(resting["pelvis"], abs=0.002)
        assert lows["left_leg"] == pytest.approx(resting["left_leg"], abs=0.002)
    assert max(moved) > 4.0  # the joints do move


def test_equally_seeded_variation_moves_a_pose_and_its_fault_alike(library):
    correct, fault = library.pose("janu_right_upright"), library.pose("janu_right_foot_pointed")
    a = vary_pose(correct, np.random.default_rng(5))
    b = vary_pose(fault, np.random.default_rng(5))
    for name in ("right_ankle_dorsiflexion", "left_wrist_extension", "thoracic_twist"):
        assert getattr(b, name) - getattr(a, name) == pytest.approx(
            getattr(fault, name) - getattr(correct, name)
        )


def test_vary_pose_rejects_unknown_fields(library):
    with pytest.raises(ValueError, match="did you mean 'left_knee_flexion'"):
        vary_pose(
            library.pose("janu_right_upright"), np.random.default_rng(0), protect=["left_knee"]
        )


def test_settle_keeps_a_long_armed_body_seated(library):
    body = BodyShape(
        1.6, proportions={"upper_arm": 1.08, "forearm": 1.08, "lumbar": 0.92, "thoracic": 0.92}
    )
    params = library.pose("janu_right_upright")
    assert part_lows(pose_body(params, body))["pelvis"] > 0.03  # the hands would lift it
    settled = settle(params, body)
    lows = part_lows(pose_body(settled, body))
    assert lows["pelvis"] < 0.005 and min(lows["left_arm"], lows["right_arm"]) >= -1e-3
    angles = true_angles(pose_body(settled, body).landmarks)
    assert angles["left_elbow"] > 170 and angles["right_elbow"] > 170  # arms still straight


def test_head_variant_spans_the_allowed_positions(library):
    folded, upright = library.pose("janu_right_folded"), library.pose("janu_right_upright")
    rng = np.random.default_rng(3)
    fold = [head_variant(folded, "fold", rng) for _ in range(40)]
    necks = [p.neck_flexion for p in fold]
    assert 0.0 <= min(necks) < 5.0 and 27.0 < max(necks) <= 32.0
    assert all(0.0 <= p.head_flexion <= 24.0 for p in fold)
    for p in (head_variant(upright, "upright", rng) for _ in range(20)):
        assert abs(p.neck_flexion - upright.neck_flexion) <= 5.0
        assert abs(p.head_flexion - upright.head_flexion) <= 5.0
    with pytest.raises(ValueError, match="unknown phase"):
        head_variant(folded, "folded", rng)


# --- graded faults: the mild fault is still a fault by the alignment text ----------------------


def _truth(params: PoseParams) -> dict[str, float]:
    p = pose_body(params).landmarks
    angles = true_angles(p)
    thigh = float(np.linalg.norm(p[L.RIGHT_HIP] - p[L.RIGHT_KNEE]))
    hips = (p[L.LEFT_HIP] + p[L.RIGHT_HIP]) / 2
    shoulders = (p[L.LEFT_SHOULDER] + p[L.RIGHT_SHOULDER]) / 2
    wrists = (p[L.LEFT_WRIST] + p[L.RIGHT_WRIST]) / 2
    return {
        "straight_knee": joint_angle(p[L.RIGHT_HIP], p[L.RIGHT_KNEE], p[L.RIGHT_ANKLE]),
        "thighs": angles["thighs"],
        "folded_knee_height": float(p[L.LEFT_KNEE, 2]),
        "heel_to_straight_knee": float(np.linalg.norm(p[L.LEFT_HEEL] - p[L.RIGHT_KNEE])) / thigh,
        "spine_flexion": params.lumbar_flexion + params.thoracic_flexion + params.upper_flexion,
        "lean_back": float(np.degrees(np.arctan2(hips[0] - shoulders[0], shoulders[2] - hips[2]))),
        "elbows": (angles["left_elbow"] + angles["right_elbow"]) / 2,
        "hands_to_ankle": float(np.linalg.norm(wrists - p[L.RIGHT_ANKLE])) / thigh,
        "head_flexion": params.neck_flexion + params.head_flexion,
    }


# fault pose, correct pose, quantity, and the test the mild fault must pass: the alignment
# text's own limit ("greater than ninety degrees") or, where it gives none, a clear margin
# from the correct pose (the quantity's value there is passed as `c`)
MILD_CASES = [
    ("straight_knee_bent", "upright", "straight_knee", lambda v, c: v < 160),
    ("thighs_narrow", "upright", "thighs", lambda v, c: v < 90),
    ("knee_floating", "upright", "folded_knee_height", lambda v, c: v > c + 0.05),
    ("heel_on_knee", "upright", "heel_to_straight_knee", lambda v, c: v < 0.35),
    ("folded_rounded", "folded", "spine_flexion", lambda v, c: v > c + 39.5),
    ("upright_leaning_back", "upright", "lean_back", lambda v, c: v > c + 10),
    ("upright_slumped", "upright", "spine_flexion", lambda v, c: v > c + 30),
    ("upright_arms_bent", "upright", "elbows", lambda v, c: v < 150),
    ("folded_hands_on_shin", "folded", "hands_to_ankle", lambda v, c: v > 0.45),
    ("folded_elbows_locked", "folded", "elbows", lambda v, c: v > 175),
    ("folded_head_up", "folded", "head_flexion", lambda v, c: v < 0),
]


@pytest.mark.parametrize(("fault", "correct", "quantity", "is_fault"), MILD_CASES)
def test_mild_fault_lies_between_correct_and_clear_and_is_still_a_fault(
    library, fault, correct, quantity, is_fault
):
    good, bad = library.pose(f"janu_right_{correct}"), library.pose(f"janu_right_{fault}")
    strength = mild_strength(f"janu_right_{fault}")
    assert strength == mild_strength(f"janu_left_{fault}") and MILD <= strength < CLEAR
    assert fault_strength(good, bad, 0.0) == good and fault_strength(good, bad, CLEAR) == bad
    c = _truth(good)[quantity]
    m = _truth(fault_strength(good, bad, strength))[quantity]
    f = _truth(bad)[quantity]
    assert min(c, f) < m < max(c, f)
    assert is_fault(m, c), (quantity, c, m, f)
    assert not is_fault(c, c)


@pytest.mark.parametrize(
    "name", ["janu_right_folded_stiff", "janu_right_folded_medium", "janu_right_folded_deep"]
)
def test_fold_depths_are_correct_folds(library, name):
    params = library.pose(name)
    truth = _truth(params)
    assert 40 <= params.pelvis_tilt <= 62 and truth["spine_flexion"] == 13  # the spine long
    assert truth["hands_to_ankle"] < 0.3  # holding the foot or ankle
    assert 145 < truth["elbows"] < 165  # "slightly bend your elbows"
    assert true_angles(pose_body(params).landmarks)["trunk_from_vertical"] > 40
    lows = part_lows(pose_body(params))
    assert min(lows["left_arm"], lows["right_arm"]) > lows["pelvis"]  # hands not pushing up


@pytest.mark.parametrize(
    "name",
    [
        "janu_right_upright_hands_back",
        "janu_right_upright_hands_forward",
        "janu_right_upright_hands_wide",
    ],
)
def test_arm_placements_keep_straight_arms_with_the_hands_by_the_hips(library, name):
    p = pose_body(library.pose(name)).landmarks
    torso = np.linalg.norm(
        (p[L.LEFT_HIP] + p[L.RIGHT_HIP]) / 2 - (p[L.LEFT_SHOULDER] + p[L.RIGHT_SHOULDER]) / 2
    )
    assert _truth(library.pose(name))["elbows"] > 175
    for index, hip in ((L.LEFT_INDEX, L.LEFT_HIP), (L.RIGHT_INDEX, L.RIGHT_HIP)):
        assert np.linalg.norm(p[index] - p[hip]) < 0.65 * torso
    assert library.pose(name.replace("right", "left", 1)) is not None


# --- rendering ------------------------------------------------------------------------------


def test_render_scene_frames_the_body_from_the_shot(library):
    params = library.pose("janu_right_folded")
    for seed, azimuth in ((21, 70.0), (22, -45.0), (23, 0.0)):
        scene = sample_scene(seed, azimuth)
        shot = render_scene(params, scene)
        assert shot.in_frame.all() and shot.image.shape == (scene.shot.height, scene.shot.width, 3)
        pelvis = pose_body(shot.params, scene.person.body).joints["pelvis"]
        offset = np.subtract(shot.camera.position, pelvis)
        assert shot.camera.position[2] == pytest.approx(scene.shot.camera_height)
        assert np.linalg.norm(offset[:2]) >= scene.shot.distance - 1e-9
        direction = view_direction(azimuth, params.root_yaw, 0.0)[:2]
        assert offset[:2] @ direction == pytest.approx(np.linalg.norm(offset[:2]))
        assert shot.body == scene.person.body
        # positive azimuth: the camera is on the person's left, the folded leg's side
        nearer = shot.depth[L.LEFT_KNEE] - shot.depth[L.RIGHT_KNEE]
        assert nearer * azimuth <= 0.0


def test_noise_and_jpeg_change_the_pixels_and_backlight_darkens_the_body(library):
    params = library.pose("janu_right_upright")
    scene = sample_scene(4, 90.0)
    clean = replace(scene, shot=replace(scene.shot, noise=0.0, jpeg_quality=0))
    base = render_scene(params, clean).image.astype(int)
    noisy = render_scene(params, replace(clean, shot=replace(clean.shot, noise=5.0))).image
    assert 3.5 < np.std(noisy.astype(int) - base) < 6.5
    jpeg = render_scene(params, replace(clean, shot=replace(clean.shot, jpeg_quality=60))).image
    assert 0 < np.abs(jpeg.astype(int) - base).mean() < 6
    camera = render_scene(params, clean).camera
    towards = np.subtract(camera.position, (0.0, 0.0, 0.5))
    towards /= np.linalg.norm(towards)

    def body_brightness(light: np.ndarray) -> float:
        room = replace(clean.room, light=tuple(light), backlight=0.4, brightness=1.0)
        shot = render_scene(params, replace(clean, room=room))
        xy = np.round(shot.image_xy[shot.visible]).astype(int)
        return float(shot.image[xy[:, 1], xy[:, 0]].mean())

    assert body_brightness(-towards + [0, 0, 0.5]) < 0.85 * body_brightness(towards)


def test_a_render_takes_under_a_third_of_a_second(library):
    params = library.pose("janu_right_twist")
    scenes = [sample_scene(s, 45.0) for s in (31, 32)]
    scenes.append(replace(scenes[0], shot=replace(scenes[0].shot, width=1280, height=720)))
    render_scene(params, scenes[0])  # warm up
    for scene in scenes:
        best = min(_timed(params, scene) for _ in range(3))
        assert best < 0.3, (scene.shot.width, best)


def _timed(params: PoseParams, scene) -> float:
    # processor time of this process (all its threads), so that other jobs sharing the
    # machine's cores do not count
    start = time.process_time()
    render_scene(params, scene)
    return time.process_time() - start


@pytest.mark.parametrize(
    ("change", "colour"),
    [
        ({"pattern": "stripes"}, (0, 255, 0)),
        ({"pattern": "waistband"}, (0, 255, 0)),
        ({"pattern": "sleeves"}, (0, 255, 0)),
        ({"sleeve": 2.0, "top": (255, 0, 255)}, (255, 0, 255)),
        ({"leggings_length": 0.0, "skin": (0, 200, 255)}, (0, 200, 255)),
        ({"hair_style": "ponytail", "hair": (255, 255, 0)}, (255, 255, 0)),
        ({"hair_style": "bun", "hair": (255, 255, 0)}, (255, 255, 0)),
    ],
)
def test_clothing_and_hair_options_show(library, change, colour):
    params = library.pose("janu_right_upright")

    def share(palette: Palette) -> float:
        image = render(params, view=70.0, width=480, height=360, palette=palette).image
        # shaded from 0.6 to 1.06 times the colour: dark channels stay dark, bright stay bright
        bright = np.array(colour) >= 200
        low, high = image[..., ~bright], image[..., bright]
        return float(((low < 50).all(axis=-1) & (high > 110).all(axis=-1)).mean())

    plain = Palette(accent=(0, 255, 0))
    if "skin" in change or "hair" in change or "top" in change:
        plain = replace(plain, **{k: v for k, v in change.items() if isinstance(v, tuple)})
    assert share(replace(plain, **change)) > share(plain) + 0.0005


def test_room_furniture_is_painted_and_hidden_behind_the_camera():
    camera = render(PoseParams(), view="front", width=320, height=240).camera
    empty = Room(size=(6.0, 6.0), centre=(0.0, 0.0))
    sofa = Furniture("sofa", 2, 0.0, (2.0, 0.9, 0.85), (0, 0, 200), (0, 200, 0))
    behind_camera = Furniture("shelf", 0, 0.0, (1.0, 0.4, 1.8), (200, 0, 0), (200, 0, 0))
    images = {}
    for name, room in {
        "empty": empty,
        "sofa": replace(empty, furniture=(sofa,)),
        "shelf": replace(empty, furniture=(behind_camera,)),
    }.items():
        image = np.zeros((240, 320, 3), np.uint8)
        draw_room(image, camera, room, PoseParams())
        images[name] = image
    assert (np.abs(images["sofa"].astype(int) - images["empty"]).sum(axis=2) > 30).mean() > 0.01
    assert np.array_equal(images["shelf"], images["empty"])


# --- end to end through MediaPipe -------------------------------------------------------------

#: (seed, pose, azimuth): low and high cameras, side, diagonal and front views, six rooms.
DETECTED = (
    (104, "janu_right_upright", 90.0),
    (108, "janu_right_upright", -45.0),
    (110, "janu_right_twist", 0.0),
    (113, "janu_right_folded", 60.0),
    (119, "janu_right_folded_rounded", 70.0),
    (146, "janu_right_twist", 45.0),
)


@pytest.mark.parametrize(("seed", "pose", "azimuth"), DETECTED)
def test_mediapipe_finds_the_sampled_people(image_estimator, library, seed, pose, azimuth):
    shot = render_scene(library.pose(pose), sample_scene(seed, azimuth))
    found = image_estimator.estimate(Frame(np.ascontiguousarray(shot.image), 0, 0.0))
    assert found.detected
    # MediaPipe may swap left and right in profile: compare with whichever labelling fits
    errors = [
        float(np.median(np.linalg.norm(xy - shot.image_xy, axis=1)[shot.visible]))
        for xy in (found.image_xy, found.image_xy[list(MIRROR_INDEX)])
    ]
    assert min(errors) < 0.04 * max(shot.image.shape[:2])
