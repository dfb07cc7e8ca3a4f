import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import { listRuns, type ListedRun } from '../../core/runs/list';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { formatPercent } from '../progress';
import { formatMeanStd } from '../../shared/trainingView';
import { formatTable } from '../table';

const OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'flag', description: 'print the run records as JSON ({root, runs, skipped})' },
};

export const RUNS_USAGE = `usage: voice-emotion runs [MODELS_DIR] [options]

Lists the training runs recorded under MODELS_DIR (default "models"): every model folder's runs/ records and those of
k-fold folds, newest first, each k-fold run followed by its folds. Records that cannot be read are named with the reason.

${formatOptions(OPTIONS)}`;

/** Runs in display order: top-level runs newest first, each k-fold run followed by its folds in fold order. */
export function displayOrder(runs: readonly ListedRun[]): { run: ListedRun; depth: number }[] {
  const parents = new Set(runs.filter((run) => run.kind === 'kfold').map((run) => run.id));
  const childrenOf = (id: string) => runs.filter((run) => run.parent?.id === id).sort((a, b) => (a.split?.fold ?? 0) - (b.split?.fold ?? 0) || b.startedAt.localeCompare(a.startedAt));
  const out: { run: ListedRun; depth: number }[] = [];
  for (const run of runs) {
    if (run.parent && parents.has(run.parent.id)) continue;
    out.push({ run, depth: 0 });
    if (run.kind === 'kfold') for (const child of childrenOf(run.id)) out.push({ run: child, depth: 1 });
  }
  return out;
}

/** A start time as local "YYYY-MM-DD HH:MM". */
function formatStart(iso: string): string {
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** One table row of a run. */
function row(run: ListedRun, depth: number): string[] {
  const summary = run.kfold?.summary;
  const test = run.kind === 'kfold' ? (summary ? `${formatMeanStd(summary.uar)} (${summary.folds}/${summary.of} folds)` : '—') : formatPercent(run.metrics.test?.uar);
  return [
    `${depth ? '  ' : ''}${run.name}`,
    run.kind,
    run.status,
    run.config.arch,
    run.kind === 'kfold' ? `kfold ×${run.config.folds ?? run.kfold?.folds.length ?? '?'}` : run.split ? `${run.split.kind}${run.split.fold !== undefined ? ` ${run.split.fold + 1}/${run.split.folds}` : ''}` : run.config.split,
    run.backend?.name ?? '—',
    run.source,
    formatStart(run.startedAt),
    String(run.epochs),
    formatPercent(run.metrics.validation?.uar),
    test,
  ];
}

/** `voice-emotion runs`: the recorded training runs of a models folder, as a table or JSON. No worker is started. */
export function runRuns(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length > 1) throw new UsageError('runs takes at most one MODELS_DIR');
  const listing = listRuns(path.resolve(positionals[0] ?? 'models'));
  if (options.json) {
    io.stdout(JSON.stringify(listing, null, 1) + '\n');
    return 0;
  }
  for (const skipped of listing.skipped) io.stderr(`skipped ${skipped.file}: ${skipped.reason}\n`);
  if (listing.runs.length === 0) {
    io.stdout(`no training runs recorded under ${listing.root}\n`);
    return 0;
  }
  const headers = ['name', 'kind', 'status', 'arch', 'split', 'backend', 'source', 'started', 'epochs', 'val UAR', 'test UAR (k-fold mean ± std)'];
  const numeric = headers.map((_, c) => c === 8 || c === 9);
  io.stdout(formatTable(headers, displayOrder(listing.runs).map(({ run, depth }) => row(run, depth)), numeric));
  const failed = listing.runs.filter((run) => run.error);
  for (const run of failed) io.stdout(`${run.name} (${run.id}) ${run.status}: ${run.error}\n`);
  return 0;
}
