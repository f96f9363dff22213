"""Live coaching from a camera (or a video file played like one).

* :mod:`~aligncheck.live.capture`: the newest frame of a camera or a file, never a stale queue;
* :mod:`~aligncheck.live.setup_check`: advice on the camera's position before coaching starts;
* :mod:`~aligncheck.live.coach`: what to say, and when, from the verdicts and the guide;
* :mod:`~aligncheck.live.voice`: speech, or silence when no speech engine is installed;
* :mod:`~aligncheck.live.overlay`: the mirrored screen with a large cue;
* :mod:`~aligncheck.live.values`: the session's options, its result and the hold timer;
* :mod:`~aligncheck.live.loop`: :func:`~aligncheck.live.loop.run_live` wires them together.

Nothing is imported here, so importing one part never loads the others.
"""
