"""Terminal text for ``--pose auto``: which pose a photo shows, and a video's poses in order
(the timeline, then per pose its side, hold time, score, what went well and the top
corrections)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from aligncheck.recognise import NO_POSE, Recognition
from aligncheck.report.fmt import clock
from aligncheck.rules.schema import RuleSet
from aligncheck.terminal import print_lessons

POSE_HELP = (
    "Pose id or a rules .yaml file; 'auto' (the default) recognises the pose among those installed."
)


def chosen_rules(rules: RuleSet | Sequence[RuleSet], pose_id: str) -> RuleSet | None:
    """The rule set of ``pose_id`` (the only one when a pose was given); None for no pose."""
    if isinstance(rules, RuleSet):
        return rules
    return next((r for r in rules if r.pose.id == pose_id), None)


def pose_name(rules: RuleSet | None) -> str:
    """'Head-to-knee forward bend (janu_sirsasana)', or 'no known pose'."""
    return f"{rules.pose.english} ({rules.pose.id})" if rules is not None else NO_POSE


def print_recognition(
    console: Console, title: str, found: Recognition, chosen: RuleSet | None
) -> None:
    """One line: the pose recognised, or no known pose and why."""
    if chosen is not None:
        console.print(
            f"[bold]{escape(title)}[/]: recognised [bold]{escape(pose_name(chosen))}[/]",
            soft_wrap=True,
        )
        return
    console.print(
        f"[bold]{escape(title)}[/]: [yellow]{NO_POSE}[/] ({escape(found.reason)}); nothing "
        "was checked. Give the pose with --pose NAME to check it anyway.",
        soft_wrap=True,
    )
    console.print()


def print_sequence(console: Console, summary, folder: Path, files: Sequence[str] = ()) -> None:
    """A video's poses in the terminal: the timeline, then per pose its side, hold time,
    score, what went well and the top corrections (``summary``: a SequenceSummary)."""
    console.print(
        f"[bold]{escape(str(summary.source.get('name', '')))}[/]: {summary.duration:.0f} s, "
        f"poses found: {escape(', '.join(summary.names[p] for p in summary.poses_found()))}"
        if summary.parts
        else f"[bold]{escape(str(summary.source.get('name', '')))}[/]: "
        f"{summary.duration:.0f} s, [yellow]{NO_POSE}[/]: nothing was judged (give the pose "
        "with --pose NAME to judge it anyway)",
        soft_wrap=True,
    )
    for note in summary.notes:
        console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
    console.print("Timeline:")
    for segment in summary.timeline:
        label = summary.names.get(segment.pose_id, segment.label)
        style = "bold" if segment.kind == "pose" else "dim"
        console.print(
            f"  {clock(segment.start)}–{clock(segment.end)}  [{style}]{escape(label)}[/]",
            soft_wrap=True,
        )
    for n, part in enumerate(summary.parts, start=1):
        s = part.summary
        sides = ", ".join(f"{escape(side)} {secs:.0f} s" for side, secs in s.sides.items())
        score = f"{s.score:.0f}" if s.score is not None and s.recognised else "-"
        console.print(
            f"[bold]{n}. {escape(part.english)}[/] ({clock(part.segment.start)}–"
            f"{clock(part.segment.end)}): side {sides or 'not decided'}; held "
            f"{s.hold_time:.0f} s ({s.good_time:.0f} s in good alignment); score {score}",
            soft_wrap=True,
        )
        print_lessons(console, s, indent="   ")
    if files:
        console.print(f"Written to {folder}/: {', '.join(files)}", soft_wrap=True)
