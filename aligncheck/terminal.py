"""What the commands print on the terminal: a photo's angles, a verdict, a session's summary.

Rich markup throughout; every text that comes from a rule file or a file name is escaped, so a
``[`` in a cue prints as itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aligncheck.angles import KEY_ANGLES
from aligncheck.core import RuleResult, Status, Verdict
from aligncheck.rules.engine import WEAK_EVIDENCE
from aligncheck.rules.schema import Guidance
from aligncheck.rules.sides import SIDE_UNKNOWN
from aligncheck.session import UNRELIABLE_NOTE, SessionSummary

if TYPE_CHECKING:
    from aligncheck.photos import PhotoAngles
    from aligncheck.pipeline import Analysis
    from aligncheck.sequence import SequenceAnalysis

#: What to change when the side practised cannot be told (a limb hidden or misread).
SIDE_UNKNOWN_TRY = (
    "Let the camera see both legs: turn so it looks at you from the side or diagonally, "
    "from the side of the bent leg if the pose has one, with your whole body in the picture."
)


def _fmt(value: float) -> str:
    return "not visible" if not math.isfinite(value) else f"{value:.0f}°"


def print_angles(console: Console, result: PhotoAngles) -> None:
    """One photo's key angles as a table (or why there are none)."""
    if not result.pose.detected:
        console.print(
            f"[bold]{result.path}[/]: [yellow]no person found[/] (is the whole body in "
            "the picture, lit and not too small?)",
            soft_wrap=True,
        )
        return
    table = Table(title=f"{result.path}", title_justify="left")
    table.add_column("Angle")
    table.add_column("2D image", justify="right")
    table.add_column("3D world", justify="right")
    for angle in KEY_ANGLES:
        table.add_row(
            angle.label, _fmt(result.angles_2d[angle.name]), _fmt(result.angles_3d[angle.name])
        )
    console.print(table)
    if result.pose.people > 1:
        console.print(
            f"[yellow]{result.pose.people} people found; measured the one with the "
            "largest visible body.[/]"
        )


_STATUS_STYLE = {
    Status.OK: "green",
    Status.CLOSE: "yellow",
    Status.OFF: "bold red",
    Status.NOT_VISIBLE: "dim",
    Status.NOT_APPLICABLE: "dim",
    Status.UNRELIABLE: "magenta",
}


def _value(result: RuleResult) -> str:
    if not math.isfinite(result.value):
        return "-"
    return f"{result.value:.0f}°" if result.unit == "deg" else f"{result.value:.2f}"


def _target(result: RuleResult) -> str:
    low, high = result.ok
    unit = "°" if result.unit == "deg" else ""
    return f"{low:g}–{high:g}{unit}"


def print_verdict(
    console: Console, title: str, verdict: Verdict, guidance: tuple[Guidance, ...] = ()
) -> None:
    """A verdict as a readable table plus the top cue; rules that do not apply in this phase
    are listed on one line."""
    if not verdict.detected:
        console.print(
            f"[bold]{escape(title)}[/]: [yellow]no person found[/]: nothing could be checked "
            "(is the whole body in the picture, lit and not too small?)",
            soft_wrap=True,
        )
        return
    side = verdict.side or "side not decided"
    view = f"{verdict.view} view" if verdict.view else "view unknown"
    console.print(
        f"[bold]{escape(title)}[/]  {escape(side)} · {escape(verdict.phase_label)} · {view}",
        soft_wrap=True,
    )
    for note in verdict.notes:
        console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
    # a skeleton not read reliably leaves every rule unjudged: one line says so, not a table
    hidden = (Status.NOT_APPLICABLE, Status.UNRELIABLE)
    shown = [r for r in verdict.results if r.status not in hidden]
    if shown:
        table = Table(show_edge=False, pad_edge=False)
        for column, justify in (
            ("Rule", "left"),
            ("Status", "left"),
            ("Measured", "right"),
            ("Target", "right"),
            ("Note", "left"),
        ):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for r in sorted(shown, key=lambda r: (not r.status.judged, r.priority)):
            note = r.reason if not r.status.judged else r.cue if r.status is not Status.OK else ""
            if r.status.judged and r.reason.startswith(WEAK_EVIDENCE):
                note = f"{note} ({r.reason})" if note else r.reason
            status = f"[{_STATUS_STYLE[r.status]}]{r.status.value}[/]"
            table.add_row(escape(r.title), status, _value(r), _target(r), escape(note))
        console.print(table)
    skipped = [escape(r.title) for r in verdict.results if r.status is Status.NOT_APPLICABLE]
    if skipped:
        console.print(f"[dim]Not checked in this phase: {'; '.join(skipped)}.[/]", soft_wrap=True)
    if not verdict.reliable:
        console.print(
            f"[bold magenta]Pose not read reliably:[/] {escape(verdict.reliability)} None of "
            f"the {len(verdict.results)} rules was judged "
            f"([magenta]{Status.UNRELIABLE.value}[/]).",
            soft_wrap=True,
        )
        console.print(f"[bold]Try:[/] {escape(verdict.suggestion)}", soft_wrap=True)
    elif any(r.reason.startswith(SIDE_UNKNOWN) for r in verdict.results):
        console.print(f"[bold]Try:[/] {SIDE_UNKNOWN_TRY}", soft_wrap=True)
    elif verdict.top is not None:
        console.print(f"[bold]Top cue:[/] {escape(verdict.top.cue)}", soft_wrap=True)
        if verdict.top.modification:
            console.print(f"[bold]Try:[/] {escape(verdict.top.modification)}", soft_wrap=True)
    elif any(r.status.judged for r in verdict.results):
        console.print("[green]Nothing is off.[/]")
    else:
        console.print("[yellow]No rule could be checked in this picture.[/]")
    if guidance:
        titles = "; ".join(escape(g.title) for g in guidance)
        console.print(f"[dim]Also (not measured by the camera): {titles}.[/]", soft_wrap=True)
    console.print()


