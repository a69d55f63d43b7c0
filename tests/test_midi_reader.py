"""Reading SMF: note pairing (notes §3 expectations), maps, metadata, tolerance and clear errors."""

from __future__ import annotations

import pytest
from midi_corpus import corpus_path, needs_corpus, our_events

from dawkit.errors import CorruptFileError, DawkitError, UnsupportedFormatError
from dawkit.formats.midi import midi_from_bytes, midi_to_bytes, midi_warnings, read_midi


def notes_of(project, track: int = 0) -> list[tuple[int, int, int, float, float | None]]:
    """(pitch, start tick, end tick, velocity, release) at 480 ppq."""
    out = []
    for note in project.tracks[track].clips[0].content.notes:
        out.append((note.pitch, round(note.start * 480), round((note.start + note.duration) * 480), note.velocity, note.release_velocity))
    return out


@needs_corpus
def test_pairing_expectations() -> None:
    edge = "edge-cases/"
    assert notes_of(read_midi(corpus_path(edge + "case_overlap_same_pitch.mid"))) == [(60, 0, 960, 100, 0.0), (60, 480, 1440, 90, 0.0)]
    assert [n[:3] for n in notes_of(read_midi(corpus_path(edge + "case_retrigger_on_before_off_same_tick.mid")))] == [(65, 0, 480), (65, 480, 960)]
    assert [n[:3] for n in notes_of(read_midi(corpus_path(edge + "case_zero_length.mid")))] == [(62, 0, 0), (64, 480, 960)]
    dangling = read_midi(corpus_path(edge + "case_dangling_no_off.mid"))
    assert sorted(n[:3] for n in notes_of(dangling)) == [(69, 0, 960), (71, 480, 960)]
    assert dangling.tracks[0].clips[0].content.extras["midi"]["dangling"] == [0]
    assert midi_warnings(dangling) == ["track 1: 1 note(s) never released, closed at the end of the track (tick 960); first: key 69 at tick 0"]
    vel0 = read_midi(corpus_path(edge + "case_vel0_noteoff.mid"))
    assert notes_of(vel0) == [(67, 0, 480, 100, None)]
    assert vel0.tracks[0].clips[0].content.extras["midi"]["vel0"] is True


@needs_corpus
def test_smpte_division_in_seconds() -> None:
    project = read_midi(corpus_path("edge-cases/smpte_div.mid"))
    assert project.extras["midi"]["division"] == {"smpte": [25, 40]}
    note = project.tracks[0].clips[0].content.notes[0]
    assert (note.pitch, note.start) == (60, 0.0)
    assert project.tempo_map.beats_to_seconds(note.start + note.duration) == pytest.approx(1.0, abs=1e-12)
    assert note.duration == pytest.approx(2.0)  # 1 s at the implicit 120 bpm


@needs_corpus
def test_corrupt_file_error_names_file_track_and_offset() -> None:
    path = corpus_path("jazz_test-corrupt-file-missing-byte.mid")
    with pytest.raises(CorruptFileError) as caught:
        read_midi(path)
    assert str(caught.value) == f"{path}: track 1, byte 14: truncated: the chunk declares 246 bytes but only 245 remain"


@needs_corpus
def test_tolerated_damage_is_reported() -> None:
    alien = read_midi(corpus_path("jazz_test-non-midi-track.mid"))
    assert midi_warnings(alien) == ["skipped an unknown 'Junk' chunk of 27 bytes at byte 14"]
    assert len(alien.tracks[0].clips[0].content.notes) == 8
    sysex = read_midi(corpus_path("jazz_test-running-status-sysex.mid"))
    assert midi_warnings(sysex) == ["track 1: running status after a sysex (recovered) (1x, first at byte 225)"]
    assert [n.pitch for n in sysex.tracks[0].clips[0].content.notes] == [60, 62, 64, 65, 67, 69, 71, 72]
    f8 = read_midi(corpus_path("jazz_test-illegal-message-f8.mid"))
    assert midi_warnings(f8) == ["track 1: system message 0xf8 inside a track (kept as is) (1x, first at byte 208)"]


