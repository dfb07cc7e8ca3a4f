import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportResult } from '../../core/bundle/export';
import { EXPORT_FILES, exportFolderKind, nameList } from '../../core/bundle/exportFiles';
import { describeError } from '../jobs';
import type { Lab } from '../lab';
import { pickModel } from '../pickers';

const TITLE = 'Export Model for the Web';

/** Arguments of the command for scripts and tests: what would otherwise be asked. */
export interface ExportArguments {
  readonly modelDir?: string;
  readonly outDir?: string;
  /** Replace `outDir` when it holds an earlier export and nothing else. */
  readonly force?: boolean;
}

function checkArguments(args: unknown): string | undefined {
  if (typeof args !== 'object' || args === null) return 'its argument must be an object';
  const { modelDir, outDir, force } = args as Record<string, unknown>;
  if (modelDir !== undefined && typeof modelDir !== 'string') return 'modelDir must be a folder path';
  if (outDir !== undefined && typeof outDir !== 'string') return 'outDir must be a folder path';
  if (force !== undefined && typeof force !== 'boolean') return 'force must be true or false';
  return undefined;
}

/** Entries of a folder; empty when it does not exist. */
function entriesOf(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Asks where to export: a folder picked in a dialog, used as it is when empty, replaced (after asking, the files to be
 * deleted listed) when it holds an earlier export and nothing else, otherwise given a new `<model>-web` folder inside
 * it. An earlier export with files added to it (a .git folder, a CNAME) is not replaced: the message names them.
 * Undefined when the user backs out.
 */
async function pickTarget(modelDir: string): Promise<{ outDir: string; force: boolean } | undefined> {
  const chosen = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Export Here',
    title: `${TITLE} (2/2): an empty folder, or where to create ${path.basename(modelDir)}-web`,
    // The workspace folder, not the models folder: an export holds emotion.json, so there it would be listed as a model.
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(modelDir)),
  });
  const picked = chosen?.[0]?.fsPath;
  if (!picked) return undefined;
  const isExport = (found: ReturnType<typeof exportFolderKind>) => found.kind === 'export' || (found.kind === 'other' && found.missing.length === 0);
  let outDir = picked;
  let found = exportFolderKind(entriesOf(picked));
  if (found.kind !== 'empty' && !isExport(found)) {
    outDir = path.join(picked, `${path.basename(modelDir)}-web`);
    found = exportFolderKind(entriesOf(outDir));
  }
  if (found.kind === 'empty' || !isExport(found)) return { outDir, force: false };
  const where = vscode.workspace.asRelativePath(outDir);
  if (found.kind === 'other') {
    void vscode.window.showErrorMessage(`Voice Emotion: ${where} holds an earlier export and also ${nameList(found.extra)}. Replacing it would delete those, so nothing was exported: move them out of the folder, or pick another one.`);
    return undefined;
  }
  const replace = await vscode.window.showWarningMessage(`${where} holds an earlier export. Replace it?`, { modal: true, detail: `Its files are deleted and written anew: ${EXPORT_FILES.join(', ')}.` }, 'Replace');
  return replace ? { outDir, force: true } : undefined;
}

/**
 * "Voice Emotion: Export Model for the Web…": a model and a target folder (asked, or from `args`), then the export
 * (in the worker). Resolves with the folder and its files, or undefined when nothing was exported (the error is shown).
 */
export async function exportModelCommand(lab: Lab, args: ExportArguments = {}): Promise<ExportResult | undefined> {
  const problem = checkArguments(args);
  if (problem) {
    void vscode.window.showErrorMessage(`Voice Emotion: ${TITLE}: ${problem}.`);
    return undefined;
  }
  const modelDir = args.modelDir !== undefined ? path.resolve(args.modelDir) : await pickModel(lab.models, `${TITLE} (1/2): model`);
  if (!modelDir) return undefined;
  const target = args.outDir !== undefined ? { outDir: path.resolve(args.outDir), force: args.force === true } : await pickTarget(modelDir);
  if (!target) return undefined;
  let result: ExportResult;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Exporting ${path.basename(modelDir)}` }, () =>
      lab.worker.request('exportModel', { modelDir, outDir: target.outDir, force: target.force }, { timeoutMs: 0 }),
    );
  } catch (error) {
    lab.log.appendLine(`${TITLE}: ${describeError(error)}`);
    void vscode.window.showErrorMessage(`Voice Emotion: export failed: ${describeError(error)}`);
    return undefined;
  }
  lab.log.appendLine(`${TITLE}: ${modelDir} → ${result.outDir} (${result.files.join(', ')})`);
  const index = vscode.Uri.file(path.join(result.outDir, 'index.html'));
  const inWorkspace = vscode.workspace.getWorkspaceFolder(index) !== undefined;
  void vscode.window
    .showInformationMessage(`Voice Emotion: exported ${path.basename(modelDir)} to ${vscode.workspace.asRelativePath(result.outDir)}. Serve the folder over HTTP (see its README.md) to open index.html.`, 'Open Folder', 'Reveal')
    .then((choice) => {
      if (choice === 'Open Folder') void vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(result.outDir), { forceNewWindow: true });
      else if (choice === 'Reveal') void vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', index);
    });
  return result;
}
