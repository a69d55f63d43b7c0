"""Live 11.0 and 12.0 element tables: names, child order and default values, as outlines.

Written by hand from dawkit's knowledge of the format (notes/als.md sections 4 and 6); the
outline language is described in :mod:`.skeleton`.  ``[11]``/``[12]`` gate lines to one Live
line.  Defaults are what a new, untouched set holds: unity volume, centred pan, sends at -inf,
4/4 at 120 bpm, view state at neutral values.

Fragments used in many places are macros (``%name a|b|c``), defined at the bottom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from lxml import etree

from dawkit.formats.als.skeleton import MACROS, Builder, MacroFunc

__all__ = [
    "AUDIO_CLIP",
    "AUDIO_MAIN_SEQUENCER",
    "AUDIO_TRACK",
    "AUTOMATION_ENVELOPE",
    "AU_PLUGIN",
    "CLIP_ENVELOPE",
    "CLIP_SLOT",
    "CONTROLLER_TARGETS",
    "GROUP_TRACK",
    "GROUP_TRACK_SLOT",
    "LIVE_SET",
    "LOCATOR",
    "MAIN_FREEZE",
    "MAIN_MIXER",
    "MAIN_TRACK",
    "MIDI_CLIP",
    "MIDI_MAIN_SEQUENCER",
    "MIDI_TRACK",
    "OVERWRITE_PROTECTION",
    "PLUGIN_PARAMETER",
    "RETURN_TRACK",
    "SCENE",
    "TAKE_LANE",
    "TRACK_SEND_HOLDER",
    "VST2_PLUGIN",
    "VST3_PLUGIN",
]

#: ``OverwriteProtectionNumber`` Live writes per line (in the set and in plug-in presets).
OVERWRITE_PROTECTION: Final = {11: 2816, 12: 3073}

#: Live's default session grid: MIDI CC automation targets per MIDI track (CC 0-127 plus
#: pitch bend, channel pressure and program: ``ControllerTargets.0`` .. ``.130``).
CONTROLLER_TARGETS: Final = 131

# -- the set ---------------------------------------------------------------------------------

LIVE_SET: Final = """
LiveSet
 NextPointeeId={next_pointee_id}
 OverwriteProtectionNumber={overwrite_protection}
 LomId=0
 LomIdView=0
 Tracks
  @tracks
 @main
 @prehear
 SendsPre
  @sends_pre
 Scenes
  @scenes
 Transport
  PhaseNudgeTempo=10
  LoopOn={loop_on}
  LoopStart={loop_start}
  LoopLength={loop_length}
  LoopIsSongStart=false
  CurrentTime=0
  PunchIn=false
  PunchOut=false
  MetronomeTickDuration=0
  DrawMode=false
 [11] SongMasterValues
  SessionScrollerPos X=0 Y=0
 [12] SessionScrollPos X=0 Y=0
 SignalModulations
 GlobalQuantisation=4
 AutoQuantisation=0
 %grid Grid|true
 ScaleInformation
  RootNote={scale_root}
  Name={scale_name}
 InKey={in_key}
 SmpteFormat=0
 TimeSelection
  AnchorTime=0
  OtherTime=0
 SequencerNavigator
  BeatTimeHelper
   CurrentZoom=0.25
  ScrollerPos X=0 Y=0
  ClientSize X=1280 Y=560
 [11] ViewStateExtendedClipProperties=false
 IsContentSplitterOpen=true
 IsExpressionSplitterOpen=true
 ExpressionLanes
  %lane {lane}|0|0|41|false
  %lane {lane}|1|1|41|false
  %lane {lane}|2|2|41|true
  %lane {lane}|3|3|41|true
 ContentLanes
  %lane {lane}|0|4|41|false
  %lane {lane}|1|5|25|true
 ViewStateFxSlotCount=4
 ViewStateSessionMixerHeight=120
 [12] ViewStateArrangerMixerVolumeSectionHeight=120
 [12] ShouldSceneTempoAndTimeSignatureBeVisible=false
 [12] WaveformVerticalZoomFactor=1
 [12] IsWaveformVerticalZoomActive=true
 Locators
  Locators
   @locators
 DetailClipKeyMidis
 TracksListWrapper LomId=0
 VisibleTracksListWrapper LomId=0
 ReturnTracksListWrapper LomId=0
 ScenesListWrapper LomId=0
 CuePointsListWrapper LomId=0
 ChooserBar=0
 Annotation=
 SoloOrPflSavedValue=true
 SoloInPlace=true
 CrossfadeCurve=2
 LatencyCompensation=2
 HighlightedTrackIndex=0
 GroovePool
  LomId=0
  Grooves
 AutomationMode=false
 SnapAutomationToGrid=true
 ArrangementOverdub=false
 ColorSequenceIndex=0
 AutoColorPickerForPlayerAndGroupTracks
  NextColorIndex=0
 [11] AutoColorPickerForReturnAndMasterTracks
  NextColorIndex=0
 [12] AutoColorPickerForReturnAndMainTracks
  NextColorIndex=0
 ViewData={{}}
 [12] ResetNonautomatedMidiControllersOnClipStarts=true
 MidiFoldIn=false
 MidiFoldMode=0
 MultiClipFocusMode=false
 MultiClipLoopBarHeight=0
 MidiPrelisten=false
 LinkedTrackGroups
 [12] NoteSpellingPreference=0
 AccidentalSpellingPreference=3
 PreferFlatRootNote=false
 UseWarperLegacyHiQMode=false
 VideoWindowRect Top=-2147483648 Left=-2147483648 Bottom=-2147483648 Right=-2147483648
 ShowVideoWindow=true
 [12] TuningSystems
 TrackHeaderWidth=93
 [11] ViewStateArrangerHasDetail=true
 [11] ViewStateSessionHasDetail=true
 [11] ViewStateDetailIsSample=false
 [12] ViewStateMainWindowClipDetailOpen=false
 [12] ViewStateMainWindowHiddenOtherDocViewTypeClipDetailOpen=false
 [12] ViewStateMainWindowHiddenOtherDocViewTypeDeviceDetailOpen=true
 [12] ViewStateMainWindowDeviceDetailOpen=true
 [12] ViewStateSecondWindowClipDetailOpen=true
 [12] ViewStateSecondWindowDeviceDetailOpen=false
 ViewStates
  [12] MixerInArrangement=0
  [12] ArrangerMixerIO=1
  [12] ArrangerMixerSends=1
  [12] ArrangerMixerReturns=1
  [12] ArrangerMixerVolume=1
  [12] ArrangerMixerTrackOptions=0
  [12] ArrangerMixerCrossFade=0
  [12] ArrangerMixerTrackPerformanceImpactMeter=0
  [12] MixerInSession=1
  SessionIO=1
  SessionSends=1
  SessionReturns=1
  [11] SessionMixer=1
  [11] SessionTrackDelay=0
  [12] SessionVolume=1
  [12] SessionTrackOptions=0
  SessionCrossFade=0
  [12] SessionTrackPerformanceImpactMeter=0
  SessionShowOverView=0
  ArrangerIO=1
  ArrangerReturns=1
  [11] ArrangerMixer=1
  [11] ArrangerTrackDelay=0
  [12] ArrangerVolume=1
  [12] ArrangerTrackOptions=0
  ArrangerShowOverView=1
 [12] NoteAlgorithms
  ArpeggiateAlgorithm Id=0
   Rate=10
   Steps=2
   Distance=12
   Gate=1
   Style=0
  SpanAlgorithm Id=1
   Mode=1
   ChordThreshold=10
   LengthVariation=0
   LengthOffset=0
   FixedLength=0
  ConnectAlgorithm Id=2
   Tie=0
   Density=1
   Spread=0
   Rate=0
  OrnamentAlgorithm Id=3
   FlamEnabled=true
   FlamPosition=-0.2
   FlamVelocity=0.5
   GraceNotesEnabled=false
   GraceNotesChance=1
   GraceNotesVelocity=0.5
   GraceNotesPosition=-0.2
   GraceNotesAmount=3
   GraceNotesPitch=1
  RecombineAlgorithm Id=4
   PermutePitches=true
   PermuteDurations=true
   PermuteVelocities=true
   Shuffle=false
   Mirror=false
   RotateAmount=0
  QuantizeAlgorithm Id=5
   Reference=0
   TripletReference=false
   QuantizeNoteStarts=true
   QuantizeNoteEnds=false
   Amount=100
  StrumAlgorithm Id=6
   ChordThreshold=0
   StrumLow=0
   StrumHigh=0
   TensionAmount=0
  TimeWarpAlgorithm Id=7
   Breakpoints
    %breakpoint 0|0|true
    %breakpoint 1|0.5|false
    %breakpoint 2|1|true
   StretchNoteEnd=true
   PreserveTimeRange=true
   Quantize=false
  RhythmAlgorithm Id=8
   Density=4
   Repetitions=1
   Pattern=14
   PatternLength=8
   Pitch=36
   Velocity=100
   Accent=127
   Period=4
   Offset=0
   Shift=0
   StepDuration=7
   Split=0
  StacksAlgorithm Id=9
   Sequence
    Chord Id=0
     RootDegree=0
     Octave=3
     RootPitch=60
     Inversion=0
     RuleNumber=0
     Duration=1
     Offset=0
  ShapeAlgorithm Id=10
   ShapeLevels
    @shape_levels
   ShapePresets=2
   Rate=0
   Tie=0
   Density=1
   MinPitch=60
   MaxPitch=84
   PitchVariation=0
  SeedAlgorithm Id=11
   NotesDensity=0.5
   MinPitch=60
   MaxPitch=84
   MinDuration=-6
   MaxDuration=-3
   MinVelocity=30
   MaxVelocity=100
   VerticalLimit=4
