"""The clips a review takes: found in folders or named, with each student's name.

See :mod:`aligncheck.review` for the rules (sidecar files, names from file names, inputs that
do not exist stopping the review before any work).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aligncheck.errors import AligncheckError
from aligncheck.sources import VIDEO_SUFFIXES

log = logging.getLogger(__name__)

#: File-name pieces that are camera prefixes, never a student's name.
CAMERA_PREFIXES = frozenset({"img", "vid", "video", "mov", "pxl", "dsc", "dscn", "gopr", "clip"})


class ReviewError(AligncheckError):
    """A review cannot start: no clips, or a bad setting."""


@dataclass(frozen=True)
class ClipInput:
    """One input file: where it is and how the index names it."""

    path: Path
    label: str  # path relative to the folder it was found in, or the name of a file given
    explicit: bool  # named on the command line (not found by searching a folder)


def find_clips(inputs: Iterable[Path | str], exclude: Path | None = None) -> list[ClipInput]:
    """The clips to review, in order: each folder searched recursively (sorted) for video
    suffixes, each file as given (videos or not: a non-video becomes a skipped row). Hidden
    files (``.name``) in folders and anything under ``exclude`` (the output folder) are left
    out; a file reached twice is listed once."""
    found: list[ClipInput] = []
    seen: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None

    def add(path: Path, label: str, explicit: bool) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(ClipInput(path, label, explicit))

    for item in inputs:
        path = Path(item).expanduser()
        if not path.is_dir():
            add(path, path.name, True)
            continue
        for file in sorted(path.rglob("*")):
            relative = file.relative_to(path)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if skip is not None and file.resolve().is_relative_to(skip):
                continue
            if file.suffix.lower() in VIDEO_SUFFIXES and file.is_file():
                add(file, relative.as_posix(), False)
    return found


def require_existing(inputs: Iterable[Path | str]) -> None:
    """Raise :class:`ReviewError` naming every input path that does not exist."""
    missing = [str(item) for item in inputs if not Path(item).expanduser().exists()]
    if not missing:
        return
    listed = ", ".join(missing)
    raise ReviewError(
        f"{'This input does' if len(missing) == 1 else 'These inputs do'} not exist: {listed}. "
        "Nothing was reviewed; correct the path and run again."
    )


def student_name(clip: Path) -> str:
    """The student in ``clip``: from a sidecar, else from the file name (module docstring)."""
    sidecar = clip.with_suffix(".json")
    if sidecar.is_file():
        try:
            name = json.loads(sidecar.read_text(encoding="utf-8")).get("student")
        except (OSError, ValueError, AttributeError) as exc:
            log.warning('%s: ignored (%s); expected {"student": "name"}', sidecar, exc)
        else:
            if isinstance(name, str) and name.strip():
                return name.strip()
    text = clip.with_suffix(".txt")
    if text.is_file():
        try:
            lines = text.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            log.warning("%s: ignored (%s)", text, exc)
        else:
            for line in lines:
                if line.strip():
                    return line.strip()
    for piece in re.split(r"[_\-\s.]+", clip.stem):
        if piece.isalpha() and piece.lower() not in CAMERA_PREFIXES:
            return piece
    return "unknown"


def safe_stem(clip: Path) -> str:
    """A folder-name-safe version of the clip's stem (letters, digits, ``._-``; at most 60)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", clip.stem).strip("._-")
    return stem[:60] or "clip"
