import { fork, type ChildProcess } from 'node:child_process';
import { RpcEndpoint, type EventOf, type RequestOptions, type RpcMessage } from '../shared/rpc';
import type { HostMethods, WorkerMethods } from '../shared/workerProtocol';

/** Options of {@link WorkerClient}. */
export interface WorkerClientOptions {
  /** Path of the built worker script (dist/worker.js). */
  readonly script: string;
  /** V8 heap limit of the worker in MB (default: Node's own). */
  readonly memoryMB?: number;
  /** Default request time-out in milliseconds (default 30 s; long jobs pass their own). */
  readonly timeoutMs?: number;
  /** Receives the worker's stderr lines (default: dropped). */
  readonly onLog?: (line: string) => void;
  /** Extra environment variables of the worker process (e.g. NODE_PATH for a native backend installed elsewhere). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs in the parent (extension host or CLI): starts the worker process on first use, sends it requests,
 * and reports a worker that dies as an error on every pending request; the next request starts a fresh worker.
 */
export class WorkerClient {
  private child: ChildProcess | undefined;
  private endpoint: RpcEndpoint<HostMethods, WorkerMethods> | undefined;
  private disposed = false;

  constructor(private readonly options: WorkerClientOptions) {}

  /** Calls a worker method. */
  request<K extends keyof WorkerMethods & string>(
    method: K,
    params: WorkerMethods[K]['params'],
    options?: RequestOptions<EventOf<WorkerMethods[K]>>,
  ): Promise<WorkerMethods[K]['result']> {
    if (this.disposed) return Promise.reject(new Error('the worker client is disposed'));
    return this.ensureStarted().request(method, params, options);
  }

  /** Process id of the running worker, if one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Stops the worker (pending requests are rejected); later requests start a new one unless disposed. */
  stop(reason = 'the worker was stopped'): void {
    const child = this.child;
    this.endpoint?.close(new Error(reason));
    this.endpoint = undefined;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  }

  dispose(): void {
    this.disposed = true;
    this.stop('the worker client was disposed');
  }

  private ensureStarted(): RpcEndpoint<HostMethods, WorkerMethods> {
    if (this.endpoint) return this.endpoint;
    const execArgv = this.options.memoryMB ? [`--max-old-space-size=${Math.round(this.options.memoryMB)}`] : [];
    const env = this.options.env ? { ...process.env, ...this.options.env } : process.env;
    const child = fork(this.options.script, [], { execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      if (this.options.onLog) for (const line of chunk.split('\n')) if (line) this.options.onLog(line);
    });
    const endpoint = new RpcEndpoint<HostMethods, WorkerMethods>(
      {
        send: (message: RpcMessage) => {
          if (!child.connected) throw new Error('the worker process is not running');
          child.send(message);
        },
        onMessage: (listener) => {
          child.on('message', listener);
          return () => child.off('message', listener);
        },
      },
      {},
      this.options.timeoutMs ?? 30_000,
    );
    const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const oom = /heap out of memory|Allocation failed/i.test(stderrTail) ? ' after running out of memory' : '';
      endpoint.close(new Error(`the worker process ${how}${oom}`));
      if (this.child === child) {
        this.child = undefined;
        this.endpoint = undefined;
      }
    };
    child.once('exit', onGone);
    child.once('error', (error) => {
      endpoint.close(new Error(`the worker process failed: ${error.message}`));
      if (this.child === child) {
        this.child = undefined;
        this.endpoint = undefined;
      }
    });
    this.child = child;
    this.endpoint = endpoint;
    return endpoint;
  }
}
