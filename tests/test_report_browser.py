"""The report and the index in a real headless Chromium (Selenium + Debian chromium-driver).

The pages are served over http://127.0.0.1 so the report's <video> loads the annotated MP4
beside it, as it does when a teacher opens the output folder. Set ALIGNCHECK_SCREENSHOT_DIR to
keep full-page screenshots of both pages.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cv2
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
    pytest.skip(
        "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium "
        "chromium-driver; .ci/run installs them)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from aligncheck.recording import AnnotatedVideo  # noqa: E402
from aligncheck.report import IndexRow, write_index, write_report  # noqa: E402
from aligncheck.session import summary_from_json  # noqa: E402
from aligncheck.synth import load_poses, render  # noqa: E402

EXAMPLE = Path(__file__).parent / "data" / "summary_example.json"
FRAMES = ("janu_right_folded", "janu_right_folded_rounded", "janu_right_upright")


def _jpeg(image) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return encoded.tobytes()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A review folder: index.html, and clip/ with report.html and a 2-s annotated.mp4."""
    root = tmp_path_factory.mktemp("site")
    clip = root / "clip one"
    clip.mkdir()
    library = load_poses()
    images = [render(library.pose(name), width=480, height=272).image for name in FRAMES]
    video = AnnotatedVideo(clip / "annotated.mp4", 15.0, 480, 272)
    try:
        for i in range(30):
            frame = images[0].copy()
            cv2.putText(frame, f"{i:02d}", (12, 32), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255))
            video.write(frame)
    finally:
        video.close()
    summary = summary_from_json(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    frames = [
        replace(kf, jpeg=_jpeg(images[i % len(images)])) for i, kf in enumerate(summary.key_frames)
    ]
    summary = replace(summary, key_frames=frames)
    write_report(summary, clip / "report.html", "annotated.mp4")
    rows = [
        IndexRow(
            "b.mp4",
            "Bea",
            "Head-to-knee forward bend",
            "right leg straight",
            9.3,
            91.3,
            "Fold from the hips with a long spine",
            "analysed",
            "",
            "clip one/report.html",
            _jpeg(images[0]),
        ),
        IndexRow(
            "a.mp4",
            "Al",
            "Head-to-knee forward bend",
            "left leg straight",
            25.0,
            40.0,
            "Straight leg fully extended",
            "cached",
            "",
            "clip one/report.html",
            _jpeg(images[1]),
        ),
        IndexRow(
            "c.mp4",
            "Cy",
            "Head-to-knee forward bend",
            "",
            0.0,
            None,
            "",
            "analysed",
            "",
            "clip one/report.html",
            b"",
        ),
        IndexRow(
            "broken.mp4",
            "Di",
            "Head-to-knee forward bend",
            "",
            0.0,
            None,
            "",
            "skipped",
            "the file could not be decoded",
            "",
            b"",
        ),
    ]
    write_index(rows, root / "index.html", "Monday class")
    return root


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """``site`` served over http://127.0.0.1 from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile and the browser console log enabled."""
    profile = tempfile.mkdtemp(prefix="aligncheck-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver: WebDriver, url: str) -> list[dict]:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    return driver.get_log("browser")


def _screenshot(driver: WebDriver, name: str) -> None:
    folder = os.environ.get("ALIGNCHECK_SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, height + 120)
    try:
        driver.save_screenshot(str(Path(folder) / name))
    finally:
        driver.set_window_size(1200, 900)


def _box(element) -> dict:
    return element.parent.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return {w: r.width, h: r.height};",
        element,
    )


def test_report_loads_without_console_errors(browser: WebDriver, base_url: str) -> None:
    logs = _open(browser, f"{base_url}/clip%20one/report.html")
    severe = [entry for entry in logs if entry["level"] == "SEVERE"]
    assert severe == []
    assert browser.title.startswith("Head-to-knee forward bend")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Head-to-knee forward bend"
    _screenshot(browser, "report.png")


def test_timeline_and_plots_are_drawn(browser: WebDriver, base_url: str) -> None:
    _open(browser, f"{base_url}/clip%20one/report.html")
    timeline = browser.find_element(By.CSS_SELECTOR, "svg.timeline")
    plots = browser.find_elements(By.CSS_SELECTOR, "svg.plot")
    assert len(plots) == 6
    for svg in [timeline, *plots]:
        assert svg.is_displayed()
        box = _box(svg)
        assert box["w"] > 200 and box["h"] > 100
    bands = timeline.find_elements(By.CSS_SELECTOR, "rect[fill='#4f9d69']")  # ok segments
    assert bands and all(_box(b)["w"] > 0 and _box(b)["h"] > 0 for b in bands[:10])
    lines = plots[1].find_elements(By.TAG_NAME, "path")
    assert lines and _box(lines[0])["w"] > 50


def test_key_frames_decode(browser: WebDriver, base_url: str) -> None:
    _open(browser, f"{base_url}/clip%20one/report.html")
    images = browser.find_elements(By.CSS_SELECTOR, "#key-frames img")
    assert len(images) == 4
    widths = [browser.execute_script("return arguments[0].naturalWidth", i) for i in images]
    assert all(w == 480 for w in widths), widths


def test_video_plays(browser: WebDriver, base_url: str) -> None:
    _open(browser, f"{base_url}/clip%20one/report.html")
    browser.set_script_timeout(15)
    state = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const video = document.querySelector("video");
        let finished = false;
        const report = (how) => {
          if (finished) return;
          finished = true;
          done({how: how, time: video.currentTime, ready: video.readyState,
                width: video.videoWidth, error: video.error && video.error.code});
        };
        video.muted = true;
        video.addEventListener("playing", () => report("playing"));
        video.addEventListener("timeupdate", () => { if (video.currentTime > 0) report("time"); });
        video.addEventListener("error", () => report("error"));
        setTimeout(() => report("timeout"), 10000);
        video.play().catch((e) => report("rejected: " + e));
        """
    )
    assert state["how"] in ("playing", "time"), state
    assert state["ready"] >= 2 and state["width"] == 480 and state["error"] is None


def test_index_sorts_and_links(browser: WebDriver, base_url: str) -> None:
    logs = _open(browser, f"{base_url}/index.html")
    assert [e for e in logs if e["level"] == "SEVERE"] == []
    _screenshot(browser, "index.png")

    def clips() -> list[str]:
        cells = browser.find_elements(By.CSS_SELECTOR, "#clips tbody tr td:nth-child(2)")
        return [c.text for c in cells]

    def header(name: str):
        return browser.find_element(By.XPATH, f"//th/button[normalize-space()='{name}']")

    assert clips() == ["b.mp4", "a.mp4", "c.mp4"]  # as given; the skipped one is listed apart
    header("Score").click()
    assert clips() == ["a.mp4", "b.mp4", "c.mp4"]  # 40 < 91.3, no score last
    header("Score").click()
    assert clips() == ["b.mp4", "a.mp4", "c.mp4"]
    header("Hold").click()
    assert clips() == ["c.mp4", "b.mp4", "a.mp4"]  # 0 < 9.3 < 25, numerically
    header("Clip").click()
    assert clips() == ["a.mp4", "b.mp4", "c.mp4"]
    assert "broken.mp4" in browser.find_element(By.ID, "skipped").text
    browser.find_element(By.LINK_TEXT, "a.mp4").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/clip%20one/report.html"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Head-to-knee forward bend"
