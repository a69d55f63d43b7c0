"""A small Live Set written by hand for tests that must not depend on the shared corpus.

Written from the format notes (``../shared/notes/als.md`` section 4), not copied from any
Ableton file: three tracks (MIDI with a built-in device, audio, return), the main/master track
with tempo and time-signature automation, an arrangement MIDI clip with four notes on two
KeyTracks, an arrangement audio clip, a session clip in a two-scene set, two locators and a
loop region.  :func:`small_set` takes keyword overrides for the values bad-input tests damage;
``version`` picks the Live 11 or Live 12 spelling (``MasterTrack``/``MainTrack``,
``Active``/``EnabledByUser``, ``AudioOut/Master``/``AudioOut/Main``).
"""

from __future__ import annotations

from dawkit.formats.als.container import gzip_live

#: Values :func:`small_set` fills in unless a test overrides them.
DEFAULTS: dict[str, str] = {
    "minor": "",  # "" = the version's own MinorVersion
    "volume": "0.5011872053",  # -6 dB
    "pan": "-0.25",
    "send": "0.2511886358",  # -12 dB
    "tempo": "120",
    "tempo_event": "140",
    "note_time": "0",
    "note_duration": "0.5",
    "velocity": "100",
    "midi_key": "60",
    "clip_start": "4",
    "clip_end": "12",
    "loop_start": "0",
    "loop_end": "8",
    "locator_time": "16",
    "time_signature": "201",
    "device_on": "true",
}

_VERSIONS = {
    11: ("11.0_11300", "Ableton Live 11.3.4", "MasterTrack", "Active", "AudioOut/Master"),
    12: ("12.0_12049", "Ableton Live 12.0.25", "MainTrack", "EnabledByUser", "AudioOut/Main"),
}


def _param(tag: str, value: str, target: int, *, modulation: bool = True) -> str:
    """An automatable parameter in the Live 10+ shape (AutomationTarget ``target``, ModulationTarget ``target + 1``)."""
    mod = f'<ModulationTarget Id="{target + 1}"><LockEnvelope Value="0" /></ModulationTarget>' if modulation else ""
    return (
        f'<{tag}><LomId Value="0" /><Manual Value="{value}" />'
        f'<AutomationTarget Id="{target}"><LockEnvelope Value="0" /></AutomationTarget>{mod}</{tag}>'
    )


def _name(name: str) -> str:
    return f'<Name><EffectiveName Value="{name}" /><UserName Value="{name}" /><Annotation Value="" /><MemorizedFirstClipName Value="" /></Name>'


def _mixer(v: dict[str, str], first_id: int, send_flag: str, *, sends: bool, main: bool = False) -> str:
    send = (
        f'<Sends><TrackSendHolder Id="0">{_param("Send", v["send"], first_id + 6)}'
        f'<{send_flag} Value="true" /></TrackSendHolder></Sends>'
        if sends
        else "<Sends />"
    )
    tempo = (
        _param("Tempo", v["tempo"], 900) + _param("TimeSignature", v["time_signature"], 902)
        if main
        else ""
    )
    return (
        '<Mixer><LomId Value="0" /><IsExpanded Value="true" />'
        + _param("On", "true", first_id, modulation=False)
        + f"{send}"
        + _param("Speaker", "true", first_id + 1, modulation=False)
        + '<SoloSink Value="false" /><PanMode Value="0" />'
        + _param("Pan", v["pan"] if not main else "0", first_id + 2)
        + _param("Volume", v["volume"] if not main else "1", first_id + 4)
        + tempo
        + "</Mixer>"
    )


def _slots(clip: str = "") -> str:
    first = f"<Value>{clip}</Value>" if clip else "<Value />"
    return (
        "<ClipSlotList>"
        f'<ClipSlot Id="0"><LomId Value="0" /><ClipSlot>{first}</ClipSlot><HasStop Value="true" /><NeedRefreeze Value="true" /></ClipSlot>'
        '<ClipSlot Id="1"><LomId Value="0" /><ClipSlot><Value /></ClipSlot><HasStop Value="false" /><NeedRefreeze Value="true" /></ClipSlot>'
        "</ClipSlotList>"
    )


def _loop(start: str, end: str, on: str = "true") -> str:
    return (
        f'<Loop><LoopStart Value="{start}" /><LoopEnd Value="{end}" /><StartRelative Value="0" />'
        f'<LoopOn Value="{on}" /><OutMarker Value="{end}" /><HiddenLoopStart Value="{start}" />'
        f'<HiddenLoopEnd Value="{end}" /></Loop>'
    )


