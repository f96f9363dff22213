"""The sample clip ships inside the package and is found through importlib.resources, so
``pip install .`` (not editable) followed by ``aligncheck analyze`` works.

The installed copy is made by setuptools' ``build_py`` (the step of ``pip wheel`` that picks
the packages and their data files) into a folder outside the checkout, offline; the package is
then imported from there in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from aligncheck.bundled import SAMPLE_CLIP, BundledFileError, sample_file, sample_path
from aligncheck.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package as an install lays it out, in a folder that is not the checkout."""
    lib = tmp_path_factory.mktemp("site")
    build = ["-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib"]
    done = subprocess.run(
        [sys.executable, *build, str(lib)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return lib


def test_the_build_carries_the_sample_clip_rules_and_model(installed):
    package = installed / "aligncheck"
    clip = package / "samples" / SAMPLE_CLIP
    assert clip.read_bytes() == (ROOT / "samples" / SAMPLE_CLIP).read_bytes()
    assert (package / "pose_rules" / "janu_sirsasana.yaml").is_file()
    assert (package / "models" / "pose_landmarker_full.task").stat().st_size > 1_000_000


def _run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_an_installed_copy_finds_its_own_sample_and_analyses_it(installed, tmp_path):
    found = _run_installed(
        installed,
        tmp_path,
        "-c",
        "import aligncheck.bundled as b, aligncheck.rules.registry as r; "
        "print(b.sample_file()); print(r.BUNDLED_RULES)",
    )
    assert found.returncode == 0, found.stderr
    clip, rules = found.stdout.split()
    assert Path(clip) == installed / "aligncheck" / "samples" / SAMPLE_CLIP  # not the checkout
    assert Path(rules) == installed / "aligncheck" / "pose_rules"
    out = tmp_path / "out"
    run = _run_installed(
        installed, tmp_path, "-m", "aligncheck", "analyze", "--until", "0.2", "--no-video",
        "--out", str(out),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["source"]["name"] == SAMPLE_CLIP and summary["frames"] > 0


def test_sample_file_resolves_through_the_package_resources():
    expected = resources.files("aligncheck.samples") / SAMPLE_CLIP
    assert sample_file() == expected
    with sample_path() as path:
        assert path.is_file() and path.name == SAMPLE_CLIP


def test_a_missing_sample_is_a_clear_error(monkeypatch, capsys):
    with pytest.raises(BundledFileError, match=r"no_such_clip\.mp4"):
        sample_file("no_such_clip.mp4")
    monkeypatch.setattr("aligncheck.bundled.SAMPLES_PACKAGE", "aligncheck.not_installed")
    assert main(["analyze", "--no-video"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "is not installed with aligncheck" in err and "Traceback" not in err
