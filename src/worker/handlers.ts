import { fileFeatures, toBinsMajor } from '../core/audio';
import { CancelledError, type Handlers } from '../shared/rpc';
import type { WorkerMethods } from '../shared/workerProtocol';

/** The worker's method implementations. */
export const workerHandlers: Handlers<WorkerMethods> = {
  ping: () => ({ pid: process.pid, node: process.version, rssBytes: process.memoryUsage().rss }),

  features: ({ file, kind, config, full }) => {
    const result = fileFeatures(file, kind, config ?? {}, { full });
    return {
      kind,
      sampleRate: result.config.sampleRate,
      hopLength: result.config.hopLength,
      shape: [result.matrix.bins, result.matrix.frames],
      data: toBinsMajor(result.matrix),
    };
  },

  sleep: ({ ms }, { signal, emit }) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = setInterval(() => emit({ elapsedMs: Date.now() - started }), 10);
      const done = setTimeout(() => {
        clearInterval(tick);
        resolve({ sleptMs: Date.now() - started });
      }, ms);
      signal.addEventListener('abort', () => {
        clearInterval(tick);
        clearTimeout(done);
        reject(new CancelledError());
      });
    }),
};
