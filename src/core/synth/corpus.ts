import * as path from 'node:path';
import { encodeWav } from '../audio/wavWrite';
import { EMOTIONS, type Emotion } from '../dataset/emotions';
import { CancelledError } from '../errors';
import { writeFileAtomic } from '../fsutil';
import { Random } from '../random';
import { synthesizeVoice, type VoiceOptions } from './voice';

/** How an emotion changes a speaker's neutral voice (RAVDESS-like acted prosody). */
interface Prosody {
  /** Mean F0 relative to the speaker's. */
  readonly f0: number;
  /** Intonation range in semitones. */
  readonly range: number;
  /** Speaking rate relative to the speaker's. */
  readonly rate: number;
  /** Peak level (loudness). */
  readonly energy: number;
  readonly jitter: number;
  readonly shimmer: number;
  readonly brightness: number;
  readonly breathiness: number;
  readonly tremor: number;
  readonly contour: 'fall' | 'rise';
}

const NEUTRAL: Prosody = { f0: 1, range: 2, rate: 1, energy: 0.45, jitter: 0.008, shimmer: 0.04, brightness: 0, breathiness: 0.02, tremor: 0, contour: 'fall' };

/** Per-emotion prosody, from the speech-emotion literature's typical directions (normal intensity). */
const PROSODY: Record<Emotion, Prosody> = {
  neutral: NEUTRAL,
  calm: { ...NEUTRAL, f0: 0.96, range: 1.4, rate: 0.86, energy: 0.34, brightness: -0.35, breathiness: 0.035 },
  happy: { ...NEUTRAL, f0: 1.18, range: 5.5, rate: 1.12, energy: 0.68, brightness: 0.3, shimmer: 0.05 },
  sad: { ...NEUTRAL, f0: 0.9, range: 1.2, rate: 0.76, energy: 0.28, jitter: 0.014, shimmer: 0.07, brightness: -0.5, breathiness: 0.06 },
  angry: { ...NEUTRAL, f0: 1.22, range: 4.5, rate: 1.18, energy: 0.95, jitter: 0.012, shimmer: 0.08, brightness: 0.65, breathiness: 0.015 },
  fearful: { ...NEUTRAL, f0: 1.32, range: 3.5, rate: 1.28, energy: 0.5, jitter: 0.02, shimmer: 0.08, brightness: 0.1, breathiness: 0.05, tremor: 0.6 },
  disgust: { ...NEUTRAL, f0: 0.92, range: 3, rate: 0.84, energy: 0.58, jitter: 0.016, shimmer: 0.06, brightness: 0.2, breathiness: 0.03 },
  surprised: { ...NEUTRAL, f0: 1.36, range: 7, rate: 1.04, energy: 0.7, brightness: 0.25, contour: 'rise' },
};

/** Vowel nuclei of RAVDESS's two statements: "Kids are talking by the door", "Dogs are sitting by the door". */
const STATEMENT_VOWELS: Record<1 | 2, string> = { 1: 'iaoiaeo', 2: 'oaiiaeo' };

/** A speaker of the demo corpus: odd actors male, even female, each with their own voice. */
interface Speaker {
  readonly actor: number;
  readonly f0: number;
  readonly formantScale: number;
  readonly rate: number;
  readonly brightness: number;
}

function makeSpeaker(actor: number, random: Random): Speaker {
  const male = actor % 2 === 1;
  return {
    actor,
    f0: male ? random.uniform(95, 135) : random.uniform(175, 235),
    formantScale: male ? random.uniform(0.94, 1.06) : random.uniform(1.1, 1.24),
    rate: random.uniform(3.1, 3.9),
    brightness: random.uniform(-0.15, 0.15),
  };
}

/** Moves a prosody value away from neutral for strong intensity, and jitters it per clip so classes overlap. */
function vary(neutral: number, value: number, strong: boolean, spread: number, random: Random): number {
  const target = strong ? neutral + 1.6 * (value - neutral) : value;
  return target * (1 + spread * random.normal());
}

