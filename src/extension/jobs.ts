import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';
import { RemoteError } from '../shared/rpc';
import { COMMANDS } from '../shared/commands';
import { Disposable } from './dispose';

/** What a running job can do besides its work. */
export interface JobContext {
  /** Aborted by the notification's Cancel button, "Cancel Running Job" or the dashboard. */
  readonly signal: AbortSignal;
  /** Shows progress: a message and, optionally, the fraction done (0–1). */
  report(message: string, fraction?: number): void;
}

/** The running job as the status bar shows it. */
export interface JobStatus {
  readonly title: string;
  readonly message: string;
  readonly fraction?: number;
}

/** A one-line message for an error from a job: the file and problem when known, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof RemoteError && error.file) return `${vscode.workspace.asRelativePath(error.file)}: ${error.problem ?? error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * In Restricted Mode, says that `what` needs a trusted workspace (with a button to manage trust) and returns true; in a
 * trusted workspace returns false. Training, preprocessing, evaluation and classification run code and read settings
 * and models that come from the workspace, so they never run untrusted.
 */
export function refuseUntrusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window.showWarningMessage(`Voice Emotion: ${what} needs a trusted workspace. Trust this folder to train, preprocess, evaluate or classify.`, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return true;
}

/**
 * Runs the extension's long jobs (training, preprocessing, evaluation) one at a time, each in a cancellable progress
 * notification; refuses them in untrusted workspaces.
 */
export class JobRunner extends Disposable {
  private current: { title: string; controller: AbortController } | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<JobStatus | undefined>());
  /** Fires when a job starts, reports progress or ends (undefined). */
  readonly onDidChange = this.changed.event;

  /** Title of the running job, if any. */
  get running(): string | undefined {
    return this.current?.title;
  }

  /**
   * One job at a time: when one runs, says so (with a button to cancel it) and returns true at once, without keeping
   * the caller waiting on the message; `title` is the job that did not start.
   */
  refuseIfBusy(title: string): boolean {
    if (!this.current) return false;
    void vscode.window.showWarningMessage(`Voice Emotion: "${this.current.title}" is still running; ${title} did not start.`, 'Cancel Running Job').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.cancelJob);
    });
    return true;
  }

  /** Cancels the running job; false when none runs. */
  cancel(): boolean {
    if (!this.current) return false;
    this.current.controller.abort();
    return true;
  }

  /**
   * Runs `work` as the one job, with a cancellable notification titled `title`. Resolves with its result, or undefined
   * when it was cancelled, refused (another job runs, untrusted workspace) or failed (the error is shown to the user).
   */
  async run<T>(title: string, work: (job: JobContext) => Promise<T>): Promise<T | undefined> {
    if (refuseUntrusted(title)) return undefined;
    if (this.refuseIfBusy(title)) return undefined;
    const controller = new AbortController();
    this.current = { title, controller };
    this.changed.fire({ title, message: 'starting…' });
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Voice Emotion: ${title}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let shown = 0;
          return work({
            signal: controller.signal,
            report: (message, fraction) => {
              const increment = fraction === undefined ? undefined : Math.max(0, fraction * 100 - shown);
              if (increment !== undefined) shown += increment;
              progress.report({ message, increment });
              this.changed.fire({ title, message, fraction });
            },
          });
        },
      );
    } catch (error) {
      if (error instanceof CancelledError || controller.signal.aborted) {
        void vscode.window.showInformationMessage(`Voice Emotion: ${title} was cancelled.`);
      } else {
        void vscode.window.showErrorMessage(`Voice Emotion: ${title} failed: ${describeError(error)}`);
      }
      return undefined;
    } finally {
      this.current = undefined;
      this.changed.fire(undefined);
    }
  }
}
