import * as path from 'node:path';
import { FileError, UsageError } from '../../core/errors';
import { BACKEND_CHOICES, type BackendChoice } from '../../core/tf/choices';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { withWorker } from '../worker';

const OPTIONS: Record<string, OptionSpec> = {
  backend: { type: 'string', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto)' },
  json: { type: 'flag', description: 'print {file, label, probabilities, timeline?} as JSON (one object per file)' },
};

export const CLASSIFY_USAGE = `usage: voice-emotion classify MODEL_DIR FILE.wav [FILE.wav …] [--json]

Predicts the emotion of each file; files longer than the model's window get an emotion timeline.

${formatOptions(OPTIONS)}`;

/** `voice-emotion classify`. */
export async function runClassify(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length < 2) throw new UsageError('classify needs MODEL_DIR and at least one FILE.wav');
  const [modelDir, ...files] = positionals;
  const results = await withWorker((worker) =>
    worker.request('classify', { modelDir: path.resolve(modelDir), files: files.map((f) => path.resolve(f)), backend: options.backend as BackendChoice | undefined }),
  );
  let failed = 0;
  results.forEach((result, i) => {
    const shown = files[i];
    if ('error' in result) {
      failed++;
      io.stderr(`error: ${shown}: ${result.error}\n`);
      return;
    }
    if (options.json) {
      io.stdout(JSON.stringify({ ...result, file: shown }) + '\n');
      return;
    }
    const ranked = Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]);
    io.stdout(`${shown}: ${result.label} (${(ranked[0][1] * 100).toFixed(1)}%); ${ranked.slice(1, 3).map(([l, p]) => `${l} ${(p * 100).toFixed(1)}%`).join(', ')}\n`);
    for (const segment of result.timeline ?? []) {
      io.stdout(`  ${segment.start.toFixed(1).padStart(6)}–${segment.end.toFixed(1)} s  ${segment.voiced ? segment.label : '(silence)'}\n`);
    }
  });
  if (failed && failed === files.length && files.length === 1) throw new FileError(files[0], 'could not be classified');
  return failed ? 1 : 0;
}
