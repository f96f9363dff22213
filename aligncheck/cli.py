"""The ``aligncheck`` command: a thin shell over importable functions.

Errors caused by input (missing file, bad model, unwritable folder) are printed as one clear
message with exit status 2; logging is configured here and nowhere else.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from aligncheck import __version__
from aligncheck.errors import AligncheckError
from aligncheck.progress import progress_bar
from aligncheck.rules.schema import RuleSet
from aligncheck.sequence_text import POSE_HELP, chosen_rules, print_recognition, print_sequence
from aligncheck.session import SessionSummary
from aligncheck.terminal import print_angles, print_kept, print_summary, print_verdict

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

SampleFpsOption = Annotated[
    float | None,
    typer.Option(
        "--sample-fps",
        help="Estimate poses on N frames a second (default: every frame); the annotated "
        "video keeps every frame, drawn with the latest pose.",
        min=0.5,
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


class _Unreadable:
    """The photos of a batch that could not be read: each said on stderr as it comes, then a
    count; exit status 2 once the whole batch is done (the readable photos are all checked)."""

    def __init__(self, total: int, done_verb: str) -> None:
        self.total = total
        self.done_verb = done_verb
        self.count = 0
        self._console = Console(stderr=True)

    def add(self, message: str) -> None:
        """Report one unreadable photo."""
        self.count += 1
        self._console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)

    def finish(self) -> None:
        """Exit with status 2 if any photo could not be read."""
        if not self.count:
            return
        done = self.total - self.count
        if done:
            others = "the other one was" if done == 1 else f"the other {done} were"
            text = (
                f"{self.count} of {self.total} photos could not be read; {others} {self.done_verb}."
            )
        else:
            text = f"None of the {self.total} photos could be read."
        if self.total > 1:
            self._console.print(text, highlight=False, soft_wrap=True)
        raise typer.Exit(2)


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
    from aligncheck.photos import PhotoError, measure_photos

    console = Console()
    errors = _Unreadable(len(photos), "measured")
    documents = []
    for result in measure_photos(photos, model=model, out_dir=out, threshold=threshold):
        if isinstance(result, PhotoError):
            errors.add(result.message)
            documents.append(result.to_json())
        elif as_json:
            documents.append(result.to_json())
        else:
            print_angles(console, result)
    if as_json:
        typer.echo(json.dumps(documents if len(documents) != 1 else documents[0], indent=2))
    elif out is not None and errors.count < len(photos):
        console.print(f"Annotated images written to {out}")
    errors.finish()


RulesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--rules-dir",
        help="Folder with your own <pose>.yaml rule files (searched first).",
        file_okay=False,
    ),
]
rules_app = typer.Typer(help="Work with alignment rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@app.command()
def check(
    photos: Annotated[list[Path], typer.Argument(help="Image files (jpg, png, webp).")],
    pose: Annotated[str, typer.Option("--pose", help=POSE_HELP)] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write an annotated image per photo here.")
    ] = None,
    rules_dir: RulesDirOption = None,
    model: ModelOption = None,
    threshold: Annotated[
        float, typer.Option(help="Visibility below which a landmark counts as not visible.")
    ] = 0.5,
) -> None:
    """Check each photo against a pose's alignment rules (by default the pose recognised)."""
    from aligncheck.photos import PhotoError, check_photos
    from aligncheck.rules.registry import resolve_pose
    from aligncheck.serialize import recognition_json, verdict_json

    rules = resolve_pose(pose, rules_dir)
    console = Console()
    errors = _Unreadable(len(photos), "checked")
    documents = []
    for result in check_photos(photos, rules, model=model, out_dir=out, threshold=threshold):
        if isinstance(result, PhotoError):
            errors.add(result.message)
            documents.append(result.to_json())
        elif as_json:
            found = result.recognition
            extra = {"recognised": recognition_json(found)} if found is not None else {}
            documents.append({"file": str(result.path), **verdict_json(result.verdict), **extra})
        else:
            chosen = chosen_rules(rules, result.verdict.pose_id)
            if result.recognition is not None and result.verdict.detected:
                print_recognition(console, str(result.path), result.recognition, chosen)
            if chosen is not None or not result.verdict.detected:
                guidance = chosen.guidance if chosen is not None else ()
                print_verdict(console, str(result.path), result.verdict, guidance)
    if as_json:
        typer.echo(
            json.dumps(
                documents if len(documents) != 1 else documents[0], indent=2, ensure_ascii=False
            )
        )
    elif out is not None and errors.count < len(photos):
        console.print(f"Annotated images written to {out}")
    errors.finish()


