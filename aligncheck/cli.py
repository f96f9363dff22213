"""The ``aligncheck`` command: a thin shell over importable functions.

Errors caused by input (missing file, bad model, unwritable folder) are printed as one clear
message with exit status 2; logging is configured here and nowhere else.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from aligncheck import __version__
from aligncheck.angles import KEY_ANGLES
from aligncheck.errors import AligncheckError

app = typer.Typer(
    name="aligncheck",
    help="Yoga alignment feedback from photos, videos and webcams, with MediaPipe pose landmarks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Pose landmarker .task bundle (default: the bundled pose_landmarker_full.task).",
        dir_okay=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aligncheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more detail.")] = False,
) -> None:
    logging.getLogger("aligncheck").setLevel(logging.DEBUG if verbose else logging.INFO)


def _fmt(value: float) -> str:
    return "not visible" if not math.isfinite(value) else f"{value:.0f}°"


@app.command()
def angles(
    photos: Annotated[list[Path], typer.Argument(help="Image files (jpg, png, webp).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write an annotated image per photo here.")
    ] = None,
    model: ModelOption = None,
    threshold: Annotated[
        float, typer.Option(help="Visibility below which a landmark counts as not visible.")
    ] = 0.5,
) -> None:
    """Measure the key joint angles (2D image and 3D world) of the person in each photo."""
    from aligncheck.photos import measure_photos

    console = Console()
    documents = []
    for result in measure_photos(photos, model=model, out_dir=out, threshold=threshold):
        if as_json:
            documents.append(result.to_json())
            continue
        if not result.pose.detected:
            console.print(
                f"[bold]{result.path}[/]: [yellow]no person found[/] (is the whole body in "
                "the picture, lit and not too small?)",
                soft_wrap=True,
            )
            continue
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
    if as_json:
        typer.echo(json.dumps(documents if len(documents) != 1 else documents[0], indent=2))
    elif out is not None:
        console.print(f"Annotated images written to {out}")


@app.command("model")
def model_info(model: ModelOption = None) -> None:
    """Check a pose model bundle and show its path, size and checksum."""
    from aligncheck.estimate import check_model

    info = check_model(model)
    typer.echo(f"path:    {info.path}")
    typer.echo(f"size:    {info.size_bytes / 1e6:.1f} MB")
    typer.echo(f"sha256:  {info.sha256}")
    typer.echo(
        "bundled: "
        + (
            "yes (pose_landmarker_full, rebuilt from mediapipe 0.10.21)"
            if info.is_default
            else "no"
        )
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    logging.basicConfig(
        level=logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_time=False, show_path=False)],
    )
    try:
        app(args=argv, prog_name="aligncheck")
    except SystemExit as exc:  # click's standalone mode ends with sys.exit, usage errors too
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except AligncheckError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
