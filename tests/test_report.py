"""The HTML report and the review index: self-contained pages, content, escaping, CSV."""

from __future__ import annotations

import base64
import csv
import json
import math
import re
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from aligncheck.report import CSV_COLUMNS, IndexRow, write_index, write_index_csv, write_report
from aligncheck.report.fmt import clock, duration, relative_href
from aligncheck.report.svg import time_ticks, value_ticks
from aligncheck.session import KeyFrame, SessionSummary, summary_from_json

EXAMPLE = Path(__file__).parent / "data" / "summary_example.json"
HOSTILE = "<script>alert(1)</script>"


def _jpeg(colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    image = np.full((36, 64, 3), colour, np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    return encoded.tobytes()


@pytest.fixture(scope="module")
def example() -> SessionSummary:
    """The sample run's summary (right leg straight, one correction), key frames as bytes."""
    summary = summary_from_json(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    frames = [replace(kf, jpeg=_jpeg()) for kf in summary.key_frames]
    return replace(summary, key_frames=frames)


def _not_recognised(summary: SessionSummary) -> SessionSummary:
    note = (
        "Head-to-knee forward bend (Jānuśīrṣāsana) was not recognised in this clip (less than "
        "2 s in any of its phases), so no alignment faults are reported."
    )
    return replace(summary, seconds_in_pose=0.5, sides={}, hold_time=0.0, notes=[note])


def _write(summary: SessionSummary, folder: Path, video: str | None = "annotated.mp4") -> str:
    path = write_report(summary, folder / "report.html", video)
    assert path == folder / "report.html"
    return path.read_text(encoding="utf-8")


def _section(html: str, ident: str) -> str:
    match = re.search(rf'<section[^>]*id="{ident}".*?</section>', html, re.S)
    assert match, f"no section {ident}"
    return match.group(0)


def test_report_is_one_self_contained_file(example: SessionSummary, tmp_path: Path) -> None:
    html = _write(example, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    lowered = html.lower()
    for external in ('src="http', "src='http", 'href="http', "href='http", "@import", "url(http"):
        assert external not in lowered, external
    assert "<script src" not in lowered and '<link rel="stylesheet"' not in lowered
    assert '<video controls preload="metadata" playsinline src="annotated.mp4">' in html


def test_report_shows_pose_summary_and_corrections(example: SessionSummary, tmp_path: Path) -> None:
    html = _write(example, tmp_path)
    pose = _section(html, "pose")
    for text in ("Head-to-knee forward bend", "Jānuśīrṣāsana", "seated forward fold"):
        assert text in pose
    summary = _section(html, "summary")
    assert "Right leg straight" in summary
    assert "9.3 s" in summary and "5.8 s" in summary  # hold and good time
    assert ">91<" in summary and "out of 100" in summary
    for rule in example.strengths():
        assert rule.title in summary
    fixes = example.corrections()
    assert [r.rule_id for r in fixes] == ["spine_long_in_fold"]
    corrections = re.search(r'<ol class="corrections".*?</ol>', summary, re.S).group(0)
    for rule in fixes:
        assert rule.title in corrections
        assert rule.cue.replace("'", "&#39;") in corrections
        assert rule.modification in corrections
    assert 'href="#kf-fault-spine_long_in_fold"' in corrections
    assert "not recognised" not in summary


def test_report_order_of_sections(example: SessionSummary, tmp_path: Path) -> None:
    html = _write(example, tmp_path)
    order = ["pose", "summary", "timeline", "measures", "key-frames", "guidance"]
    positions = [html.index(f'id="{ident}"') for ident in order]
    assert positions == sorted(positions)
    assert html.index('id="guidance"') < html.index("<footer>")


def test_timeline_and_plots_are_inline_svg(example: SessionSummary, tmp_path: Path) -> None:
    html = _write(example, tmp_path)
    timeline = _section(html, "timeline")
    assert timeline.count('<svg class="timeline"') == 1
    for rule in example.rules:
        assert rule.title[:40] in timeline
    for label in ("Forward fold", "Upright preparation", "Twist towards the straight leg"):
        assert label in timeline  # phase labels from the rules file
    assert "url(#ac-hatch)" in timeline  # not visible: hatched
    for words in ("ok: in line", "close: nearly", "off: needs work", "not visible", "key frame"):
        assert words in timeline  # legend
    measures = _section(html, "measures")
    assert measures.count('<svg class="plot"') == len(example.series) == 6
    assert "degrees" in measures and "body lengths" in measures
    assert "Ear dropped below the hips-shoulders line (torso lengths)" in measures
    assert 'fill-opacity="0.3"' in measures and 'fill-opacity="0.22"' in measures  # bands
    # NaN values make gaps: the ear-drop line is drawn in more than one piece
    first_plot = re.search(r'<svg class="plot".*?</svg>', measures, re.S).group(0)
    assert first_plot.count("<path ") > 1


def test_key_frames_are_embedded_with_times(example: SessionSummary, tmp_path: Path) -> None:
    html = _write(example, tmp_path)
    frames = _section(html, "key-frames")
    images = re.findall(r'<img src="data:image/jpeg;base64,([^"]+)"', frames)
    assert len(images) == len(example.key_frames) == 4
    assert base64.b64decode(images[0]) == example.key_frames[0].jpeg
    assert "00:22" in frames and "Best moment" in frames  # the best moment, mm:ss
    assert "00:21" in frames and "To work on" in frames


def test_key_frames_read_from_the_keyframes_folder(tmp_path: Path) -> None:
    summary = summary_from_json(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    (tmp_path / "keyframes").mkdir()
    jpeg = _jpeg((10, 200, 10))
    (tmp_path / "keyframes" / "best_hold.jpg").write_bytes(jpeg)
    html = _write(summary, tmp_path)
    images = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', html)
    assert [base64.b64decode(i) for i in images] == [jpeg]  # the others are missing: skipped


def test_key_frame_file_cannot_escape_the_folder(tmp_path: Path) -> None:
    summary = summary_from_json(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    (tmp_path / "secret.jpg").write_bytes(_jpeg())
    (tmp_path / "out").mkdir()
    sneaky = [KeyFrame("best", "", 1.0, 30, "x", "../secret.jpg")]
    html = _write(replace(summary, key_frames=sneaky), tmp_path / "out")
    assert "data:image/jpeg" not in html


def test_guidance_is_marked_not_measured(example: SessionSummary, tmp_path: Path) -> None:
    guidance = _section(_write(example, tmp_path), "guidance")
    assert guidance.count("not measured by the camera") == len(example.guidance) == 6
    for item in example.guidance:
        assert item["title"] in guidance


def test_not_recognised_claims_no_faults(example: SessionSummary, tmp_path: Path) -> None:
    summary = _not_recognised(example)
    assert not summary.recognised
    html = _write(summary, tmp_path)
    part = _section(html, "summary")
    assert "Pose not recognised." in part
    assert "was not recognised in this clip" in part and "There are no corrections" in part
    assert 'class="corrections"' not in html and 'class="correction"' not in html
    for rule in example.corrections():
        assert rule.cue.replace("'", "&#39;") not in part
    assert "To work on" not in html  # neither corrections nor fault key frames
    assert "Alignment score" in part and ">–<" in part  # no score claimed
    assert 'id="notes"' not in html  # the note is the summary's text, not repeated


def test_notes_for_several_people_and_truncation(example: SessionSummary, tmp_path: Path) -> None:
    truncated = "The video ended after 100 of 870 frames: the file looks truncated."
    several = "More than one person was in view for 4 s; the one whose visible body was largest"
    summary = replace(example, notes=[truncated, several + " was measured."])
    notes = _section(_write(summary, tmp_path), "notes")
    assert truncated in notes
    assert several in notes


def test_footer_and_no_video(example: SessionSummary, tmp_path: Path) -> None:
    html = _write(example, tmp_path, video=None)
    assert "<video" not in html
    footer = re.search(r"<footer>.*?</footer>", html, re.S).group(0)
    for text in ("janu_sirsasana_right.mp4", "00:29", "30 fps", "960 × 540", "version 1"):
        assert text in footer


def test_report_escapes_user_data(example: SessionSummary, tmp_path: Path) -> None:
    name = f"{HOSTILE}.mp4"
    rules = [replace(r, cue=f"{HOSTILE} cue") for r in example.rules]
    frames = [replace(kf, caption=f"{HOSTILE} caption") for kf in example.key_frames]
    summary = replace(
        example,
        source={**example.source, "name": name, "student": f"{HOSTILE} Ann"},
        rules=rules,
        key_frames=frames,
        guidance=[{"title": HOSTILE, "text": HOSTILE, "source": ""}],
        notes=[HOSTILE],
    )
    html = _write(summary, tmp_path, video=f'{HOSTILE}" onerror="alert(2).mp4')
    assert "<script" not in html.lower()
    assert "onerror=" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in html  # the footer's file name
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ann" in html  # the student
    assert "&lt;script&gt;alert(1)&lt;/script&gt; cue" in html  # a correction's cue
    assert 'src="%3Cscript%3Ealert%281%29%3C/script%3E%22%20onerror' in html  # video link


def test_formatters() -> None:
    assert clock(0) == "00:00" and clock(81.6) == "01:22" and clock(3725) == "1:02:05"
    assert duration(9.333) == "9.3 s" and duration(26.3) == "26 s"
    assert duration(157.5) == "2 min 38 s" and duration(math.nan) == "–"
    assert relative_href("a b/c#d?.html") == "a%20b/c%23d%3F.html"
    assert relative_href("javascript:alert(1)").startswith("javascript%3A")
    assert time_ticks(0, 29) == [0, 5, 10, 15, 20, 25]
    assert value_ticks(150, 182) == [150, 160, 170, 180]


# --- the index --------------------------------------------------------------------------


def _row(clip: str, **fields: object) -> IndexRow:
    values: dict = {
        "clip": clip,
        "student": "",
        "pose": "Head-to-knee forward bend",
        "sides": "",
        "hold_time": 0.0,
        "score": None,
        "top_fault": "",
        "status": "analysed",
        "reason": "",
        "report_href": "",
        "thumbnail": b"",
    }
    return IndexRow(**{**values, **fields})


def _rows() -> list[IndexRow]:
    return [
        _row(
            "b_clip.mp4",
            student="Ben",
            sides="right leg straight",
            hold_time=9.3,
            score=91.3,
            top_fault="Fold from the hips with a long spine",
            report_href="b_clip/report.html",
            thumbnail=_jpeg(),
        ),
        _row(
            'a, "quoted" clip.mp4',
            student="=HYPERLINK(1)",
            status="cached",
            report_href="a clip/report.html",
        ),
        _row(
            f"{HOSTILE}.mp4",
            student=f"{HOSTILE} Ann",
            status="skipped",
            reason=f"not a video: {HOSTILE}",
        ),
    ]


def test_index_table_links_sorts_and_lists_skipped(tmp_path: Path) -> None:
    path = write_index(_rows(), tmp_path / "index.html", "Monday class")
    html = path.read_text(encoding="utf-8")
    assert "<title>Monday class</title>" in html
    assert 'href="b_clip/report.html"' in html and 'href="a%20clip/report.html"' in html
    assert html.count('<img class="thumb" src="data:image/jpeg;base64,') == 1
    assert 'id="clips"' in html and 'addEventListener("click"' in html
    assert html.count('data-sort="number"') == 2  # hold and score sort as numbers
    assert 'data-key="9.300"' in html and 'data-key="91.300"' in html
    assert "3 clips: 1 analysed, 1 cached, 1 skipped" in html
    skipped = _section(html, "skipped")
    assert "not a video:" in skipped
    body = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    assert "alert(1)" not in body  # skipped clips are not table rows
    for external in ('src="http', 'href="http', "@import"):
        assert external not in html


def test_index_escapes_user_data(tmp_path: Path) -> None:
    html = write_index(_rows(), tmp_path / "index.html", HOSTILE).read_text(encoding="utf-8")
    assert html.lower().count("<script") == 1  # only the sorting script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


def test_index_csv_columns_and_quoting(tmp_path: Path) -> None:
    path = write_index_csv(_rows(), tmp_path / "index.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == CSV_COLUMNS
    assert "thumbnail" not in table[0]
    assert len(table) == 4
    first, second, third = (dict(zip(table[0], row, strict=True)) for row in table[1:])
    assert first["hold_time"] == "9.3" and first["score"] == "91.3"
    assert first["report_href"] == "b_clip/report.html"
    assert second["clip"] == 'a, "quoted" clip.mp4'  # commas and quotes survive
    assert second["score"] == "" and second["status"] == "cached"
    assert second["student"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert third["status"] == "skipped" and third["reason"] == f"not a video: {HOSTILE}"
    raw = path.read_text(encoding="utf-8")
    assert '"a, ""quoted"" clip.mp4"' in raw
