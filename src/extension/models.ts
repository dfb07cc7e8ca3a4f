import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BundleMeta } from '../core/bundle/bundle';
import type { RunSummary } from '../shared/panelProtocol';
import { epochView } from '../shared/trainingView';
import { modelsFolder } from './settings';

const ACTIVE_MODEL_KEY = 'voiceEmotion.activeModel';

/** A model folder's emotion.json, read as plain JSON (the host never loads TensorFlow.js); undefined if unreadable. */
export function readModelMeta(modelDir: string): BundleMeta | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(modelDir, 'emotion.json'), 'utf8')) as BundleMeta;
    return Array.isArray(meta.labels) && Array.isArray(meta.history) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Trained models of the workspace and which one classification uses. */
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

  /** Every model folder under the models folder, newest first. */
  runs(): RunSummary[] {
    const root = modelsFolder();
    if (!root || !fs.existsSync(root)) return [];
    const active = this.active;
    const runs: RunSummary[] = [];
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const modelDir = path.join(root, entry.name);
      const meta = readModelMeta(modelDir);
      if (meta) runs.push(summarise(entry.name, modelDir, meta, modelDir === active));
    }
    return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

function summarise(name: string, modelDir: string, meta: BundleMeta, active: boolean): RunSummary {
  return {
    name,
    modelDir,
    arch: meta.arch,
    createdAt: meta.createdAt,
    epochs: meta.history.length,
    bestEpoch: meta.bestEpoch + 1,
    augment: meta.training?.augment || 'none',
    split: meta.split?.description ?? String(meta.training?.split ?? ''),
    backend: meta.backend?.name ?? '',
    history: meta.history.map(epochView),
    validationUar: meta.metrics?.validation?.uar,
    testUar: meta.metrics?.test?.uar,
    testAccuracy: meta.metrics?.test?.accuracy,
    active,
  };
}
