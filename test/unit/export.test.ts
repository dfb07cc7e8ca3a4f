/**
 * Export for the browser: the exported folder (files, hashes, refusals), the CLI command, and the folder's page in
 * Chromium classifying clips exactly as Node does.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { resolveFeatureConfig } from '../../src/core/audio/config';
import { computeFeatures } from '../../src/core/audio/features';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { loadBundle, type ModelBundle } from '../../src/core/bundle/bundle';
import { EXPORT_FILES, exportBundle } from '../../src/core/bundle/export';
import { FileError } from '../../src/core/errors';
import { classifyFile, type Classification } from '../../src/core/infer/classify';
import { buildModel } from '../../src/core/models';
import { synthesizeVoice } from '../../src/core/synth/voice';
import { initBackend } from '../../src/core/tf/backend';
import { lockModelFolder } from '../../src/core/train/lock';
import { runCli, tempDir } from '../helpers';
import { saveTestBundle } from '../helpers/bundles';

const LABELS = ['neutral', 'happy', 'sad', 'angry'];
const CONFIG = resolveFeatureConfig({ nMels: 32, clipSeconds: 1 });
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const OPT_OUT = 'VOICE_EMOTION_SKIP_E2E';

const root = tempDir('voice-emotion-export-');
const modelDir = path.join(root, 'model');
/** Short clip: 22.05 kHz stereo (resampled and mixed down). Long clip: 3.6 s at 16 kHz (a timeline of windows). */
const shortClip = path.join(root, 'short-22k-stereo.wav');
const longClip = path.join(root, 'long-16k.wav');

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function interleave(left: Float32Array, right: Float32Array): Float32Array {
  const out = new Float32Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i];
    out[2 * i + 1] = right[i];
  }
  return out;
}

/** Names in `dir` that an export in progress would use (`.<name>.export-…`, `.<name>.replaced-…`). */
function stagingLeftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => /^\..+\.(export|replaced)-\w+$/.test(name));
}

/**
 * A seeded cnn-bn with its logits scaled down: its probabilities stay well inside (0, 1) and change from window to
 * window, so any difference in decoding, features or normalisation shows in the comparisons.
 */
async function writeModel(): Promise<void> {
  const [bins, frames] = [CONFIG.nMels, computeFeatures(new Float32Array(CONFIG.sampleRate), 'logmel', CONFIG).frames];
  const model = buildModel('cnn-bn', { inputShape: [bins, frames, 1], numClasses: LABELS.length, seed: 5 });
  const logits = model.getLayer('logits');
  logits.setWeights(tf.tidy(() => logits.getWeights().map((w) => w.mul(0.3))));
  await saveTestBundle(modelDir, model, { arch: 'cnn-bn', labels: LABELS, config: CONFIG, inputShape: [bins, frames, 1], purpose: 'export test', datasetRoot: '/data' });
  model.dispose();
}

