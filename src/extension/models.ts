import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BundleMeta } from '../core/bundle/bundle';
import { listRuns, type ListedRun, type SkippedRecord } from '../core/runs/list';
import type { DashboardRun, RunSummary } from '../shared/panelProtocol';
import { runSummaryFromBundle, runSummaryFromRecord } from '../shared/runsView';
import { dashboardRunFromRecord, epochView, metricsView } from '../shared/trainingView';
import { modelsFolder } from './settings';

const ACTIVE_MODEL_KEY = 'voiceEmotion.activeModel';
/** Folders of a k-fold run's models. */
const FOLD_FOLDER = /^fold-\d+$/;

/** A model folder's emotion.json, read as plain JSON (the host never loads TensorFlow.js); undefined if unreadable. */
export function readModelMeta(modelDir: string): BundleMeta | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(modelDir, 'emotion.json'), 'utf8')) as BundleMeta;
    return Array.isArray(meta.labels) && Array.isArray(meta.history) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Folders under `root` that may hold a model: its sub-folders and their k-fold folders (`fold-<k>`). */
function candidateFolders(root: string): string[] {
  const folders = (dir: string) => {
    try {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => entry.name);
    } catch {
      return [];
    }
  };
  return folders(root).flatMap((name) => [path.join(root, name), ...folders(path.join(root, name)).filter((sub) => FOLD_FOLDER.test(sub)).map((sub) => path.join(root, name, sub))]);
}

const newestFirst = (a: RunSummary, b: RunSummary) => b.createdAt.localeCompare(a.createdAt);

/** Trained models and recorded runs of the workspace, and which model classification uses. */
export class ModelRegistry {
  constructor(private readonly state: vscode.Memento) {}

  /** The active model folder, if it still holds a model. */
  get active(): string | undefined {
    const dir = this.state.get<string>(ACTIVE_MODEL_KEY);
    return dir && readModelMeta(dir) ? dir : undefined;
  }

  /** Makes `modelDir` the model that classification uses. */
  async setActive(modelDir: string): Promise<void> {
    await this.state.update(ACTIVE_MODEL_KEY, modelDir);
  }

  /** Every model folder under the models folder (the folds of k-fold runs too), newest first: what a model is picked from. */
  models(): RunSummary[] {
    const root = modelsFolder();
    if (!root || !fs.existsSync(root)) return [];
    const active = this.active;
    return candidateFolders(root)
      .flatMap((modelDir) => {
        const meta = readModelMeta(modelDir);
        const name = path.relative(root, modelDir).split(path.sep).join('/');
        return meta ? [runSummaryFromBundle(name, modelDir, meta, modelDir === active, path.join(modelDir, 'emotion.json'))] : [];
      })
      .sort(newestFirst);
  }

  /**
   * What Compare Runs shows: every recorded run under the models folder (a model folder trained twice has two) and the
   * model folders without records, newest first; records that could not be read, with the reason.
   */
  listing(): { runs: RunSummary[]; skipped: readonly SkippedRecord[] } {
    const records = this.records();
    const active = this.active;
    // The active model is the folder's latest run; earlier runs into the same folder are history.
    const latest = new Map<string, string>();
    for (const run of records.runs) if (!latest.has(run.modelDir)) latest.set(run.modelDir, run.id);
    const recorded = records.runs.map((run) => runSummaryFromRecord(run, run.modelDir === active && latest.get(run.modelDir) === run.id));
    const unrecorded = this.models().filter((model) => !latest.has(model.modelDir));
    return { runs: [...recorded, ...unrecorded].sort(newestFirst), skipped: records.skipped };
  }

  /** The rows of Compare Runs (see {@link listing}). */
  runs(): RunSummary[] {
    return this.listing().runs;
  }

  /** The last run as the dashboard shows it after a reload: the newest finished record, else the newest model folder. */
  lastRun(): DashboardRun | undefined {
    const { runs } = this.records();
    const topLevel = runs.filter((run) => run.kind !== 'fold');
    const newestRecord = (topLevel.length ? topLevel : runs).reduce<ListedRun | undefined>((best, run) => (!best || run.finishedAt > best.finishedAt ? run : best), undefined);
    const newestModel = this.models()[0];
    if (newestRecord && (!newestModel || newestRecord.finishedAt >= newestModel.createdAt)) return dashboardRunFromRecord(newestRecord);
    const meta = newestModel && readModelMeta(newestModel.modelDir);
    if (!newestModel || !meta) return undefined;
    return {
      name: newestModel.name,
      modelDir: newestModel.modelDir,
      status: 'done',
      message: `Saved ${new Date(meta.createdAt).toLocaleString()}`,
      arch: meta.arch,
      backend: meta.backend?.name,
      labels: meta.labels,
      epochs: meta.history.length,
      history: meta.history.map(epochView),
      bestEpoch: meta.bestEpoch + 1,
      test: metricsView(meta.metrics.test),
      validation: metricsView(meta.metrics.validation),
      startedAt: meta.createdAt,
    };
  }

  /** The run records under the models folder (none when there is no folder or it cannot be read). */
  private records(): { runs: readonly ListedRun[]; skipped: readonly SkippedRecord[] } {
    const root = modelsFolder();
    if (!root) return { runs: [], skipped: [] };
    try {
      return listRuns(root);
    } catch {
      return { runs: [], skipped: [] };
    }
  }
}
