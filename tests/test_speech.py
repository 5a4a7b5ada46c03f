"""The spoken call: Vietnamese number words, and calls assembled from a centre's recorded clips.

The clips are made here: a sine tone of its own frequency per word or phrase, at several sample
rates and sample sizes, one in stereo. The assembled WAV is cut at its pauses and each part's
frequency is measured by counting zero crossings, so the test sees which clip came where.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import struct
import wave
from array import array

import pytest

from display import speech
from display.speech import RATE, read_digits, read_number, samples, slug, speak, words_of

from .helpers import IN_CI

READINGS = {
    1: "một",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    100: "một trăm",
    101: "một trăm linh một",
    105: "một trăm linh năm",
    110: "một trăm mười",
    1000: "một nghìn",
    1001: "một nghìn không trăm linh một",
    1023: "một nghìn không trăm hai mươi ba",
    1105: "một nghìn một trăm linh năm",
    2015: "hai nghìn không trăm mười lăm",
}

# slug -> (frequency in Hz, sample rate, channels, bytes per sample)
CLIPS = {
    "xin-moi-cong-dan-co-so-thu-tu": (300, 44100, 1, 2),
    "moi": (2500, 22050, 1, 2),  # a single word of the phrase: the phrase clip must win
    "mot": (400, 16000, 1, 2),
    "nghin": (500, 22050, 2, 2),  # stereo
    "khong": (600, 48000, 1, 3),  # 24-bit
    "tram": (700, 8000, 1, 2),
    "hai": (800, 11025, 1, 1),  # 8-bit
    "muoi-ngang": (900, 32000, 1, 2),
    "ba": (1000, 22050, 1, 4),  # 32-bit
    "den-quay-so": (1100, 24000, 1, 2),
}
CALL = "Xin mời công dân có số thứ tự 1023 đến quầy số 3"
CALL_FREQUENCIES = [300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1000]
TONE_SECONDS = 0.2


def need_espeak():
    if shutil.which("espeak-ng") is None:
        if IN_CI:
            pytest.fail("espeak-ng is required under CI (scripts/system-deps.sh installs it)")
        pytest.skip("espeak-ng is not installed")


def write_clip(path, frequency, rate, channels, width):
    frames = bytearray()
    full = 2 ** (8 * width - 1) - 1
    for i in range(int(rate * TONE_SECONDS)):
        value = int(0.5 * full * math.sin(2 * math.pi * frequency * i / rate))
        # In stereo the right channel is the same tone at a third of the volume: mixed, not dropped.
        for channel in range(channels):
            sample = value if channel == 0 else value // 3
            if width == 1:
                frames += struct.pack("<B", sample + 128)
            else:
                frames += sample.to_bytes(width, "little", signed=True)
    with wave.open(path if isinstance(path, io.BytesIO) else str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


@pytest.fixture
def clips(tmp_path):
    for name, spec in CLIPS.items():
        write_clip(tmp_path / f"{name}.wav", *spec)
    speech._assemble.cache_clear()
    speech._clip.cache_clear()
    return tmp_path


def decode(data: bytes) -> array:
    with wave.open(io.BytesIO(data)) as source:
        assert (source.getnchannels(), source.getsampwidth(), source.getframerate()) == (1, 2, RATE)
        return array("h", source.readframes(source.getnframes()))


def segments(values: array) -> list[array]:
    """The stretches of sound between silences of at least 50 ms."""
    quiet_run = int(0.05 * RATE)
    found, start, quiet = [], None, 0
    for index, value in enumerate(values):
        if abs(value) > 64:
            if start is None:
                start = index
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet >= quiet_run:
                found.append(values[start : index - quiet + 1])
                start, quiet = None, 0
    if start is not None:
        found.append(values[start:])
    return found


def frequency(values: array) -> float:
    crossings = sum(1 for a, b in zip(values, values[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(values) / RATE)


def tones(values: array) -> list[int]:
    """The frequency of each segment, rounded to 50 Hz; each a clip's whole length."""
    found = []
    for part in segments(values):
        assert abs(len(part) / RATE - TONE_SECONDS) < 0.01, len(part) / RATE
        found.append(round(frequency(part) / 50) * 50)
    return found


@pytest.mark.parametrize(("number", "words"), READINGS.items())
def test_numbers_are_read_by_the_vietnamese_rules(number, words):
    assert read_number(str(number)) == words


def test_leading_zeros_letters_and_digit_by_digit():
    assert read_number("023") == "không hai mươi ba"
    assert read_number("0") == "không"
    assert read_digits("1023") == "một không hai ba"
    assert words_of("Mời số A023, quầy 12") == "mời số a không hai mươi ba quầy mười hai".split()
    assert words_of("số " + speech.spell_out("B105")) == "số b một không năm".split()
    assert speech.espeak_text("Mời số A1000, quầy 3.") == "Mời số a một nghìn, quầy ba."


