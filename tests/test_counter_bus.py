"""The counter bus protocol: LED displays and call keypads, over real serial ports."""

import os
import time

import pytest

from hardware.counter_bus import CounterBus, Frame, FrameReader, encode


def test_a_frame_round_trips_and_matches_the_documented_example():
    raw = encode(Frame(0x0C, "N", "1023"))
    assert raw[:1] == b"\x02" and raw[-3:-2] == b"\x03"
    assert FrameReader().feed(raw) == [Frame(12, "N", "1023")]


def test_the_reader_skips_noise_bad_checksums_and_waits_for_incomplete_frames():
    good = encode(Frame(5, "K", "NEXT"))
    corrupt = bytearray(encode(Frame(5, "K", "RECALL")))
    corrupt[-1] = ord("0") if corrupt[-1] != ord("0") else ord("1")
    reader = FrameReader()
    assert reader.feed(b"\xff\x00garbage" + bytes(corrupt) + good[:4]) == []
    assert reader.feed(good[4:]) == [Frame(5, "K", "NEXT")]
    assert reader.rejected == 1


@pytest.mark.parametrize(
    "frame", [Frame(300, "N", "1"), Frame(1, "NN", ""), Frame(1, "N", "số"), Frame(1, "N", "x" * 40)]
)
def test_frames_that_a_device_could_not_read_are_refused(frame):
    with pytest.raises(ValueError):
        encode(frame)


def test_the_display_gets_the_number_and_a_blink_on_a_loopback_line():
    bus = CounterBus("loop://?timeout=0.1")
    bus.show_number(3, "3001")
    assert [bus.receive(), bus.receive()] == [Frame(3, "N", "3001"), Frame(3, "B", "3")]
    bus.close()


def test_keypad_presses_arrive_through_a_pseudo_terminal_pair_and_are_acknowledged(pty_pair):
    keypad_end, host_end = pty_pair
    bus = CounterBus(f"serial://{host_end}?timeout=0.3")
    keypad = os.open(keypad_end, os.O_RDWR | os.O_NOCTTY)
    os.write(keypad, encode(Frame(7, "K", "NEXT")) + b"\x00\x01" + encode(Frame(7, "K", "NOSHOW")))
    assert list(bus.key_presses()) == [(7, "NEXT"), (7, "NOSHOW")]
    time.sleep(0.1)
    acknowledgements = FrameReader().feed(os.read(keypad, 100))
    assert acknowledgements == [Frame(7, "A"), Frame(7, "A")]
    os.close(keypad)
    bus.close()
