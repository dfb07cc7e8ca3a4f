import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../../shared/notebookFormat';
import type { EmotionNotebookController } from './controller';
import { EmotionNotebookSerializer } from './serializer';

/** "Voice Emotion: New Emotion Notebook": an untitled notebook with the quickstart's cells. */
export async function newNotebookCommand(context: vscode.ExtensionContext): Promise<void> {
  const bytes = fs.readFileSync(context.asAbsolutePath('notebooks/quickstart.emonb'));
  const data = await new EmotionNotebookSerializer().deserializeNotebook(bytes, new vscode.CancellationTokenSource().token);
  for (const cell of data.cells) cell.outputs = [];
  const document = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(document);
}

/** "Voice Emotion: Restart Notebook Kernel": clears the active notebook's variables. */
export function restartKernelCommand(controller: EmotionNotebookController): void {
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  if (!notebook || notebook.notebookType !== NOTEBOOK_TYPE) {
    void vscode.window.showInformationMessage('Voice Emotion: open an .emonb notebook to restart its kernel.');
    return;
  }
  controller.restart(notebook);
  void vscode.window.showInformationMessage('Voice Emotion: the notebook kernel was restarted; variables are cleared.');
}
