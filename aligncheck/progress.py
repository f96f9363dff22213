"""Progress bars for long runs: frames per second and an ETA (rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _PerSecond(ProgressColumn):
    """Items per second, e.g. '28.4 fps' (times ``scale``: 60 for '3.1 clips/min')."""

    def __init__(self, unit: str, scale: float = 1.0) -> None:
        super().__init__()
        self.unit = unit
        self.scale = scale

    def render(self, task: Task) -> Text:
        speed = (task.finished_speed or task.speed or 0.0) * self.scale
        return Text(f"{speed:5.1f} {self.unit}" if speed else f"  ... {self.unit}", style="cyan")


def rate_columns(unit: str, scale: float = 1.0) -> tuple[ProgressColumn, ...]:
    """Bar, done/total, speed in ``unit``, time elapsed and ETA: the columns of every bar."""
    return (
        BarColumn(),
        MofNCompleteColumn(),
        _PerSecond(unit, scale),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )


@contextmanager
def progress_bar(
    console: Console, label: str, unit: str = "fps"
) -> Iterator[Callable[[int, int], None]]:
    """A bar on ``console``; yields ``update(done, total)`` (total 0 = unknown).

    The bar appears at the first update, so an input refused before any work leaves only its
    error message on the terminal, not an empty bar.
    """
    progress = Progress(
        TextColumn(f"[bold]{label}[/]"),
        *rate_columns(unit),
        console=console,
    )
    task: TaskID | None = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            progress.start()
            task = progress.add_task(label, total=None)
        progress.update(task, completed=done, total=total or None)

    try:
        yield update
    finally:
        if task is not None:
            progress.stop()
