/** The notebook kernel in-process: cell transform, persistence, outputs, errors with cell lines, interrupt, and `emo`. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { MIME, type AudioJson } from '../../src/shared/mime';
import type { DashboardRun, SpectrogramView } from '../../src/shared/panelProtocol';
import type { CellEvent, CellOutputItem } from '../../src/shared/workerProtocol';
import { NotebookKernel, type CellResult } from '../../src/worker/notebook/kernel';
import { compileCell } from '../../src/worker/notebook/transform';
import { workerHandlers } from '../../src/worker/handlers';
import { sine, tempDir } from '../helpers';

/** Runs one cell; `onEvent` may abort it through the controller it is given. */
async function run(
  kernel: NotebookKernel,
  code: string,
  options: { label?: string; language?: 'typescript' | 'javascript'; onEvent?: (event: CellEvent, controller: AbortController) => void } = {},
): Promise<{ result: CellResult; events: CellEvent[] }> {
  const events: CellEvent[] = [];
  const controller = new AbortController();
  const result = await kernel.execute({ code, language: options.language ?? 'typescript', cellLabel: options.label ?? 'cell 1' }, controller.signal, (event) => {
    events.push(event);
    options.onEvent?.(event, controller);
  });
  return { result, events };
}

/** The text/plain items of display events. */
function displayedText(events: readonly CellEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'display' ? e.items.filter((i) => i.mime === 'text/plain').map((i) => String(i.data)) : []));
}

function item(items: readonly CellOutputItem[], mime: string): unknown {
  const found = items.find((i) => i.mime === mime);
  assert.ok(found, `no ${mime} item in ${items.map((i) => i.mime).join(', ')}`);
  return found.data;
}

describe('notebook cell transform', () => {
  it('keeps line numbers and turns top-level declarations into context assignments', () => {
    const cell = compileCell('const a = 1;\nlet { b, c: [d] } = { b: 2, c: [3] };\nfunction f() {}\nclass K {}\na + b', 'javascript', 'cell 1');
    assert.deepEqual([...cell.names].sort(), ['K', 'a', 'b', 'd', 'f']);
    assert.equal(cell.code.split('\n').length, 8);
    assert.match(cell.code, /^\(async \(\) => \{ globalThis\["f"\] = f; +a = 1;/);
    assert.match(cell.code, /\(\{ b, c: \[d\] \} = \{ b: 2, c: \[3\] \}\)/);
    assert.match(cell.code, /K = class K \{\s*\};/);
    assert.match(cell.code, /return \(a \+ b\);\n\}\)\(\)$/);
  });
});