def print_kept(console: Console, analysis: Analysis | SequenceAnalysis) -> None:
    """What an interrupted analysis kept, and where."""
    summary = analysis.summary
    console.print(
        f"[yellow]Interrupted[/] after {summary.frames} frames ({summary.duration:.1f} s of "
        f"the video). Kept in {analysis.folder}/: {', '.join(analysis.files)}; they cover "
        "the part analysed.",
        highlight=False,
        soft_wrap=True,
    )


def print_summary(
    console: Console,
    summary: SessionSummary,
    folder: Path,
    files: Sequence[str] = (),
    hold: str = "pose",
) -> None:
    """A teacher's summary of a session in the terminal; ``files`` are those written, ``hold``
    names what was held (the pose's hold phase, e.g. "fold")."""
    card = summary.pose
    console.print(
        f"[bold]{escape(str(summary.source.get('name', '')))}[/]: {summary.duration:.0f} s, "
        f"{escape(str(card['english']))} ({escape(str(card['sanskrit']))})",
        soft_wrap=True,
    )
    for note in summary.notes:
        if not note.startswith(UNRELIABLE_NOTE):  # said in detail below
            console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
    if summary.recognised:
        sides = ", ".join(f"{escape(side)} {secs:.0f} s" for side, secs in summary.sides.items())
        console.print(f"Side: {sides or 'not decided'}", soft_wrap=True)
        console.print(
            f"Held the {escape(hold)} {summary.hold_time:.0f} s ({summary.good_time:.0f} s in good "
            f"alignment); alignment score {summary.score if summary.score is not None else '-'}",
            soft_wrap=True,
        )
        print_lessons(console, summary)
    if summary.unreliable:
        frames = sum(u.frames for u in summary.unreliable)
        why = "; ".join(f"{u.label}: {u.frames} frames" for u in summary.unreliable)
        console.print(
            f"[magenta]Not read reliably:[/] {frames} of {summary.frames} frames "
            f"({summary.seconds_unreliable:.1f} s), not judged. Why: {escape(why)}. "
            f"Try: {escape(summary.unreliable[0].suggestion)}",
            soft_wrap=True,
        )
    if files:
        console.print(f"Written to {folder}/: {', '.join(files)}", soft_wrap=True)


def print_lessons(console: Console, summary: SessionSummary, indent: str = "") -> None:
    """What went well and the top corrections of a session (with a modification to try)."""
    for stats in summary.strengths():
        console.print(f"{indent}[green]Good:[/] {escape(stats.title)}", soft_wrap=True)
    for stats in summary.corrections():
        line = f"{indent}[bold red]Work on:[/] {escape(stats.title)}. {escape(stats.cue)}"
        if stats.modification:
            line += f" [dim]Try: {escape(stats.modification)}[/]"
        console.print(line, soft_wrap=True)
