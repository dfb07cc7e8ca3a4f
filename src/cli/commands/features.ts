import {
  FEATURE_KINDS,
  fileFeatures,
  PROSODY_ROWS,
  resolveFeatureConfig,
  toBinsMajor,
  type FeatureConfig,
  type FeatureKind,
} from '../../core/audio';
import { UsageError } from '../../core/errors';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';

const OPTIONS: Record<string, OptionSpec> = {
  kind: { type: 'string', choices: FEATURE_KINDS, description: 'feature representation (default logmel)' },
  sr: { type: 'integer', value: 'N', description: 'analysis sample rate in Hz (default 16000)' },
  'n-fft': { type: 'integer', value: 'N', description: 'FFT length in samples (default 1024)' },
  hop: { type: 'integer', value: 'N', description: 'hop length in samples (default 256)' },
  'n-mels': { type: 'integer', value: 'N', description: 'mel bands (default 128)' },
  'n-mfcc': { type: 'integer', value: 'N', description: 'MFCC coefficients (default 40)' },
  'no-trim': { type: 'flag', description: 'keep leading and trailing silence' },
  duration: { type: 'number', value: 'S', description: 'clip length in seconds: centre-crop or zero-pad (default 3.0)' },
  full: { type: 'flag', description: 'the whole file: no trimming or cropping' },
  prosody: { type: 'flag', description: 'append the F0, voicing, energy and HNR rows models get with --prosody' },
  json: { type: 'flag', description: 'print {kind, sampleRate, shape, data} as JSON (data bins-major)' },
};

export const FEATURES_USAGE = `usage: voice-emotion features FILE.wav [options]

Computes a spectrogram, log-mel spectrogram or MFCCs of one WAV file.

${formatOptions(OPTIONS)}`;

/** Rounds to float32 precision so JSON stays compact without losing information. */
function compact(value: number): number {
  return Number(value.toPrecision(9));
}

/** `voice-emotion features`: prints the features of one file as JSON or a summary. */
export function runFeatures(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'features takes exactly one FILE.wav' : 'features needs a FILE.wav');
  if (options.full && options.duration !== undefined) throw new UsageError('--full and --duration cannot be used together');
  const file = positionals[0];
  const kind = (options.kind as FeatureKind | undefined) ?? 'logmel';
  const overrides: Partial<FeatureConfig> = {};
  const set = <K extends keyof FeatureConfig>(key: K, value: unknown) => {
    if (value !== undefined) (overrides as Record<string, unknown>)[key] = value;
  };
  set('sampleRate', options.sr);
  set('nFft', options['n-fft']);
  set('hopLength', options.hop);
  set('nMels', options['n-mels']);
  set('nMfcc', options['n-mfcc']);
  set('clipSeconds', options.duration);
  set('trim', options['no-trim'] ? false : undefined);
  set('prosody', options.prosody ? true : undefined);
  resolveFeatureConfig(overrides); // usage errors before touching the file
  const result = fileFeatures(file, kind, overrides, { full: Boolean(options.full) });
  const { matrix, config, info } = result;
  if (options.json) {
    const data = toBinsMajor(matrix).map((row) => row.map(compact));
    io.stdout(JSON.stringify({ kind, sampleRate: config.sampleRate, shape: [matrix.bins, matrix.frames], data }) + '\n');
    return 0;
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of matrix.data) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const encoding = info.encoding === 'float' ? `${info.bitsPerSample}-bit float` : `${info.bitsPerSample}-bit PCM`;
  io.stdout(
    `${file}: ${info.sampleRate} Hz, ${encoding}, ${info.channels} channel${info.channels === 1 ? '' : 's'}, ` +
      `${info.durationSeconds.toFixed(2)} s\n` +
      `${kind}: ${matrix.bins} × ${matrix.frames} (bins × frames) at ${config.sampleRate} Hz, n_fft ${config.nFft}, ` +
      `hop ${config.hopLength}, from ${(result.analysedSamples / config.sampleRate).toFixed(2)} s of audio\n` +
      `values: ${min.toFixed(2)} … ${max.toFixed(2)}${kind === 'mfcc' ? '' : ' dB'}\n` +
      (config.prosody ? `the last ${PROSODY_ROWS.length} rows: ${PROSODY_ROWS.join('; ')}\n` : ''),
  );
  return 0;
}