describe('notebook kernel', () => {
  const cwd = tempDir();

  it('keeps variables, functions and classes across cells; strips TypeScript; supports top-level await', async () => {
    const kernel = new NotebookKernel(cwd);
    const first = await run(kernel, [
      'interface Point { x: number; y: number }',
      'const origin: Point = { x: 1, y: 2 };',
      'let { x: across }: Point = origin;',
      'enum Mood { Calm, Angry }',
      'const later = twice(4);',
      'function twice(n: number): number { return 2 * n; }',
      'class Counter { count = 0; add(): number { return ++this.count; } }',
      'const slow = await new Promise<number>((resolve) => setTimeout(() => resolve(42), 5));',
    ].join('\n'));
    assert.deepEqual(first.result, { success: true });
    assert.deepEqual(first.events, [], 'a cell ending in a declaration shows nothing');
    const second = await run(kernel, 'const counter = new Counter();\ncounter.add();\nJSON.stringify([origin.y, across, Mood.Angry, later, twice(5), counter.add(), slow])', { label: 'cell 2' });
    assert.deepEqual(second.result, { success: true });
    assert.deepEqual(displayedText(second.events), ['[2,1,1,8,10,2,42]']);
  });

  it('shows the last expression (strings as text, arrays of objects as a table) and nothing for undefined', async () => {
    const kernel = new NotebookKernel(cwd);
    assert.deepEqual(displayedText((await run(kernel, '"hello"')).events), ['hello']);
    assert.deepEqual((await run(kernel, 'undefined')).events, []);
    const table = (await run(kernel, '[{ emotion: "sad", n: 3 }, { emotion: "calm", extra: true }]', { language: 'javascript' })).events[0];
    assert.ok(table.type === 'display');
    assert.deepEqual(item(table.items, MIME.table), { caption: undefined, columns: ['emotion', 'n', 'extra'], rows: [['sad', 3, null], ['calm', null, true]] });
  });

  it('streams console output as stdout and stderr events in order, as it is written', async () => {
    const kernel = new NotebookKernel(cwd);
    const { events } = await run(kernel, 'console.log("one", { a: [1, 2] });\nawait new Promise((r) => setTimeout(r, 5));\nconsole.error("two");\nconsole.info(3);');
    assert.deepEqual(events, [
      { type: 'stdout', text: 'one { a: [ 1, 2 ] }\n' },
      { type: 'stderr', text: 'two\n' },
      { type: 'stdout', text: '3\n' },
    ]);
  });

  it("reports a thrown error at the cell's own line, and keeps working afterwards", async () => {
    const kernel = new NotebookKernel(cwd);
    const failed = await run(kernel, 'type Level = "low" | "high";\nconst level: Level = "high";\nthrow new RangeError(`too ${level}`);\n', { label: 'cell 3' });
    assert.equal(failed.result.success, false);
    assert.equal(failed.result.error?.name, 'RangeError');
    assert.equal(failed.result.error?.message, 'too high');
    assert.match(failed.result.error!.stack, /^RangeError: too high\n {4}at cell 3:3:7$/);

    await run(kernel, 'function explode(): never {\n  throw new Error("deep");\n}', { label: 'cell 4' });
    const nested = await run(kernel, 'const ok: number = 1;\n\nexplode();', { label: 'cell 5' });
    assert.match(nested.result.error!.stack, /at explode \(cell 4:2:9\)\n {4}at cell 5:3:1$/);

    assert.deepEqual(displayedText((await run(kernel, 'ok + 1', { label: 'cell 6' })).events), ['2']);
  });

  it('refuses import with a clear message and reports syntax errors at their line', async () => {
    const kernel = new NotebookKernel(cwd);
    const imported = await run(kernel, 'const a = 1;\nimport * as fs from "node:fs";');
    assert.equal(imported.result.error?.name, 'SyntaxError');
    assert.match(imported.result.error!.message, /use require\(\) in notebook cells/);
    assert.match(imported.result.error!.stack, /at cell 1:2:1$/);
    const broken = await run(kernel, 'const a = 1;\nconst b = ;', { label: 'cell 2' });
    assert.match(broken.result.error!.stack, /^SyntaxError: .*\n {4}at cell 2:2:11$/);
    assert.deepEqual(displayedText((await run(kernel, 'require("node:path").basename("/x/y.wav")', { language: 'javascript' })).events), ['y.wav']);
  });

  it('reports an interrupt of a cell that does not stop by itself', async () => {
    const kernel = new NotebookKernel(cwd, { interruptGraceMs: 50 });
    const pending = run(kernel, 'console.log("waiting");\nawait new Promise(() => {});', { onEvent: (_event, controller) => controller.abort() });
    const { result } = await pending;
    assert.equal(result.error?.name, 'CancelledError');
    assert.deepEqual(displayedText((await run(kernel, '"next"')).events), ['next']);
  });
});

