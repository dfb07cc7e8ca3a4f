import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_FOLDS, type SplitKind } from '../../core/dataset/split';
import type { KFoldSummary } from '../../core/runs/record';
import type { Architecture } from '../../core/train/config';
import { COMMANDS } from '../../shared/commands';
import type { DashboardRun } from '../../shared/panelProtocol';
import type { Lab } from '../lab';
import { applyTrainEvent, finishedKFoldRun, finishedRun, formatMeanStd, runFraction, stoppedRun } from '../../shared/trainingView';
import { pickDataset } from '../pickers';
import { augmentedKey } from './dataset';
import { modelsFolder, readSettings, trainingDefaults } from '../settings';

interface Choice<T> extends vscode.QuickPickItem {
  readonly value: T;
}

const ARCHITECTURE_ITEMS: readonly Choice<Architecture>[] = [
  { label: 'cnn-bn', description: 'recommended', detail: 'Four convolution blocks with BatchNorm: the best recipe on the demo corpus, 47 samples/s on one CPU thread', value: 'cnn-bn' },
  { label: 'cnn', detail: 'The same blocks without BatchNorm: the fastest, a baseline', value: 'cnn' },
  { label: 'resnet-blocks', detail: 'A small ResNet: slower, for larger corpora', value: 'resnet-blocks' },
  { label: 'resnet18', detail: 'ResNet-18 (torchvision layout): slowest; pretrained weights through the CLI', value: 'resnet18' },
];

const AUGMENT_ITEMS: readonly Choice<string>[] = [
  { label: 'none', detail: 'Train on the recordings as they are', value: 'none' },
  { label: 'light', detail: 'Gain, time shift, some background noise', value: 'light' },
  { label: 'standard', detail: 'Noise, gain, shift, pitch, tempo and SpecAugment masks', value: 'standard' },
  { label: 'strong', detail: 'All of standard, stronger, plus reverb and mixup', value: 'strong' },
];

const SPLIT_ITEMS: readonly Choice<SplitKind>[] = [
  { label: 'By actor', description: 'recommended', detail: 'Test and validation speakers never appear in training: an honest score for new voices', value: 'actors' },
  { label: 'k-fold by speaker', detail: 'One model per fold, every speaker tested once: mean ± std of WA, UAR and macro-F1, the most honest estimate', value: 'kfold' },
  { label: 'Random', detail: 'Files shuffled into train/validation/test: the same speakers on both sides, optimistic scores', value: 'random' },
];

/** Whether `folds` is a usable number of folds. */
const validFolds = (folds: number) => Number.isInteger(folds) && folds >= 3 && folds <= 100;

/** Picks one of `items`, starting on the one whose value is `current`. */
async function choose<T>(items: readonly Choice<T>[], title: string, current: T): Promise<T | undefined> {
  const ordered = [...items].sort((a, b) => Number(b.value === current) - Number(a.value === current));
  return (await vscode.window.showQuickPick(ordered, { title, matchOnDetail: true, ignoreFocusOut: true }))?.value;
}

/** A model name that is not taken in `folder`: arch-YYYYMMDD-HHMM, with a counter if needed. */
function freshModelName(folder: string, arch: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  let name = `${arch}-${stamp}`;
  for (let i = 2; fs.existsSync(path.join(folder, name)); i++) name = `${arch}-${stamp}-${i}`;
  return name;
}

/**
 * Answers to Train Model's questions, for keybindings, tasks and scripts (`executeCommand('voiceEmotion.train', {…})`):
 * each one given is not asked.
 */
export interface TrainArguments {
  readonly dataDir?: string;
  readonly arch?: Architecture;
  readonly epochs?: number;
  readonly augment?: string;
  readonly split?: SplitKind;
  /** Folds of a k-fold split (default 6). */
  readonly folds?: number;
}

