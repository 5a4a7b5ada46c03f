"""The spoken call, rendered offline: a chime, then the site's sentence read by espeak-ng.

espeak-ng (Debian package) has Vietnamese voices and reads numbers correctly ("một nghìn
không trăm hai mươi ba"); a call takes about 10 ms to render. Rendered calls are kept in
memory, since a recall repeats the same sentence. Recorded clip sets can replace this later.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import wave
from functools import lru_cache

VOICE = "vi"
WORDS_PER_MINUTE = 140
RATE = 22050


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing or failed; the screens then show the call without voice."""


@lru_cache(maxsize=512)
def speak(text: str) -> bytes:
    """A WAV file of ``text`` read in Vietnamese."""
    program = shutil.which("espeak-ng")
    if program is None:
        raise SpeechUnavailable("espeak-ng is not installed (scripts/system-deps.sh installs it)")
    try:
        result = subprocess.run(
            [program, "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "--stdout", text],
            capture_output=True,
            timeout=10,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as error:
        raise SpeechUnavailable(str(error)) from error
    return result.stdout


@lru_cache(maxsize=1)
def chime() -> bytes:
    """A two-tone "ding-dong" (660 Hz then 523 Hz), fading out, as a WAV file."""
    frames = bytearray()
    for frequency, seconds in ((660.0, 0.35), (523.25, 0.6)):
        count = int(RATE * seconds)
        for i in range(count):
            envelope = math.exp(-3.0 * i / count)
            sample = 0.5 * envelope * math.sin(2 * math.pi * frequency * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()
