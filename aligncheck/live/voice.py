"""Spoken feedback: the ``espeak-ng`` program behind a small, non-blocking interface.

A live session speaks at most one sentence at a time. :class:`EspeakVoice` runs ``espeak-ng``
as a subprocess on a worker thread; :meth:`~EspeakVoice.say` only hands the text over, so the
video loop never waits for speech. While a sentence is being spoken, a newer one waits, and a
newer one still replaces the waiting one: there is never a backlog of stale corrections.

:class:`SilentVoice` speaks nothing and keeps what it was asked to say (tests, ``--no-voice``,
headless runs that print instead). :func:`open_voice` picks one and says in one line why the
voice is off. The text goes to ``espeak-ng`` on its standard input, never as an argument, so
a sentence starting with "-" cannot be read as an option.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from aligncheck.errors import AligncheckError

#: The program and the Debian package that provides it.
ESPEAK = "espeak-ng"
INSTALL_HINT = "sudo apt-get install espeak-ng"
#: Seconds a probe or a file rendering may take before it counts as failed.
_PROBE_TIMEOUT = 10.0


class VoiceError(AligncheckError):
    """The speech program is missing or cannot speak."""


@runtime_checkable
class Voice(Protocol):
    """Something that speaks sentences without making the caller wait."""

    available: bool

    def say(self, text: str) -> None:
        """Speak ``text`` soon; never blocks the caller."""

    def close(self) -> None:
        """Stop speaking and release resources; safe to call more than once."""


class SilentVoice:
    """A voice that speaks nothing and keeps every text in :attr:`said`."""

    available = False

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        """Remember ``text``."""
        self.said.append(text)

    def close(self) -> None:
        """Nothing to release."""


def _args(command: str, voice: str, rate: int) -> list[str]:
    return [command, "-v", voice, "-s", str(int(rate)), "--stdin"]


def _failure(stderr: str) -> str:
    """espeak-ng exits 0 when it cannot open the sound device; it only writes "error: ..."."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return errors[-1] if errors else ""


class EspeakVoice:
    """Speak through the ``espeak-ng`` program, one utterance at a time, on a worker thread.

    ``voice`` is an espeak-ng voice name ("en", "en-gb", "de"), ``rate`` words per minute.
    If the program fails while speaking, :attr:`available` turns False and :attr:`error` says
    why; later texts are dropped.
    """

    def __init__(self, voice: str = "en", rate: int = 150, command: str = ESPEAK) -> None:
        found = shutil.which(command)
        if found is None:
            raise VoiceError(f"{command} is not installed ({INSTALL_HINT})")
        self.available = True
        self.error = ""
        self._args = _args(found, voice, rate)
        self._lock = threading.Condition()
        self._waiting: str | None = None
        self._closed = False
        self._process: subprocess.Popen[str] | None = None
        self._thread = threading.Thread(target=self._run, name="aligncheck-voice", daemon=True)
        self._thread.start()

    def say(self, text: str) -> None:
        """Queue ``text`` to be spoken next, replacing any text still waiting."""
        text = text.strip()
        with self._lock:
            if self._closed or not self.available or not text:
                return
            self._waiting = text
            self._lock.notify()

    def close(self) -> None:
        """Stop the sentence being spoken, drop the waiting one and join the worker."""
        with self._lock:
            self._closed = True
            self._waiting = None
            process = self._process
            self._lock.notify()
        if process is not None and process.poll() is None:
            try:  # the whole group: a helper it started would keep its output pipe open
                os.killpg(process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                process.terminate()
        self._thread.join(timeout=5.0)

    def __enter__(self) -> EspeakVoice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next(self) -> str | None:
        with self._lock:
            while self._waiting is None and not self._closed:
                self._lock.wait()
            if self._closed:
                return None
            text, self._waiting = self._waiting, None
            return text

    def _run(self) -> None:
        while (text := self._next()) is not None:
            try:
                with self._lock:
                    if self._closed:
                        return
                    self._process = subprocess.Popen(
                        self._args,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                        text=True,
                        start_new_session=True,  # close() stops it with any child it started
                    )
                _, stderr = self._process.communicate(text)
                failed = self._process.returncode != 0 and not self._closed
                problem = _failure(stderr) or (
                    f"exit status {self._process.returncode}" if failed else ""
                )
            except OSError as exc:
                problem = str(exc)
            finally:
                with self._lock:
                    self._process = None
            if problem and not self._closed:
                with self._lock:
                    self.available = False
                    self.error = problem
                    self._waiting = None
                return


def probe(voice: str = "en", command: str = ESPEAK) -> str:
    """Why ``command`` cannot speak with ``voice`` ('' when it can). Speaks nothing: an empty
    text still makes espeak-ng load the voice and open the sound device."""
    found = shutil.which(command)
    name = Path(command).name
    if found is None:
        return f"{name} is not installed ({INSTALL_HINT})"
    try:
        done = subprocess.run(
            _args(found, voice, 150),
            input="",
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{name} does not run ({exc})"
    problem = _failure(done.stderr)
    if done.returncode != 0:
        detail = problem or done.stderr.strip().splitlines()[-1:] or [""]
        return f"{name} failed with voice {voice!r}: {''.join(detail) or done.returncode}"
    if problem:
        return f"{name} cannot play sound ({problem.removeprefix('error:').strip()})"
    return ""


def open_voice(
    enabled: bool, voice: str = "en", rate: int = 150, *, command: str = ESPEAK
) -> tuple[Voice, str | None]:
    """The voice to speak with, and a one-line message to show when speech is off.

    Disabled: a :class:`SilentVoice` and no message. Enabled but ``espeak-ng`` is missing or
    cannot speak: a :class:`SilentVoice` and e.g. "Voice off: espeak-ng is not installed
    (sudo apt-get install espeak-ng)".
    """
    if not enabled:
        return SilentVoice(), None
    problem = probe(voice, command)
    if problem:
        return SilentVoice(), f"Voice off: {problem}"
    try:
        return EspeakVoice(voice, rate, command), None
    except VoiceError as exc:
        return SilentVoice(), f"Voice off: {exc}"


def speak_to_file(
    text: str, path: Path, voice: str = "en", rate: int = 150, *, command: str = ESPEAK
) -> Path:
    """Render ``text`` to a WAV file at ``path`` with ``espeak-ng -w``; returns ``path``."""
    found = shutil.which(command)
    if found is None:
        raise VoiceError(f"{command} is not installed ({INSTALL_HINT})")
    path = Path(path)
    try:
        done = subprocess.run(
            [*_args(found, voice, rate), "-w", str(path)],
            input=text,
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT + len(text) / 5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VoiceError(f"{command} could not write {path}: {exc}") from exc
    if done.returncode != 0 or not path.is_file() or path.stat().st_size == 0:
        detail = done.stderr.strip() or f"exit status {done.returncode}"
        raise VoiceError(f"{command} could not write {path}: {detail}")
    return path