"""

SCENE: Final = """
Scene Id={id}
 %follow_action
 Name={name}
 Annotation={annotation}
 Color={color}
 Tempo={tempo}
 IsTempoEnabled={tempo_enabled}
 TimeSignatureId=201
 IsTimeSignatureEnabled=false
 LomId=0
 ClipSlotsListWrapper LomId=0
"""

LOCATOR: Final = """
Locator Id={id}
 LomId=0
 Time={time}
 Name={name}
 Annotation={annotation}
 IsSongStart=false
"""

# -- tracks ----------------------------------------------------------------------------------

_TRACK_HEAD: Final = """
LomId=0
LomIdView=0
IsContentSelectedInDocument=false
PreferredContentViewMode=0
TrackDelay
 Value=0
 IsValueSampleBased=false
Name
 EffectiveName={name}
 UserName={user_name}
 Annotation={annotation}
 MemorizedFirstClipName=
Color={color}
AutomationEnvelopes
 Envelopes
  @envelopes
TrackGroupId={group}
TrackUnfolded={unfolded}
DevicesListWrapper LomId=0
ClipSlotsListWrapper LomId=0
ViewData={{}}
TakeLanes
 TakeLanes
  @take_lanes
 AreTakeLanesFolded=true
LinkedTrackGroupId=-1
"""

_CHAIN_HEAD: Final = """
AutomationLanes
 AutomationLanes
  AutomationLane Id=0
   SelectedDevice=0
   SelectedEnvelope=0
   IsContentSelectedInDocument=false
   LaneHeight=68
 AreAdditionalAutomationLanesFolded=false