def _midi_clip(clip_id: int, time: str, end: str, loop: str, name: str, keytracks: str, next_note_id: int) -> str:
    return (
        f'<MidiClip Id="{clip_id}" Time="{time}"><LomId Value="0" /><LomIdView Value="0" />'
        f'<CurrentStart Value="{time}" /><CurrentEnd Value="{end}" />{loop}'
        f'<Name Value="{name}" /><Annotation Value="" /><Color Value="16" />'
        '<LaunchMode Value="0" /><LaunchQuantisation Value="0" /><Envelopes><Envelopes /></Envelopes>'
        '<Disabled Value="false" /><IsWarped Value="true" /><TakeId Value="1" />'
        f"<Notes><KeyTracks>{keytracks}</KeyTracks><PerNoteEventStore><EventLists /></PerNoteEventStore>"
        '<NoteProbabilityGroups /><ProbabilityGroupIdGenerator><NextId Value="1" /></ProbabilityGroupIdGenerator>'
        f'<NoteIdGenerator><NextId Value="{next_note_id}" /></NoteIdGenerator></Notes></MidiClip>'
    )


def _note(time: str, duration: str, velocity: str, note_id: int) -> str:
    return (
        f'<MidiNoteEvent Time="{time}" Duration="{duration}" Velocity="{velocity}" VelocityDeviation="0" '
        f'OffVelocity="64" Probability="1" IsEnabled="true" NoteId="{note_id}" />'
    )


