import type { FeatureConfig, FeatureKind } from '../core/audio/config';
import type { FeatureMatrixJson } from './mime';

/** Methods the worker process serves to the extension host, the CLI and the notebook kernel. */
export interface WorkerMethods {
  /** Liveness and identity of the worker. */
  ping: {
    params: Record<string, never>;
    result: { pid: number; node: string; rssBytes: number };
  };
  /** Features of one WAV file (see core `fileFeatures`). */
  features: {
    params: { file: string; kind: FeatureKind; config?: Partial<FeatureConfig>; full?: boolean };
    result: FeatureMatrixJson;
  };
  /** Test aid: waits `ms` milliseconds (emitting progress each 10 ms) unless cancelled. */
  sleep: {
    params: { ms: number };
    result: { sleptMs: number };
    event: { elapsedMs: number };
  };
}

/** The host serves nothing to the worker yet. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HostMethods {}