@app.command()
def poses(rules_dir: RulesDirOption = None) -> None:
    """List the poses whose rules are installed."""
    from aligncheck.rules.registry import list_poses

    console = Console()
    table = Table(title="Poses", title_justify="left")
    table.add_column("Id", no_wrap=True)
    for column in ("Name", "Sanskrit", "Family", "Camera", "Rules", "Auto"):
        table.add_column(column)
    files: list[str] = []
    problems: list[str] = []
    for entry in list_poses(rules_dir):
        files.append(str(entry.path))
        if entry.rules is None:
            table.add_row(escape(entry.pose_id), "[red]invalid[/]", "", "", "", "", "")
            problems.append(
                f"{escape(str(entry.path))}: {len(entry.error.issues) if entry.error else 0}"
            )
            continue
        card = entry.rules.pose
        table.add_row(
            card.id,
            escape(card.english),
            escape(card.sanskrit),
            escape(card.family),
            ", ".join(card.views),
            str(len(entry.rules.rules)),
            "yes" if entry.rules.recognise is not None else "[dim]no[/]",
        )
    console.print(table)
    console.print(
        "[dim]Auto: recognised with --pose auto (the rule file has a 'recognise:' section).[/]",
        soft_wrap=True,
    )
    console.print("[dim]From: " + escape(", ".join(files)) + "[/]", soft_wrap=True)
    for problem in problems:
        console.print(
            f"[red]Invalid rules file[/] {problem} problem(s); see `aligncheck rules check`.",
            soft_wrap=True,
        )


@rules_app.command("check")
def rules_check(
    files: Annotated[list[Path], typer.Argument(help="Rule files to validate.")],
) -> None:
    """Validate rule files; list every problem with its line and field."""
    from aligncheck.rules import RuleFileError, load_rules

    console = Console(stderr=False)
    failed = 0
    for path in files:
        try:
            rules = load_rules(path)
        except RuleFileError as exc:
            failed += 1
            console.print(f"[red]✗[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            continue
        console.print(
            f"[green]✓[/] {escape(str(path))}: {escape(rules.pose.english)} ({rules.pose.id}), "
            f"{len(rules.measures)} measures, {len(rules.phases)} phases, "
            f"{len(rules.rules)} rules, {len(rules.guidance)} guidance notes",
            highlight=False,
            soft_wrap=True,
        )
    if failed:
        raise typer.Exit(1)


@app.command()
def analyze(
    video: Annotated[
        Path | None,
        typer.Argument(help="Video file (default: the bundled sample clip).", dir_okay=False),
    ] = None,
    pose: Annotated[str, typer.Option("--pose", help=POSE_HELP)] = "auto",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: out/<video name>).")
    ] = None,
    from_landmarks: Annotated[
        Path | None,
        typer.Option(
            "--from-landmarks",
            help="Re-judge the landmarks recorded in an earlier run's frames.jsonl (no model).",
            dir_okay=False,
        ),
    ] = None,
    no_video: Annotated[
        bool, typer.Option("--no-video", help="Skip the annotated video (faster).")
    ] = False,
    until: Annotated[
        float | None, typer.Option("--until", help="Analyse only the first SECONDS.", min=0.0)
    ] = None,
    sample_fps: SampleFpsOption = None,
    rules_dir: RulesDirOption = None,
    model: ModelOption = None,
) -> None:
    """Analyse a practice video: annotated video, per-frame data and an HTML report.

    By default (``--pose auto``) the poses are recognised and each judged by its own rules."""
    from aligncheck.bundled import sample_path
    from aligncheck.pipeline import AnalysisInterrupted, analyze_video
    from aligncheck.rules.registry import resolve_pose
    from aligncheck.sequence import SequenceInterrupted, analyze_auto

    rules = resolve_pose(pose, rules_dir)
    with ExitStack() as stack:
        if video is None and from_landmarks is None:
            video = stack.enter_context(sample_path())
        name = video.stem if video is not None else Path(from_landmarks or "session").parent.name
        folder = out if out is not None else Path("out") / name
        run = analyze_video if isinstance(rules, RuleSet) else analyze_auto
        try:
            with progress_bar(Console(stderr=True), "analysing") as update:
                analysis = run(
                    video,
                    rules,  # type: ignore[arg-type]
                    folder,
                    model=model,
                    from_landmarks=from_landmarks,
                    progress=update,
                    write_video=not no_video,
                    until=until,
                    sample_fps=sample_fps,
                )
        except (AnalysisInterrupted, SequenceInterrupted) as stop:
            print_kept(Console(stderr=True), stop.analysis)
            raise typer.Exit(130) from None
    if isinstance(analysis.summary, SessionSummary) and isinstance(rules, RuleSet):
        hold = rules.phase(rules.hold_phase).label.lower() if rules.hold_phase else "pose"
        print_summary(Console(), analysis.summary, analysis.folder, analysis.files, hold)
    else:
        print_sequence(Console(), analysis.summary, analysis.folder, analysis.files)


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


