/** The typed request/response protocol, in-process and over a real worker child process (dist/worker.js). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { generateDemoCorpus } from '../../src/core/synth/corpus';
import { CancelledError, RemoteError, RpcEndpoint, TimeoutError, type RpcMessage, type Transport } from '../../src/shared/rpc';
import { probeWebGpu } from '../../src/core/tf/webgpu';
import { WorkerClient } from '../../src/worker/client';
import { ROOT, sine, tempDir } from '../helpers';

interface PairMethods {
  add: { params: { a: number; b: number }; result: number };
  fail: { params: { file: string }; result: never };
  count: { params: { to: number }; result: number; event: number };
  hang: { params: Record<string, never>; result: never };
}

/** Two endpoints joined by an asynchronous in-memory channel (structured clone, like IPC). */
function pair() {
  const listeners: [((m: unknown) => void)[], ((m: unknown) => void)[]] = [[], []];
  const transport = (side: 0 | 1): Transport => ({
    send: (message: RpcMessage) => {
      const copy = structuredClone(message);
      setImmediate(() => listeners[1 - side].forEach((l) => l(copy)));
    },
    onMessage: (listener) => {
      listeners[side].push(listener);
      return () => listeners[side].splice(listeners[side].indexOf(listener), 1);
    },
  });
  let hangAborted = false;
  const server = new RpcEndpoint<PairMethods, Record<string, never>>(transport(0), {
    add: ({ a, b }) => a + b,
    fail: ({ file }) => {
      throw Object.assign(new Error(`${file}: broken`), { file, problem: 'broken' });
    },
    count: async ({ to }, { emit }) => {
      for (let i = 1; i <= to; i++) emit(i);
      return to;
    },
    hang: (_params, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          hangAborted = true;
          reject(new CancelledError());
        });
      }),
  });
  const client = new RpcEndpoint<Record<string, never>, PairMethods>(transport(1), {}, 200);
  return { server, client, wasHangAborted: () => hangAborted, inject: (raw: unknown) => listeners[0].forEach((l) => l(raw)) };
}

describe('RpcEndpoint', () => {
  it('answers requests and streams events in order', async () => {
    const { client } = pair();
    assert.equal(await client.request('add', { a: 2, b: 3 }), 5);
    const events: number[] = [];
    assert.equal(await client.request('count', { to: 5 }, { onEvent: (e) => events.push(e) }), 5);
    assert.deepEqual(events, [1, 2, 3, 4, 5]);
  });

  it('carries handler errors back with the file involved', async () => {
    const { client } = pair();
    await assert.rejects(client.request('fail', { file: 'x.wav' }), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.file, 'x.wav');
      assert.equal(error.problem, 'broken');
      return true;
    });
  });

  it('times out, and tells the handler to stop', async () => {
    const { client, wasHangAborted } = pair();
    await assert.rejects(client.request('hang', {}, { timeoutMs: 50 }), TimeoutError);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(wasHangAborted());
    assert.equal(client.pendingCount, 0);
  });

  it('cancels through an AbortSignal', async () => {
    const { client, wasHangAborted } = pair();
    const controller = new AbortController();
    const request = client.request('hang', {}, { signal: controller.signal, timeoutMs: 0 });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(request, CancelledError);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(wasHangAborted());
  });

  it('answers unknown methods and ignores malformed messages', async () => {
    const { client, inject } = pair();
    inject({ nonsense: true });
    inject(null);
    inject({ kind: 'request', id: 'x' });
    await assert.rejects((client as unknown as RpcEndpoint<never, { nope: { params: null; result: null } }>).request('nope', null), /unknown method "nope"/);
    await assert.rejects(
      (client as unknown as RpcEndpoint<never, { toString: { params: null; result: null } }>).request('toString', null),
      /unknown method/,
    );
  });

  it('close() rejects pending requests with the reason', async () => {
    const { client } = pair();
    const request = client.request('hang', {}, { timeoutMs: 0 });
    client.close(new Error('worker died'));
    await assert.rejects(request, /worker died/);
    await assert.rejects(client.request('add', { a: 1, b: 1 }), /worker died/);
  });
});

