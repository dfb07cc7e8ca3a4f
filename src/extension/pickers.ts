import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import { readModelMeta, type ModelRegistry } from './models';
import { readSettings, workspaceRoot } from './settings';

const LAST_DATASET_KEY = 'voiceEmotion.lastDataset';

interface FolderItem extends vscode.QuickPickItem {
  readonly folder?: string;
  readonly action?: 'browse' | 'demo';
}

/**
 * Asks for a dataset folder: the last one used in this workspace first, the `datasetPath` setting, a folder picker,
 * or generating the demo corpus. Remembers the answer per workspace.
 */
export async function pickDataset(state: vscode.Memento, title: string): Promise<string | undefined> {
  const items: FolderItem[] = [];
  const seen = new Set<string>();
  const add = (folder: string | undefined, description: string) => {
    if (!folder || seen.has(folder) || !fs.existsSync(folder)) return;
    seen.add(folder);
    items.push({ label: `$(folder) ${vscode.workspace.asRelativePath(folder)}`, description, folder });
  };
  add(state.get<string>(LAST_DATASET_KEY), 'last used');
  const setting = readSettings().datasetPath;
  add(setting && !path.isAbsolute(setting) && workspaceRoot() ? path.join(workspaceRoot()!, setting) : setting, 'voiceEmotion.datasetPath');
  const root = workspaceRoot();
  if (root) add(path.join(root, 'demo-corpus'), 'demo corpus');
  items.push({ label: '$(folder-opened) Choose a folder…', description: 'RAVDESS, CREMA-D, TESS, SAVEE, or a folder with a labels.csv', action: 'browse' });
  items.push({ label: '$(beaker) Generate the demo corpus…', description: 'synthetic RAVDESS-shaped speech, about 30 s', action: 'demo' });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Dataset folder', ignoreFocusOut: true });
  if (!picked) return undefined;
  let folder = picked.folder;
  if (picked.action === 'browse') {
    const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as Dataset', defaultUri: root ? vscode.Uri.file(root) : undefined });
    folder = chosen?.[0]?.fsPath;
  } else if (picked.action === 'demo') {
    folder = await vscode.commands.executeCommand<string | undefined>(COMMANDS.generateDemoCorpus);
  }
  if (folder) await state.update(LAST_DATASET_KEY, folder);
  return folder;
}

/** Asks for a model: the workspace's trained models (active one first) or a folder holding emotion.json. */
export async function pickModel(models: ModelRegistry, title: string): Promise<string | undefined> {
  const runs = models.models();
  const items: FolderItem[] = runs
    .sort((a, b) => Number(b.active) - Number(a.active))
    .map((run) => ({
      label: `${run.active ? '$(star-full) ' : ''}${run.name}`,
      description: `${run.arch}, ${run.epochs} epochs${run.testUar !== undefined ? `, test UAR ${(run.testUar * 100).toFixed(1)}%` : ''}`,
      detail: run.modelDir,
      folder: run.modelDir,
    }));
  items.push({ label: '$(folder-opened) Choose a model folder…', description: 'a folder with emotion.json, model.json and weights.bin', action: 'browse' });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: runs.length ? 'Model' : 'No models in this workspace yet', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.action !== 'browse') return picked.folder;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Model' });
  const folder = chosen?.[0]?.fsPath;
  if (folder && !readModelMeta(folder)) {
    void vscode.window.showErrorMessage(`Voice Emotion: ${folder} has no readable emotion.json: it is not a model folder.`);
    return undefined;
  }
  return folder;
}

/** The active model, or undefined after offering to train one or to choose a model folder. */
export async function requireModel(models: ModelRegistry): Promise<string | undefined> {
  const active = models.active;
  if (active) return active;
  const choice = await vscode.window.showInformationMessage('Voice Emotion: there is no model to classify with yet.', 'Train a Model', 'Choose a Model Folder…');
  if (choice === 'Train a Model') {
    void vscode.commands.executeCommand(COMMANDS.train);
    return undefined;
  }
  if (choice === 'Choose a Model Folder…') {
    const folder = await pickModel(models, 'Select Active Model');
    if (folder) await models.setActive(folder);
    return folder;
  }
  return undefined;
}
