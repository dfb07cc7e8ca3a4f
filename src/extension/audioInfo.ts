import * as vscode from 'vscode';
import { readWavInfo } from '../core/audio/wav';
import { FileError } from '../core/errors';
import { COMMANDS } from '../shared/commands';

/** "Voice Emotion: Show Audio Information": validates a WAV file and shows its format. */
export class AudioInfoCommand {
  static register(): vscode.Disposable {
    return vscode.commands.registerCommand(COMMANDS.showAudioInfo, (uri?: vscode.Uri) => AudioInfoCommand.run(uri));
  }

  private static async run(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? (await AudioInfoCommand.pickFile());
    if (!target) return;
    if (target.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Voice Emotion: ${target.toString()}: only files on disk can be read`);
      return;
    }
    try {
      const info = readWavInfo(target.fsPath);
      const encoding = info.encoding === 'float' ? `${info.bitsPerSample}-bit float` : `${info.bitsPerSample}-bit PCM`;
      void vscode.window.showInformationMessage(
        `${vscode.workspace.asRelativePath(target)}: ${info.sampleRate} Hz, ${encoding}, ${info.channels} channel(s), ` +
          `${info.durationSeconds.toFixed(2)} s`,
      );
    } catch (error) {
      const message = error instanceof FileError ? `${vscode.workspace.asRelativePath(error.file)}: ${error.problem}` : String(error);
      void vscode.window.showErrorMessage(`Voice Emotion: ${message}`);
    }
  }

  private static async pickFile(): Promise<vscode.Uri | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'WAV audio': ['wav', 'wave'] },
      openLabel: 'Show Information',
    });
    return picked?.[0];
  }
}
