import * as path from 'node:path';
import { parseSpeakerList } from '../../core/dataset/split';
import { UsageError } from '../../core/errors';
import { BACKEND_CHOICES, type BackendChoice } from '../../core/tf/choices';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { withWorker } from '../worker';

const OPTIONS: Record<string, OptionSpec> = {
  actors: { type: 'string', value: 'LIST', description: "evaluate these speakers, e.g. 21-24 (default: the model's test split, or all files)" },
  cache: { type: 'string', value: 'DIR', description: 'feature cache folder (default DATA_DIR/.voice-emotion-cache)' },
  backend: { type: 'string', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto)' },
  json: { type: 'flag', description: 'print {n, accuracy, uar, macroF1, labels, confusion, …} as JSON' },
};

export const EVALUATE_USAGE = `usage: voice-emotion evaluate MODEL_DIR DATA_DIR [--actors 21-24] [--json]

Measures a trained model on a dataset: accuracy (WA), UAR, macro-F1, per-class scores and the confusion matrix.

${formatOptions(OPTIONS)}`;

/** `voice-emotion evaluate`. */
export async function runEvaluate(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 2) throw new UsageError('evaluate needs MODEL_DIR and DATA_DIR');
  const speakers = typeof options.actors === 'string' ? parseSpeakerList(options.actors) : undefined;
  const result = await withWorker((worker) =>
    worker.request('evaluate', { modelDir: path.resolve(positionals[0]), dataDir: path.resolve(positionals[1]), speakers, cacheDir: options.cache as string | undefined, backend: options.backend as BackendChoice | undefined }),
  );
  if (options.json) {
    io.stdout(JSON.stringify(result) + '\n');
    return 0;
  }
  const width = Math.max(...result.labels.map((l) => l.length), 9);
  const lines = [
    `${result.n} clips (${result.selection}): accuracy ${(result.accuracy * 100).toFixed(1)}%, UAR ${(result.uar * 100).toFixed(1)}%, macro-F1 ${(result.macroF1 * 100).toFixed(1)}%`,
    '',
    `${'true \\ predicted'.padEnd(width + 2)}${result.labels.map((l) => l.slice(0, 6).padStart(7)).join('')}`,
    ...result.confusion.map((row, i) => `${result.labels[i].padEnd(width + 2)}${row.map((v) => String(v).padStart(7)).join('')}`),
    '',
    ...result.perClass.map((c) => `${c.label.padEnd(width + 2)}precision ${(c.precision * 100).toFixed(1).padStart(5)}%  recall ${(c.recall * 100).toFixed(1).padStart(5)}%  F1 ${(c.f1 * 100).toFixed(1).padStart(5)}%  n=${c.support}`),
  ];
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
