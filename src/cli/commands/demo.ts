import * as path from 'node:path';
import { DEFAULT_FEATURE_CONFIG, fileFeatures } from '../../core/audio';
import { encodeWav } from '../../core/audio/wavWrite';
import { UsageError } from '../../core/errors';
import { writeFileAtomic } from '../../core/fsutil';
import { htmlPage, keyValueTable, matrixFigure, escapeHtml } from '../../core/report/html';
import { synthesizeVoice, type VoiceOptions } from '../../core/synth/voice';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string', value: 'DIR', description: 'output folder (default ./voice-emotion-demo)' },
  seed: { type: 'integer', value: 'N', description: 'seed of the synthetic voices (default 1)' },
};

export const DEMO_USAGE = `usage: voice-emotion demo [--out DIR] [--seed N]

Synthesises a few RAVDESS-named voice clips (48 kHz, 16-bit), runs the feature pipeline on each
(decode, resample to 16 kHz, trim, crop to 3 s, log-mel and MFCC) and writes a self-contained HTML report.

${formatOptions(OPTIONS)}`;

/** The demo's synthetic speakers and speaking styles, named like RAVDESS files (actor 01 male, 02 female). */
const CLIPS: { file: string; description: string; voice: VoiceOptions }[] = [
  { file: '03-01-02-01-01-01-01.wav', description: 'actor 01 (male), calm', voice: { f0Hz: 105, f0RangeSemitones: 1.5, vowels: 'aiu', peak: 0.3 } },
  { file: '03-01-05-02-01-01-01.wav', description: 'actor 01 (male), angry', voice: { f0Hz: 150, f0RangeSemitones: 5, vowels: 'aoe', peak: 0.9, shimmer: 0.1 } },
  { file: '03-01-02-01-01-01-02.wav', description: 'actor 02 (female), calm', voice: { f0Hz: 200, f0RangeSemitones: 1.5, vowels: 'aiu', formantScale: 1.17, peak: 0.3 } },
  { file: '03-01-05-02-01-01-02.wav', description: 'actor 02 (female), angry', voice: { f0Hz: 280, f0RangeSemitones: 6, vowels: 'aoe', formantScale: 1.17, peak: 0.9, shimmer: 0.1 } },
];

/** `voice-emotion demo`: synthesise clips → features → HTML report. */
export function runDemo(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`demo takes no positional arguments (got "${positionals[0]}")`);
  const out = path.resolve((options.out as string | undefined) ?? 'voice-emotion-demo');
  const seed = (options.seed as number | undefined) ?? 1;
  const started = Date.now();
  const sections: string[] = [
    `<p>Synthetic voices (glottal pulses through formant resonators), not recorded speech: they show the pipeline, not an
    emotion corpus. Each clip is decoded, resampled from 48 kHz to ${DEFAULT_FEATURE_CONFIG.sampleRate / 1000} kHz,
    trimmed of leading and trailing silence, centre-cropped or zero-padded to ${DEFAULT_FEATURE_CONFIG.clipSeconds} s,
    then turned into a log-mel spectrogram and MFCCs.</p>`,
    '<h2>Feature settings</h2>',
    keyValueTable(Object.entries(DEFAULT_FEATURE_CONFIG).map(([k, v]) => [k, v === null ? 'none' : String(v)])),
  ];
  for (const [index, clip] of CLIPS.entries()) {
    const audio = synthesizeVoice({ ...clip.voice, durationSeconds: 2.5, sampleRate: 48000, seed: seed * 100 + index });
    // Half a second of silence on each side, as in real recordings, so trimming has work to do.
    const padded = new Float32Array(audio.length + 48000);
    padded.set(audio, 24000);
    const file = path.join(out, 'audio', clip.file);
    writeFileAtomic(file, encodeWav(padded, 48000));
    const logmel = fileFeatures(file, 'logmel');
    const mfcc = fileFeatures(file, 'mfcc');
    sections.push(
      `<h2>${escapeHtml(clip.file)} — ${escapeHtml(clip.description)}</h2>`,
      matrixFigure(logmel.matrix, 'log-mel spectrogram (dB)'),
      matrixFigure(mfcc.matrix, 'MFCC (each coefficient coloured on its own scale)', { unit: '', perRow: true }),
    );
    io.stdout(`${clip.file}: ${clip.description}, ${logmel.info.durationSeconds.toFixed(2)} s → log-mel ${logmel.matrix.bins}×${logmel.matrix.frames}, MFCC ${mfcc.matrix.bins}×${mfcc.matrix.frames}\n`);
  }
  const report = path.join(out, 'report.html');
  writeFileAtomic(report, htmlPage('Voice Emotion Lab — feature pipeline demo', sections));
  io.stdout(`report: ${report} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return 0;
}