/** What Train Model resolves with when a model was saved (for k-fold: the k-fold folder, mean test UAR and every fold). */
export interface TrainCommandResult {
  readonly modelDir: string;
  readonly testUar?: number;
  readonly validationUar?: number;
  /** Folds numbered from 1. */
  readonly kfold?: { readonly summary: KFoldSummary; readonly folds: readonly { readonly fold: number; readonly modelDir: string; readonly testSpeakers: readonly string[]; readonly testUar?: number }[] };
}

/** The problem with command arguments, or undefined when they are usable. */
function checkTrainArguments(args: TrainArguments): string | undefined {
  if (args.dataDir !== undefined && (typeof args.dataDir !== 'string' || !fs.existsSync(args.dataDir))) return `dataDir ${String(args.dataDir)} does not exist`;
  if (args.arch !== undefined && !ARCHITECTURE_ITEMS.some((item) => item.value === args.arch)) return `arch must be one of ${ARCHITECTURE_ITEMS.map((i) => i.value).join(', ')}`;
  if (args.epochs !== undefined && !(Number.isInteger(args.epochs) && args.epochs >= 1 && args.epochs <= 1000)) return 'epochs must be a whole number from 1 to 1000';
  if (args.augment !== undefined && !AUGMENT_ITEMS.some((item) => item.value === args.augment)) return `augment must be one of ${AUGMENT_ITEMS.map((i) => i.value).join(', ')}`;
  if (args.split !== undefined && !SPLIT_ITEMS.some((item) => item.value === args.split)) return `split must be one of ${SPLIT_ITEMS.map((i) => i.value).join(', ')}`;
  if (args.folds !== undefined && !validFolds(args.folds)) return 'folds must be a whole number from 3 to 100';
  return undefined;
}

/**
 * "Voice Emotion: Train Model…": dataset, architecture, epochs, augmentation, split and name, then training. Resolves
 * with the saved model, or undefined when nothing was saved (a question dismissed, cancelled, failed).
 */
