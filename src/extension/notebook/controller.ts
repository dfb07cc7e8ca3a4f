import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';
import type { RendererReply } from '../../shared/mime';
import { NOTEBOOK_TYPE } from '../../shared/notebookFormat';
import type { CellEvent, CellOutputItem } from '../../shared/workerProtocol';
import { WorkerClient } from '../../worker/client';
import { Disposable } from '../dispose';
import { clipFilesOfOutputs, clipRequestOf, decideClipRequest } from '../fileAccess';
import { readSettings } from '../settings';

/** Seconds an interrupted cell may take to stop before its kernel process is restarted. */
const INTERRUPT_GRACE_MS = 5000;

/** The renderer id of package.json's notebookRenderer contribution. */
const RENDERER_ID = 'voice-emotion-renderer';

/** A notebook output item as VS Code stores it: JSON types as JSON, text as text. */
function outputItem(item: CellOutputItem): vscode.NotebookCellOutputItem {
  if (typeof item.data === 'string' && (item.mime.startsWith('text/') || !item.mime.includes('json'))) return vscode.NotebookCellOutputItem.text(item.data, item.mime);
  return vscode.NotebookCellOutputItem.json(item.data, item.mime);
}

/** One notebook's kernel: its own worker process, where cell variables live until it restarts. */
class Kernel {
  private client: WorkerClient | undefined;
  executionOrder = 0;

  constructor(
    private readonly script: string,
    private readonly log: vscode.OutputChannel,
  ) {}

  get worker(): WorkerClient {
    if (!this.client) {
      const memoryMB = readSettings().workerMemoryMB;
      this.client = new WorkerClient({ script: this.script, timeoutMs: 0, memoryMB: memoryMB > 0 ? memoryMB : undefined, onLog: (line) => this.log.appendLine(`[kernel] ${line}`) });
    }
    return this.client;
  }

  /** Ends the process: every variable is gone; the next cell starts a fresh kernel. */
  restart(): void {
    this.client?.dispose();
    this.client = undefined;
    this.executionOrder = 0;
  }
}

/**
 * The "Voice Emotion" notebook kernel for `.emonb` files: TypeScript and JavaScript cells run in a worker process per
 * notebook (variables persist across cells), with live console and rich outputs, Interrupt and Restart. Refuses to
 * run in untrusted workspaces.
 */
