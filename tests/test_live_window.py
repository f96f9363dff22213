"""The live loop in a real OpenCV window on a virtual X display (Xvfb).

A child process runs the loop with ``cv2.imshow`` / ``cv2.waitKey`` for about two seconds on the
bundled sample clip played in real time, grabs the X display (``mss``) once its window is up
and painted (on a loaded machine that can take longer, so it looks again for up to 15 s),
and saves the screenshot and the last image it drew. The test then finds that image in the
screenshot: the window really shows the mirrored frame with the cue banner. Skipped when the
``Xvfb`` binary is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "janu_sirsasana_right.mp4"

CHILD = """
import sys, time
from pathlib import Path
import cv2, mss, numpy as np
from aligncheck.live.loop import CvWindow, run_live
from aligncheck.live.values import LiveOptions
from aligncheck.live.voice import SilentVoice
from aligncheck.rules.registry import find_pose

out = Path(sys.argv[2])

class Shooting(CvWindow):
    def __init__(self):
        super().__init__()
        self.start, self.shot, self.last = time.monotonic(), False, None

    def show(self, image):
        super().show(image)
        self.last = image

    def key(self, wait_ms=1):
        key = super().key(wait_ms)
        waited = time.monotonic() - self.start
        if not self.shot and self.last is not None and waited > 2.0:
            with mss.mss() as screen:
                grab = np.array(screen.grab(screen.monitors[0]))[:, :, :3]
            # on a busy machine the window may not be mapped and painted yet: look again on
            # the next frames, for up to 15 s, before handing over whatever the screen shows
            if grab.std() > 20 or waited > 15.0:
                cv2.imwrite(str(out / "window.png"), grab)
                cv2.imwrite(str(out / "drawn.png"), self.last)
                self.shot = True
                return "q"
        return key

result = run_live(
    find_pose("janu_sirsasana"),
    source=sys.argv[1],
    options=LiveOptions(realtime=True, max_seconds=20.0),
    voice=SilentVoice(),
    display=Shooting(),
)
print(result.ended_by, result.frames)
"""


@pytest.fixture
def display() -> str:
    """A fresh Xvfb on a display number it chooses itself (``-displayfd``), so parallel runs
    never share one."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write,),
    )
    os.close(write)
    try:
        with os.fdopen(read) as told:  # Xvfb writes the number once it accepts connections
            number = told.readline().strip()
        if server.poll() is not None or not number.isdigit():
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_window_shows_the_mirrored_frame_with_the_cue_banner(display, tmp_path):
    shots = tmp_path
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(SAMPLE), str(shots)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.split()[0] == "quit"
    screen = cv2.imread(str(shots / "window.png"))
    drawn = cv2.imread(str(shots / "drawn.png"))
    assert screen is not None and drawn is not None
    assert screen.std() > 20, "the screen is not blank"
    height, width = drawn.shape[:2]
    # the cue banner (the bottom quarter of the drawn image, help line included) is on screen
    banner = drawn[height * 3 // 4 :, :]
    score = cv2.matchTemplate(screen, banner, cv2.TM_CCOEFF_NORMED).max()
    assert score > 0.9
    # and so is the mirrored picture above it
    picture = drawn[height // 4 : height * 3 // 4, width // 4 : width * 3 // 4]
    assert cv2.matchTemplate(screen, picture, cv2.TM_CCOEFF_NORMED).max() > 0.8
    dark = banner[: banner.shape[0] // 2].mean()
    assert dark < np.mean(drawn[height // 3 : height // 2]), "a dark banner behind the cue"