describe('notebook emo API', () => {
  const cwd = tempDir();
  let kernel: NotebookKernel;
  const clip = path.join(cwd, 'tone.wav');

  before(async () => {
    kernel = new NotebookKernel(cwd);
    fs.writeFileSync(clip, encodeWav(sine(440, 16000, 1), 16000));
    const { result } = await run(kernel, 'emo.demoCorpus("corpus", { actors: 4 })');
    assert.deepEqual(result, { success: true });
  });

  it('emo.features shows the spectrogram of a file with the right shape', async () => {
    const { result, events } = await run(kernel, 'emo.features("tone.wav")');
    assert.deepEqual(result, { success: true });
    assert.equal(events.length, 1);
    assert.ok(events[0].type === 'display');
    const view = item(events[0].items, MIME.spectrogram) as SpectrogramView;
    // 1 s at 16 kHz, hop 256, centred frames: 1 + 16000 / 256 → 63 frames of 128 mel bands.
    assert.deepEqual(view.matrix.shape, [128, 63]);
    assert.equal(view.matrix.data.length, 128);
    assert.equal(view.matrix.data[0].length, 63);
    assert.equal(view.waveform.durationSeconds, 1);
    const mfcc = (await run(kernel, 'emo.features("tone.wav", { kind: "mfcc", nMfcc: 20 }).matrix.shape')).events;
    assert.deepEqual(displayedText(mfcc), ['[ 20, 63 ]']);
  });

  it('emo.listen, emo.augment and the notebookClip handler give playable 16-kHz audio', async () => {
    const listened = (await run(kernel, 'emo.listen("tone.wav")')).events[0];
    assert.ok(listened.type === 'display');
    const audio = item(listened.items, MIME.audio) as AudioJson;
    assert.equal(audio.sampleRate, 16000);
    assert.equal(Buffer.from(audio.wavBase64, 'base64').subarray(0, 4).toString(), 'RIFF');
    const augmented = (await run(kernel, 'emo.augment("tone.wav", "gain:db=-6..-6", { seed: 2 })')).events;
    assert.deepEqual(augmented.map((e) => e.type === 'display' && e.items[0].mime), [MIME.audio, MIME.spectrogram]);
    const served = await workerHandlers.notebookClip({ file: clip }, { signal: new AbortController().signal, emit: () => undefined });
    assert.equal(served.audio.name, 'tone.wav');
    assert.deepEqual(served.spectrogram.matrix.shape, [128, 63]);
  });

  it('emo.dataset shows counts per emotion and split', async () => {
    const { events } = await run(kernel, 'const data = emo.dataset("corpus");\ndata');
    assert.ok(events[0].type === 'display');
    const table = item(events[0].items, MIME.table) as { columns: string[]; rows: unknown[][] };
    assert.deepEqual(table.columns, ['emotion', 'train', 'validation', 'test', 'total']);
    assert.deepEqual(table.rows.at(-1), ['all', 120, 60, 60, 240]);
    assert.deepEqual(displayedText((await run(kernel, 'data.items.length')).events), ['240']);
  });

  const fast = 'data: "corpus", arch: "cnn", batchSize: 16, backend: "wasm", features: { clipSeconds: 1, nMels: 32 }';

  it('interrupting emo.train after its first epoch stops it quickly with CancelledError; the next cell runs', async () => {
    let abortedAt = 0;
    const { result, events } = await run(kernel, `await emo.train({ ${fast}, out: "models/stopped", epochs: 5 })`, {
      onEvent: (event, controller) => {
        if (!abortedAt && event.type === 'update' && (item(event.items, MIME.training) as DashboardRun).history.length === 1) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    assert.ok(abortedAt > 0, 'an epoch was reported');
    assert.equal(result.error?.name, 'CancelledError');
    assert.ok(Date.now() - abortedAt < 2000, `stopped ${Date.now() - abortedAt} ms after the interrupt`);
    const last = events.at(-1)!;
    assert.ok(last.type === 'update');
    assert.equal((item(last.items, MIME.training) as DashboardRun).status, 'cancelled');
    assert.deepEqual(displayedText((await run(kernel, '1 + 1')).events), ['2']);
  });

  it('emo.train shows a live run (display, then updates counting epochs from 1) and ends with test metrics', async () => {
    const { result, events } = await run(kernel, `const trained = await emo.train({ ${fast}, out: "models/done", epochs: 2, earlyStopping: 0 });\ntrained`);
    assert.deepEqual(result, { success: true });
    assert.equal(events[0].type, 'display');
    const id = events[0].type === 'display' ? events[0].id : undefined;
    assert.ok(id);
    const runs = events.slice(1).map((e) => {
      assert.ok(e.type === 'update' && e.id === id, `update of ${id}: ${JSON.stringify(e).slice(0, 80)}`);
      return item(e.items, MIME.training) as DashboardRun;
    });
    const epochs = runs.filter((r, i) => r.history.length > (runs[i - 1]?.history.length ?? 0)).map((r) => r.history.at(-1)!.epoch);
    assert.deepEqual(epochs, [1, 2]);
    // When epoch 1 ends, the run shows epoch 1 and its last batch as "batch N of N" (the core counts both from 0).
    const firstEpoch = runs.find((r) => r.history.length === 1)!;
    assert.equal(firstEpoch.epoch, 1);
    assert.ok(firstEpoch.batches && firstEpoch.batch === firstEpoch.batches, `batch ${firstEpoch.batch} of ${firstEpoch.batches}`);
    const final = runs.at(-1)!;
    assert.equal(final.status, 'done');
    assert.ok(final.test && final.test.n > 0, 'test metrics');
    assert.ok(fs.existsSync(path.join(cwd, 'models/done/emotion.json')));
  });

  it('emo.evaluate, emo.classify and emo.explore show metrics, classification rows and explorer points', async () => {
    const evaluated = (await run(kernel, 'await emo.evaluate("models/done", "corpus")')).events[0];
    assert.ok(evaluated.type === 'display');
    assert.equal((item(evaluated.items, MIME.metrics) as { metrics: { n: number } }).metrics.n, 60);
    const classified = (await run(kernel, 'await emo.classify("models/done", ["tone.wav", "missing.wav"])')).events[0];
    assert.ok(classified.type === 'display');
    const rows = item(classified.items, MIME.classification) as { name: string; label?: string; error?: string }[];
    assert.deepEqual(rows.map((r) => [r.name, typeof r.label, typeof r.error]), [['tone.wav', 'string', 'undefined'], ['missing.wav', 'undefined', 'string']]);
    const explored = (await run(kernel, 'await emo.explore("corpus", { limit: 40 })')).events[0];
    assert.ok(explored.type === 'display');
    const explorer = item(explored.items, MIME.explorer) as { axes: string[]; points: { x: number; y: number; file: string }[] };
    assert.equal(explorer.points.length, 40);
    assert.match(explorer.axes[0], /^PC 1 \(\d+% of variance\)$/);
    assert.ok(explorer.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && fs.existsSync(p.file)));
  });
});
