/** A closed interval [low, high] a value is drawn from uniformly. */
export interface ValueRange {
  readonly low: number;
  readonly high: number;
}

/** Add background noise at a random signal-to-noise ratio. */
export interface NoiseStep {
  /** Probability that the step runs, 0–1. */
  readonly p: number;
  /** SNR range in dB. */
  readonly snrDb: ValueRange;
  /** Generated white or pink noise, or recordings from `dir`. */
  readonly type: 'white' | 'pink' | 'files';
  /** Folder of noise WAV files (only for type 'files'). */
  readonly dir?: string;
}

/** Change the level by a random gain. */
export interface GainStep {
  readonly p: number;
  /** Gain range in dB. */
  readonly db: ValueRange;
}

/** Move the signal earlier or later by up to `maxSeconds`. */
export interface ShiftStep {
  readonly p: number;
  /** Largest shift in seconds, either way. */
  readonly maxSeconds: number;
}

/** Change the tempo, keeping the pitch. */
export interface StretchStep {
  readonly p: number;
  /** Speed factor range (above 1 = faster and shorter). */
  readonly rate: ValueRange;
}

/** Change the pitch, keeping the duration. */
export interface PitchStep {
  readonly p: number;
  /** Shift range in semitones. */
  readonly semitones: ValueRange;
}

/** Add room reverberation. */
export interface ReverbStep {
  readonly p: number;
  /** Reverberation time range in seconds. */
  readonly rt60Seconds: ValueRange;
  /** Wet share range, 0–1. */
  readonly wet: ValueRange;
}

/** Mask spans of the feature matrix (SpecAugment). */
export interface SpecAugmentStep {
  readonly p: number;
  readonly timeMasks: number;
  /** Largest time-mask width in frames. */
  readonly maxTimeWidth: number;
  readonly freqMasks: number;
  /** Largest frequency-mask width in bins. */
  readonly maxFreqWidth: number;
}

/** Blend pairs of training examples and their labels. */
export interface MixupStep {
  readonly p: number;
  /** Beta(alpha, alpha) parameter of the mixing weight. */
  readonly alpha: number;
}

/** Which augmentations run and how; a missing step does not run. */
export interface AugmentPlan {
  readonly stretch?: StretchStep;
  readonly pitch?: PitchStep;
  readonly reverb?: ReverbStep;
  readonly shift?: ShiftStep;
  readonly noise?: NoiseStep;
  readonly gain?: GainStep;
  readonly specaugment?: SpecAugmentStep;
  readonly mixup?: MixupStep;
}

/** True when the plan changes the waveform (so features must be recomputed from the augmented clip). */
export function hasWaveformSteps(plan: AugmentPlan): boolean {
  return Boolean(plan.stretch || plan.pitch || plan.reverb || plan.shift || plan.noise || plan.gain);
}

/** Step names in the order the waveform steps are applied and the canonical spec lists them. */
export const AUGMENT_STEP_NAMES = ['stretch', 'pitch', 'reverb', 'shift', 'noise', 'gain', 'specaugment', 'mixup'] as const;

/** The name of one augmentation step. */
export type AugmentStepName = (typeof AUGMENT_STEP_NAMES)[number];

/** Named plans usable as a whole spec, written in the spec language itself. */
export const AUGMENT_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  none: '',
  light: 'gain,shift,noise:p=0.5:snr=20..40',
  standard: 'noise:p=0.5:snr=10..30,gain,shift,pitch:p=0.3,stretch:p=0.3,specaugment',
  strong:
    'noise:p=0.5:snr=5..30,gain:db=-9..9,shift:max=0.3,pitch:p=0.3:semitones=-4..4,stretch:p=0.3:rate=0.8..1.25,' +
    'reverb:p=0.3,specaugment:time=2x30:freq=2x16,mixup:alpha=0.2',
});
