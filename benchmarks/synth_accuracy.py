"""End-to-end angle accuracy of MediaPipe on the synthetic practitioner, per joint and view.

    python benchmarks/synth_accuracy.py [--quick]

Renders every pose of a table from several camera views and three body heights, runs the
bundled pose model in IMAGE mode, and prints, for each view and key angle, the median and the
worst absolute error in degrees (2D image angles and 3D world angles), plus how many renders
found a person. The tolerances in tests/test_accuracy.py come from this table.
"""

from __future__ import annotations

import argparse
import itertools

from aligncheck.estimate import PoseEstimator
from aligncheck.synth.accuracy import Case, Outcome, Summary, evaluate_cases, summarise

POSES = (
    "seated_straight_legs",
    "janu_right_upright",
    "janu_left_upright",
    "janu_right_twist",
    "janu_right_folded",
    "janu_right_folded_rounded",
    "janu_right_knee_floating",
    "janu_right_thighs_narrow",
)
VIEWS: tuple[tuple[str | float, float], ...] = (
    ("left", 10.0),
    ("right", 10.0),
    (70.0, 15.0),
    ("diagonal_left", 10.0),
    ("front", 10.0),
    ("left", 30.0),
)
HEIGHTS = (1.58, 1.70, 1.86)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one body height only")
    args = parser.parse_args()
    heights = HEIGHTS[1:2] if args.quick else HEIGHTS
    cases = [
        Case(pose, view, elevation, height)
        for pose, (view, elevation), height in itertools.product(POSES, VIEWS, heights)
    ]
    with PoseEstimator(mode="image") as estimator:
        outcomes = list(evaluate_cases(cases, estimator))
    print(f"{len(cases)} renders: {len(POSES)} poses x {len(VIEWS)} views x {len(heights)} heights")
    for (view, elevation), group in itertools.groupby(sorted(outcomes, key=_where), key=_where):
        chosen = list(group)
        missed = sorted({o.case.pose for o in chosen if not o.found})
        found = len(chosen) - sum(not o.found for o in chosen)
        line = f"view {view} (camera {elevation:g} deg up): person found in {found}/{len(chosen)}"
        print(line + (f"; missed: {', '.join(missed)}" if missed else ""))
    for truly in (True, False):
        for label, selected in (
            ("camera 10-15 deg up", [o for o in outcomes if o.case.elevation <= 15]),
            ("camera 30 deg up", [o for o in outcomes if o.case.elevation > 15]),
        ):
            print()
            what = (
                "angles whose landmarks are truly in view"
                if truly
                else "every angle MediaPipe reports visible (guessed hidden limbs included)"
            )
            print(f"Errors in degrees, {label}, {what}:")
            _table(summarise(selected, truly_visible=truly))


def _where(outcome: Outcome) -> tuple[str, float]:
    return outcome.case.view_name, outcome.case.elevation


def _table(rows: list[Summary]) -> None:
    print(
        f"{'view':<16}{'angle':<22}{'n':>4}{'2D median':>11}{'2D worst':>10}"
        f"{'3D median':>11}{'3D worst':>10}"
    )
    by_key = {(r.view, r.angle, r.space): r for r in rows}
    for view, angle in sorted({(r.view, r.angle) for r in rows}):
        two, three = by_key.get((view, angle, "2d")), by_key.get((view, angle, "3d"))
        if two is None or three is None:
            continue
        print(
            f"{view:<16}{angle:<22}{two.count:>4}{two.median:>11.1f}{two.worst:>10.1f}"
            f"{three.median:>11.1f}{three.worst:>10.1f}"
        )


if __name__ == "__main__":
    main()
