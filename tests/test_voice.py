"""Speech: the real espeak-ng renders a cue to a WAV file; the worker never blocks the caller and
replaces a waiting sentence instead of queueing it (checked with a fake speech program that
records what it is asked to say); a missing or failing program turns the voice off with a
message instead of an error."""

from __future__ import annotations

import shutil
import time
import wave
from pathlib import Path

import pytest

from aligncheck.errors import AligncheckError
from aligncheck.live.voice import (
    EspeakVoice,
    SilentVoice,
    Voice,
    VoiceError,
    open_voice,
    speak_to_file,
)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not on PATH")
CUE = "Straighten the straight leg; draw the kneecap up and press the heel forward."


def _fake(tmp_path: Path, seconds: float = 0.4, stderr: str = "", status: int = 0) -> Path:
    """A speech program that appends each text it reads on stdin to ``said.log`` (one line per
    utterance), then takes ``seconds`` to "speak" it."""
    log = tmp_path / "said.log"
    script = tmp_path / "fake-espeak"
    script.write_text(
        "#!/bin/sh\n"
        "text=$(cat)\n"
        f'[ -n "{stderr}" ] && echo "{stderr}" >&2\n'
        f'[ -z "$text" ] && exit {status}\n'
        f'echo "$text" >> "{log}"\n'
        f"sleep {seconds}\n"
        f"exit {status}\n"
    )
    script.chmod(0o755)
    return script


def _said(tmp_path: Path) -> list[str]:
    log = tmp_path / "said.log"
    return log.read_text().splitlines() if log.exists() else []


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@needs_espeak
def test_real_espeak_writes_a_wav_of_the_cue(tmp_path):
    path = speak_to_file(CUE, tmp_path / "cue.wav")
    head = path.read_bytes()[:12]
    assert head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    with wave.open(str(path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 0.3


@needs_espeak
def test_a_slower_rate_makes_a_longer_recording(tmp_path):
    def seconds(rate: int) -> float:
        with wave.open(str(speak_to_file(CUE, tmp_path / f"{rate}.wav", rate=rate))) as wav:
            return wav.getnframes() / wav.getframerate()

    assert seconds(100) > 1.3 * seconds(200)


def test_speak_to_file_without_the_program_raises_a_clear_error(tmp_path):
    with pytest.raises(VoiceError, match="not installed"):
        speak_to_file("hello", tmp_path / "x.wav", command=str(tmp_path / "no-such-program"))


def test_say_returns_at_once_and_replaces_the_waiting_sentence(tmp_path):
    # the first sentence takes 1.5 s to speak; a say() that waited for it would take that
    # long, one that returns at once takes well under 0.2 s even on a busy machine, so the
    # next three all arrive while the first is still being spoken
    voice = EspeakVoice(command=str(_fake(tmp_path, seconds=1.5)))
    try:
        start = time.perf_counter()
        voice.say("one " * 50)
        assert time.perf_counter() - start < 0.2
        assert _wait_for(lambda: len(_said(tmp_path)) == 1)
        for text in ("two", "three", "four"):
            start = time.perf_counter()
            voice.say(text)
            assert time.perf_counter() - start < 0.2
        assert _wait_for(lambda: len(_said(tmp_path)) == 2)
    finally:
        voice.close()
    said = _said(tmp_path)
    assert said[0].startswith("one") and said[1:] == ["four"]
    assert voice.available


def test_close_stops_and_joins_and_later_texts_are_dropped(tmp_path):
    voice = EspeakVoice(command=str(_fake(tmp_path, seconds=5.0)))
    voice.say("a long sentence")
    assert _wait_for(lambda: _said(tmp_path) == ["a long sentence"])
    voice.say("waiting")
    start = time.monotonic()
    voice.close()
    assert time.monotonic() - start < 5.0  # the speaking program was stopped, not waited for
    assert not voice._thread.is_alive()
    voice.say("after close")
    time.sleep(0.2)
    assert _said(tmp_path) == ["a long sentence"]


def test_a_program_that_fails_while_speaking_turns_the_voice_off(tmp_path):
    voice = EspeakVoice(command=str(_fake(tmp_path, seconds=0.0, status=3)))
    try:
        voice.say("hello")
        assert _wait_for(lambda: not voice.available)
        assert "3" in voice.error
    finally:
        voice.close()


def test_missing_program_is_a_voice_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(VoiceError, match=r"espeak-ng is not installed \(sudo apt-get") as caught:
        EspeakVoice()
    assert isinstance(caught.value, AligncheckError)


def test_open_voice_without_the_program_is_silent_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    voice, message = open_voice(True)
    assert isinstance(voice, SilentVoice)
    assert message == "Voice off: espeak-ng is not installed (sudo apt-get install espeak-ng)"


def test_open_voice_when_the_program_cannot_play_sound(tmp_path):
    fake = _fake(tmp_path, stderr="error: No such file or directory")
    voice, message = open_voice(True, command=str(fake))
    assert isinstance(voice, SilentVoice)
    assert message == "Voice off: fake-espeak cannot play sound (No such file or directory)"


def test_open_voice_with_a_working_program(tmp_path):
    voice, message = open_voice(True, command=str(_fake(tmp_path, seconds=0.0)))
    try:
        assert isinstance(voice, EspeakVoice) and voice.available and message is None
        voice.say("hello")
        assert _wait_for(lambda: _said(tmp_path) == ["hello"])
    finally:
        voice.close()


def test_disabled_voice_is_silent_and_keeps_the_texts():
    voice, message = open_voice(False)
    assert message is None and isinstance(voice, SilentVoice) and isinstance(voice, Voice)
    voice.say("one")
    voice.say("two")
    voice.close()
    assert voice.said == ["one", "two"] and not voice.available


@needs_espeak
def test_open_voice_with_an_unknown_voice_name_says_so():
    voice, message = open_voice(True, voice="qqqx")
    assert isinstance(voice, SilentVoice)
    assert message is not None and "qqqx" in message