def small_set(version: int = 12, **overrides: str) -> bytes:
    """The set's XML (LF newlines, Live's lexical conventions) with ``overrides`` applied."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown small_set values: {sorted(unknown)}")
    v = DEFAULTS | overrides
    minor, creator, main_tag, send_flag, main_target = _VERSIONS[version]
    minor = v["minor"] or minor

    keytracks = (
        '<KeyTrack Id="0"><Notes>'
        + _note(v["note_time"], v["note_duration"], v["velocity"], 1)
        + _note("2", "1", "90", 3)
        + f'</Notes><MidiKey Value="{v["midi_key"]}" /></KeyTrack>'
        '<KeyTrack Id="1"><Notes>' + _note("1", "1", "80.5", 2) + _note("3", "0.25", "127", 4) + "</Notes>"
        '<MidiKey Value="64" /></KeyTrack>'
    )
    arrangement_clip = _midi_clip(0, v["clip_start"], v["clip_end"], _loop(v["loop_start"], v["loop_end"]), "Bassline", keytracks, 5)
    session_notes = '<KeyTrack Id="0"><Notes>' + _note("0", "1", "100", 1) + '</Notes><MidiKey Value="48" /></KeyTrack>'
    session_clip = _midi_clip(0, "0", "4", _loop("0", "4"), "Launch", session_notes, 2)
    audio_clip = (
        '<AudioClip Id="0" Time="0"><LomId Value="0" /><LomIdView Value="0" /><CurrentStart Value="0" />'
        f'<CurrentEnd Value="8" />{_loop("0", "8", "false")}<Name Value="Break" /><Annotation Value="" />'
        '<Color Value="5" /><LaunchMode Value="0" /><LaunchQuantisation Value="0" />'
        "<Envelopes><Envelopes /></Envelopes>"
        '<Disabled Value="false" /><IsWarped Value="true" /><TakeId Value="1" />'
        '<SampleRef><FileRef><RelativePathType Value="3" /><RelativePath Value="Samples/Imported/break.wav" />'
        '<Path Value="/Users/someone/Music/Set Project/Samples/Imported/break.wav" /><Type Value="1" />'
        '<LivePackName Value="" /><LivePackId Value="" /><OriginalFileSize Value="352844" /><OriginalCrc Value="0" />'
        '</FileRef><LastModDate Value="1700000000" /><SourceContext /><SampleUsageHint Value="0" />'
        '<DefaultDuration Value="88200" /><DefaultSampleRate Value="44100" /></SampleRef>'
        '<WarpMode Value="0" /><SampleVolume Value="1" />'
        '<WarpMarkers><WarpMarker Id="0" SecTime="0" BeatTime="0" /><WarpMarker Id="1" SecTime="2" BeatTime="4" /></WarpMarkers>'
        "</AudioClip>"
    )
    devices = (
        '<Devices><Reverb Id="0"><LomId Value="0" /><IsExpanded Value="true" />'
        + _param("On", v["device_on"], 500, modulation=False)
        + '<UserName Value="" /><Annotation Value="" />'
        + _param("DecayTime", "1200", 502)
        + _param("MixDirect", "0.35", 504)
        + "</Reverb></Devices>"
    )

    def track(tag: str, track_id: int, name: str, first_id: int, sequencer: str, chain: str = "<Devices />") -> str:
        return (
            f'<{tag} Id="{track_id}"><LomId Value="0" /><LomIdView Value="0" />{_name(name)}<Color Value="{track_id}" />'
            '<AutomationEnvelopes><Envelopes /></AutomationEnvelopes><TrackGroupId Value="-1" /><TrackUnfolded Value="true" />'
            '<DeviceChain><AudioOutputRouting>'
            f'<Target Value="{main_target}" /><UpperDisplayString Value="Main" /><LowerDisplayString Value="" />'
            "</AudioOutputRouting>"
            + _mixer(v, first_id, send_flag, sends=tag != "ReturnTrack")
            + sequencer
            + f"<DeviceChain>{chain}</DeviceChain></DeviceChain></{tag}>"
        )

    recorder = '<Recorder><IsArmed Value="false" /><TakeCounter Value="1" /></Recorder>'
    midi = track(
        "MidiTrack",
        8,
        "Bass",
        100,
        f"<MainSequencer>{_slots(session_clip)}<ClipTimeable><ArrangerAutomation><Events>{arrangement_clip}"
        f"</Events></ArrangerAutomation></ClipTimeable>{recorder}</MainSequencer>",
        devices,
    )
    audio = track(
        "AudioTrack",
        9,
        "Drums",
        200,
        f"<MainSequencer>{_slots()}<Sample><ArrangerAutomation><Events>{audio_clip}"
        f"</Events></ArrangerAutomation></Sample>{recorder}</MainSequencer>",
    )
    ret = track("ReturnTrack", 2, "A-Reverb", 300, "")
    main = (
        f'<{main_tag}><LomId Value="0" /><LomIdView Value="0" />{_name("Main")}<Color Value="-1" />'
        "<AutomationEnvelopes><Envelopes>"
        '<AutomationEnvelope Id="0"><EnvelopeTarget><PointeeId Value="900" /></EnvelopeTarget><Automation><Events>'
        f'<FloatEvent Id="0" Time="-63072000" Value="{v["tempo"]}" /><FloatEvent Id="1" Time="16" Value="{v["tempo_event"]}" />'
        "</Events></Automation></AutomationEnvelope>"
        '<AutomationEnvelope Id="1"><EnvelopeTarget><PointeeId Value="902" /></EnvelopeTarget><Automation><Events>'
        f'<EnumEvent Id="0" Time="-63072000" Value="{v["time_signature"]}" /><EnumEvent Id="1" Time="32" Value="200" />'
        "</Events></Automation></AutomationEnvelope>"
        '</Envelopes></AutomationEnvelopes><TrackGroupId Value="-1" /><TrackUnfolded Value="false" />'
        '<DeviceChain><AudioOutputRouting><Target Value="AudioOut/External/S0" /><UpperDisplayString Value="Ext. Out" />'
        '<LowerDisplayString Value="1/2" /></AudioOutputRouting>'
        + _mixer(v, 400, send_flag, sends=False, main=True)
        + f"<DeviceChain><Devices /></DeviceChain></DeviceChain></{main_tag}>"
    )
    scenes = "".join(
        f'<Scene Id="{i}"><Name Value="{name}" /><Annotation Value="" /><Color Value="-1" /><Tempo Value="120" />'
        f'<IsTempoEnabled Value="false" /><TimeSignatureId Value="201" /><IsTimeSignatureEnabled Value="false" />'
        '<LomId Value="0" /><ClipSlotsListWrapper LomId="0" /></Scene>'
        for i, name in enumerate(("Verse", "Chorus"))
    )
    locators = (
        '<Locator Id="0"><LomId Value="0" /><Time Value="0" /><Name Value="Intro" /><Annotation Value="" /><IsSongStart Value="false" /></Locator>'
        f'<Locator Id="1"><LomId Value="0" /><Time Value="{v["locator_time"]}" /><Name Value="Drop" />'
        '<Annotation Value="big" /><IsSongStart Value="false" /></Locator>'
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Ableton MajorVersion="5" MinorVersion="{minor}" SchemaChangeCount="1" Creator="{creator}" Revision="0">'
        '<LiveSet><NextPointeeId Value="1000" /><OverwriteProtectionNumber Value="3075" /><LomId Value="0" /><LomIdView Value="0" />'
        f"<Tracks>{midi}{audio}{ret}</Tracks>{main}"
        '<SendsPre><SendPreBool Id="0" Value="false" /></SendsPre>'
        f"<Scenes>{scenes}</Scenes>"
        '<Transport><LoopOn Value="true" /><LoopStart Value="8" /><LoopLength Value="16" /><CurrentTime Value="0" /></Transport>'
        f"<Locators><Locators>{locators}</Locators></Locators>"
        "</LiveSet></Ableton>\n"
    )
    return xml.encode("utf-8")


def small_als(version: int = 12, **overrides: str) -> bytes:
    """:func:`small_set` gzipped the way Live does it."""
    return gzip_live(small_set(version, **overrides))