@app.command()
def review(
    inputs: Annotated[
        list[Path], typer.Argument(help="Clip files and folders (searched recursively for videos).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the clips' results and index.")],
    pose: Annotated[str, typer.Option("--pose", help=POSE_HELP)] = "auto",
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", help="Clips analysed at once (default: the number of CPU cores)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Analyse again even clips whose results are cached.")
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="ADDRESS",
            # "\\[" keeps rich from taking [cluster] for markup
            help="Run each clip as a task on a Dask cluster: tcp://HOST:8786 (a running "
            'scheduler) or local:N (N workers here). Needs pip install "aligncheck\\[cluster]".',
        ),
    ] = None,
    sample_fps: SampleFpsOption = None,
    rules_dir: RulesDirOption = None,
    model: ModelOption = None,
) -> None:
    """Analyse many students' clips in parallel; write index.html and index.csv for a teacher."""
    from aligncheck.review import RichReporter, review_clips

    console = Console()
    result = review_clips(
        inputs,
        out,
        pose,
        rules_dir,
        model,
        jobs,
        force,
        reporter=RichReporter(console),
        cluster=cluster,
        sample_fps=sample_fps,
    )
    counts = ", ".join(
        f"{result.count(s)} {s}" for s in ("analysed", "cached", "skipped") if result.count(s)
    )
    console.print(
        f"{len(result.rows)} clips ({counts}) in {result.seconds:.0f} s. "
        f"Index: {result.index_html}",
        highlight=False,
        soft_wrap=True,
    )
    if result.interrupted:
        console.print("[yellow]Interrupted: the index lists the clips finished so far.[/]")
        raise typer.Exit(130)


@app.command()
def live(
    camera: Annotated[
        int | None, typer.Option("--camera", help="Camera INDEX (default 0).", min=0)
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option(
            "--source", help="Coach from a video FILE played like a camera.", dir_okay=False
        ),
    ] = None,
    pose: Annotated[str, typer.Option("--pose", help=POSE_HELP)] = "auto",
    voice: Annotated[bool, typer.Option("--voice/--no-voice", help="Speak the cues.")] = True,
    voice_name: Annotated[str, typer.Option("--voice-name", help="espeak-ng voice.")] = "en",
    rate: Annotated[
        int, typer.Option("--rate", help="Speech rate (words a minute).", min=60)
    ] = 150,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record", help="Save the session (video, frames, report) in DIR.", file_okay=False
        ),
    ] = None,
    no_window: Annotated[
        bool, typer.Option("--no-window", help="No window: print cues and status lines.")
    ] = False,
    side: Annotated[
        str, typer.Option("--side", help="Side practised: left, right or auto (detected).")
    ] = "auto",
    rules_dir: RulesDirOption = None,
    model: ModelOption = None,
) -> None:
    """Live coaching from a webcam: mirrored picture, one large cue, voice, guided entry.

    Keys: q/Esc quit, space pause, s switch side, r restart the guided entry, v voice, a angles.
    """
    from aligncheck.live.loop import run_live
    from aligncheck.live.values import LiveOptions
    from aligncheck.rules.registry import resolve_pose

    if side not in ("auto", "left", "right"):
        raise typer.BadParameter("use left, right or auto", param_hint="--side")
    if camera is not None and source is not None:
        raise typer.BadParameter("give --camera or --source, not both", param_hint="--source")
    rules = resolve_pose(pose, rules_dir)
    console = Console()
    options = LiveOptions(
        side=side,  # type: ignore[arg-type]
        voice=voice,
        voice_name=voice_name,
        rate=rate,
        record=record,
        window=not no_window,
    )
    echo = (
        (lambda line: console.print(escape(line), highlight=False, soft_wrap=True))
        if no_window
        else None
    )
    result = run_live(rules, camera, source, options, model=model, echo=echo)
    if result.problem:
        console.print(f"[yellow]{escape(result.problem)}[/]", highlight=False, soft_wrap=True)
    console.print(
        f"{result.frames} frames in {result.seconds:.0f} s ({result.fps:.1f} fps); "
        f"longest good hold {result.hold:.0f} s.",
        highlight=False,
    )
    if result.record is not None:
        console.print(f"Session saved in {result.record}/ (report.html)", highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    # FFmpeg (inside OpenCV) prints a line per damaged packet of a truncated video; the user
    # gets one clear warning from aligncheck instead.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
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
        Console(stderr=True).print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