/** The voice settings of one clip. */
export function clipVoice(speaker: Speaker, emotion: Emotion, strong: boolean, statement: 1 | 2, random: Random): VoiceOptions {
  const p = PROSODY[emotion];
  return {
    f0Hz: speaker.f0 * vary(1, p.f0, strong, 0.05, random),
    f0RangeSemitones: Math.max(0.3, vary(NEUTRAL.range, p.range, strong, 0.25, random)),
    syllablesPerSecond: speaker.rate * vary(1, p.rate, strong, 0.08, random),
    peak: Math.min(0.98, Math.max(0.05, vary(NEUTRAL.energy, p.energy, strong, 0.15, random))),
    jitter: Math.max(0, vary(NEUTRAL.jitter, p.jitter, strong, 0.3, random)),
    shimmer: Math.max(0, vary(NEUTRAL.shimmer, p.shimmer, strong, 0.3, random)),
    brightness: speaker.brightness + (strong ? 1.4 : 1) * p.brightness + 0.12 * random.normal(),
    breathiness: Math.max(0, vary(NEUTRAL.breathiness, p.breathiness, strong, 0.3, random)),
    tremorSemitones: strong ? 1.5 * p.tremor : p.tremor,
    contour: p.contour,
    vowels: STATEMENT_VOWELS[statement],
    formantScale: speaker.formantScale * (1 + 0.015 * random.normal()),
  };
}

/** Options of {@link generateDemoCorpus}. */
export interface DemoCorpusOptions {
  /** Number of actors, 1–24 (default 8); 60 clips each, like RAVDESS speech. */
  readonly actors?: number;
  /** Seed: the same seed writes the same corpus (default 1). */
  readonly seed?: number;
  /** Called after each file with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** What {@link generateDemoCorpus} wrote. */
export interface DemoCorpusSummary {
  readonly root: string;
  readonly files: number;
  readonly actors: number;
  readonly audioSeconds: number;
}

/**
 * Writes a RAVDESS-shaped synthetic corpus: `Actor_NN/03-01-EE-II-SS-RR-NN.wav`, 48 kHz 16-bit mono, 60 speech clips
 * per actor (8 emotions × intensities × 2 statements × 2 repetitions). Each actor has a distinct voice; each emotion
 * shifts pitch level and range, rate, loudness, jitter, shimmer and spectral tilt, with random variation so classes
 * overlap. It is for trying the product and for tests — it is not RAVDESS.
 */
export function generateDemoCorpus(outDir: string, options: DemoCorpusOptions = {}): DemoCorpusSummary {
  const actors = options.actors ?? 8;
  if (!Number.isInteger(actors) || actors < 1 || actors > 24) throw new RangeError(`actors must be 1–24 (got ${actors})`);
  const seed = options.seed ?? 1;
  const rate = 48000;
  const jobs: { actor: number; emotion: Emotion; intensity: 1 | 2; statement: 1 | 2; repetition: 1 | 2 }[] = [];
  for (let actor = 1; actor <= actors; actor++) {
    for (const emotion of EMOTIONS) {
      for (const intensity of emotion === 'neutral' ? [1 as const] : [1 as const, 2 as const]) {
        for (const statement of [1, 2] as const) for (const repetition of [1, 2] as const) jobs.push({ actor, emotion, intensity, statement, repetition });
      }
    }
  }
  let audioSeconds = 0;
  const speakers = new Map<number, Speaker>();
  for (const [done, job] of jobs.entries()) {
    if (options.signal?.aborted) throw new CancelledError('demo corpus generation cancelled');
    const speaker = speakers.get(job.actor) ?? makeSpeaker(job.actor, new Random(seed * 1000 + job.actor));
    speakers.set(job.actor, speaker);
    const code = (n: number) => String(n).padStart(2, '0');
    const name = `03-01-${code(EMOTIONS.indexOf(job.emotion) + 1)}-${code(job.intensity)}-${code(job.statement)}-${code(job.repetition)}-${code(job.actor)}.wav`;
    const random = new Random(seed * 1_000_003 + done * 7919 + 17);
    const voice = synthesizeVoice({ ...clipVoice(speaker, job.emotion, job.intensity === 2, job.statement, random), sampleRate: rate, seed: Math.floor(random.next() * 2 ** 31) });
    // Room-noise floor and leading/trailing pauses, as in a studio recording.
    const lead = Math.round(rate * random.uniform(0.35, 0.9));
    const tail = Math.round(rate * random.uniform(0.35, 0.9));
    const clip = new Float32Array(lead + voice.length + tail);
    clip.set(voice, lead);
    for (let i = 0; i < clip.length; i++) clip[i] += 0.0006 * random.normal();
    writeFileAtomic(path.join(outDir, `Actor_${code(job.actor)}`, name), encodeWav(clip, rate));
    audioSeconds += clip.length / rate;
    options.onProgress?.(done + 1, jobs.length);
  }
  return { root: path.resolve(outDir), files: jobs.length, actors, audioSeconds };
}