export async function trainModelCommand(lab: Lab, args: TrainArguments = {}): Promise<TrainCommandResult | undefined> {
  const folder = modelsFolder();
  if (!folder) {
    void vscode.window.showErrorMessage('Voice Emotion: open a folder first: trained models are saved in the workspace (setting voiceEmotion.modelsFolder).');
    return undefined;
  }
  const problem = typeof args === 'object' && args !== null ? checkTrainArguments(args) : 'its argument must be an object';
  if (problem) {
    void vscode.window.showErrorMessage(`Voice Emotion: Train Model: ${problem}.`);
    return undefined;
  }
  const settings = readSettings();
  const dataDir = args.dataDir !== undefined ? path.resolve(args.dataDir) : await pickDataset(lab.state, 'Train Model (1/5): dataset');
  if (!dataDir) return undefined;
  const arch = args.arch ?? (await choose(ARCHITECTURE_ITEMS, 'Train Model (2/5): architecture', settings.training.arch));
  if (!arch) return undefined;
  const epochsText =
    args.epochs !== undefined
      ? String(args.epochs)
      : await vscode.window.showInputBox({
          title: 'Train Model (3/5): epochs',
          ignoreFocusOut: true,
          value: String(settings.training.epochs),
          prompt: `At most this many passes over the training files (early stopping after ${settings.training.earlyStopping} without improvement)`,
          validateInput: (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 1000 ? undefined : 'A whole number from 1 to 1000'),
        });
  if (!epochsText) return undefined;
  const augment = args.augment ?? (await choose(AUGMENT_ITEMS, 'Train Model (4/5): augmentation', settings.training.augment));
  if (augment === undefined) return undefined;
  const split = args.split ?? (await choose(SPLIT_ITEMS, 'Train Model (5/5): split', settings.training.split));
  if (!split) return undefined;
  const foldsText =
    split !== 'kfold' || args.folds !== undefined
      ? String(args.folds ?? DEFAULT_FOLDS)
      : await vscode.window.showInputBox({
          title: 'Train Model (5/5): number of folds',
          ignoreFocusOut: true,
          value: String(DEFAULT_FOLDS),
          prompt: 'One model per fold; each fold tests speakers the others train on (the dataset needs at least this many speakers)',
          validateInput: (text) => (/^\d+$/.test(text) && validFolds(Number(text)) ? undefined : 'A whole number from 3 to 100'),
        });
  if (!foldsText) return undefined;
  const folds = Number(foldsText);
  // Copies made by "Augment Dataset…" with the same preset are used instead of augmenting on the fly.
  const augmented = lab.state.get<{ preset: string; copies: number }>(augmentedKey(dataDir));
  const cachedCopies = augmented && augmented.preset === augment ? augmented.copies : 0;
  // Checked before the dashboard shows the new run: a refused run never appears there.
  if (lab.jobs.refuseIfBusy('Train Model')) return undefined;
  const kfold = split === 'kfold';
  const name = freshModelName(folder, kfold ? `${arch}-kfold` : arch);
  const out = path.join(folder, name);
  const epochs = Number(epochsText);
  let run: DashboardRun = { name, modelDir: out, status: 'running', message: 'Starting…', arch, labels: [], epochs, history: [], startedAt: new Date().toISOString() };
  lab.dashboard.update(run);
  lab.dashboard.show();
  const result = await lab.jobs.run(`Training ${name}`, async (job) => {
    try {
      const params = { dataDir, out, config: { ...trainingDefaults(settings), arch, epochs, augment, split, cachedCopies, ...(kfold ? { folds, fold: undefined } : {}) }, source: 'extension' as const };
      const options = {
        signal: job.signal,
        timeoutMs: 0,
        onEvent: (event: Parameters<typeof applyTrainEvent>[1]) => {
          run = applyTrainEvent(run, event);
          if (event.type === 'start') lab.worker.reportBackend(event.backend.name, event.backend.device);
          job.report(run.message, runFraction(run));
          lab.dashboard.update(run);
        },
      };
      if (kfold) {
        const trained = await lab.worker.request('trainKFold', params, options);
        run = finishedKFoldRun(run, trained);
        lab.dashboard.update(run);
        return trained;
      }
      const trained = await lab.worker.request('train', params, options);
      run = finishedRun(run, trained);
      lab.dashboard.update(run);
      return trained;
    } catch (error) {
      const cancelled = job.signal.aborted;
      run = stoppedRun(run, cancelled ? 'cancelled' : 'failed', cancelled ? 'Cancelled: the checkpoint keeps the finished epochs' : String(error instanceof Error ? error.message : error));
      lab.dashboard.update(run);
      throw error;
    }
  });
  if (!result) return undefined;
  if ('summary' in result) {
    const { summary } = result;
    void vscode.window.showInformationMessage(`Voice Emotion: k-fold run ${name} finished: test UAR ${formatMeanStd(summary.uar)} over ${summary.folds} folds.`, 'Open Dashboard', 'Compare Runs').then((choice) => {
      if (choice === 'Open Dashboard') lab.dashboard.show();
      if (choice === 'Compare Runs') void vscode.commands.executeCommand(COMMANDS.compareRuns);
    });
    const folds = result.folds.map((fold) => ({ fold: fold.fold + 1, modelDir: fold.modelDir, testSpeakers: fold.speakers.test, testUar: fold.test?.uar }));
    return { modelDir: result.out, testUar: summary.uar.mean, kfold: { summary, folds } };
  }
  await lab.models.setActive(result.out);
  const score = result.test ? `test UAR ${(result.test.uar * 100).toFixed(1)}%` : `validation UAR ${((result.validation?.uar ?? 0) * 100).toFixed(1)}%`;
  void vscode.window.showInformationMessage(`Voice Emotion: model ${name} saved (${score}); it is now the active model.`, 'Open Dashboard', 'Classify a File…').then((choice) => {
    if (choice === 'Open Dashboard') lab.dashboard.show();
    if (choice === 'Classify a File…') void vscode.commands.executeCommand(COMMANDS.classify);
  });
  return { modelDir: result.out, testUar: result.test?.uar, validationUar: result.validation?.uar };
}
