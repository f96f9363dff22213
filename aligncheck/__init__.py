"""aligncheck: yoga alignment feedback from a webcam or a video, with MediaPipe pose landmarks."""

__version__ = "0.1.0"
