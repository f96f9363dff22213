"""What a worker checks before analysing a clip (no model run): the version, the clip's presence,
the rules' content; and that a refused clip leaves no folder behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aligncheck import __version__
from aligncheck.clipjob import PART_MARK, ClipJob, partials, remove_partials, run_clip
from aligncheck.estimate.model import sha256_of
from aligncheck.rules.registry import BUNDLED_RULES

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "janu_sirsasana_right.mp4"
RULES = BUNDLED_RULES / "janu_sirsasana.yaml"


def _job(tmp_path: Path, **changes: object) -> ClipJob:
    values: dict = {
        "clip": SAMPLE,
        "folder": tmp_path / "clips" / "sample-0123456789ab",
        "key": "0123456789ab" + "0" * 52,
        "rules_path": RULES,
        "rules_sha256": sha256_of(RULES),
        "model": None,
        "required": ("summary.json",),
        "version": __version__,
    }
    values.update(changes)
    return ClipJob(**values)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": "0.0.1"}, f"runs aligncheck {__version__}, the review 0.0.1"),
        ({"clip": Path("/no/such/share/clip.mp4")}, "put the clips on storage that every worker"),
        ({"rules_sha256": "0" * 64}, "is not on worker"),
        ({"rules_path": Path("/no/such/share/mine.yaml")}, "put custom rules on storage"),
    ],
)
def test_a_worker_refuses_a_clip_it_cannot_analyse_as_asked(tmp_path, changes, message):
    job = _job(tmp_path, **changes)
    outcome = run_clip(job)
    assert message in outcome.error
    assert outcome.worker.endswith(f"-{os.getpid()}")
    assert not job.folder.exists() and not partials(job.folder)


def test_bundled_rules_are_found_under_another_installation_path(tmp_path):
    """The client's bundled rules path need not exist on the worker: the worker's own bundled
    copy with the same content is used (checked by hash)."""
    from aligncheck.clipjob import _rules_file

    job = _job(tmp_path, rules_path=Path("/elsewhere/site-packages/pose_rules/janu_sirsasana.yaml"))
    assert _rules_file(job.rules_path, job.rules_sha256) == RULES


def test_remove_partials_clears_only_that_clips_temporary_folders(tmp_path):
    clips = tmp_path / "clips"
    folder = clips / "anna-0123456789ab"
    for name in (f".{folder.name}{PART_MARK}host-1", f".{folder.name}{PART_MARK}host-2"):
        (clips / name).mkdir(parents=True)
    other = clips / f".ben-ba9876543210{PART_MARK}host-1"
    other.mkdir()
    folder.mkdir()
    assert len(partials(folder)) == 2
    remove_partials(folder)
    assert partials(folder) == [] and other.is_dir() and folder.is_dir()


def test_a_clip_whose_encoder_fails_part_way_is_skipped_with_the_reason(tmp_path, monkeypatch):
    """In a review a failure part-way is the clip's reason (no folder that will be removed is
    named), and the clip's unfinished folder is not left behind: the next run tries again."""
    from aligncheck.errors import OutputError
    from aligncheck.recording import AnnotatedVideo

    real = AnnotatedVideo.write

    def write(self, image, timestamp=None):
        if self.frames >= 5:
            raise OutputError("annotated.mp4: encoding failed (boom).")
        real(self, image, timestamp)

    monkeypatch.setattr(AnnotatedVideo, "write", write)
    job = _job(tmp_path)
    outcome = run_clip(job)
    assert outcome.error == (
        "annotated.mp4: encoding failed (boom). The analysis stopped after 5 frames."
    )
    assert not job.folder.exists() and not partials(job.folder)
