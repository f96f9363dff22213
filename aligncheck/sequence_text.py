"""Terminal text for ``--pose auto``: which pose a photo shows, and a video's poses in order
(the timeline, then per pose its side, hold time, score, what went well and the top
corrections)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from aligncheck.recognise import NO_POSE, Recognition
from aligncheck.rules.schema import RuleSet

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
