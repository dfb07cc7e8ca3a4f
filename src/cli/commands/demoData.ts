import { UsageError } from '../../core/errors';
import { generateDemoCorpus } from '../../core/synth/corpus';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { ProgressBar } from '../progress';

const OPTIONS: Record<string, OptionSpec> = {
  actors: { type: 'integer', value: 'N', description: 'number of actors, 1–24 (default 8; 60 clips each)' },
  seed: { type: 'integer', value: 'S', description: 'seed: the same seed writes the same corpus (default 1)' },
};

export const DEMO_DATA_USAGE = `usage: voice-emotion demo-data OUT [--actors N] [--seed S]

Synthesises a small RAVDESS-shaped corpus (Actor_NN/03-01-EE-II-SS-RR-NN.wav, 48 kHz 16-bit) with per-actor voices
and per-emotion prosody. For trying the product and for tests: it is not RAVDESS.

${formatOptions(OPTIONS)}`;

/** `voice-emotion demo-data`: writes the synthetic corpus. */
export function runDemoData(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('demo-data needs exactly one OUT folder');
  const actors = (options.actors as number | undefined) ?? 8;
  if (actors < 1 || actors > 24) throw new UsageError(`--actors must be 1–24 (got ${actors})`);
  const bar = new ProgressBar('synthesising');
  const summary = generateDemoCorpus(positionals[0], {
    actors,
    seed: options.seed as number | undefined,
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.finish();
  io.stdout(`${summary.root}: ${summary.files} clips from ${summary.actors} actors, ${(summary.audioSeconds / 60).toFixed(1)} min of audio (synthetic, not RAVDESS)\n`);
  return 0;
}
