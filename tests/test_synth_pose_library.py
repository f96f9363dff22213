"""The synthetic pose library: every pose of ``aligncheck/synth/library/`` rests on the floor as
the pose does, renders into a skeleton the pose model reads plausibly, and, where the pose's rule
file is installed, each rule flags its typical fault at the clear strength and spares the
correct pose from a view it declares.

Renders come from the ``test`` split of the population (seeds used neither for tuning nor for
the reported figures); what the model saw is cached in pytest's cache folder, so a second run
takes seconds. The figures themselves come from ``benchmarks/accuracy.py --pose <id>``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from aligncheck.core import Status
from aligncheck.landmarks import Landmark
from aligncheck.plausibility import assess
from aligncheck.rules.registry import PoseNotFoundError, find_pose
from aligncheck.rules.schema import RuleSet
from aligncheck.synth import evalscore as sc
from aligncheck.synth.body import pose_body
from aligncheck.synth.cases import CaseSet, case_poses, load_cases
from aligncheck.synth.evalrun import estimate_items
from aligncheck.synth.evalset import Item
from aligncheck.synth.params import mirror_params
from aligncheck.synth.population import sample_person, vary_pose
from aligncheck.synth.poses import PoseFileError, load_poses
from aligncheck.synth.variation import part_lows, settle

FLAGGED = (Status.CLOSE, Status.OFF)
POSES = tuple(p for p in case_poses() if p != "janu_sirsasana")
#: Joints whose 2D placement is compared with the render's truth.
JOINTS = (
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE,
    Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
)


@pytest.fixture(scope="module")
def library():
    return load_poses()


def _rules(pose: str) -> RuleSet:
    try:
        return find_pose(pose)
    except PoseNotFoundError:
        pytest.skip(f"no rule file for {pose} is installed")


def _swap(part: str) -> str:
    if part.startswith("left_"):
        return "right_" + part[5:]
    if part.startswith("right_"):
        return "left_" + part[6:]
    return part


def test_the_eight_poses_have_cases():
    assert set(POSES) == {
        "adho_mukha_svanasana",
        "ardha_chandrasana",
        "baddha_konasana",
        "natarajasana",
        "trikonasana",
        "utkata_konasana",
        "virabhadrasana",
        "vrksasana",
    }


@pytest.mark.parametrize("pose", POSES)
def test_cases_name_poses_of_the_library(pose, library):
    cases = load_cases(pose)
    assert cases.floor and cases.cases[0].correct
    for case in cases.cases:
        library.pose(case.pose)
        assert not case.faults or library.pose(case.base) != library.pose(case.pose)
        if cases.one_sided:  # the other side is the mirror image
            other = case.pose.replace("_right", "_left", 1)
            assert library.pose(other) == mirror_params(library.pose(case.pose))


def test_a_case_file_error_names_the_problem(tmp_path):
    bad = tmp_path / "pose.yaml"
    bad.write_text("version: 1\nevaluation:\n  views: [sideways]\n  cases: [{pose: a, phase: b}]\n")
    with pytest.raises(PoseFileError, match="unknown view 'sideways'"):
        load_cases("pose", bad)
    with pytest.raises(PoseFileError, match="did you mean 'vrksasana'"):
        load_cases("vrksasna")


@pytest.mark.parametrize("pose", POSES)
def test_key_poses_rest_on_the_floor_as_the_pose_does(pose, library):
    """The parts named in ``floor`` touch the floor (within 1 cm) in every key pose and its
    mirror image; a standing pose's pelvis is well above it; and after natural variation on
    another body the settle step puts the feet and hands back down (within 3 cm standing,
    6 cm seated)."""
    cases = load_cases(pose)
    rng = np.random.default_rng(7)
    # a varied seated leg may stay a few centimetres up (settling moves one joint at a time)
    tolerance = 0.06 if "pelvis" in cases.floor else 0.03
    for case in cases.cases:
        for mirrored in (False, True):
            params = library.pose(case.pose)
            params = mirror_params(params) if mirrored else params
            parts = [_swap(p) if mirrored else p for p in cases.floor]
            lows = part_lows(pose_body(params))
            assert min(lows.values()) == pytest.approx(0.0, abs=1e-6)
            assert all(lows[p] < 0.01 for p in parts), (case.pose, mirrored, lows)
            if "pelvis" not in parts:
                assert lows["pelvis"] > 0.25, (case.pose, lows)
            if mirrored or not case.correct:
                continue  # variation is the slow part: the correct pose as written
            body = sample_person(rng).body
            varied = settle(vary_pose(params, rng), body, reference=params)
            lows = part_lows(pose_body(varied, body))
            assert all(lows[p] < tolerance for p in parts), (case.pose, mirrored, lows)


@pytest.mark.parametrize("pose", POSES)
def test_cases_follow_the_rule_file(pose):
    """Roles on the same sides, phases of the rule file, and a fault case for every rule."""
    rules = _rules(pose)
    cases = load_cases(pose)
    if rules.sides is not None:
        left, right = cases.roles
        assert rules.sides.roles == {left: "LEFT", right: "RIGHT"}
    else:
        assert not cases.one_sided
    phases = {p.id for p in rules.phases}
    assert {c.phase for c in cases.cases} <= phases
    faults = {f for c in cases.cases for f in c.faults}
    assert {r.id for r in rules.rules} <= faults, "a rule without a synthetic fault"


def _bucket(rules: RuleSet, cases: CaseSet, rule_id: str) -> str | None:
    """The first of the case set's view buckets (in the order of its ``views``) that the rule's
    measure declares."""
    rule = next(r for r in rules.rules if r.id == rule_id)
    measure = rules.measures[rule.measure]
    for bucket in cases.views:
        view, _, role = bucket.partition("/")
        if measure.reliable_from(view, role or None):
            return bucket
    return None


def _sample(rules: RuleSet, cases: CaseSet) -> list[Item]:
    """Each rule's clear fault from its first declared view, both sides (a high camera on the
    written side, a low one on the other), and the correct poses from every view so chosen."""
    chosen = {r.id: _bucket(rules, cases, r.id) for r in rules.rules}
    views = {v for v in chosen.values() if v}
    out = []
    for item in cases.items("test", 1, views=tuple(sorted(views))):
        if item.height != ("high" if item.side == "right" else "low"):
            continue
        tested = any(chosen.get(f) == item.view for f in item.case.faults)
        if item.strength == "correct" or (item.strength == "clear" and tested):
            out.append(item)
    # the correct pose is listed twice per side and view (as heavy as a fault): once is enough
    return list({i.key: i for i in out}.values())


@pytest.fixture(scope="module")
def cache(request, tmp_path_factory) -> Path:
    """pytest's cache folder for what the model saw (a temporary one without the cache)."""
    store = getattr(request.config, "cache", None)
    if store is None:
        return tmp_path_factory.mktemp("synth_pose_library")
    return Path(store.mkdir("synth_pose_library"))