def test_clip_names_are_accent_free_and_keep_mười_and_mươi_apart():
    assert slug("mời công dân có số".split()) == "moi-cong-dan-co-so"
    assert slug("đến quầy số".split()) == "den-quay-so"
    assert [slug([w]) for w in ("mười", "mươi", "một", "mốt", "nghìn", "tư", "lăm")] == [
        "muoi",
        "muoi-ngang",
        "mot",
        "mot-sac",
        "nghin",
        "tu",
        "lam",
    ]


def test_a_call_is_assembled_from_the_clips_longest_phrase_first(clips):
    audio = speak(CALL, (clips,))
    assert tones(decode(audio)) == CALL_FREQUENCIES


def test_every_format_becomes_the_same_tone_at_22050_hz(clips):
    for name, (hz, _rate, channels, _width) in CLIPS.items():
        values = samples((clips / f"{name}.wav").read_bytes())
        assert abs(len(values) / RATE - TONE_SECONDS) < 0.001, name
        assert abs(frequency(values) - hz) < hz * 0.02, (name, frequency(values))
        peak = 0.5 * 32767 * (2 / 3 if channels == 2 else 1)  # stereo: (left + right / 3) / 2
        assert abs(max(values) - peak) < 0.03 * peak, (name, max(values))


def test_a_word_without_a_clip_is_read_by_espeak_ng_in_its_place(clips):
    need_espeak()
    (clips / "tram.wav").unlink()
    audio = decode(speak(CALL, (clips,)))
    spoken = samples(speech.espeak("trăm")).tobytes()
    at = audio.tobytes().find(spoken)
    assert at > 0 and at % 2 == 0, "espeak-ng's “trăm” is not in the call"
    before, after = audio[: at // 2], audio[at // 2 + len(spoken) // 2 :]
    assert tones(before) == [300, 400, 500, 600]
    assert tones(after) == [800, 900, 1000, 1100, 1000]


def test_without_espeak_ng_a_missing_word_means_no_voice(clips, monkeypatch):
    (clips / "tram.wav").unlink()
    speech.espeak.cache_clear()
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    with pytest.raises(speech.SpeechUnavailable):
        speak(CALL, (clips,))
    # Every word has a clip: no espeak-ng needed.
    write_clip(clips / "tram.wav", *CLIPS["tram"])
    assert tones(decode(speak(CALL, (clips,)))) == CALL_FREQUENCIES


def test_a_clip_recorded_again_is_used_at_the_next_call(clips):
    assert tones(decode(speak(CALL, (clips,))))[-1] == 1000
    write_clip(clips / "ba.wav", 1500, 22050, 1, 2)
    os.utime(clips / "ba.wav", ns=(1, 1))  # a different time even on a coarse file system
    assert tones(decode(speak(CALL, (clips,))))[-1] == 1500


def test_an_unreadable_clip_is_left_to_espeak_ng(clips):
    need_espeak()
    (clips / "den-quay-so.wav").write_bytes(b"not a wav file")
    audio = decode(speak(CALL, (clips,)))
    assert audio.tobytes().find(samples(speech.espeak("đến quầy số")).tobytes()) > 0


def test_the_display_serves_the_call_from_the_site_s_clips(app, clips):
    site_folder = clips / "NA-HCC"
    site_folder.mkdir()
    write_clip(site_folder / "ba.wav", 1200, 22050, 1, 2)  # the site's own "ba" wins
    app.config["CALL_CLIPS_DIR"] = clips
    client = app.test_client()
    response = client.get("/display/NA-HCC/call.wav?number=1023&counter=3")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert tones(decode(response.data)) == [*CALL_FREQUENCIES[:7], 1200, 1100, 1200]

    app.config["CALL_NUMBER_READING"] = "digits"
    response = client.get("/display/NA-HCC/call.wav?number=1023&counter=3")
    assert tones(decode(response.data)) == [300, 400, 600, 800, 1200, 1100, 1200]


def test_the_display_says_when_there_is_no_voice(app, clips, monkeypatch):
    (clips / "ba.wav").unlink()
    speech.espeak.cache_clear()
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    app.config["CALL_CLIPS_DIR"] = clips
    response = app.test_client().get("/display/NA-HCC/call.wav?number=1023&counter=3")
    assert response.status_code == 503
    assert "Không có giọng đọc" in response.get_data(as_text=True)


def test_a_word_spelt_like_a_number_word_is_not_read_with_its_clip(clips, monkeypatch):
    """ "bà" would be ba.wav (three) and "làm" lam.wav ("lăm") once accents are dropped."""
    tone = io.BytesIO()
    write_clip(tone, 2000, 22050, 1, 2)
    spoken = []
    monkeypatch.setattr(speech, "espeak", lambda text: spoken.append(text) or tone.getvalue())
    assert tones(decode(speak("Mời bà 3", (clips,)))) == [2500, 2000, 1000]
    assert spoken == ["bà"]
