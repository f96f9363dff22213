"""``aligncheck review``: a class folder of real, broken and empty clips, run in-process through
the CLI with two worker processes; the cache, --force, Ctrl-C and bad settings."""

from __future__ import annotations

import csv
import json
import re
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from aligncheck import review as review_module
from aligncheck.cli import main
from aligncheck.review import (
    DONE_NAME,
    INTERRUPTED_REASON,
    cache_key,
    find_clips,
    safe_stem,
    student_name,
)

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "janu_sirsasana_right.mp4"
SCRIPT_NAME = "<script>alert(1)</script>.mp4"  # a folder "<script>alert(1)<" and "script>.mp4"
WIDTH = 320


def _write_video(path: Path, frames: list[np.ndarray], fps: int = 30) -> Path:
    """H.264 MP4 with the index at the front (+faststart), so a cut-off copy still opens."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for image in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    return path


def _excerpt(path: Path, start: float, seconds: float) -> Path:
    """``seconds`` of the bundled sample from ``start``, scaled down to WIDTH pixels."""
    capture = cv2.VideoCapture(str(SAMPLE))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.set(cv2.CAP_PROP_POS_FRAMES, round(start * fps))
    frames = []
    while len(frames) < round(seconds * fps):
        ok, image = capture.read()
        if not ok:
            break
        height = round(image.shape[0] * WIDTH / image.shape[1] / 2) * 2
        frames.append(cv2.resize(image, (WIDTH, height), interpolation=cv2.INTER_AREA))
    capture.release()
    return _write_video(path, frames, round(fps))


def _empty_room(path: Path, seconds: float = 1.5) -> Path:
    """A wall, a floor and a cupboard with a little sensor noise: nobody in the picture."""
    rng = np.random.default_rng(3)
    room = np.zeros((180, WIDTH, 3), np.uint8)
    room[:120] = (190, 200, 205)
    room[120:] = (70, 110, 150)
    cv2.rectangle(room, (200, 40), (280, 130), (60, 60, 90), -1)
    noise = [rng.integers(-4, 5, room.shape) for _ in range(int(seconds * 30))]
    return _write_video(path, [np.clip(room + n, 0, 255).astype(np.uint8) for n in noise])


@pytest.fixture(scope="module")
def lesson(tmp_path_factory) -> dict[str, Path]:
    """A teacher's folder: good clips, a sidecar, broken files, an empty room, a hostile name."""
    root = tmp_path_factory.mktemp("lesson")
    clips = {
        "anna": _excerpt(root / "anna_janu_2024-05-01.mp4", 21.5, 4.0),
        "ben": _excerpt(root / "IMG_0042.mp4", 17.0, 3.0),
        "room": _empty_room(root / "empty_room.mp4"),
    }
    (root / "IMG_0042.json").write_text(json.dumps({"student": "Ben Ng"}), encoding="utf-8")
    week2 = root / "week2"
    week2.mkdir()
    (week2 / "anna_janu_2024-05-01.mp4").write_bytes(clips["anna"].read_bytes())  # same clip
    full = _excerpt(root / "cara_full.mp4.part", 10.0, 3.0)
    data = full.read_bytes()
    clips["cara"] = week2 / "cara-twist.mp4"
    clips["cara"].write_bytes(data[: len(data) * 55 // 100])
    full.unlink()
    clips["empty"] = root / "zero.mp4"
    clips["empty"].write_bytes(b"")
    hostile = root / SCRIPT_NAME
    hostile.parent.mkdir()
    hostile.write_text("not a video at all\n", encoding="utf-8")
    clips["hostile"] = hostile
    (root / ".hidden_copy.mp4").write_bytes(b"junk")  # hidden: not part of the review
    clips["notes"] = root / "notes.txt"
    clips["notes"].write_text("lesson plan\n", encoding="utf-8")
    clips["root"] = root
    return clips


def _index(out: Path) -> dict[str, dict[str, str]]:
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row["clip"]: row for row in rows}


def _done_times(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in (out / "clips").glob(f"*/{DONE_NAME}")}


@pytest.fixture(scope="module")
def reviewed(lesson, tmp_path_factory) -> tuple[Path, float]:
    """The lesson reviewed once (folder plus an explicit non-video file), two workers."""
    out = tmp_path_factory.mktemp("review")
    start = time.perf_counter()
    inputs = [str(lesson["root"]), str(lesson["notes"])]
    code = main(["review", *inputs, "--out", str(out), "--jobs", "2"])
    assert code == 0
    return out, time.perf_counter() - start


def test_every_clip_has_a_row_with_status_and_reason(lesson, reviewed):
    out, _ = reviewed
    rows = _index(out)
    assert set(rows) == {
        "anna_janu_2024-05-01.mp4",
        "IMG_0042.mp4",
        "empty_room.mp4",
        "week2/cara-twist.mp4",
        "week2/anna_janu_2024-05-01.mp4",
        "zero.mp4",
        SCRIPT_NAME,
        "notes.txt",
    }
    status = {clip: row["status"] for clip, row in rows.items()}
    assert status["anna_janu_2024-05-01.mp4"] == "analysed"
    assert status["IMG_0042.mp4"] == "analysed"
    assert status["empty_room.mp4"] == "analysed"
    assert status["week2/cara-twist.mp4"] == "analysed"
    # the same file twice: analysed once, the copy shares its folder
    assert status["week2/anna_janu_2024-05-01.mp4"] == "cached"
    assert (
        rows["week2/anna_janu_2024-05-01.mp4"]["report_href"]
        == (rows["anna_janu_2024-05-01.mp4"]["report_href"])
    )
    assert status["zero.mp4"] == status[SCRIPT_NAME] == status["notes.txt"] == "skipped"
    assert "0 bytes" in rows["zero.mp4"]["reason"]
    assert "no frame could be decoded" in rows[SCRIPT_NAME]["reason"] or (
        "cannot be opened" in rows[SCRIPT_NAME]["reason"]
    )
    assert "not a video file" in rows["notes.txt"]["reason"]
    assert "nobody was found" in rows["empty_room.mp4"]["reason"]
    assert "truncated" in rows["week2/cara-twist.mp4"]["reason"]
    # students: from the file name, and from a sidecar
    assert rows["anna_janu_2024-05-01.mp4"]["student"] == "anna"
    assert rows["IMG_0042.mp4"]["student"] == "Ben Ng"
    assert rows["week2/cara-twist.mp4"]["student"] == "cara"
    anna = rows["anna_janu_2024-05-01.mp4"]
    assert float(anna["hold_time"]) > 0.5 and anna["score"] not in ("", None)
    assert "right" in anna["sides"]
    assert rows["empty_room.mp4"]["score"] in ("", "None")


def test_clip_folders_hold_the_analysis_and_a_done_marker(lesson, reviewed):
    out, _ = reviewed
    folders = sorted(p.name for p in (out / "clips").iterdir())
    assert len(folders) == 4
    anna = next((out / "clips").glob("anna_janu_2024-05-01-*"))
    assert len(anna.name.rsplit("-", 1)[1]) == 12
    for name in ("annotated.mp4", "frames.jsonl", "summary.json", DONE_NAME):
        assert (anna / name).is_file(), name
    marker = json.loads((anna / DONE_NAME).read_text())
    assert marker["key"].startswith(anna.name.rsplit("-", 1)[1])
    assert not list(out.glob("clips/*/done.json.part"))


def test_index_html_escapes_names_and_links_reports(reviewed):
    out, _ = reviewed
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "anna_janu_2024-05-01.mp4" in html and "Ben Ng" in html
    href = _index(out)["anna_janu_2024-05-01.mp4"]["report_href"]
    assert href.startswith("clips/anna_janu_2024-05-01-") and href.endswith("/report.html")
    assert (out / href).is_file() and href in html
    assert _index(out)["zero.mp4"]["report_href"] == ""


def test_rows_carry_thumbnails(lesson, reviewed, tmp_path):
    out, _ = reviewed
    result = review_module.review_clips([lesson["root"]], out, jobs=1)  # all cached: quick
    by_clip = {row.clip: row for row in result.rows}
    assert by_clip["anna_janu_2024-05-01.mp4"].thumbnail[:2] == b"\xff\xd8"
    thumb = cv2.imdecode(np.frombuffer(by_clip["IMG_0042.mp4"].thumbnail, np.uint8), 1)
    assert thumb is not None and thumb.shape[1] == 320
    assert by_clip["empty_room.mp4"].thumbnail[:2] == b"\xff\xd8"  # its first frame
    assert by_clip["zero.mp4"].thumbnail == b""
    assert result.count("cached") == 5 and result.count("analysed") == 0


def test_second_run_uses_the_cache_and_force_analyses_again(lesson, reviewed, capsys):
    out, _ = reviewed
    before = _done_times(out)
    assert main(["review", str(lesson["root"]), "--out", str(out), "--jobs", "2"]) == 0
    rows = _index(out)
    assert sum(r["status"] == "cached" for r in rows.values()) == 5
    assert _done_times(out) == before  # nothing was analysed again
    capsys.readouterr()
    anna = lesson["anna"]
    assert main(["review", str(anna), "--out", str(out), "--force", "--jobs", "1"]) == 0
    rows = _index(out)
    assert [r["status"] for r in rows.values()] == ["analysed"]
    after = _done_times(out)
    changed = [name for name in after if after[name] != before[name]]
    assert len(changed) == 1 and changed[0].startswith("anna_janu")


def test_ctrl_c_keeps_finished_clips_writes_the_index_and_exits_130(lesson, tmp_path, monkeypatch):
    out = tmp_path / "out"
    original = review_module.RichReporter.finished

    def interrupt_after_first(self, row):
        original(self, row)
        raise KeyboardInterrupt

    monkeypatch.setattr(review_module.RichReporter, "finished", interrupt_after_first)
    code = main(
        ["review", str(lesson["ben"]), str(lesson["anna"]), "--out", str(out), "--jobs", "1"]
    )
    assert code == 130
    rows = _index(out)
    assert rows["IMG_0042.mp4"]["status"] == "analysed"
    assert rows["anna_janu_2024-05-01.mp4"]["status"] == "skipped"
    assert rows["anna_janu_2024-05-01.mp4"]["reason"] == INTERRUPTED_REASON
    assert (out / "index.html").is_file()
    done = list(out.glob(f"clips/*/{DONE_NAME}"))
    assert [p.parent.name.startswith("IMG_0042") for p in done] == [True]
    # the interrupted clip left no marker, so the next run analyses it; the finished one is cached
    monkeypatch.undo()
    assert main(["review", str(lesson["ben"]), str(lesson["anna"]), "--out", str(out)]) == 0
    rows = _index(out)
    assert rows["IMG_0042.mp4"]["status"] == "cached"
    assert rows["anna_janu_2024-05-01.mp4"]["status"] == "analysed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "{blocked}/sub"], "not writable"),
        (["--out", "{out}", "--model", "{clip}"], "Model file"),
        (["--out", "{out}", "--pose", "janu_sirsasan"], "Did you mean 'janu_sirsasana'"),
        (["--out", "{out}", "--jobs", "0"], "at least 1"),
    ],
)
def test_bad_settings_fail_before_any_work(lesson, tmp_path, capsys, args, message):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file in the way")
    values = {"blocked": blocked, "out": tmp_path / "out", "clip": lesson["anna"]}
    argv = ["review", str(lesson["anna"]), *(a.format(**values) for a in args)]
    assert main(argv) == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "out" / "clips").exists() or not any(
        (tmp_path / "out" / "clips").iterdir()
    )