@pytest.fixture(scope="module")
def seen(cache) -> dict[str, list]:
    """What the model saw on every pose's sample (rendered once, then from the cache)."""
    out = {}
    for pose in POSES:
        try:
            rules = find_pose(pose)
        except PoseNotFoundError:
            continue
        out[pose] = list(estimate_items(_sample(rules, load_cases(pose)), cache, jobs=1))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("pose", POSES)
def test_each_pose_renders_and_is_read_as_a_plausible_body(pose, cache):
    """The correct pose on four people of the test split (both sides, both camera heights),
    seen from its pose's first view: at least three give a skeleton the plausibility check
    accepts, with the main joints near where the render put them. The model may label the
    whole body left for right (a body seen from the front taken for one seen from behind, often
    in the one-sided standing poses): the skeleton is still right, and rules find the side from
    its shape, so either labelling counts."""
    cases = load_cases(pose)
    chosen = [
        i
        for i in cases.items("test", 1, views=cases.views[:1])
        if i.case is cases.cases[0] and i.strength == "correct"
    ]
    chosen = list({(i.side, i.height): i for i in chosen}.values())
    assert len(chosen) == 4
    good = []
    for s in estimate_items(chosen, cache, jobs=1):
        if not s.pose.detected or not assess(s.pose).reliable:
            good.append(False)
            continue
        xy, truth = s.pose.image_xy[list(JOINTS)], s.truth.image_xy[list(JOINTS)]
        torso = np.linalg.norm((truth[0] + truth[1]) / 2 - (truth[2] + truth[3]) / 2)
        swapped = xy[[1, 0, 3, 2, 5, 4, 7, 6]]  # every left landmark taken for the right one
        error = min(np.median(np.linalg.norm(p - truth, axis=1)) for p in (xy, swapped))
        good.append(float(error) < 0.15 * torso)
    assert sum(good) >= 3, (pose, good)


