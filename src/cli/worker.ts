import * as path from 'node:path';
import { WorkerClient } from '../worker/client';

/** A worker client for CLI commands: dist/worker.js beside the CLI bundle, no request time-out, stderr passed on. */
export function cliWorker(): WorkerClient {
  return new WorkerClient({
    script: path.join(__dirname, 'worker.js'),
    timeoutMs: 0,
    onLog: (line) => {
      if (!/^\s*$/.test(line)) process.stderr.write(`worker: ${line}\n`);
    },
  });
}

/** Runs `work` with a worker that is stopped afterwards, and an AbortSignal that Ctrl+C triggers. */
export async function withWorker<T>(work: (worker: WorkerClient, signal: AbortSignal) => Promise<T>): Promise<T> {
  const worker = cliWorker();
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await work(worker, controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
    worker.dispose();
  }
}
