import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendName } from '../core/tf/choices';
import type { EventOf, RequestOptions } from '../shared/rpc';
import type { WorkerMethods } from '../shared/workerProtocol';
import { WorkerClient } from '../worker/client';
import { Disposable } from './dispose';
import { readSettings } from './settings';

/** Where "Install Native TensorFlow Backend" puts tfjs-node: the worker resolves modules from here too. */
export function nativeBackendFolder(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'native-backend');
}

/**
 * The extension's handle on the worker process (dist/worker.js, which owns TensorFlow.js): started on the first
 * request, restarted with new memory settings on the next one, stopped with the extension.
 */
export class LabWorker extends Disposable {
  private client: WorkerClient | undefined;
  private memoryMB = 0;
  private readonly backendChanged = this._register(new vscode.EventEmitter<BackendName>());
  /** Fires when a job reports which TensorFlow.js backend it runs on. */
  readonly onDidReportBackend = this.backendChanged.event;
  private lastBackend: BackendName | undefined;
  private lastDevice: string | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.client?.dispose() });
  }

  /** The backend the worker reported last, if any job ran. */
  get backend(): BackendName | undefined {
    return this.lastBackend;
  }

  /** The GPU of the backend reported last, when it said (webgpu's adapter). */
  get device(): string | undefined {
    return this.lastDevice;
  }

  /** Records the backend a job reported (training start, evaluation, classification), and its GPU when known. */
  reportBackend(name: BackendName, device?: string): void {
    if (name !== this.lastBackend) this.lastDevice = undefined;
    this.lastBackend = name;
    if (device) this.lastDevice = device;
    this.backendChanged.fire(name);
  }

  /** Calls a worker method, starting the worker if needed. */
  request<K extends keyof WorkerMethods & string>(
    method: K,
    params: WorkerMethods[K]['params'],
    options?: RequestOptions<EventOf<WorkerMethods[K]>>,
  ): Promise<WorkerMethods[K]['result']> {
    return this.ensureClient().request(method, params, options);
  }

  /** Stops the worker process (a job in it fails); the next request starts a new one. */
  restart(): void {
    this.client?.dispose();
    this.client = undefined;
  }

  private ensureClient(): WorkerClient {
    const memoryMB = readSettings().workerMemoryMB;
    if (this.client && memoryMB === this.memoryMB) return this.client;
    this.client?.dispose();
    this.memoryMB = memoryMB;
    const native = nativeBackendFolder(this.context);
    this.client = new WorkerClient({
      script: this.context.asAbsolutePath(path.join('dist', 'worker.js')),
      memoryMB: memoryMB > 0 ? memoryMB : undefined,
      timeoutMs: 60_000,
      env: fs.existsSync(path.join(native, 'node_modules')) ? { VOICE_EMOTION_NATIVE_MODULES: native } : undefined,
      onLog: (line) => this.log.appendLine(`[worker] ${line}`),
    });
    return this.client;
  }
}
