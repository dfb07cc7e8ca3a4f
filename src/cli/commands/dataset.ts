import { DEFAULT_FOLDS, loadDataset, parseSpeakerList, splitCounts, splitDataset, type SplitKind } from '../../core/dataset';
import { UsageError } from '../../core/errors';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';

export const SPLIT_OPTIONS: Record<string, OptionSpec> = {
  split: { type: 'string', choices: ['actors', 'kfold', 'random'], description: 'how to divide speakers/clips (default actors; random when speakers are unknown)' },
  'test-actors': { type: 'string', value: 'LIST', description: 'test speakers, e.g. 21-24 (RAVDESS default)' },
  'val-actors': { type: 'string', value: 'LIST', description: 'validation speakers, e.g. 19-20 (RAVDESS default)' },
  folds: { type: 'integer', value: 'N', description: 'folds for --split kfold (default 6)' },
  fold: { type: 'integer', value: 'K', description: 'which fold of --split kfold, 1 to N as in fold-1 … fold-N (default 1)' },
  seed: { type: 'integer', value: 'N', description: 'seed of every random choice (default 1)' },
  song: { type: 'flag', description: 'keep RAVDESS song clips (speech only by default)' },
};

const OPTIONS: Record<string, OptionSpec> = {
  ...SPLIT_OPTIONS,
  json: { type: 'flag', description: 'print the index and split as JSON' },
};

export const DATASET_USAGE = `usage: voice-emotion dataset DATA_DIR [options]

Reads a dataset (RAVDESS, CREMA-D, TESS or SAVEE names, one folder per label, or a manifest.csv/.json),
lists every file's labels and speaker, skipped files with reasons, and the default split.

${formatOptions(OPTIONS)}`;

/** Folds of a k-fold split when --folds is not given (the core's default). */

/**
 * The core's 0-based fold index of `--fold K`, which counts from 1 as the fold-K folders and the dashboard do; usage
 * errors for split options that do not fit together and would otherwise be ignored: speaker lists with --split kfold,
 * --fold or --folds without it, a fold outside 1 to the number of folds.
 */
export function foldFromOptions(options: Record<string, unknown>): number | undefined {
  const kfold = options.split === 'kfold';
  if (kfold && (options['test-actors'] !== undefined || options['val-actors'] !== undefined)) {
    throw new UsageError('--test-actors and --val-actors choose the speakers of one split; with --split kfold every fold tests its own speakers (use --folds N)');
  }
  if (!kfold && (options.fold !== undefined || options.folds !== undefined)) throw new UsageError('--fold and --folds need --split kfold');
  if (options.fold === undefined) return undefined;
  const fold = options.fold as number;
  const folds = (options.folds as number | undefined) ?? DEFAULT_FOLDS;
  if (fold < 1 || fold > folds) throw new UsageError(`--fold counts from 1 to the number of folds (${folds}); got ${fold}`);
  return fold - 1;
}

/** Builds the split the options ask for. */
export function splitFromOptions(index: ReturnType<typeof loadDataset>, options: Record<string, unknown>) {
  const fold = foldFromOptions(options);
  return splitDataset(index, {
    kind: options.split as SplitKind | undefined,
    testSpeakers: typeof options['test-actors'] === 'string' ? parseSpeakerList(options['test-actors']) : undefined,
    validationSpeakers: typeof options['val-actors'] === 'string' ? parseSpeakerList(options['val-actors']) : undefined,
    folds: options.folds as number | undefined,
    fold,
    seed: options.seed as number | undefined,
  });
}

/** `voice-emotion dataset`: the parsed index and its default split. */
export function runDataset(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('dataset needs exactly one DATA_DIR');
  const index = loadDataset(positionals[0], { includeSong: Boolean(options.song) });
  const split = splitFromOptions(index, options);
  const part = new Map<string, string>();
  for (const name of ['train', 'validation', 'test'] as const) for (const id of split[name]) part.set(id, name);
  if (options.json) {
    const items = index.items.map((item) => ({ ...item, split: part.get(item.id) }));
    io.stdout(JSON.stringify({ root: index.root, corpus: index.corpus, labels: index.labels, speakers: index.speakers, items, skipped: index.skipped, excluded: index.excluded, split }) + '\n');
    return 0;
  }
  const counts = splitCounts(index, split);
  const lines = [
    `${index.root}: ${index.corpus}, ${index.items.length} files, ${index.labels.length} labels, ${index.speakers.length} speakers`,
    `split: ${split.description}`,
    '',
    `${'label'.padEnd(12)}${'train'.padStart(7)}${'val'.padStart(7)}${'test'.padStart(7)}`,
    ...index.labels.map((label) => `${label.padEnd(12)}${String(counts.train[label]).padStart(7)}${String(counts.validation[label]).padStart(7)}${String(counts.test[label]).padStart(7)}`),
  ];
  if (index.labels.length < 2) lines.push('', `warning: only one label (${index.labels[0]}); a classifier needs at least two`);
  for (const [reason, count] of Object.entries(index.excluded)) lines.push('', `excluded: ${count} ${reason}`);
  if (index.skipped.length) {
    lines.push('', `skipped ${index.skipped.length} file(s):`);
    for (const skip of index.skipped) lines.push(`  ${skip.path}: ${skip.problem}`);
  }
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
