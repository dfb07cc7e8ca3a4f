import { Random } from '../random';

/** A vowel target: its first three formant frequencies in Hz. */
export type Formants = readonly [number, number, number];

/** Typical adult male formants for a few vowels (Peterson & Barney averages, rounded). */
export const VOWELS: Record<string, Formants> = {
  a: [730, 1090, 2440],
  i: [270, 2290, 3010],
  u: [300, 870, 2240],
  e: [530, 1840, 2480],
  o: [570, 840, 2410],
};

/** Parameters of {@link synthesizeVoice}. */
export interface VoiceOptions {
  /** Output sample rate in Hz (default 48000). */
  readonly sampleRate?: number;
  /** Length in seconds (default: one syllable per vowel at `syllablesPerSecond`). */
  readonly durationSeconds?: number;
  /** Speaking rate used when no duration is given (default 3.5 syllables per second). */
  readonly syllablesPerSecond?: number;
  /** Mean fundamental frequency in Hz (default 120). */
  readonly f0Hz?: number;
  /** Intonation range in semitones around the mean (default 3). */
  readonly f0RangeSemitones?: number;
  /** Vowels spoken in turn, keys of {@link VOWELS} (default "aiu"). */
  readonly vowels?: string;
  /** Formant scale factor: 1 for an adult male tract, about 1.17 for an adult female one (default 1). */
  readonly formantScale?: number;
  /** Cycle-to-cycle period jitter as a fraction (default 0.01). */
  readonly jitter?: number;
  /** Cycle-to-cycle amplitude shimmer as a fraction (default 0.05). */
  readonly shimmer?: number;
  /** Aspiration noise relative to the voiced source (default 0.02). */
  readonly breathiness?: number;
  /** Spectral tilt: positive brightens (more high-frequency energy, tense voice), negative darkens; −0.9…0.9 (default 0). */
  readonly brightness?: number;
  /** Pitch contour over the utterance: falling declination (default) or a final rise. */
  readonly contour?: 'fall' | 'rise';
  /** Pitch tremor depth in semitones at about 6 Hz (default 0). */
  readonly tremorSemitones?: number;
  /** Peak level of the output, 0–1 (default 0.5). */
  readonly peak?: number;
  /** Seed of the random variation (default 1). */
  readonly seed?: number;
}

/**
 * Synthesises a voiced utterance: a Rosenberg glottal pulse train with an intonation contour, jitter and shimmer,
 * through three cascaded formant resonators that glide between vowels, with syllable-like loudness envelopes.
 * Not speech, but it has speech's structure (harmonics, formants, prosody), so features behave as on speech.
 */
export function synthesizeVoice(options: VoiceOptions = {}): Float32Array {
  const rate = options.sampleRate ?? 48000;
  const vowelCount = [...(options.vowels ?? 'aiu')].length;
  const n = Math.round((options.durationSeconds ?? vowelCount / (options.syllablesPerSecond ?? 3.5)) * rate);
  const f0 = options.f0Hz ?? 120;
  const range = options.f0RangeSemitones ?? 3;
  const vowels = [...(options.vowels ?? 'aiu')].map((v) => {
    const formants = VOWELS[v];
    if (!formants) throw new RangeError(`unknown vowel "${v}" (known: ${Object.keys(VOWELS).join('')})`);
    return formants;
  });
  const scale = options.formantScale ?? 1;
  const jitter = options.jitter ?? 0.01;
  const shimmer = options.shimmer ?? 0.05;
  const breathiness = options.breathiness ?? 0.02;
  const random = new Random(options.seed ?? 1);

  // Glottal source, one period at a time.
  const source = new Float64Array(n);
  let t = 0;
  while (t < n) {
    const progress = t / n;
    const shape = options.contour === 'rise' ? range * (progress * progress * 2 - 0.5) : range * Math.sin(2 * Math.PI * (0.7 * progress + 0.1)) - 1.5 * progress;
    const semitones = shape + (options.tremorSemitones ?? 0) * Math.sin((2 * Math.PI * 6 * t) / rate);
    const period = (rate / (f0 * 2 ** (semitones / 12))) * (1 + jitter * random.normal());
    const amplitude = 1 + shimmer * random.normal();
    const length = Math.max(2, Math.round(period));
    const open = 0.4 * length;
    const closing = 0.16 * length;
    for (let i = 0; i < length && t + i < n; i++) {
      let g = 0;
      if (i < open) g = 0.5 * (1 - Math.cos((Math.PI * i) / open));
      else if (i < open + closing) g = Math.cos((Math.PI * (i - open)) / (2 * closing));
      source[t + i] = amplitude * g;
    }
    t += length;
  }
  // Differentiate (lip radiation) and add aspiration noise.
  for (let i = n - 1; i > 0; i--) source[i] = source[i] - source[i - 1] + breathiness * random.normal();
  // Spectral tilt: a first-order difference (brighter) or leaky integration (darker).
  const brightness = Math.max(-0.9, Math.min(0.9, options.brightness ?? 0));
  if (brightness > 0) for (let i = n - 1; i > 0; i--) source[i] -= brightness * source[i - 1];
  else if (brightness < 0) for (let i = 1; i < n; i++) source[i] -= brightness * source[i - 1];

  // Formant resonators with time-varying targets.
  const out = new Float64Array(n);
  const state = [0, 0, 0, 0, 0, 0];
  const bandwidths = [80, 100, 120];
  for (let i = 0; i < n; i++) {
    const position = (i / n) * vowels.length;
    const index = Math.min(vowels.length - 1, Math.floor(position));
    const next = Math.min(vowels.length - 1, index + 1);
    const blend = Math.max(0, Math.min(1, (position - index - 0.7) / 0.3));
    let x = source[i];
    for (let f = 0; f < 3; f++) {
      const freq = scale * (vowels[index][f] * (1 - blend) + vowels[next][f] * blend);
      const r = Math.exp((-Math.PI * bandwidths[f]) / rate);
      const a1 = 2 * r * Math.cos((2 * Math.PI * freq) / rate);
      const a2 = -r * r;
      const gain = 1 - a1 - a2;
      const y = gain * x + a1 * state[2 * f] + a2 * state[2 * f + 1];
      state[2 * f + 1] = state[2 * f];
      state[2 * f] = y;
      x = y;
    }
    // One syllable per vowel: smooth rise and fall.
    const syllable = position - index;
    const envelope = Math.sin(Math.PI * Math.min(1, syllable * 1.1)) ** 0.6;
    out[i] = x * envelope;
  }
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(out[i]));
  const peak = options.peak ?? 0.5;
  const result = new Float32Array(n);
  for (let i = 0; i < n; i++) result[i] = max > 0 ? (out[i] / max) * peak : 0;
  return result;
}