@needs_corpus
def test_maps_metadata_and_patch() -> None:
    project = read_midi(corpus_path("symusic_issue90_keysig_changes.mid"))
    assert len(project.tempo_map.points) == 12
    assert [(k.tonic, k.mode) for k in project.key_signatures][:1] == [(project.key_signatures[0].tonic, project.key_signatures[0].mode)]
    assert len(project.key_signatures) == 4
    markers = read_midi(corpus_path("symusic_1_tempomap_markers.midi"))
    assert len(markers.markers) == 79 and len(markers.tempo_map.points) == 132
    usec = [p.extras["midi"]["usec"] for p in markers.tempo_map.points]
    assert all(p.bpm == 60e6 / u for p, u in zip(markers.tempo_map.points, usec, strict=True))
    gs = read_midi(corpus_path("jazz_test-all-gs-sounds.mid"))
    assert gs.metadata.copyright == "https://jazz-soft.net"
    assert len(gs.tracks) == 1 and sum(len(t.clips[0].content.notes) for t in gs.tracks) == 5044
    kar = read_midi(corpus_path("jazz_test-karaoke-kar.mid"))
    assert kar.extras["midi"]["division"] == {"ppq": 100}


@needs_corpus
def test_format_0_split_and_keep() -> None:
    split = read_midi(corpus_path("partitura_score_example_tpb12.mid"))
    kept = read_midi(corpus_path("partitura_score_example_tpb12.mid"), split_channels=False)
    assert [t.midi_patch.channel for t in split.tracks] == [1, 2]
    assert len(kept.tracks) == 1
    assert sum(len(t.clips[0].content.notes) for t in split.tracks) == len(kept.tracks[0].clips[0].content.notes) == 3


# --- synthesized files -----------------------------------------------------------------------------


def smf(*tracks: bytes, fmt: int = 1, division: int = 480, declared: int | None = None) -> bytes:
    header = b"MThd" + (6).to_bytes(4, "big") + fmt.to_bytes(2, "big") + (len(tracks) if declared is None else declared).to_bytes(2, "big") + division.to_bytes(2, "big")
    return header + b"".join(b"MTrk" + len(t).to_bytes(4, "big") + t for t in tracks)


EOT = b"\x00\xff\x2f\x00"


def exact_round_trip(data: bytes) -> object:
    project = midi_from_bytes(data, source="synth.mid")
    written, _ = midi_to_bytes(project)
    assert our_events(written) == our_events(data)
    return project


def test_out_of_range_key_signature_kept_raw() -> None:
    project = exact_round_trip(smf(b"\x00\xff\x59\x02\x08\x00" + b"\x00\xff\x59\x02\x02\x01" + b"\x00\x90\x3c\x40\x60\x80\x3c\x40" + EOT))
    assert [(k.tonic, k.mode) for k in project.key_signatures] == [("B", "minor")]
    assert midi_warnings(project) == ["track 1: key signature sf=8 mode=0 at tick 0 kept raw (out of range)"]


def test_data_bytes_above_127_clipped_and_reported() -> None:
    data = smf(b"\x00\x90\x3c\xc0\x60\x80\x3c\x40" + EOT)
    project = midi_from_bytes(data, source="synth.mid")
    assert project.tracks[0].clips[0].content.notes[0].velocity == 127
    assert midi_warnings(project) == ["track 1: data byte above 127 clipped to 127 (1x, first at byte 25)"]


def test_sysex_packets_escape_and_ff7f_round_trip() -> None:
    track = (
        b"\x00\xf0\x03\x43\x12\x00" + b"\x10\xf7\x03\x43\x12\x00" + b"\x10\xf7\x02\x01\xf7"  # multi-packet sysex
        + b"\x00\xf7\x02\xf3\x01"  # escape: a song select sent as is
        + b"\x00\xff\x7f\x04\x00\x00\x41\x01"  # sequencer-specific (a DAW's colour)
        + b"\x00\xff\x54\x05\x60\x00\x00\x00\x00" + b"\x00\xff\x21\x01\x00" + b"\x00\xff\x20\x01\x00"
        + b"\x00\xff\x05\x03abc" + b"\x00\xff\x60\x01\x09"  # lyric, unknown meta
        + b"\x00\x90\x3c\x40\x60\x90\x3c\x00" + EOT
    )
    project = exact_round_trip(smf(track))
    raw = project.extras["midi"]["mtrks"][0]["raw"]
    assert raw[:4] == [[0, b"\xf0\x03\x43\x12\x00"], [16, b"\xf7\x03\x43\x12\x00"], [32, b"\xf7\x02\x01\xf7"], [32, b"\xf7\x02\xf3\x01"]]
    assert [32, b"\xff\x7f\x04\x00\x00\x41\x01"] in raw