describe('exportBundle', () => {
  let source: ModelBundle;
  before(async () => {
    await initBackend('cpu');
    await writeModel();
    source = await loadBundle(modelDir);
    const voice = synthesizeVoice({ sampleRate: 22050, durationSeconds: 1.2, f0Hz: 180, vowels: 'aeiou', seed: 2 });
    fs.writeFileSync(shortClip, encodeWav(interleave(voice, voice.map((v) => v * 0.5)), 22050, { channels: 2 }));
    const long = new Float32Array(Math.round(3.6 * 16000));
    long.set(synthesizeVoice({ sampleRate: 16000, durationSeconds: 1.5, f0Hz: 220, brightness: 0.6, seed: 3 }), 1000);
    long.set(synthesizeVoice({ sampleRate: 16000, durationSeconds: 1.2, f0Hz: 100, brightness: -0.6, vowels: 'ou', seed: 4 }), 2.2 * 16000);
    fs.writeFileSync(longClip, encodeWav(long, 16000));
  });
  after(() => source?.model.dispose());

  it('writes the model files unchanged, the runtime, tf.min.js, a page and a README, as a loadable bundle', async () => {
    const outDir = path.join(root, 'web');
    const result = exportBundle(modelDir, outDir);
    assert.equal(result.outDir, outDir);
    assert.deepEqual(result.files, [...EXPORT_FILES].sort());
    assert.deepEqual(fs.readdirSync(outDir).sort(), [...EXPORT_FILES].sort());
    for (const name of ['model.json', 'weights.bin', 'emotion.json']) assert.ok(fs.readFileSync(path.join(outDir, name)).equals(fs.readFileSync(path.join(modelDir, name))), name);
    const meta = JSON.parse(fs.readFileSync(path.join(outDir, 'emotion.json'), 'utf8'));
    assert.equal(sha256(path.join(outDir, 'model.json')), meta.hashes.model);
    assert.equal(sha256(path.join(outDir, 'weights.bin')), meta.hashes.weights);
    const tfjs = fs.readFileSync(require.resolve('@tensorflow/tfjs/dist/tf.min.js'), 'utf8');
    assert.equal(fs.readFileSync(path.join(outDir, 'tf.min.js'), 'utf8'), tfjs.slice(0, tfjs.lastIndexOf('//# sourceMappingURL=')));
    const runtime = fs.readFileSync(path.join(outDir, 'voice-emotion.js'), 'utf8');
    assert.match(runtime, /var VoiceEmotion\b/);
    assert.doesNotMatch(runtime, /sourceMappingURL/, 'no link to a source map the folder lacks');
    const readme = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
    for (const label of LABELS) assert.ok(readme.includes(`\`${label}\``), label);
    assert.match(readme, /logmel \(32 mel bands\), 16000 Hz, 1-s clips/);
    assert.match(readme, /python3 -m http\.server/);
    assert.equal(stagingLeftovers(root).length, 0);

    // The export is itself a model folder: Node classifies with it exactly as with the original.
    const exported = await loadBundle(outDir);
    try {
      assert.deepEqual(classifyFile(exported, shortClip).probabilities, classifyFile(source, shortClip).probabilities);
    } finally {
      exported.model.dispose();
    }
  });

  it("index.html allows only its own folder and its inline script and style, by hash", () => {
    const outDir = path.join(root, 'web-csp');
    exportBundle(modelDir, outDir);
    const html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'the page has a CSP');
    assert.match(csp, /default-src 'none'/);
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
    assert.equal(scripts.length, 2, 'a prelude before tf.min.js and the page script');
    assert.ok(csp.includes(`script-src 'self' 'wasm-unsafe-eval' ${scripts.map(hash).join(' ')};`), csp);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    assert.ok(csp.includes(`style-src ${hash(style)};`), csp);
    assert.doesNotMatch(html, /https?:\/\//, 'nothing is loaded from the network');
  });

  it('refuses a non-empty folder, replaces only an earlier export with force, and never leaves a partial folder', () => {
    const occupied = path.join(root, 'occupied');
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, 'notes.txt'), 'mine');
    assert.throws(() => exportBundle(modelDir, occupied), (error: unknown) => error instanceof FileError && error.file === occupied && /is not empty/.test(error.problem));
    assert.throws(() => exportBundle(modelDir, occupied, { force: true }), (error: unknown) => error instanceof FileError && /not an earlier export/.test(error.problem));
    assert.deepEqual(fs.readdirSync(occupied), ['notes.txt']);

    // An earlier export replaced with force; one the user added files to (a site's CNAME, a .git folder) is refused,
    // naming them, and keeps every file.
    const earlier = path.join(root, 'earlier');
    exportBundle(modelDir, earlier);
    const before = sha256(path.join(earlier, 'index.html'));
    exportBundle(modelDir, earlier, { force: true });
    assert.deepEqual(fs.readdirSync(earlier).sort(), [...EXPORT_FILES].sort());
    assert.equal(sha256(path.join(earlier, 'index.html')), before);
    fs.writeFileSync(path.join(earlier, 'CNAME'), 'emotion.example.org');
    fs.mkdirSync(path.join(earlier, '.git'));
    fs.writeFileSync(path.join(earlier, '.git', 'HEAD'), 'ref: refs/heads/main');
    assert.throws(() => exportBundle(modelDir, earlier), /is not empty/);
    assert.throws(
      () => exportBundle(modelDir, earlier, { force: true }),
      (error: unknown) => error instanceof FileError && error.file === earlier && /holds \.git, CNAME besides an earlier export; replacing it would delete them/.test(error.problem),
    );
    assert.deepEqual(fs.readdirSync(earlier).sort(), ['.git', 'CNAME', ...EXPORT_FILES].sort(), 'a refused export changes nothing');
    assert.equal(fs.readFileSync(path.join(earlier, '.git', 'HEAD'), 'utf8'), 'ref: refs/heads/main');
    fs.rmSync(path.join(earlier, '.git'), { recursive: true });
    fs.rmSync(path.join(earlier, 'CNAME'));
    exportBundle(modelDir, earlier, { force: true });
    assert.deepEqual(fs.readdirSync(earlier).sort(), [...EXPORT_FILES].sort());

    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    exportBundle(modelDir, empty);
    assert.deepEqual(fs.readdirSync(empty).sort(), [...EXPORT_FILES].sort());

    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    assert.throws(() => exportBundle(modelDir, file), /exists and is not a folder/);
    for (const target of [modelDir, root]) {
      assert.throws(
        () => exportBundle(modelDir, target, { force: true }),
        (error: unknown) => error instanceof FileError && error.file === target && /is the model folder or a folder containing it/.test(error.problem),
      );
    }
    assert.equal(stagingLeftovers(root).length, 0);
  });

  it('refuses a model folder a training run is writing, naming the run', () => {
    const lock = lockModelFolder(modelDir);
    try {
      const outDir = path.join(root, 'web-locked');
      assert.throws(
        () => exportBundle(modelDir, outDir),
        (error: unknown) => error instanceof FileError && error.file === modelDir && new RegExp(`is being written by a training run \\(pid ${process.pid}, started `).test(error.problem),
      );
      assert.equal(fs.existsSync(outDir), false);
    } finally {
      lock.release();
    }
    assert.equal(fs.existsSync(path.join(modelDir, '.lock')), false);
  });

  it('writes a README for a model whose emotion.json lacks metrics, split, dataset and creation time', () => {
    const bare = path.join(root, 'bare-model');
    fs.cpSync(modelDir, bare, { recursive: true });
    const file = path.join(bare, 'emotion.json');
    const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const key of ['metrics', 'split', 'dataset', 'createdAt']) delete meta[key];
    fs.writeFileSync(file, JSON.stringify(meta));
    const outDir = path.join(root, 'web-bare');
    exportBundle(bare, outDir);
    const readme = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
    assert.match(readme, /^\| Split \| – \|$/m);
    assert.match(readme, /^\| Trained \| – \|$/m);
    assert.match(readme, /emotion\.json holds no evaluation metrics for this model/);
    assert.doesNotMatch(readme.replaceAll('regeneratorRuntime = undefined', ''), /undefined|NaN/);
    assert.ok(fs.readFileSync(path.join(outDir, 'emotion.json')).equals(fs.readFileSync(file)), 'emotion.json exported as it is');
  });

  it('refuses a model whose files do not match emotion.json, and a folder that is no model', () => {
    const tampered = path.join(root, 'tampered');
    fs.cpSync(modelDir, tampered, { recursive: true });
    const weights = fs.readFileSync(path.join(tampered, 'weights.bin'));
    weights[weights.length - 1] ^= 0x40;
    fs.writeFileSync(path.join(tampered, 'weights.bin'), weights);
    const outDir = path.join(root, 'web-tampered');
    assert.throws(() => exportBundle(tampered, outDir), (error: unknown) => error instanceof FileError && error.file === tampered && /do not match emotion\.json/.test(error.problem));
    assert.throws(() => exportBundle(path.join(root, 'occupied'), outDir), /no emotion\.json/);
    assert.equal(fs.existsSync(outDir), false);
    assert.equal(stagingLeftovers(root).length, 0);
  });

  it('voice-emotion export: --json result, refusal of a non-empty folder (exit 1), --force, usage errors (exit 2)', () => {
    const outDir = path.join(root, 'cli-web');
    const first = runCli(['export', modelDir, '--out', outDir, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { outDir, files: [...EXPORT_FILES].sort() });
    assert.equal(sha256(path.join(outDir, 'weights.bin')), sha256(path.join(modelDir, 'weights.bin')));
    const again = runCli(['export', modelDir, '--out', outDir]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr.trim(), `error: ${outDir}: is not empty; choose a new or empty folder, or replace an earlier export with --force`);
    const forced = runCli(['export', modelDir, '--out', outDir, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /http-server/);
    assert.equal(runCli(['export', modelDir]).code, 2);
    const notModel = runCli(['export', root, '--out', path.join(root, 'cli-none')]);
    assert.equal(notModel.code, 1);
    assert.match(notModel.stderr, /is not a trained model folder/);
    const inside = runCli(['export', modelDir, '--out', root, '--force']);
    assert.equal(inside.code, 1);
    assert.equal(inside.stderr.trim(), `error: ${root}: is the model folder or a folder containing it (${modelDir}); export into a folder outside the model`);
  });

  describe('in Chromium', () => {
    const skip = fs.existsSync(CHROMIUM) ? undefined : process.env[OPT_OUT] === '1' ? `Chromium not found at ${CHROMIUM} (${OPT_OUT}=1)` : undefined;
    let browser: Browser | undefined;
    let server: http.Server | undefined;
    let origin = '';
    const served: string[] = [];
    const blocked: string[] = [];
    const outDir = path.join(root, 'browser-web');

    before(async () => {
      if (skip) return;
      if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium), point E2E_CHROMIUM at it, or set ${OPT_OUT}=1 to skip`);
      exportBundle(modelDir, outDir);
      server = http.createServer((request, response) => {
        const name = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
        served.push(name);
        const file = path.join(outDir, name);
        if (!(EXPORT_FILES as readonly string[]).includes(name) || !fs.existsSync(file)) {
          response.writeHead(404).end();
          return;
        }
        const type = name.endsWith('.html') ? 'text/html' : name.endsWith('.js') ? 'text/javascript' : name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
        response.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'] });
    });
    after(async () => {
      await browser?.close();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });

    async function openPage() {
      const page = await browser!.newPage();
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${origin}/`)) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      // tsx compiles the functions given to page.evaluate keeping their names with a helper, __name, that the page lacks.
      await page.addInitScript('globalThis.__name = (target) => target;');
      await page.addInitScript(() => {
        const violations: string[] = [];
        (window as unknown as { cspViolations: string[] }).cspViolations = violations;
        document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective} ${event.blockedURI}`));
      });
      await page.goto(`${origin}/index.html`);
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
      assert.equal(await page.getAttribute('body', 'data-state'), 'ready', (await page.textContent('#error')) ?? '');
      return page;
    }

    function assertClose(browserResult: Pick<Classification, 'label' | 'probabilities'>, node: Pick<Classification, 'label' | 'probabilities'>, what: string): void {
      assert.equal(browserResult.label, node.label, what);
      for (const label of LABELS) assert.ok(Math.abs(browserResult.probabilities[label] - node.probabilities[label]) <= 1e-4, `${what} ${label}: ${browserResult.probabilities[label]} vs ${node.probabilities[label]}`);
    }

    it('the runtime classifies WAV bytes like Node: a resampled stereo clip and a long file with a timeline', { skip }, async () => {
      const page = await openPage();
      try {
        for (const [file, what] of [[shortClip, 'short clip'], [longClip, 'long file']] as const) {
          const node = classifyFile(source, file);
          const base64 = fs.readFileSync(file).toString('base64');
          const result = await page.evaluate(async ({ base64, name }) => {
            const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
            const runtime = (window as unknown as { VoiceEmotion: { load(url: string, options: object): Promise<{ classifyWav(b: Uint8Array, n: string): unknown; dispose(): void }> } }).VoiceEmotion;
            const model = await runtime.load('./', { backend: 'cpu' });
            try {
              return model.classifyWav(bytes, name);
            } finally {
              model.dispose();
            }
          }, { base64, name: path.basename(file) });
          const classification = result as Omit<Classification, 'file'>;
          assertClose(classification, node, what);
          assert.ok(Math.abs(classification.durationSeconds - node.durationSeconds) < 1e-9, what);
          assert.equal(classification.timeline?.length, node.timeline?.length, what);
          classification.timeline?.forEach((segment, i) => {
            const expected = node.timeline![i];
            assert.deepEqual([segment.start, segment.end, segment.voiced], [expected.start, expected.end, expected.voiced]);
            assertClose(segment, expected, `${what} window ${i}`);
          });
        }
        assert.ok(classifyFile(source, longClip).timeline!.length >= 3, 'the long file is windowed');
        const errors = await page.evaluate(async () => {
          const runtime = (window as unknown as { VoiceEmotion: { load(url: string, options?: object): Promise<{ classifyWav(b: Uint8Array, n: string): unknown }> } }).VoiceEmotion;
          const model = await runtime.load('./');
          const wav = (() => {
            try {
              model.classifyWav(new TextEncoder().encode('ID3 not a wav file'), 'song.mp3');
              return 'no error';
            } catch (error) {
              return (error as Error).message;
            }
          })();
          const missing = await runtime.load('./missing/').then(() => 'loaded', (error: Error) => error.message);
          // Weights changed on the way (a fetch that flips a bit): the runtime checks them against emotion.json's hash.
          const tampered = await runtime
            .load('./', {
              fetch: async (url: string) => {
                const response = await fetch(url);
                if (!url.endsWith('/weights.bin')) return response;
                const bytes = new Uint8Array(await response.arrayBuffer());
                bytes[bytes.length - 1] ^= 0x40;
                return new Response(bytes);
              },
            })
            .then(() => 'loaded', (error: Error) => error.message);
          return { wav, missing, tampered };
        });
        assert.equal(errors.wav, 'song.mp3: is an MP3 file, not a WAV file');
        assert.match(errors.missing, /missing\/emotion\.json: could not be fetched \(HTTP 404\)/);
        assert.equal(errors.tampered, `${origin}/: model files do not match emotion.json (the export is incomplete or was modified)`);
        assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
      } finally {
        await page.close();
      }
    });

    it('the page classifies a file picked in its file input and shows the label and a bar per emotion', { skip }, async () => {
      const page = await openPage();
      try {
        await page.setInputFiles('#file', shortClip);
        await page.waitForSelector('body[data-state="done"], body[data-state="error"]');
        assert.equal(await page.getAttribute('body', 'data-state'), 'done', (await page.textContent('#error')) ?? '');
        const node = classifyFile(source, shortClip);
        assert.equal(await page.textContent('#label'), node.label);
        const rows = await page.$$eval('#probabilities tr', (trs) => trs.map((tr) => ({ label: (tr as HTMLElement).dataset.label!, value: (tr.querySelector('meter') as HTMLMeterElement).value })));
        assert.deepEqual(rows.map((r) => r.label).sort(), [...LABELS].sort());
        for (const row of rows) assert.ok(Math.abs(row.value - node.probabilities[row.label]) <= 1e-3, `${row.label}: ${row.value} vs ${node.probabilities[row.label]}`);
        assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
      } finally {
        await page.close();
      }
      assert.deepEqual(blocked, [], 'the page asked for nothing outside its folder');
      assert.ok(served.every((name) => (EXPORT_FILES as readonly string[]).includes(name) || name === 'favicon.ico' || name.startsWith('missing/')), served.join(', '));
    });
  });
});