export class EmotionNotebookController extends Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly kernels = new Map<string, Kernel>();
  private readonly running = new Map<string, AbortController>();
  private readonly messaging: vscode.NotebookRendererMessaging;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {
    super();
    this.controller = this._register(vscode.notebooks.createNotebookController('voice-emotion-kernel', NOTEBOOK_TYPE, 'Voice Emotion'));
    this.controller.supportedLanguages = ['typescript', 'javascript'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'TensorFlow.js and the emo API in a worker process';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
    this._register(this.messaging.onDidReceiveMessage(({ editor, message }) => void this.answerRenderer(editor, message)));
    this._register(vscode.workspace.onDidCloseNotebookDocument((notebook) => this.kernels.get(notebook.uri.toString())?.restart()));
    this._register({ dispose: () => this.kernels.forEach((kernel) => kernel.restart()) });
  }

  /** Restarts the kernel of a notebook (Restart Kernel): its variables are cleared. */
  restart(notebook: vscode.NotebookDocument): void {
    this.running.get(notebook.uri.toString())?.abort();
    this.kernels.get(notebook.uri.toString())?.restart();
  }

  private kernelFor(notebook: vscode.NotebookDocument): Kernel {
    const key = notebook.uri.toString();
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = new Kernel(this.context.asAbsolutePath(path.join('dist', 'worker.js')), this.log);
      this.kernels.set(key, kernel);
    }
    return kernel;
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    for (const cell of cells) {
      const stop = await this.executeCell(cell, notebook);
      if (stop) break;
    }
  }

  /** Runs one cell; true when the cells after it should not run (it failed or was interrupted). */
  private async executeCell(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument): Promise<boolean> {
    const execution = this.controller.createNotebookCellExecution(cell);
    const kernel = this.kernelFor(notebook);
    execution.executionOrder = ++kernel.executionOrder;
    execution.start(Date.now());
    await execution.clearOutput();
    if (!vscode.workspace.isTrusted) {
      await execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(new Error('Notebook cells do not run in an untrusted workspace: trust this folder to run them.'))]));
      execution.end(false, Date.now());
      return true;
    }
    const key = notebook.uri.toString();
    const abort = new AbortController();
    this.running.set(key, abort);
    const cancel = execution.token.onCancellationRequested(() => abort.abort());
    const stream = new OutputStream(execution);
    let killer: ReturnType<typeof setTimeout> | undefined;
    abort.signal.addEventListener('abort', () => {
      killer = setTimeout(() => {
        kernel.restart();
        void stream.text('stderr', `\nThe cell did not stop within ${INTERRUPT_GRACE_MS / 1000} s: the kernel was restarted (variables are cleared).\n`);
      }, INTERRUPT_GRACE_MS);
    });
    try {
      const folder = notebook.uri.scheme === 'file' ? path.dirname(notebook.uri.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const result = await kernel.worker.request(
        'notebookExecute',
        { code: cell.document.getText(), language: cell.document.languageId === 'javascript' ? 'javascript' : 'typescript', cellLabel: `cell ${cell.index + 1}`, cwd: folder },
        { signal: abort.signal, onEvent: (event) => stream.push(event) },
      );
      await stream.flush();
      if (!result.success && result.error) {
        const error = Object.assign(new Error(result.error.message), { name: result.error.name, stack: result.error.stack });
        await execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error)]));
      }
      execution.end(result.success, Date.now());
      return !result.success;
    } catch (error) {
      await stream.flush();
      const interrupted = error instanceof CancelledError || abort.signal.aborted;
      const shown = interrupted ? Object.assign(new Error('Interrupted'), { name: 'Interrupted', stack: 'Interrupted: the cell was stopped; the kernel keeps its variables.' }) : error instanceof Error ? error : new Error(String(error));
      await execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(shown)]));
      execution.end(false, Date.now());
      return true;
    } finally {
      if (killer) clearTimeout(killer);
      cancel.dispose();
      if (this.running.get(key) === abort) this.running.delete(key);
    }
  }

  private interrupt(notebook: vscode.NotebookDocument): void {
    this.running.get(notebook.uri.toString())?.abort();
  }

  /**
   * The feature explorer asks for a clip: its audio and spectrogram from the notebook's kernel. Only well-formed
   * requests for WAV files inside a workspace folder or listed by the notebook's own outputs are read; anything else
   * gets a refusal.
   */
  private async answerRenderer(editor: vscode.NotebookEditor, message: unknown): Promise<void> {
    const request = clipRequestOf(message);
    if (!request) {
      const requestId = (message as { requestId?: unknown } | null)?.requestId;
      if (Number.isSafeInteger(requestId)) await this.messaging.postMessage({ type: 'error', requestId: requestId as number, message: 'invalid clip request' } satisfies RendererReply, editor);
      return;
    }
    let reply: RendererReply;
    try {
      if (!vscode.workspace.isTrusted) throw new Error('clips play only in a trusted workspace');
      const decision = decideClipRequest(request.file, {
        workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath),
        listedFiles: clipFilesOfOutputs(editor.notebook.getCells().flatMap((cell) => cell.outputs.flatMap((output) => output.items))),
      });
      if (!decision.allowed) throw new Error(`${decision.reason}; it was not read`);
      const clip = await this.kernelFor(editor.notebook).worker.request('notebookClip', { file: decision.file }, { timeoutMs: 60_000 });
      reply = { type: 'clip', requestId: request.requestId, ...clip };
    } catch (error) {
      reply = { type: 'error', requestId: request.requestId, message: error instanceof Error ? error.message : String(error) };
    }
    await this.messaging.postMessage(reply, editor);
  }
}

/** Turns a cell's events into outputs: consecutive console text joins one output; displays can be replaced by id. */
class OutputStream {
  private queue: Promise<unknown> = Promise.resolve();
  private textOutput: { stream: 'stdout' | 'stderr'; output: vscode.NotebookCellOutput; text: string } | undefined;
  private readonly displays = new Map<string, vscode.NotebookCellOutput>();

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  /** Queues an event (outputs are appended in order). */
  push(event: CellEvent): void {
    this.queue = this.queue.then(() => this.apply(event)).catch(() => undefined);
  }

  /** Queues console text. */
  text(stream: 'stdout' | 'stderr', text: string): Promise<unknown> {
    this.push({ type: stream, text });
    return this.flush();
  }

  /** Resolves when every queued event has been applied. */
  flush(): Promise<unknown> {
    return this.queue;
  }

  private async apply(event: CellEvent): Promise<void> {
    const execution = this.execution;
    if (event.type === 'stdout' || event.type === 'stderr') {
      const make = (text: string) => (event.type === 'stdout' ? vscode.NotebookCellOutputItem.stdout(text) : vscode.NotebookCellOutputItem.stderr(text));
      if (this.textOutput?.stream === event.type) {
        this.textOutput.text += event.text;
        await execution.replaceOutputItems(make(this.textOutput.text), this.textOutput.output);
      } else {
        const output = new vscode.NotebookCellOutput([make(event.text)]);
        this.textOutput = { stream: event.type, output, text: event.text };
        await execution.appendOutput(output);
      }
      return;
    }
    const rich = event as Extract<CellEvent, { items: unknown }>;
    const items = rich.items.map(outputItem);
    const existing = rich.type === 'update' ? this.displays.get(rich.id) : undefined;
    if (existing) {
      await execution.replaceOutputItems(items, existing);
      return;
    }
    const output = new vscode.NotebookCellOutput(items);
    if (rich.id) this.displays.set(rich.id, output);
    this.textOutput = undefined;
    await execution.appendOutput(output);
  }
}
