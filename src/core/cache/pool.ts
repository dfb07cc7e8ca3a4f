import { Worker } from 'node:worker_threads';
import { findBuiltFile } from '../builtFile';
import { runPreprocessJob, type PreprocessJob, type PreprocessJobResult } from './job';

const THREAD_SCRIPT = 'preprocess-thread.js';

/** Finds the built thread script (see {@link findBuiltFile}). */
export function findThreadScript(): string | undefined {
  return findBuiltFile(THREAD_SCRIPT);
}

/** Runs preprocessing jobs on worker threads (or in this thread when `threads` is 0), at most one per thread at a time. */
export class JobPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly callbacks = new Map<number, (result: PreprocessJobResult) => void>();
  private readonly waiting: (() => void)[] = [];
  private seq = 0;
  private failure: Error | undefined;
  private closing = false;

  /** @param threads number of threads; 0 runs jobs synchronously in the calling thread. */
  constructor(readonly threads: number) {
    if (threads === 0) return;
    const script = findThreadScript();
    if (!script) throw new Error(`${THREAD_SCRIPT} not found next to the bundle or in dist/ (run "npm run build")`);
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(script);
      worker.on('message', (message: { seq: number; result: PreprocessJobResult }) => {
        const done = this.callbacks.get(message.seq);
        this.callbacks.delete(message.seq);
        this.release(worker);
        done?.(message.result);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.failure && !this.closing) this.fail(new Error(`a preprocessing thread exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Runs one job; resolves with its result when a thread has finished it. */
  async run(job: PreprocessJob): Promise<PreprocessJobResult> {
    if (this.threads === 0) return runPreprocessJob(job);
    const worker = await this.acquire();
    if (this.failure) throw this.failure;
    const seq = this.seq++;
    return new Promise((resolve) => {
      this.callbacks.set(seq, resolve);
      worker.postMessage({ seq, job });
    });
  }

  /** Number of jobs running now. */
  get busy(): number {
    return this.callbacks.size;
  }

  /** Stops every thread (running jobs are abandoned; their entries are never half-written thanks to atomic writes). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.workers.length = 0;
  }

  private async acquire(): Promise<Worker> {
    while (this.idle.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return this.idle.pop()!;
  }

  private release(worker: Worker): void {
    this.idle.push(worker);
    this.waiting.shift()?.();
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const [, done] of this.callbacks) done({ ok: false, problem: `preprocessing thread failed: ${error.message}` });
    this.callbacks.clear();
    while (this.waiting.length) this.waiting.shift()!();
  }
}
