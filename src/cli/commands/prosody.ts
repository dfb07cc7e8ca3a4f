import * as path from 'node:path';
import { fileProsody, resolveProsodyOptions, type ProsodyOptions, type ProsodySummary } from '../../core/audio/prosody';
import { resolveFeatureConfig, type FeatureConfig } from '../../core/audio/config';
import { FileError, UsageError } from '../../core/errors';
import { writeFileAtomic } from '../../core/fsutil';
import { PROSODY_MEASURES } from '../../shared/prosodyView';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';

const OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'flag', description: 'print {file, durationSeconds, f0MeanHz, …} as JSON, one object per file' },
  csv: { type: 'string', value: 'OUT.csv', description: 'also write one row per file to a CSV file' },
  fmin: { type: 'number', value: 'HZ', description: 'lowest F0 searched (default 60)' },
  fmax: { type: 'number', value: 'HZ', description: 'highest F0 searched (default 500)' },
  sr: { type: 'integer', value: 'N', description: 'analysis sample rate in Hz (default 16000)' },
  hop: { type: 'integer', value: 'N', description: 'hop between frames in samples (default 256)' },
};

export const PROSODY_USAGE = `usage: voice-emotion prosody FILE.wav [FILE.wav …] [--json] [--csv OUT.csv]

Per-clip prosody of each whole file: F0 (YIN) mean, spread and range, voiced fraction, energy, local jitter and
shimmer from glottal cycles, harmonics-to-noise ratio. A file that cannot be read is reported and the others are
still analysed (exit code 1). See docs/PROSODY.md.

${formatOptions(OPTIONS)}`;

/** The CSV columns after `file`: the summary's keys in table order, then `error`. */
const CSV_KEYS: readonly (keyof ProsodySummary)[] = ['durationSeconds', ...PROSODY_MEASURES.map((m) => m.key)];

/** A CSV field: quoted when it holds a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A number for the CSV and JSON: six significant digits; empty / null when there was nothing to measure. */
function compact(value: number | null): number | null {
  return value === null ? null : Number(value.toPrecision(6));
}

/** One line of the text output. */
function describe(file: string, s: ProsodySummary): string {
  const f = (value: number | null, digits: number, unit: string) => (value === null ? '—' : `${value.toFixed(digits)}${unit}`);
  const f0 =
    s.f0MeanHz === null ? 'no voiced frames' : `F0 ${f(s.f0MeanHz, 1, ' Hz')} (sd ${f(s.f0StdSemitones, 2, ' st')}, ${f(s.f0MinHz, 0, '')}–${f(s.f0MaxHz, 0, ' Hz')})`;
  return (
    `${file}: ${s.durationSeconds.toFixed(2)} s, ${f0}, voiced ${(s.voicedFraction * 100).toFixed(1)}%, ` +
    `energy ${f(s.energyMeanDb, 1, ' dB')} (sd ${f(s.energyStdDb, 1, ' dB')}), jitter ${f(s.jitterLocalPercent, 2, '%')}, ` +
    `shimmer ${f(s.shimmerLocalPercent, 2, '%')} (${f(s.shimmerLocalDb, 2, ' dB')}), HNR ${f(s.hnrMeanDb, 1, ' dB')}, ${s.cycles} cycles\n`
  );
}

/** `voice-emotion prosody`: per-clip prosody of WAV files, as text, JSON lines and/or CSV. */
export function runProsody(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length === 0) throw new UsageError('prosody needs at least one FILE.wav');
  const overrides: Partial<FeatureConfig> = {
    ...(options.sr !== undefined ? { sampleRate: options.sr as number } : {}),
    ...(options.hop !== undefined ? { hopLength: options.hop as number } : {}),
  };
  const prosodyOptions: ProsodyOptions = {
    ...(options.fmin !== undefined ? { fMinHz: options.fmin as number } : {}),
    ...(options.fmax !== undefined ? { fMaxHz: options.fmax as number } : {}),
  };
  // Usage errors before touching any file.
  resolveProsodyOptions(prosodyOptions, resolveFeatureConfig(overrides).sampleRate);
  const csvFile = typeof options.csv === 'string' ? path.resolve(options.csv) : undefined;
  const csvRows = [['file', ...CSV_KEYS, 'error'].join(',')];
  let failed = 0;
  for (const file of positionals) {
    let summary: ProsodySummary;
    try {
      summary = fileProsody(file, overrides, prosodyOptions).summary;
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      failed++;
      io.stderr(`error: ${file}: ${error.problem}\n`);
      csvRows.push([csvField(file), ...CSV_KEYS.map(() => ''), csvField(error.problem)].join(','));
      continue;
    }
    const values = CSV_KEYS.map((key) => compact(summary[key]));
    if (options.json) io.stdout(JSON.stringify({ file, ...Object.fromEntries(CSV_KEYS.map((key, i) => [key, values[i]])) }) + '\n');
    else io.stdout(describe(file, summary));
    csvRows.push([csvField(file), ...values.map((v) => (v === null ? '' : String(v))), ''].join(','));
  }
  if (csvFile) writeFileAtomic(csvFile, csvRows.join('\n') + '\n');
  return failed ? 1 : 0;
}
