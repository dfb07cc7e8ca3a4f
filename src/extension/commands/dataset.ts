import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PreprocessReport } from '../../core/cache/preprocess';
import type { Lab } from '../lab';
import { pickDataset } from '../pickers';
import { readSettings, workspaceRoot } from '../settings';

/** Where the workspace remembers a dataset's cached augmented copies (preset and count) for Train Model. */
export function augmentedKey(dataDir: string): string {
  return `voiceEmotion.augmented:${path.resolve(dataDir)}`;
}

/** Writes a preprocessing report to the output channel: counts, per class, and every skipped file with its reason. */
function logReport(lab: Lab, title: string, report: PreprocessReport): void {
  const log = lab.log;
  log.appendLine(`— ${title}: ${report.root} (${new Date().toLocaleString()})`);
  log.appendLine(`  ${report.files} files → ${report.cacheDir}`);
  log.appendLine(`  ${report.computed} computed, ${report.reused} reused, ${report.skipped.length} skipped` + (report.copies ? `; ${report.copies} augmented cop${report.copies === 1 ? 'y' : 'ies'} per training file (${report.augment})` : ''));
  log.appendLine(`  per class: ${Object.entries(report.perClass).map(([label, n]) => `${label} ${n}`).join(', ')}`);
  for (const skip of report.skipped) log.appendLine(`  skipped ${skip.path}: ${skip.problem}`);
  if (report.cancelled) log.appendLine('  cancelled: files finished so far stay in the cache');
}

/** Shows the summary of a finished preprocessing job, with the skipped files one click away. */
async function summarise(lab: Lab, title: string, report: PreprocessReport): Promise<void> {
  logReport(lab, title, report);
  const skipped = report.skipped.length ? `, ${report.skipped.length} skipped` : '';
  const text = `Voice Emotion: ${title} — ${report.files} files, ${report.computed} computed, ${report.reused} reused${skipped} (${report.seconds.toFixed(1)} s).`;
  const choice = await (report.skipped.length ? vscode.window.showWarningMessage(text, 'Show Skipped Files') : vscode.window.showInformationMessage(text, 'Show Log'));
  if (choice) lab.log.show(true);
}

/** Runs the worker's preprocessing with progress as a job. */
async function preprocessJob(lab: Lab, title: string, dataDir: string, augment?: { preset: string; copies: number }): Promise<PreprocessReport | undefined> {
  const settings = readSettings();
  return lab.jobs.run(title, (job) =>
    lab.worker.request(
      'preprocess',
      { dataDir, config: settings.features, split: settings.training.split, ...(augment ? { augment: augment.preset, copies: augment.copies } : {}) },
      {
        signal: job.signal,
        timeoutMs: 0,
        onEvent: (p) => job.report(`${p.done}/${p.total} files${p.skipped ? `, ${p.skipped} skipped` : ''}${p.etaSeconds !== undefined ? `, ${Math.ceil(p.etaSeconds)} s left` : ''}`, p.total ? p.done / p.total : undefined),
      },
    ),
  );
}

/** "Voice Emotion: Preprocess Dataset…": fills the feature cache of a dataset folder. */
export async function preprocessCommand(lab: Lab): Promise<void> {
  const dataDir = await pickDataset(lab.state, 'Preprocess Dataset');
  if (!dataDir) return;
  const report = await preprocessJob(lab, 'Preprocess Dataset', dataDir);
  if (report) await summarise(lab, 'preprocessing', report);
}

/** "Voice Emotion: Augment Dataset…": augmented copies of the training split's files, stored in the feature cache. */
export async function augmentCommand(lab: Lab): Promise<void> {
  const dataDir = await pickDataset(lab.state, 'Augment Dataset (1/3): dataset');
  if (!dataDir) return;
  const preset = await vscode.window.showQuickPick(
    [
      { label: 'light', detail: 'Gain, time shift, some background noise' },
      { label: 'standard', detail: 'Noise, gain, shift, pitch, tempo and SpecAugment masks' },
      { label: 'strong', detail: 'All of standard, stronger, plus reverb and mixup' },
    ],
    { title: 'Augment Dataset (2/3): augmentation', ignoreFocusOut: true },
  );
  if (!preset) return;
  const copies = await vscode.window.showInputBox({
    title: 'Augment Dataset (3/3): copies per training file',
    ignoreFocusOut: true,
    value: '2',
    validateInput: (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 20 ? undefined : 'A whole number from 1 to 20'),
  });
  if (!copies) return;
  const report = await preprocessJob(lab, 'Augment Dataset', dataDir, { preset: preset.label, copies: Number(copies) });
  if (!report) return;
  await lab.state.update(augmentedKey(dataDir), { preset: preset.label, copies: Number(copies) });
  lab.log.appendLine(`  Train Model with augmentation "${preset.label}" on this dataset uses these ${copies} cached copies per file.`);
  await summarise(lab, 'augmentation', report);
}

/** "Voice Emotion: Generate Demo Corpus": the synthetic corpus in the workspace; returns its folder. */
export async function generateDemoCorpusCommand(lab: Lab): Promise<string | undefined> {
  const root = workspaceRoot();
  if (!root) {
    void vscode.window.showErrorMessage('Voice Emotion: open a folder first: the demo corpus is written into the workspace.');
    return undefined;
  }
  const outDir = path.join(root, 'demo-corpus');
  const summary = await lab.jobs.run('Generate Demo Corpus', (job) =>
    lab.worker.request('demoCorpus', { outDir, actors: 8 }, { signal: job.signal, timeoutMs: 0, onEvent: (p) => job.report(`${p.done}/${p.total} clips`, p.done / p.total) }),
  );
  if (!summary) return undefined;
  void vscode.window.showInformationMessage(`Voice Emotion: demo corpus written to ${vscode.workspace.asRelativePath(outDir)} (${summary.files} clips, ${summary.actors} actors).`);
  return outDir;
}