ClipEnvelopeChooserViewState
 SelectedDevice=0
 SelectedEnvelope=0
 PreferModulationVisible=false
%routing AudioInputRouting|{audio_in}|{audio_in_upper}|{audio_in_lower}
%routing MidiInputRouting|{midi_in}|{midi_in_upper}|
%routing AudioOutputRouting|{audio_out}|{audio_out_upper}|{audio_out_lower}
%routing MidiOutputRouting|MidiOut/None|None|
"""

_MIXER: Final = """
Mixer
 %devhead true|true||
 Sends
  @sends
 %bool Speaker|{speaker}|speaker
 SoloSink={solo}
 PanMode=0
 %float Pan|{pan}|-1|1|pan
 %float SplitStereoPanL|-1|-1|1|
 %float SplitStereoPanR|1|-1|1|
 %float Volume|{volume}|0.0003162277571|1.99526238|volume
 ViewStateSesstionTrackWidth=93
 %plain CrossFadeState|1|
 SendsListWrapper LomId=0
 @main_mixer
"""

#: The master/main track's own mixer parameters (after the common mixer children).
MAIN_MIXER: Final = """
%float Tempo|{tempo}|60|200|tempo
%plain TimeSignature|{time_signature}|timesig
%float GlobalGrooveAmount|100|0|131.25|
%float CrossFade|0|-1|1|
TempoAutomationViewBottom=60
TempoAutomationViewTop=200
"""

_INNER_CHAIN: Final = """
DeviceChain
 Devices
  @devices
 SignalModulations
