"""Finding pose rule files: the bundled ``rules/`` folder and any folder the user names.

A pose's id is its file name without ``.yaml``. A user's folder comes first, so a teacher can
override a bundled pose by writing a file of the same name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from aligncheck.errors import AligncheckError
from aligncheck.rules.loader import RuleFileError, load_rules
from aligncheck.rules.schema import RuleSet

_PACKAGE = Path(__file__).resolve().parents[1]
#: The bundled rules: the repository's rules/ folder in a source checkout or an editable
#: install, or its installed copy ``aligncheck/pose_rules`` in a regular install.
_CHECKOUT = (_PACKAGE.parent / "pyproject.toml").is_file() and (_PACKAGE.parent / "rules").is_dir()
BUNDLED_RULES = _PACKAGE.parent / "rules" if _CHECKOUT else _PACKAGE / "pose_rules"
DEFAULT_POSE = "janu_sirsasana"
#: The ``--pose`` value that recognises the pose among those installed.
AUTO = "auto"


class PoseNotFoundError(AligncheckError):
    """No rule file for the requested pose."""


@dataclass(frozen=True)
class PoseEntry:
    """A rule file found on the search path, loaded or with its problems."""

    pose_id: str
    path: Path
    rules: RuleSet | None
    error: RuleFileError | None


def search_path(user_dir: Path | str | None = None) -> list[Path]:
    """Folders searched for ``<pose>.yaml``, first match wins."""
    folders = [Path(user_dir).expanduser()] if user_dir is not None else []
    return [*folders, BUNDLED_RULES]


def _files(user_dir: Path | str | None) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in search_path(user_dir):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return found


def list_poses(user_dir: Path | str | None = None) -> list[PoseEntry]:
    """Every pose on the search path, each loaded (or with its validation error)."""
    if user_dir is not None and not Path(user_dir).expanduser().is_dir():
        raise PoseNotFoundError(f"Rules folder {user_dir} does not exist.")
    entries = []
    for pose_id, path in sorted(_files(user_dir).items()):
        try:
            entries.append(PoseEntry(pose_id, path, load_rules(path), None))
        except RuleFileError as exc:
            entries.append(PoseEntry(pose_id, path, None, exc))
    return entries


def find_pose(pose: str, user_dir: Path | str | None = None) -> RuleSet:
    """Load the rules of ``pose`` (an id, or a path to a .yaml file)."""
    if pose.endswith((".yaml", ".yml")) or "/" in pose:
        return load_rules(Path(pose).expanduser())
    files = _files(user_dir)
    if pose not in files:
        close = difflib.get_close_matches(pose, list(files), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        folders = ", ".join(str(f) for f in search_path(user_dir))
        raise PoseNotFoundError(
            f"No rules for pose {pose!r} in {folders}. Installed poses: "
            f"{', '.join(sorted(files)) or 'none'}.{hint}"
        )
    return load_rules(files[pose])


def recognisable_poses(user_dir: Path | str | None = None) -> list[RuleSet]:
    """Every installed pose that ``--pose auto`` can pick (valid, with a ``recognise:``
    section). A broken file is left out (``aligncheck poses`` lists its problems)."""
    found = [e.rules for e in list_poses(user_dir) if e.rules is not None]
    library = [r for r in found if r.recognise is not None]
    if not library:
        folders = ", ".join(str(f) for f in search_path(user_dir))
        raise PoseNotFoundError(
            f"No installed pose in {folders} can be recognised (none has a 'recognise:' "
            "section): give the pose with --pose NAME."
        )
    return library


def resolve_pose(pose: str, user_dir: Path | str | None = None) -> RuleSet | list[RuleSet]:
    """The rules of ``pose``, or for ``auto`` every pose that can be recognised."""
    return recognisable_poses(user_dir) if pose == AUTO else find_pose(pose, user_dir)
