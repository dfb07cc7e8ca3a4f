import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FeatureConfig } from '../core/audio/config';
import type { SplitKind } from '../core/dataset/split';
import type { BackendChoice } from '../core/tf/choices';
import type { Architecture, TrainConfig } from '../core/train/config';
import { SETTINGS_SECTION } from '../shared/commands';

/** The extension's settings (package.json `contributes.configuration`), read fresh for each job. */
export interface LabSettings {
  /** Dataset folder used when none was chosen yet ('' = ask). */
  readonly datasetPath: string;
  /** Where trained models go: relative to the first workspace folder, or absolute. */
  readonly modelsFolder: string;
  readonly backend: BackendChoice;
  /** Feature settings that override the project defaults. */
  readonly features: Partial<FeatureConfig>;
  /** Training defaults the Train Model flow starts from. */
  readonly training: {
    readonly arch: Architecture;
    readonly epochs: number;
    readonly batchSize: number;
    readonly learningRate: number;
    readonly augment: string;
    readonly split: SplitKind;
    readonly earlyStopping: number;
  };
  /** V8 heap limit of the worker process in MB (0 = Node's default). */
  readonly workerMemoryMB: number;
}

/**
 * Reads the current settings (workspace values win over user values, as VS Code resolves them). The folder-scoped ones
 * (dataset path, models folder) are read for the first workspace folder, which their relative paths resolve against.
 */
export function readSettings(): LabSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, vscode.workspace.workspaceFolders?.[0]?.uri ?? null);
  const get = <T>(key: string, fallback: T): T => config.get<T>(key) ?? fallback;
  return {
    datasetPath: get('datasetPath', ''),
    modelsFolder: get('modelsFolder', 'models'),
    backend: get<BackendChoice>('backend', 'auto'),
    features: {
      sampleRate: get('features.sampleRate', 16000),
      nFft: get('features.nFft', 1024),
      hopLength: get('features.hopLength', 256),
      nMels: get('features.nMels', 128),
      nMfcc: get('features.nMfcc', 40),
      clipSeconds: get('features.clipSeconds', 3),
      prosody: get('features.prosody', false),
    },
    training: {
      arch: get<Architecture>('training.architecture', 'cnn-bn'),
      epochs: get('training.epochs', 30),
      batchSize: get('training.batchSize', 32),
      learningRate: get('training.learningRate', 0.002),
      augment: get('training.augmentation', 'none'),
      split: get<SplitKind>('training.split', 'actors'),
      earlyStopping: get('training.earlyStopping', 8),
    },
    workerMemoryMB: get('workerMemoryMB', 0),
  };
}

/** Training configuration from the settings, before the Train Model flow's choices are applied. */
export function trainingDefaults(settings: LabSettings): Partial<TrainConfig> {
  const t = settings.training;
  return {
    arch: t.arch,
    epochs: t.epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    augment: t.augment,
    split: t.split,
    earlyStopping: t.earlyStopping,
    backend: settings.backend,
    features: settings.features,
  };
}

/** The first workspace folder's path, or undefined when no folder is open. */
export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Absolute models folder, or undefined when it is relative and no folder is open. */
export function modelsFolder(settings: LabSettings = readSettings()): string | undefined {
  if (path.isAbsolute(settings.modelsFolder)) return settings.modelsFolder;
  const root = workspaceRoot();
  return root ? path.join(root, settings.modelsFolder) : undefined;
}
