"""The spoken call, rendered offline: a chime, then the site's sentence, from recorded clips or
read by espeak-ng.

espeak-ng (Debian package) has Vietnamese voices; a call takes about 10 ms to render. A centre
that finds its voice too mechanical can record its own clips (``CALL_CLIPS_DIR``, the list of
words and phrases and how to record them: ``docs/voice.md``): a call is then assembled from
the clips, the longest recorded phrase first, and espeak-ng reads only the words that have no
clip. Numbers are turned into Vietnamese words here (:func:`read_number`), for both ways, so
that a clip set needs words only and both ways read a number alike.

Assembly is pure Python (``wave`` and ``array``; ``audioop`` left the standard library in
Python 3.13): every part is brought to one format (mono, 16-bit, :data:`RATE` Hz) and the
parts are joined with a short pause. Rendered calls are kept in memory, since a recall repeats
the same sentence; the key includes the clip files' names, sizes and modification times, so a
clip added or recorded again is used from the next call on, without a restart.
"""

from __future__ import annotations

import io
import logging
import math
import re
import shutil
import struct
import subprocess
import sys
import unicodedata
import wave
from array import array
from functools import lru_cache
from pathlib import Path

VOICE = "vi"
WORDS_PER_MINUTE = 140
RATE = 22050
# Between two parts of an assembled call. Clips are recorded one by one and usually trimmed
# close to the voice, so without a gap the words run into each other; 0.12 s is about the gap
# espeak-ng leaves between words at WORDS_PER_MINUTE, so clips and espeak-ng parts sound alike.
PAUSE_SECONDS = 0.12
# A phrase clip has at most this many words ("xin mời công dân có số thứ tự" has 8).
PHRASE_MAX_WORDS = 12
CLIP_SUFFIX = ".wav"