def test_aftertouch_bend_and_controllers_become_envelopes() -> None:
    track = b"\x00\xc0\x05\x00\xb0\x00\x01\x00\xb0\x20\x02\x00\x90\x3c\x40\x10\xa0\x3c\x20\x10\xd0\x7f\x10\xe0\x00\x40\x10\xe0\x7f\x7f\x10\x80\x3c\x40" + EOT
    project = exact_round_trip(smf(track))
    envelopes = {(e.kind, e.controller, e.channel): [(round(p.time * 480), p.value) for p in e.points] for e in project.tracks[0].clips[0].content.envelopes}
    assert envelopes == {
        ("program_change", None, 0): [(0, 5.0)],
        ("cc", 0, 0): [(0, 1 / 127)],
        ("cc", 32, 0): [(0, 2 / 127)],
        ("poly_pressure", 60, 0): [(16, 32 / 127)],
        ("channel_pressure", None, 0): [(32, 1.0)],
        ("pitch_bend", None, 0): [(48, 0.0), (64, 8191 / 8192)],
    }
    assert project.tracks[0].midi_patch.model_dump(exclude={"extras"}) == {"program": 5, "bank": 130, "channel": 0, "instrument_name": None}


def test_alien_chunk_and_rmid_wrapper() -> None:
    inner = smf(b"\x00\x90\x3c\x40\x60\x80\x3c\x40" + EOT)
    alien = inner[:14] + b"XFIH\x00\x00\x00\x02ab" + inner[14:]
    assert len(midi_from_bytes(alien).tracks) == 1
    riff_data = b"data" + len(inner).to_bytes(4, "little") + inner
    riff = b"RIFF" + (4 + len(riff_data)).to_bytes(4, "little") + b"RMID" + riff_data
    assert notes_of(midi_from_bytes(riff)) == [(60, 0, 96, 64.0, 64.0)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MThd\x00\x00", "<bytes>: byte 0: truncated header: 6 bytes, a header needs 14"),
        (b"RIFX", "<bytes>: byte 0: not a Standard MIDI File (no MThd header)"),
        (smf(b"\x00\x90\x3c"), "<bytes>: track 1, byte 24: truncated: a channel message runs past the end of the track chunk"),
        (smf(b"\x00\x3c\x40" + EOT), "<bytes>: track 1, byte 23: data byte 0x3c where a status byte is needed (no running status in force)"),
        (smf(b"\x00\xff\x01\x8f\xff\xff\x7fab"), "<bytes>: track 1, byte 29: truncated: meta event 0x01 (33554431 bytes) runs past the end of the track chunk"),
        (smf(b"\x00\xff\x2f\x00", division=0), "<bytes>: byte 12: the header's division is 0 ticks per quarter note"),
        (smf(EOT)[:18] + b"\xff\xff\xff\xff" + EOT, "<bytes>: track 1, byte 14: truncated: the chunk declares 4294967295 bytes but only 4 remain"),
    ],
)
def test_corrupt_input_gives_one_line_error(data: bytes, message: str) -> None:
    with pytest.raises(DawkitError) as caught:
        midi_from_bytes(data)
    assert str(caught.value) == message


def test_absurd_track_count_is_bounded() -> None:
    project = midi_from_bytes(smf(b"\x00\x90\x3c\x40\x60\x80\x3c\x40" + EOT, declared=65535))
    assert len(project.tracks) == 1
    assert midi_warnings(project) == ["the header declares 65535 tracks but the file has 1"]


def test_not_midi_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError):
        midi_from_bytes(b"RIFF\x04\x00\x00\x00WAVE")
