import type * as vscode from 'vscode';
import { AudioInfoCommand } from './audioInfo';

/** Registers each feature; nothing heavy is loaded here (TensorFlow.js lives in the worker process). */
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(AudioInfoCommand.register());
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