#: Rules whose clear fault the renders show the rule file cannot flag from the view tested (the
#: first view of the pose's ``views`` that the rule declares), with the rule files as tuned on the
#: renders' tune split (2 Dec 2026), and why, from the renders' truth and the
#: model's readings: reported to the author of the rule files. A rule listed here may start to
#: pass; one not listed must pass.
KNOWN: dict[str, dict[str, str]] = {
    "vrksasana": {
        "standing_knee_straight": "from the standing leg's side the lifted ankle hides behind the "
        "standing leg: the side is undecided (so no phase) for 13 of 24 tune renders of the bent "
        "knee; the 5 judged were all flagged (rule file of tune-balance)",
    },
    "virabhadrasana": {
        "wide_stance": "of the two clear short stances from the front, one reads 1.28 for a true "
        "1.24 (limit 1.27) and the other has the feet 0.16 leg lengths apart in the render's "
        "truth (no warrior phase)",
    },
    "utkata_konasana": {
        "elbows_bent": "elbows opened to 145 degrees put the forearm 52-57 degrees from vertical "
        "(tune renders), the shape of the wide-V arms of 3 of 20 real tune photos (48-58): the "
        "cactus phase, where alone the rule applies, stops at 45 (branch tune-squat)",
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("pose", POSES)
def test_rules_flag_their_clear_faults_and_spare_the_correct_pose(pose, seen):
    """From the first view each rule declares, on the test split: every rule not in
    :data:`KNOWN` judges its clear fault at least once and flags it at least once, and the
    correct poses draw a cue from at most 15 % of the judged rules."""
    rules = _rules(pose)
    cases = load_cases(pose)
    judged = sc.judge(rules, seen[pose])
    problems, alarms, clean = {}, [], 0
    for rule in rules.rules:
        view = _bucket(rules, cases, rule.id)
        mine = [j for j in judged if j.seen.item.view == view]
        fault = [j.verdict.result(rule.id) for j in mine if rule.id in j.seen.item.case.faults]
        correct = [j.verdict.result(rule.id) for j in mine if j.seen.item.case.correct]
        if not any(r.status.judged for r in fault):
            problems[rule.id] = ("never judged", view, [r.status.name for r in fault])
        elif not any(r.status in FLAGGED for r in fault):
            problems[rule.id] = ("never flagged", view, [round(r.value, 2) for r in fault])
        clean += sum(r.status.judged for r in correct)
        alarms += [(rule.id, view, round(r.value, 2)) for r in correct if r.status in FLAGGED]
    unexpected = {k: v for k, v in problems.items() if k not in KNOWN.get(pose, {})}
    assert not unexpected, unexpected
    assert clean >= len(rules.rules), clean
    assert len(alarms) <= max(1, math.floor(0.15 * clean)), alarms
