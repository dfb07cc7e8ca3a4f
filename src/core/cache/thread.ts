import { parentPort } from 'node:worker_threads';
import { runPreprocessJob, type PreprocessJob } from './job';

/** Entry of a preprocessing worker thread: runs jobs one at a time and posts each result back. */
parentPort?.on('message', (message: { seq: number; job: PreprocessJob }) => {
  parentPort!.postMessage({ seq: message.seq, result: runPreprocessJob(message.job) });
});