"""

_SEQUENCER_TARGETS: Final = """
%target VolumeModulationTarget
%target TranspositionModulationTarget
[12] %target TransientEnvelopeModulationTarget
%target GrainSizeModulationTarget
%target FluxModulationTarget
%target SampleOffsetModulationTarget
[12] %target ComplexProFormantsModulationTarget
[12] %target ComplexProEnvelopeModulationTarget
PitchViewScrollPosition=-1073741824
SampleOffsetModulationScrollPosition=-1073741824
"""

_ARRANGER_BODY: Final = """
Events
 @{events}
AutomationTransformViewState
 IsTransformPending=false
 TimeAndValueTransforms
"""


def _nest(outline: str, tag: str, attrs: str = "") -> str:
    """``outline`` as the children of a new ``tag`` element."""
    body = "\n".join(" " + line for line in outline.strip("\n").splitlines())
    return f"{tag}{' ' + attrs if attrs else ''}\n{body}\n"


def _arranger(outer: str, events: str) -> str:
    return _nest(_nest(_ARRANGER_BODY.replace("{events}", events), "ArrangerAutomation"), outer)


def _audio_sequencer(slots: str, events: str, monitoring: str, armed: str, takes: str = "1") -> str:
    """An audio sequencer (audio track main sequencer, every track's freeze sequencer);
    ``takes`` is the recorder's next take number."""
    return (
        f"%devhead true|true||\nClipSlotList\n @{slots}\nMonitoringEnum={monitoring}\n"
        "[12] KeepRecordMonitoringLatency=true\n"
        + _arranger("Sample", events)
        + _SEQUENCER_TARGETS
        + f"Recorder\n IsArmed={armed}\n TakeCounter={takes}\n"
    )


_MIDI_SEQUENCER: Final = (
    "%devhead true|true||\nClipSlotList\n @slots\nMonitoringEnum=1\n[12] KeepRecordMonitoringLatency=true\n"
    + _arranger("ClipTimeable", "events")
    + "Recorder\n IsArmed={armed}\n TakeCounter={take_counter}\nMidiControllers\n @controllers\n"
)


_PLAYER_TAIL: Final = """
SavedPlayingSlot=-1
SavedPlayingOffset=0
Freeze=false
VelocityDetail=0
NeedArrangerRefreeze=true
PostProcessFreezeClips=0
"""

_PLAYER_CHAIN: Final = (
    _CHAIN_HEAD
    + _MIXER
    + "@main_sequencer\n"
    + _nest(_audio_sequencer("freeze_slots", "no_events", "1", "false"), "FreezeSequencer")
    + _INNER_CHAIN
)

AUDIO_TRACK: Final = _nest(_TRACK_HEAD + _PLAYER_TAIL + _nest(_PLAYER_CHAIN, "DeviceChain"), "AudioTrack", "Id={id}")

MIDI_TRACK: Final = _nest(
    _TRACK_HEAD
    + _PLAYER_TAIL
    + _nest(_PLAYER_CHAIN, "DeviceChain")
    + """
[11] ReWireSlaveMidiTargetId=0
[12] ReWireDeviceMidiTargetId=0
PitchbendRange=96
[12] IsTuned=false
[12] ControllerLayoutRemoteable=0
[12] ControllerLayoutCustomization
 PitchClassSource=0
 OctaveSource=2
 KeyNoteTarget=60
 StepSize=1
 OctaveEvery=12
 AllowedKeys=0
 FillerKeysMapTo=0
""",
    "MidiTrack",
    "Id={id}",
)

AUDIO_MAIN_SEQUENCER: Final = _nest(_audio_sequencer("slots", "events", "1", "{armed}", "{take_counter}"), "MainSequencer")
MIDI_MAIN_SEQUENCER: Final = _nest(_MIDI_SEQUENCER, "MainSequencer")
_EMPTY_FREEZE: Final = _nest(_audio_sequencer("no_slots", "no_events", "1", "false"), "FreezeSequencer")

GROUP_TRACK: Final = _nest(
    _TRACK_HEAD
    + "Slots\n @group_slots\n[12] Freeze=false\n[12] NeedArrangerRefreeze=true\n"
    + _nest(_CHAIN_HEAD + _MIXER + _INNER_CHAIN + _EMPTY_FREEZE, "DeviceChain"),
    "GroupTrack",
    "Id={id}",
)

RETURN_TRACK: Final = _nest(
    _TRACK_HEAD + _nest(_CHAIN_HEAD + _MIXER + _INNER_CHAIN + _EMPTY_FREEZE, "DeviceChain"),
    "ReturnTrack",
    "Id={id}",
)

#: ``MasterTrack`` (11) / ``MainTrack`` (12) and ``PreHearTrack``: ``{tag}`` names the element.
MAIN_TRACK: Final = _nest(
    _TRACK_HEAD
    + _nest(
        _CHAIN_HEAD
        + _MIXER
        + "@main_freeze\n"
        + _INNER_CHAIN,
        "DeviceChain",
    ),
    "{tag}",
)

MAIN_FREEZE: Final = _nest(
    _nest(_audio_sequencer("no_slots", "no_events", "1", "false"), "AudioSequencer", "Id=0"), "FreezeSequencer"
)

GROUP_TRACK_SLOT: Final = """
GroupTrackSlot Id={id}
 LomId=0
"""

CLIP_SLOT: Final = """
ClipSlot Id={id}
 LomId=0
 ClipSlot
  Value
   @clip
 HasStop={has_stop}
 NeedRefreeze=true
"""

TRACK_SEND_HOLDER: Final = """
TrackSendHolder Id={id}
 %float Send|{level}|0.0003162277571|1|send{id}
 [11] Active={enabled}
 [12] EnabledByUser={enabled}
"""

AUTOMATION_ENVELOPE: Final = """
AutomationEnvelope Id={id}
 EnvelopeTarget
  PointeeId={pointee}
 Automation
  Events
   @events
  AutomationTransformViewState
   IsTransformPending=false
   TimeAndValueTransforms
"""

#: A Live 12 comping lane (``TakeLanes/TakeLanes``): its clips go in ``ClipAutomation/Events``.
TAKE_LANE: Final = """
TakeLane Id={id}
 Height=51
 IsContentSelectedInDocument=false
 ClipAutomation
  Events
   @clips
  AutomationTransformViewState
   IsTransformPending=false
   TimeAndValueTransforms
 Name={name}
 Annotation=
 Audition=false
"""

CLIP_ENVELOPE: Final = """
ClipEnvelope Id={id}
 EnvelopeTarget
  PointeeId={pointee}
 Automation
  Events
   @events
  AutomationTransformViewState
   IsTransformPending=false
   TimeAndValueTransforms
 LoopSlot
  Value
 ScrollerTimePreserver
  LeftTime=0
  RightTime=0
"""

# -- clips -----------------------------------------------------------------------------------

_CLIP_HEAD: Final = """
LomId=0
LomIdView=0
CurrentStart={current_start}
CurrentEnd={current_end}
Loop
 LoopStart={loop_start}
 LoopEnd={loop_end}
 StartRelative={start_relative}
 LoopOn={loop_on}
 OutMarker={out_marker}
 HiddenLoopStart={hidden_loop_start}
 HiddenLoopEnd={hidden_loop_end}
Name={name}
Annotation={annotation}
Color={color}
LaunchMode=0
LaunchQuantisation=0
TimeSignature
 TimeSignatures
  RemoteableTimeSignature Id=0
   Numerator={numerator}
   Denominator={denominator}
   Time=0
Envelopes
 Envelopes
ScrollerTimePreserver
 LeftTime={loop_start}
 RightTime={loop_end}
TimeSelection
 AnchorTime=0
 OtherTime=0
Legato=false
Ram=false
GrooveSettings
 GrooveId=-1
Disabled={disabled}
VelocityAmount=0
%follow_action
%grid Grid|true
FreezeStart=0
FreezeEnd=0
IsWarped={warped}
TakeId={take_id}
"""

MIDI_CLIP: Final = _nest(
    _CLIP_HEAD
    + """
Notes
 KeyTracks
  @key_tracks
 PerNoteEventStore
  EventLists
   @per_note_events
 [12] NoteProbabilityGroups
 [12] ProbabilityGroupIdGenerator
  NextId=1
 NoteIdGenerator
  NextId={next_note_id}
BankSelectCoarse=-1
BankSelectFine=-1
ProgramChange=-1
NoteEditorFoldInZoom=-1
NoteEditorFoldInScroll=0
NoteEditorFoldOutZoom=-1
NoteEditorFoldOutScroll=0
NoteEditorFoldScaleZoom=-1
NoteEditorFoldScaleScroll=0
ScaleInformation
 RootNote=0
 Name=Major
IsInKey=false
NoteSpellingPreference=0
[12] AccidentalSpellingPreference=3
PreferFlatRootNote=false
%grid ExpressionGrid|false
""",
    "MidiClip",
    "Id={id} Time={time}",
)

AUDIO_CLIP: Final = _nest(
    _CLIP_HEAD
    + """
SampleRef
 FileRef
  RelativePathType={relative_path_type}
  RelativePath={relative_path}
  Path={path}
  Type=1
  LivePackName=
  LivePackId=
  OriginalFileSize={file_size}
  OriginalCrc=0
 LastModDate=0
 SourceContext
 SampleUsageHint=0
 DefaultDuration={default_duration}
 DefaultSampleRate={sample_rate}
Onsets
 UserOnsets
 HasUserOnsets=false
WarpMode={warp_mode}
GranularityTones=30
GranularityTexture=65
FluctuationTexture=25
TransientResolution=6
TransientLoopMode=2
TransientEnvelope=100
ComplexProFormants=100
ComplexProEnvelope=128
Sync=true
HiQ=true
Fade=true
Fades
 FadeInLength={fade_in}
 FadeOutLength={fade_out}
 ClipFadesAreInitialized=true
 CrossfadeInState=0
 FadeInCurveSkew=0
 FadeInCurveSlope=0
 FadeOutCurveSkew=0
 FadeOutCurveSlope=0
 IsDefaultFadeIn={default_fade_in}
 IsDefaultFadeOut={default_fade_out}
PitchCoarse=0
PitchFine=0
SampleVolume={sample_volume}
[11] MarkerDensity=2
[11] AutoWarpTolerance=4
WarpMarkers
 @warp_markers
SavedWarpMarkersForStretched
MarkersGenerated=false
[11] IsSongTempoMaster=false
[12] IsSongTempoLeader=false
""",
    "AudioClip",
    "Id={id} Time={time}",
)

# -- plug-in devices ---------------------------------------------------------------------------

_PRESET_HEAD: Final = """
OverwriteProtectionNumber={overwrite_protection}
ParameterSettings
IsOn={on}
PowerMacroControlIndex=-1
PowerMacroMappingRange
 Min=64
 Max=127
IsFolded=false
StoredAllParameters=true
DeviceLomId=0
DeviceViewLomId=0
IsOnLomId=0
ParametersListWrapperLomId=0
"""

_PLUGIN_TAIL: Final = """
MpeEnabled=false
ParameterList
 @parameters
AxisX=0
AxisY=0
SideChain
 %bool OnOff|true|
 RoutedInput
  Routable
   Target=AudioIn/None
   UpperDisplayString=No Input
   LowerDisplayString=
  %float Volume|1|0.0003162277571|15.8489332|
 %float DryWet|1|0|1|
"""

VST2_PLUGIN: Final = _nest(
    """
%devhead false|{on}|on|{user_name}
PluginDesc
 VstPluginInfo Id=0
  WinPosX=0
  WinPosY=0
  Path={plugin_path}
  PlugName={name}
  UniqueId={unique_id}
  Inputs=0
  Outputs=0
  NumberOfParameters={parameter_count}
  NumberOfPrograms=1
  Flags=0
  Preset
   VstPreset Id=0
"""
    + "\n".join("    " + line for line in _PRESET_HEAD.strip("\n").splitlines())
    + """
    Type=1178747752
    ProgramCount=1
    ParameterCount={parameter_count}
    ProgramNumber=0
    @buffer
    Name=
    PluginVersion=0
    UniqueId={unique_id}
    ByteOrder=2
    PresetRef
  Version=0
  VstVersion=2400
  IsShellClient=false
  Category={category}
  [11] LastPresetFolder=
"""
    + _PLUGIN_TAIL,
    "PluginDevice",
    "Id={id}",
)

VST3_PLUGIN: Final = _nest(
    """
%devhead false|{on}|on|{user_name}
PluginDesc
 Vst3PluginInfo Id=0
  WinPosX=0
  WinPosY=0
  Preset
   Vst3Preset Id=0
"""
    + "\n".join("    " + line for line in _PRESET_HEAD.strip("\n").splitlines()).replace(
        "ParameterSettings", "MpeEnabled=0\n    ParameterSettings"
    )
    + """
    %uid {uid0}|{uid1}|{uid2}|{uid3}
    DeviceType={device_type}
    @states
    Name=
    PresetRef
  Name={name}
  %uid {uid0}|{uid1}|{uid2}|{uid3}
  DeviceType={device_type}
"""
    + _PLUGIN_TAIL,
    "PluginDevice",
    "Id={id}",
)

AU_PLUGIN: Final = _nest(
    """
%devhead false|{on}|on|{user_name}
PluginDesc
 AuPluginInfo Id=0
  WinPosX=0
  WinPosY=0
  ComponentType={component_type}
  ComponentSubType={component_subtype}
  ComponentManufacturer={component_manufacturer}
  Name={name}
  Manufacturer={vendor}
  ParameterCount={parameter_count}
  Preset
   AuPreset Id=0
"""
    + "\n".join("    " + line for line in _PRESET_HEAD.strip("\n").splitlines())
    + """
    @buffer
    PresetRef
    Name=
    Manufacturer={component_manufacturer}
    SubType={component_subtype}
    Type={component_type}
  IsUnusable=false
"""
    + _PLUGIN_TAIL,
    "AuPluginDevice",
    "Id={id}",
)

PLUGIN_PARAMETER: Final = """
PluginFloatParameter Id={id}
 ParameterName={name}
 ParameterId={parameter_id}
 VisualIndex={visual_index}
 %float ParameterValue|{value}|0|1|{target}
"""

# -- macros ------------------------------------------------------------------------------------

_DEVICE_HEAD: Final = """
LomId=0
LomIdView=0
IsExpanded={expanded}
%bool On|{on}|{on_target}
ModulationSourceCount=0
ParametersListWrapper LomId=0
Pointee Id=#
LastSelectedTimeableIndex=0
LastSelectedClipEnvelopeIndex=0
LastPresetRef
 Value
LockedScripts
IsFolded=false
ShouldShowPresetName=false
UserName={user_name}
Annotation=
SourceContext
 Value
"""

_OUTLINES: Final = {
    "bool": """
{0}
 LomId=0
 Manual={1}
 AutomationTarget Id=#{2}
  LockEnvelope=0
 MidiCCOnOffThresholds
  Min=64
  Max=127
""",
    "float": """
{0}
 LomId=0
 Manual={1}
 MidiControllerRange
  Min={2}
  Max={3}
 AutomationTarget Id=#{4}
  LockEnvelope=0
 ModulationTarget Id=#
  LockEnvelope=0
""",
    "plain": """
{0}
 LomId=0
 Manual={1}
 AutomationTarget Id=#{2}
  LockEnvelope=0
""",
    "target": """
{0} Id=#
 LockEnvelope=0
""",
    "routing": """
{0}
 Target={1}
 UpperDisplayString={2}
 LowerDisplayString={3}
 MpeSettings
  ZoneType=0
  FirstNoteChannel=1
  LastNoteChannel=15
""",
    "grid": """
{0}
 FixedNumerator=1
 FixedDenominator=16
 GridIntervalPixel=20
 Ntoles=2
 SnapToGrid={1}
 Fixed=false
""",
    "lane": """
{0} Id={1}
 Type={2}
 Size={3}
 IsMinimized={4}
""",
    "breakpoint": """
Breakpoint Id={0}
 Value=0.5
 Time={1}
 Control1X=0.5
 Control1Y=0.5
 Control2X=0.5
 Control2Y=0.5
 IsActive={2}
""",
    "follow_action": """
FollowAction
 FollowTime=4
 IsLinked=true
 LoopIterations=1
 FollowActionA=4
 FollowActionB=0
 FollowChanceA=100
 FollowChanceB=0
 JumpIndexA=0
 JumpIndexB=0
 FollowActionEnabled=false
""",
    "uid": """
Uid
 Fields.0={0}
 Fields.1={1}
 Fields.2={2}
 Fields.3={3}
""",
}


def _outline_macro(name: str) -> MacroFunc:
    """A ``%name a|b|c`` macro: the outline in ``_OUTLINES`` with ``{0}``, ``{1}``... replaced."""
    template = _OUTLINES[name]

    def macro(builder: Builder, args: Sequence[str]) -> list[etree._Element]:
        # Arguments are substituted into the outline text; a value cannot hold a newline.
        text = template
        for i, arg in enumerate(args):
            text = text.replace("{" + str(i) + "}", arg.replace("{", "{{").replace("}", "}}"))
        return builder.build(text)

    return macro


def _device_head(builder: Builder, args: Sequence[str]) -> list[etree._Element]:
    """``%devhead expanded|on|on_target|user_name``: the header every device, the mixer and the
    sequencers start with (``on_target`` names the ``On`` switch's pool id, or is empty)."""
    expanded, on, on_target, user_name = args
    return builder.build(
        _DEVICE_HEAD, {"expanded": expanded, "on": on, "on_target": on_target, "user_name": user_name}
    )


MACROS.update({name: _outline_macro(name) for name in _OUTLINES})
MACROS["devhead"] = _device_head