describe('WorkerClient with the real worker process', () => {
  const script = path.join(ROOT, 'dist', 'worker.js');
  const client = new WorkerClient({ script, timeoutMs: 20_000 });
  after(() => client.dispose());
  const dir = tempDir();

  it('starts lazily and answers ping from another process', async () => {
    assert.ok(fs.existsSync(script), 'dist/worker.js is built');
    assert.equal(client.pid, undefined);
    const pong = await client.request('ping', {});
    assert.notEqual(pong.pid, process.pid);
    assert.equal(pong.pid, client.pid);
  });

  it('computes features of a file', async () => {
    const file = path.join(dir, 'tone.wav');
    fs.writeFileSync(file, encodeWav(sine(1000, 48000, 1), 48000));
    const matrix = await client.request('features', { file, kind: 'mfcc' });
    assert.deepEqual(matrix.shape, [40, 188]);
    assert.equal(matrix.data.length, 40);
  });

  it('gives a file\'s waveform envelope and full-length features with their frequency range', async () => {
    const file = path.join(dir, 'long-tone.wav');
    fs.writeFileSync(file, encodeWav(sine(440, 16000, 5, 0.5), 16000));
    const view = await client.request('spectrogram', { file, kind: 'logmel', points: 1000 });
    assert.equal(view.name, 'long-tone.wav');
    assert.equal(view.waveform.durationSeconds, 5);
    assert.equal(view.waveform.samplesPerPoint, 80);
    assert.equal(view.waveform.min.length, 1000);
    assert.ok(Math.abs(Math.max(...view.waveform.max) - 0.5) < 0.01 && Math.abs(Math.min(...view.waveform.min) + 0.5) < 0.01);
    assert.deepEqual(view.matrix.shape, [128, 1 + Math.floor((5 * 16000) / 256)]);
    assert.deepEqual([view.fMin, view.fMax, view.nMels], [0, 8000, 128]);
    const mfcc = await client.request('spectrogram', { file, kind: 'mfcc' });
    assert.equal(mfcc.matrix.shape[0], 40);
    assert.equal(mfcc.fMin, undefined);
  });

  it('preprocesses a dataset with progress, augmented copies, and a bad file skipped with its reason', async () => {
    const data = path.join(dir, 'corpus');
    generateDemoCorpus(data, { actors: 2, seed: 3 });
    const bad = path.join(data, 'Actor_01', '03-01-05-01-01-01-01.wav');
    fs.writeFileSync(bad, 'not audio');
    const progress: number[] = [];
    const report = await client.request(
      'preprocess',
      { dataDir: data, cacheDir: path.join(dir, 'cache'), augment: 'light', copies: 1 },
      { onEvent: (p) => progress.push(p.done), timeoutMs: 0 },
    );
    assert.equal(report.files, 120);
    assert.equal(report.computed, 119);
    assert.equal(report.copies, 1);
    assert.equal(report.skipped.length, 1);
    assert.equal(report.skipped[0].path, bad);
    assert.match(report.skipped[0].problem, /too short to be a WAV file/);
    assert.ok(progress.length > 0 && progress.every((done, i) => done <= 120 && (i === 0 || done >= progress[i - 1])), 'progress rises to at most 120');
  });

  it('reports a bad file as an error naming it', async () => {
    const file = path.join(dir, 'empty.wav');
    fs.writeFileSync(file, '');
    await assert.rejects(client.request('features', { file, kind: 'logmel' }), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.file, file);
      assert.match(error.message, /empty/);
      return true;
    });
  });

  it('checks a backend with one training step, and says why one cannot run', async () => {
    const check = await client.request('backendCheck', { choice: 'wasm' });
    assert.equal(check.name, 'wasm');
    assert.ok(Number.isFinite(check.loss) && check.loss > 0, `loss ${check.loss}`);
    const probe = probeWebGpu();
    if ('problem' in probe) {
      // A second worker: the first keeps its backend.
      const other = new WorkerClient({ script, timeoutMs: 60_000 });
      try {
        await assert.rejects(other.request('backendCheck', { choice: 'webgpu' }), (error: Error) => error.message.includes(`webgpu: ${probe.problem}`));
      } finally {
        other.dispose();
      }
    }
  });

  it('cancels a running job and keeps the worker alive', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const job = client.request('sleep', { ms: 5000 }, { signal: controller.signal, onEvent: (e) => progress.push(e.elapsedMs) });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(job, CancelledError);
    assert.ok(progress.length > 0, 'progress events arrived');
    assert.ok((await client.request('ping', {})).pid > 0);
  });

  it('a killed worker fails the pending request with an error, and the next request starts a fresh one', async () => {
    const first = client.pid!;
    const job = client.request('sleep', { ms: 10_000 });
    process.kill(first, 'SIGKILL');
    await assert.rejects(job, /worker process was killed \(SIGKILL\)/);
    const pong = await client.request('ping', {});
    assert.notEqual(pong.pid, first);
  });
});
