import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import { writeFileAtomic } from '../../core/fsutil';
import { explanationPng } from '../../core/report/explanationImage';
import { BACKEND_CHOICES, type BackendChoice } from '../../core/tf/choices';
import { describeRegion, EXPLANATION_METHOD_NAMES, EXPLANATION_METHODS, type ExplanationMethod } from '../../shared/explanation';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { formatPercent } from '../progress';
import { withWorker } from '../worker';

const OPTIONS: Record<string, OptionSpec> = {
  model: { type: 'string', value: 'MODEL_DIR', description: 'the model folder (required)' },
  method: { type: 'string', choices: EXPLANATION_METHODS, description: 'Grad-CAM (default) or occlusion (model-agnostic, slower)' },
  label: { type: 'string', value: 'EMOTION', description: 'the emotion to explain (default: the predicted one)' },
  png: { type: 'string', value: 'OUT.png', description: 'write the features with the heat overlaid as a PNG image' },
  json: { type: 'flag', description: 'print the whole explanation (heat map, features, regions) as JSON' },
  backend: { type: 'string', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto)' },
};

export const EXPLAIN_USAGE = `usage: voice-emotion explain FILE.wav --model MODEL_DIR [options]

Shows why the model gives a file its emotion: which time and frequency regions of its features drove the decision.
Files longer than the model's window are explained in their most confident window.

${formatOptions(OPTIONS)}`;

/** `voice-emotion explain`: the predicted emotion and the regions that drove it, as text, JSON and/or a PNG overlay. */
export async function runExplain(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'explain takes exactly one FILE.wav' : 'explain needs a FILE.wav');
  if (typeof options.model !== 'string' || options.model === '') throw new UsageError('explain needs --model MODEL_DIR');
  if (options.png !== undefined && !/\.png$/i.test(String(options.png))) throw new UsageError(`--png needs a file name ending in .png (got "${String(options.png)}")`);
  const shown = positionals[0];
  const explanation = await withWorker((worker) =>
    worker.request('explain', {
      modelDir: path.resolve(options.model as string),
      file: path.resolve(shown),
      method: options.method as ExplanationMethod | undefined,
      label: options.label as string | undefined,
      backend: options.backend as BackendChoice | undefined,
    }),
  );
  if (options.png !== undefined) writeFileAtomic(path.resolve(String(options.png)), explanationPng(explanation));
  if (options.json) {
    io.stdout(JSON.stringify({ ...explanation, file: shown }) + '\n');
    return 0;
  }
  const probability = explanation.probabilities[explanation.predicted] ?? 0;
  const window = explanation.window ? ` (window ${explanation.window.startSeconds.toFixed(2)}–${explanation.window.endSeconds.toFixed(2)} s, the most confident)` : '';
  const lines = [`${shown}${window}: ${explanation.predicted} (${formatPercent(probability)})`];
  const how = explanation.targetLayer ? ` at layer ${explanation.targetLayer}` : explanation.patch ? ` with ${explanation.patch.bins} × ${explanation.patch.frames} patches` : '';
  lines.push(`  ${EXPLANATION_METHOD_NAMES[explanation.method]} of ${explanation.label}${how}:`);
  if (explanation.regions.length === 0) lines.push('    no region stands out (the heat is flat)');
  explanation.regions.forEach((region, i) => lines.push(`    ${i + 1}. ${describeRegion(region)}`));
  if (options.png !== undefined) lines.push(`  image: ${String(options.png)}`);
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