log = logging.getLogger(__name__)


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing or failed (and a word has no clip); the screens then show the call
    without voice."""


# --- Vietnamese numbers --------------------------------------------------------------------
#
# The reading rules (see e.g. https://en.wikipedia.org/wiki/Vietnamese_numerals), which
# num2words (lang="vi") gets wrong for 1023 ("một nghìn lẻ hai mươi ba") and 2015:
# - tens: 10-19 are "mười" + unit, 20-90 are unit + "mươi" (20 "hai mươi");
# - after "mươi", 1 is "mốt" (21 "hai mươi mốt") and 4 is "tư" (24 "hai mươi tư"); after
#   "mười" they stay "một", "bốn" (11 "mười một", 14 "mười bốn");
# - after "mười" or "mươi", 5 is "lăm" (15 "mười lăm", 25 "hai mươi lăm"), never after "linh";
# - a zero tens digit before a unit is "linh" (101 "một trăm linh một"; the South says "lẻ",
#   espeak-ng and the national broadcaster "linh");
# - a group of three digits after a higher one is read whole, a zero hundreds digit as
#   "không trăm" (1023 "một nghìn không trăm hai mươi ba", 2015 "hai nghìn không trăm mười
#   lăm"); a group that is all zeros is left out (1000 "một nghìn");
# - groups: "nghìn" (10^3), "triệu" (10^6), "tỷ" (10^9).

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu", "tỷ")


def _below_thousand(value: int, whole: bool) -> list[str]:
    """0 < value < 1000; ``whole``: the hundreds are said even when zero ("không trăm")."""
    hundreds, tens, units = value // 100, value // 10 % 10, value % 10
    words = []
    if hundreds or whole:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if tens >= 1 and units == 5:
            words.append("lăm")
        elif tens >= 2 and units == 1:
            words.append("mốt")
        elif tens >= 2 and units == 4:
            words.append("tư")
        else:
            words.append(DIGITS[units])
    return words


def read_number(digits: str) -> str:
    """A string of digits in Vietnamese words: "1023" -> "một nghìn không trăm hai mươi ba".

    Leading zeros are each read "không", as espeak-ng does ("023" -> "không hai mươi ba"); a
    number beyond the billions is read digit by digit."""
    zeros = len(digits) - len(digits.lstrip("0"))
    words = [DIGITS[0]] * (zeros if zeros < len(digits) else len(digits))
    rest = digits[zeros:]
    if len(rest) > 3 * len(SCALES):
        return read_digits(digits)
    groups: list[int] = []
    while rest:
        groups.insert(0, int(rest[-3:]))
        rest = rest[:-3]
    for index, group in enumerate(groups):
        if group:
            scale = SCALES[len(groups) - 1 - index]
            words += _below_thousand(group, whole=index > 0) + ([scale] if scale else [])
    return " ".join(words)


def read_digits(digits: str) -> str:
    """Digit by digit: "1023" -> "một không hai ba"."""
    return " ".join(DIGITS[int(digit)] for digit in digits)


def spell_out(number: str) -> str:
    """A ticket number for centres that read it digit by digit (``CALL_NUMBER_READING=digits``):
    each digit apart, "A1023" -> "A 1 0 2 3", which both ways then read "a một không hai ba"."""
    return " ".join(number)


_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_TRAILING = re.compile(r"\W*$")


def _number_words(chunk: str) -> list[str] | None:
    """A chunk with digits (a ticket number "A023", a counter "12") as words, its letters one
    by one; None for a chunk without digits."""
    tokens = _TOKEN.findall(chunk.lower())
    if not any(token.isdecimal() for token in tokens):
        return None
    words: list[str] = []
    for token in tokens:
        words += read_number(token).split() if token.isdecimal() else list(token)
    return words


def words_of(sentence: str) -> list[str]:
    """The sentence as the words to speak, lower case, without punctuation, numbers in words."""
    words: list[str] = []
    for chunk in sentence.split():
        number = _number_words(chunk)
        words += number if number is not None else _TOKEN.findall(chunk.lower())
    return words


def espeak_text(sentence: str) -> str:
    """The sentence for espeak-ng alone: numbers in words, the rest as written (its
    punctuation gives espeak-ng its pauses)."""
    chunks = []
    for chunk in sentence.split():
        number = _number_words(chunk)
        # the punctuation after a number ("A023," "3.") stays for its pause
        trailing = _TRAILING.search(chunk)
        assert trailing is not None  # \W*$ matches every string, at its end
        chunks.append(" ".join(number) + trailing[0] if number is not None else chunk)
    return " ".join(chunks)


# --- clip names ----------------------------------------------------------------------------

# Words of the calls whose accent-free spellings collide get the name of their tone.
SLUG_EXCEPTIONS = {"mươi": "muoi-ngang", "mốt": "mot-sac"}


def slug(words: list[str] | tuple[str, ...]) -> str:
    """The clip file name (without ``.wav``) of some words: "mời công dân có số" ->
    "moi-cong-dan-co-so" (accents dropped, "đ" -> "d", words joined by "-")."""
    parts = []
    for word in words:
        if word in SLUG_EXCEPTIONS:
            parts.append(SLUG_EXCEPTIONS[word])
            continue
        plain = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "d"))
        parts.append("".join(c for c in plain if not unicodedata.combining(c)).lower())
    return "-".join(parts)


# The words numbers are read with; a one-word clip with one of their names is that word only.
NUMBER_WORDS = (*DIGITS, "mười", "mươi", "mốt", "tư", "lăm", "linh", *SCALES[1:])


RESERVED = {slug([word]): word for word in NUMBER_WORDS}


def clip_folders(clips_dir: str | Path | None, site_code: str) -> tuple[Path, ...]:
    """Where a site's clips are looked up, first found first: ``<dir>/<SITE-CODE>/``, then
    ``<dir>/``; none without ``CALL_CLIPS_DIR``."""
    if not clips_dir:
        return ()
    base = Path(clips_dir)
    return (base / site_code, base)


def _clip_files(folders: tuple[Path, ...]) -> tuple[tuple[str, str, int, int], ...]:
    """(slug, path, size, mtime) of every clip; a slug of an earlier folder hides the same
    one of a later folder. Reading the folders costs well under a millisecond for a set of
    100 clips, and makes the cache notice every change."""
    found: dict[str, tuple[str, str, int, int]] = {}
    for folder in folders:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            name = path.name.lower()
            if not name.endswith(CLIP_SUFFIX) or name[: -len(CLIP_SUFFIX)] in found:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            key = name[: -len(CLIP_SUFFIX)]
            found[key] = (key, str(path), stat.st_size, stat.st_mtime_ns)
    return tuple(sorted(found.values()))


# --- speaking ------------------------------------------------------------------------------


def speak(sentence: str, folders: tuple[Path, ...] = ()) -> bytes:
    """A WAV file of ``sentence`` read in Vietnamese: from the clips in ``folders`` where there
    are some (:func:`clip_folders`), by espeak-ng otherwise and for the words without a clip."""
    clips = _clip_files(folders)
    if not clips:
        return espeak(espeak_text(sentence))
    return _assemble(tuple(words_of(sentence)), clips)


@lru_cache(maxsize=512)
def espeak(text: str) -> bytes:
    """A WAV file of ``text`` read by espeak-ng."""
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


# Calls are recalled within minutes; an assembled call is about 200 KB.
@lru_cache(maxsize=64)
def _assemble(words: tuple[str, ...], clips: tuple[tuple[str, str, int, int], ...]) -> bytes:
    """The words from the clips, the longest phrase that has a clip first; the runs of words
    without one read by espeak-ng. ``clips`` (with sizes and times) is the cache key."""
    paths = {key: (path, size, mtime) for key, path, size, mtime in clips}
    parts: list[array] = []
    unclipped: list[str] = []

    def flush() -> None:
        if unclipped:
            parts.append(samples(espeak(" ".join(unclipped))))
            unclipped.clear()

    start = 0
    while start < len(words):
        for end in range(min(len(words), start + PHRASE_MAX_WORDS), start, -1):
            key = slug(words[start:end])
            if end == start + 1 and RESERVED.get(key, words[start]) != words[start]:
                continue  # "bà" is not ba.wav (three), "làm" not lam.wav ("lăm")
            found = paths.get(key)
            clip = found and _clip(*found)
            if clip is not None:
                flush()
                parts.append(clip)
                start = end
                break
        else:
            unclipped.append(words[start])
            start += 1
    flush()
    pause = array("h", bytes(2 * int(RATE * PAUSE_SECONDS)))
    joined = array("h")
    for index, part in enumerate(parts):
        if index:
            joined += pause
        joined += part
    return _wav(joined)


@lru_cache(maxsize=256)
def _clip(path: str, size: int, mtime: int) -> array | None:
    """A clip's samples, or None (logged) if it is not a PCM WAV file; ``size`` and ``mtime``
    make a clip recorded again a new key."""
    try:
        return samples(Path(path).read_bytes())
    except (OSError, EOFError, wave.Error, ValueError) as error:
        log.warning("call clip %s is unusable (%s): espeak-ng reads its words", path, error)
        return None


def samples(data: bytes) -> array:
    """The samples of a PCM WAV file (8, 16, 24 or 32-bit, any channels and rate) as signed
    16-bit mono at :data:`RATE` Hz: channels averaged, other rates resampled by linear
    interpolation (plenty for speech, whose energy is below 4 kHz)."""
    with wave.open(io.BytesIO(data)) as source:
        channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
        # espeak-ng's stream header gives no length: read what there is, whole frames only.
        raw = source.readframes(source.getnframes())
    raw = raw[: len(raw) - len(raw) % (channels * width)]
    values = _sixteen_bit(raw, width)
    if channels > 1:
        tracks = (values[channel::channels] for channel in range(channels))
        values = array("h", (sum(frame) // channels for frame in zip(*tracks, strict=True)))
    return values if rate == RATE else _resample(values, rate)


def _sixteen_bit(raw: bytes, width: int) -> array:
    if width == 1:  # unsigned
        return array("h", ((byte - 128) << 8 for byte in raw))
    if width == 2:
        values = array("h", raw)
    elif width == 3:
        starts = range(0, len(raw), 3)
        return array("h", (int.from_bytes(raw[i : i + 3], "little", signed=True) >> 8 for i in starts))
    elif width == 4:
        values = array("i", raw)
    else:
        raise ValueError(f"{8 * width}-bit samples")
    if sys.byteorder == "big":
        values.byteswap()
    return values if width == 2 else array("h", (value >> 16 for value in values))


def _resample(values: array, rate: int) -> array:
    count = len(values) * RATE // rate
    if count == 0 or len(values) < 2:
        return array("h", values[:count])
    step = rate / RATE
    last = len(values) - 1
    out = array("h", bytes(2 * count))
    for index in range(count):
        position = index * step
        left = int(position)
        if left >= last:
            out[index] = values[last]
            continue
        fraction = position - left
        out[index] = int(values[left] + (values[left + 1] - values[left]) * fraction)
    return out


def _wav(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array("h", values)
        values.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(values.tobytes())
    return buffer.getvalue()


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
