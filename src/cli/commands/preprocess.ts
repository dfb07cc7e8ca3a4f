import { FEATURE_KINDS, type FeatureKind } from '../../core/audio/config';
import { preprocessDataset } from '../../core/cache/preprocess';
import { loadDataset } from '../../core/dataset';
import { UsageError } from '../../core/errors';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { formatDuration, ProgressBar } from '../progress';
import { SPLIT_OPTIONS, splitFromOptions } from './dataset';

const OPTIONS: Record<string, OptionSpec> = {
  cache: { type: 'string', value: 'DIR', description: 'cache folder (default DATA_DIR/.voice-emotion-cache)' },
  kind: { type: 'string', choices: FEATURE_KINDS, description: 'features to store (default logmel)' },
  augment: { type: 'string', value: 'SPEC', description: 'augmented copies of training files: a preset (light, standard, strong) or steps' },
  copies: { type: 'integer', value: 'N', description: 'augmented copies per training file (default 1 with --augment)' },
  threads: { type: 'integer', value: 'N', description: 'worker threads (default: CPU count); 0 = this thread' },
  content: { type: 'flag', description: 'recognise unchanged files by content hash instead of size and time' },
  json: { type: 'flag', description: 'print the report as JSON' },
  ...SPLIT_OPTIONS,
};

export const PREPROCESS_USAGE = `usage: voice-emotion preprocess DATA_DIR [options]

Decodes, resamples, trims, crops and computes features for every file once, in parallel, into a cache.
Unchanged files are reused on the next run; augmented copies are made for the training split only.

${formatOptions(OPTIONS)}`;

/** `voice-emotion preprocess`: fills the feature cache and prints what it did. */
export async function runPreprocess(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('preprocess needs exactly one DATA_DIR');
  if (options.copies !== undefined && !options.augment) throw new UsageError('--copies needs --augment');
  const index = loadDataset(positionals[0], { includeSong: Boolean(options.song) });
  const split = splitFromOptions(index, options);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  const bar = new ProgressBar('preprocessing');
  let report;
  try {
    report = await preprocessDataset(index, {
      cacheDir: options.cache as string | undefined,
      kind: options.kind as FeatureKind | undefined,
      augment: options.augment as string | undefined,
      copies: options.copies as number | undefined,
      augmentIds: new Set(split.train),
      split,
      threads: options.threads as number | undefined,
      fingerprint: options.content ? 'content' : 'stat',
      seed: options.seed as number | undefined,
      signal: controller.signal,
      onProgress: (p) => bar.update(p.done, p.total, p.etaSeconds !== undefined ? `${formatDuration(p.etaSeconds)} left` : ''),
    });
  } finally {
    bar.finish();
    process.off('SIGINT', onInterrupt);
  }
  if (options.json) {
    io.stdout(JSON.stringify(report) + '\n');
    return report.cancelled ? 130 : 0;
  }
  const lines = [
    `${report.root}: ${report.files} files → ${report.cacheDir}`,
    `${report.computed} computed, ${report.reused} reused from the cache, ${report.skipped.length} skipped` +
      (report.copies ? `; ${report.copies} augmented cop${report.copies === 1 ? 'y' : 'ies'} per training file (${report.augment})` : ''),
    `${report.seconds.toFixed(1)} s, ${report.filesPerSecond.toFixed(0)} files/s` +
      (report.computed ? `, ${report.audioSecondsPerSecond.toFixed(0)}× real time on ${report.threads} thread${report.threads === 1 ? '' : 's'}` : ''),
    '',
    'per class: ' + Object.entries(report.perClass).map(([label, n]) => `${label} ${n}`).join(', '),
  ];
  if (report.skipped.length) {
    lines.push('', 'skipped:');
    for (const skip of report.skipped) lines.push(`  ${skip.path}: ${skip.problem}`);
  }
  if (report.cancelled) lines.push('', 'cancelled: the cache keeps every file finished so far; run again to continue');
  lines.push('', `report: ${report.reportFile}`);
  io.stdout(lines.join('\n') + '\n');
  return report.cancelled ? 130 : 0;
}
