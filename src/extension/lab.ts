import type * as vscode from 'vscode';
import type { JobRunner } from './jobs';
import type { ModelRegistry } from './models';
import type { TrainingDashboard } from './panels/dashboard';
import type { LabWorker } from './worker';

/** The extension's services, created once in activate() and handed to every command. */
export interface Lab {
  readonly context: vscode.ExtensionContext;
  /** Per-workspace memory (last dataset, active model). */
  readonly state: vscode.Memento;
  /** "Voice Emotion" output channel: job summaries, skipped files, worker log. */
  readonly log: vscode.OutputChannel;
  readonly worker: LabWorker;
  readonly jobs: JobRunner;
  readonly models: ModelRegistry;
  readonly dashboard: TrainingDashboard;
}
