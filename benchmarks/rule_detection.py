"""Rule x view table: how often each Janu Sirsasana rule flags its fault, and false alarms.

    python benchmarks/rule_detection.py [--quick]

Renders the synthetic practitioner in the correct pose and in each rule's fault, on both
sides, from every camera view the rule's measure declares reliable (several azimuths and two
camera heights per view), runs the bundled pose model and judges each still with the rule
engine. "judged" counts renders where the rule got ok/close/off (not hidden, right phase).
"""

from __future__ import annotations

import argparse

from aligncheck.estimate import PoseEstimator
from aligncheck.rules.registry import find_pose
from aligncheck.synth.rulecheck import rates, run_trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one camera height only")
    args = parser.parse_args()
    rules = find_pose("janu_sirsasana")
    elevations = (12.0,) if args.quick else (8.0, 15.0)
    with PoseEstimator(mode="image", silhouette=rules.needs_silhouette) as estimator:
        trials = list(run_trials(rules, estimator, elevations=elevations))
    print(f"{len(trials)} judgements, camera heights {elevations} degrees")
    print(
        f"{'rule':<22}{'view':<18}{'fault flagged':>15}{'  (judged/all)':>15}"
        f"{'false alarms':>14}{'  (judged/all)':>15}"
    )
    for row in sorted(rates(trials), key=lambda r: (r.rule, r.view)):
        print(
            f"{row.rule:<22}{row.view:<18}{row.detection:>15.0%}"
            f"{f'  ({row.faults_judged}/{row.faults})':>15}{row.false_alarms:>14.0%}"
            f"{f'  ({row.correct_judged}/{row.correct})':>15}"
        )


if __name__ == "__main__":
    main()
