import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import { AudioInfoCommand } from './audioInfo';
import { augmentCommand, generateDemoCorpusCommand, preprocessCommand } from './commands/dataset';
import { exportModelCommand, type ExportArguments } from './commands/export';
import { classifyCommand, compareRunsCommand, evaluateCommand, explainCommand, selectModelCommand, showSpectrogramCommand } from './commands/inspect';
import { installNativeBackendCommand } from './commands/nativeBackend';
import { trainModelCommand, type TrainArguments } from './commands/train';
import { JobRunner, refuseUntrusted } from './jobs';
import { newNotebookCommand, restartKernelCommand } from './notebook/commands';
import { EmotionNotebookController } from './notebook/controller';
import { EmotionNotebookSerializer } from './notebook/serializer';
import type { Lab } from './lab';
import { ModelRegistry } from './models';
import { TrainingDashboard } from './panels/dashboard';
import { LabStatusBar } from './statusBar';
import { LabWorker } from './worker';

/** Registers each feature; nothing heavy is loaded here (TensorFlow.js lives in the worker process, started lazily). */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Voice Emotion');
  const worker = new LabWorker(context, log);
  const jobs = new JobRunner();
  const models = new ModelRegistry(context.workspaceState);
  const dashboard = new TrainingDashboard(context.extensionUri, jobs, models);
  const lab: Lab = { context, state: context.workspaceState, log, worker, jobs, models, dashboard };
  const notebooks = new EmotionNotebookController(context, log);
  const command = (id: string, run: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown);
  // Commands that run work from the workspace are hidden in Restricted Mode; run anyway (a walkthrough button, a
  // keybinding), they refuse before asking anything.
  const trusted = (id: string, title: string, run: (...args: never[]) => unknown) =>
    command(id, (...args: never[]) => (refuseUntrusted(title) ? undefined : run(...args)));
  context.subscriptions.push(
    log,
    worker,
    jobs,
    dashboard,
    new LabStatusBar(jobs, worker),
    AudioInfoCommand.register(),
    trusted(COMMANDS.train, 'Train Model', (args?: TrainArguments) => trainModelCommand(lab, args)),
    trusted(COMMANDS.preprocess, 'Preprocess Dataset', () => preprocessCommand(lab)),
    trusted(COMMANDS.augment, 'Augment Dataset', () => augmentCommand(lab)),
    trusted(COMMANDS.evaluate, 'Evaluate Model', () => evaluateCommand(lab)),
    command(COMMANDS.classify, (uri?: vscode.Uri, uris?: vscode.Uri[]) => classifyCommand(lab, uri, uris)),
    trusted(COMMANDS.explain, 'Explain Emotion', (uri?: vscode.Uri, options?: unknown) => explainCommand(lab, uri, options)),
    command(COMMANDS.showSpectrogram, (uri?: vscode.Uri) => showSpectrogramCommand(lab, uri)),
    command(COMMANDS.selectModel, () => selectModelCommand(lab)),
    command(COMMANDS.openDashboard, () => dashboard.show(vscode.ViewColumn.Active)),
    command(COMMANDS.compareRuns, () => compareRunsCommand(lab)),
    command(COMMANDS.cancelJob, () => {
      if (!jobs.cancel()) void vscode.window.showInformationMessage('Voice Emotion: no job is running.');
    }),
    trusted(COMMANDS.installNativeBackend, 'Install Native TensorFlow Backend', () => installNativeBackendCommand(lab)),
    trusted(COMMANDS.generateDemoCorpus, 'Generate Demo Corpus', () => generateDemoCorpusCommand(lab)),
    trusted(COMMANDS.exportModel, 'Export Model for the Web', (args?: ExportArguments) => exportModelCommand(lab, args)),
    EmotionNotebookSerializer.register(),
    notebooks,
    command(COMMANDS.newNotebook, () => newNotebookCommand(context)),
    command(COMMANDS.restartKernel, () => restartKernelCommand(notebooks)),
  );
}

export function deactivate(): void {
  // Everything, the worker process included, is released through context.subscriptions.
}