def test_no_clips_is_an_error(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    assert main(["review", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 2
    assert "No video files" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "sidecar", "expected"),
    [
        ("anna_janu_2024-05-01.mp4", None, "anna"),
        ("2024-05-01_bo-janu.mov", None, "bo"),
        ("IMG_1234.mp4", None, "unknown"),
        ("PXL_20240501_dara.mp4", None, "dara"),
        ("clip.mp4", ("json", '{"student": "Eve Li"}'), "Eve Li"),
        ("clip.mp4", ("txt", "\n  Farid  \nsecond line\n"), "Farid"),
        ("gus_1.mp4", ("json", "not json"), "gus"),
    ],
)
def test_student_name(tmp_path, name, sidecar, expected):
    clip = tmp_path / name
    clip.write_bytes(b"")
    if sidecar is not None:
        clip.with_suffix("." + sidecar[0]).write_text(sidecar[1], encoding="utf-8")
    assert student_name(clip) == expected


def test_find_clips_recurses_skips_hidden_and_the_output_folder(tmp_path):
    for name in ("a.mp4", "sub/b.MOV", "sub/c.txt", ".x/d.mp4", "out/clips/e/annotated.mp4"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = find_clips([tmp_path, tmp_path / "a.mp4"], exclude=tmp_path / "out")
    assert [c.label for c in found] == ["a.mp4", "sub/b.MOV"]


def test_cache_key_depends_on_every_part():
    parts = ("c" * 64, "r" * 64, "m" * 64, "0.1.0")
    keys = {cache_key(*parts)}
    for n in range(4):
        changed = list(parts)
        changed[n] = changed[n] + "x"
        keys.add(cache_key(*changed))
    assert len(keys) == 5
    keys |= {cache_key(*parts, sample_fps=10), cache_key(*parts, sample_fps=15)}
    assert len(keys) == 7, "the sampling rate is part of the key"
    assert cache_key(*parts, sample_fps=None) == cache_key(*parts)
    assert safe_stem(Path("script>.mp4")) == "script" and safe_stem(Path("../ü.mp4")) == "clip"


def test_sample_fps_is_used_and_keys_the_cache(lesson, reviewed, tmp_path):
    out, _ = reviewed
    anna = lesson["anna"]
    assert main(["review", str(anna), "--out", str(out), "--jobs", "1", "--sample-fps", "10"]) == 0
    row = _index(out)
    assert [r["status"] for r in row.values()] == ["analysed"], "not the full-rate results"
    folder = next(
        f
        for f in (out / "clips").iterdir()
        if f.name.startswith("anna_janu")
        and json.loads((f / "frames.jsonl").read_text().splitlines()[0]).get("sample_fps") == 10
    )
    assert (folder / "done.json").is_file()
    assert main(["review", str(anna), "--out", str(out), "--jobs", "1", "--sample-fps", "10"]) == 0
    assert [r["status"] for r in _index(out).values()] == ["cached"]
    assert main(["review", str(anna), "--out", str(tmp_path), "--sample-fps", "-1"]) == 2


@pytest.mark.parametrize("existing", [False, True], ids=["only-missing", "some-missing"])
def test_inputs_that_do_not_exist_stop_the_review_before_any_work(
    lesson, tmp_path, capsys, existing
):
    out = tmp_path / "out"
    argv = ["review", str(tmp_path / "no" / "such" / "path")]
    if existing:
        argv += [str(lesson["anna"]), str(tmp_path / "typo.mp4")]
    assert main([*argv, "--out", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "not exist" in err and "no/such/path" in err and "Traceback" not in err
    if existing:
        assert "typo.mp4" in err and "anna_janu" not in err  # only the missing ones are named
    assert not out.exists()  # nothing written, no index


def test_a_clip_where_the_pose_is_not_recognised_has_no_score(tmp_path, capsys):
    """1.5 s of the upright phase: rules are judged, but the pose is not recognised."""
    clip = _excerpt(tmp_path / "dana_brief.mp4", 6.2, 1.5)
    out = tmp_path / "out"
    janu = ["--pose", "janu_sirsasana"]  # the pose given: judged as Janu, not recognised
    assert main(["review", str(clip), "--out", str(out), "--jobs", "1", *janu]) == 0
    terminal = " ".join(capsys.readouterr().out.split())
    assert "was not recognised" in terminal and "score" not in terminal
    folder = next((out / "clips").iterdir())
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["seconds_in_pose"] > 0.5  # the pose's phases were seen and judged ...
    judged = [
        sum(r["seconds"].get(k, 0.0) for k in ("ok", "close", "off")) for r in summary["rules"]
    ]
    assert max(judged) > 0.5
    assert summary["score"] is None  # ... but a score would claim what was not seen
    row = _index(out)["dana_brief.mp4"]
    assert row["status"] == "analysed" and row["score"] == ""
    html = (out / "index.html").read_text(encoding="utf-8")
    hold, score = re.findall(r'<td class="n[^"]*" data-key="([^"]*)">([^<]*)</td>', html)
    assert score == ("", "–") and hold[0] != ""  # no score, sorted last; the hold is known
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "no score: the pose was not judged" in report
