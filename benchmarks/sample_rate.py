"""How much ``--sample-fps`` changes the verdicts: rule statuses at 15 and 10 poses a second
against the full-rate run, on the bundled clip and on generated clips with faults.

    python benchmarks/sample_rate.py [--rates 15 10] [--skip-generated]

For every frame of the video, the status a rule shows in the full-rate run is compared with the
status shown at that frame in the sampled run (the latest estimated frame's, as drawn in the
annotated video). Prints, per clip and rate, the share of (frame, rule) pairs that agree
(counting only pairs where either run judged the rule: ok, close or off), the share of frames
whose phase agrees, and whether the summary's corrections and hold time agree.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from aligncheck.pipeline import analyze_video
from aligncheck.rules.registry import find_pose
from aligncheck.synth.clips import sequence_clip

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "janu_sirsasana_right.mp4"
JUDGED = {"ok", "close", "off"}

#: Generated practice clips at 30 fps: entry, one fault held, and the correction.
GENERATED = {
    "rounded fold": [
        ("janu_right_upright", 0.0, 2.0),
        ("janu_right_folded_rounded", 2.0, 4.0),
        ("janu_right_folded", 1.5, 3.0),
    ],
    "knee floating, slumped": [
        ("janu_right_knee_floating", 0.0, 3.0),
        ("janu_right_upright_slumped", 1.5, 3.0),
        ("janu_right_upright", 1.5, 2.0),
    ],
    "bent knee, head up": [
        ("janu_right_upright", 0.0, 1.5),
        ("janu_right_straight_knee_bent", 1.5, 3.0),
        ("janu_right_folded_head_up", 2.0, 3.0),
        ("janu_right_folded", 1.5, 2.0),
    ],
}


def _frames(folder: Path) -> list[dict]:
    lines = (folder / "frames.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    return [json.loads(line) for line in lines]


def _shown(full: list[dict], sampled: list[dict]) -> list[dict]:
    """For each frame of the full run, the sampled run's latest frame at or before it."""
    shown, j = [], 0
    for frame in full:
        while j + 1 < len(sampled) and sampled[j + 1]["i"] <= frame["i"]:
            j += 1
        shown.append(sampled[j])
    return shown


def compare(full_run, sampled_run) -> dict[str, float | bool]:
    full, sampled = _frames(full_run.folder), _frames(sampled_run.folder)
    shown = _shown(full, sampled)
    pairs = agree = 0
    for a, b in zip(full, shown, strict=True):
        for rule, status in a["status"].items():
            other = b["status"].get(rule)
            if status in JUDGED or other in JUDGED:
                pairs += 1
                agree += status == other
    phases = sum(a["phase"] == b["phase"] for a, b in zip(full, shown, strict=True))
    corrections = [r.rule_id for r in full_run.summary.corrections()]
    sampled_corrections = [r.rule_id for r in sampled_run.summary.corrections()]
    return {
        "status agreement": agree / pairs if pairs else 1.0,
        "phase agreement": phases / len(full),
        "same corrections": corrections == sampled_corrections,
        "hold full": full_run.summary.hold_time,
        "hold sampled": sampled_run.summary.hold_time,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[15.0, 10.0])
    parser.add_argument("--skip-generated", action="store_true")
    args = parser.parse_args()
    rules = find_pose("janu_sirsasana")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clips = {"bundled sample": SAMPLE}
        if not args.skip_generated:
            for name, steps in GENERATED.items():
                path = folder / (name.replace(" ", "_").replace(",", "") + ".mp4")
                clips[name] = sequence_clip(path, steps, fps=30.0, size=(960, 540))
        print(f"{'clip':24s} {'rate':>5s} {'statuses':>9s} {'phase':>6s} {'corrections':>12s} hold")
        totals: dict[float, list[float]] = {}
        for name, clip in clips.items():
            full = analyze_video(clip, rules, folder / f"{name}-full", write_video=False)
            for rate in args.rates:
                sampled = analyze_video(
                    clip, rules, folder / f"{name}-{rate}", write_video=False, sample_fps=rate
                )
                c = compare(full, sampled)
                same = "same" if c["same corrections"] else "DIFFER"
                totals.setdefault(rate, []).append(float(c["status agreement"]))
                print(
                    f"{name:24s} {rate:5.0f} {c['status agreement']:9.1%} "
                    f"{c['phase agreement']:6.1%} {same:>12s} "
                    f"{c['hold full']:.1f} s vs {c['hold sampled']:.1f} s"
                )
        for rate, values in totals.items():
            print(f"mean status agreement at {rate:g} fps: {sum(values) / len(values):.1%}")


if __name__ == "__main__":
    main()
