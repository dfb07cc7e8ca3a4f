import { createHash } from 'node:crypto';
import type { ClassificationMetrics } from '../metrics';
import type { BundleMeta } from './bundle';

/** Text safe inside HTML elements and double-quoted attributes. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text safe inside a Markdown table cell or inline code span: one line, no pipes or backticks. */
function markdownCell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/`/g, "'");
}

/** The CSP source of an inline element's text: 'sha256-<base64>'. */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const PAGE_STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; padding: 2rem; max-width: 46rem; margin-inline: auto; line-height: 1.5; }
.drop { display: block; border: 2px dashed #888; border-radius: 0.5rem; padding: 2rem; text-align: center; }
.drop.over { border-color: #3794ff; background: rgba(55, 148, 255, 0.08); }
table { border-collapse: collapse; width: 100%; }
td { padding: 0.2rem 0.5rem; }
td:first-child { width: 9rem; }
td.percent { text-align: right; font-variant-numeric: tabular-nums; width: 5rem; }
meter { width: 100%; }
#error { color: #d33; }
footer { margin-top: 2rem; font-size: 0.85rem; opacity: 0.75; }
`;

/**
 * Runs before tf.min.js: its bundled regenerator runtime assigns the global `regeneratorRuntime` and, when that
 * assignment fails in strict mode, falls back to `Function(…)`, which the page's CSP (no 'unsafe-eval') blocks.
 */
const PAGE_PRELUDE = 'globalThis.regeneratorRuntime = undefined;';

/** The page's own script: loads the model from its folder, then classifies a picked or dropped WAV file. */
const PAGE_SCRIPT = `
'use strict';
const byId = (id) => document.getElementById(id);
const input = byId('file');
const drop = byId('drop');
let model;

function setState(state, message) {
  document.body.dataset.state = state;
  if (message !== undefined) byId('status').textContent = message;
}

function showError(error) {
  byId('error').hidden = false;
  byId('error').textContent = error instanceof Error ? error.message : String(error);
}

function showResult(name, result) {
  byId('file-name').textContent = name;
  byId('label').textContent = result.label;
  const rows = byId('probabilities').tBodies[0];
  rows.replaceChildren();
  const ranked = Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]);
  for (const [label, probability] of ranked) {
    const row = rows.insertRow();
    row.dataset.label = label;
    row.insertCell().textContent = label;
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = probability;
    row.insertCell().append(meter);
    const percent = row.insertCell();
    percent.className = 'percent';
    percent.textContent = (probability * 100).toFixed(1) + '%';
  }
  const timeline = byId('timeline');
  timeline.replaceChildren();
  for (const segment of result.timeline || []) {
    const item = document.createElement('li');
    item.textContent = segment.start.toFixed(1) + '–' + segment.end.toFixed(1) + ' s: ' + (segment.voiced ? segment.label : '(silence)');
    timeline.append(item);
  }
  byId('timeline-heading').hidden = timeline.childElementCount === 0;
  byId('result').hidden = false;
}

async function classify(file) {
  if (!model || !file) return;
  byId('error').hidden = true;
  setState('busy', 'Classifying ' + file.name + '…');
  try {
    const result = model.classifyWav(new Uint8Array(await file.arrayBuffer()), file.name);
    showResult(file.name, result);
    setState('done', 'Classified ' + file.name + '.');
  } catch (error) {
    showError(error);
    setState('error', 'Could not classify ' + file.name + '.');
  }
}

input.addEventListener('change', () => classify(input.files[0]));
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  classify(event.dataTransfer.files[0]);
});

VoiceEmotion.load('./').then(
  (loaded) => {
    model = loaded;
    input.disabled = false;
    setState('ready', 'Model ready (' + loaded.labels.join(', ') + '; TensorFlow.js backend ' + loaded.backend + '). Pick or drop a WAV file.');
  },
  (error) => {
    showError(error);
    setState('error', 'The model could not be loaded.');
  },
);
`;

/**
 * The exported folder's index.html: pick or drop a WAV file, see the emotion with a probability bar per label (and a
 * timeline for long files). Everything loads from the folder itself; a Content-Security-Policy allows nothing else.
 */
export function exportPageHtml(meta: BundleMeta, name: string): string {
  const csp = [
    "default-src 'none'",
    // 'wasm-unsafe-eval' lets tf.min.js compile its small WebAssembly helpers (64-bit integer maths); no JavaScript
    // string is ever evaluated.
    `script-src 'self' 'wasm-unsafe-eval' ${cspHash(PAGE_PRELUDE)} ${cspHash(PAGE_SCRIPT)}`,
    `style-src ${cspHash(PAGE_STYLE)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `${escapeHtml(name)}: emotion in speech`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${title}</title>
<style>${PAGE_STYLE}</style>
<script>${PAGE_PRELUDE}</script>
<script src="tf.min.js"></script>
<script src="voice-emotion.js"></script>
</head>
<body data-state="loading">
<main>
<h1>${title}</h1>
<p id="status" role="status">Loading the model…</p>
<label id="drop" class="drop">Drop a WAV file here, or choose one: <input id="file" type="file" accept=".wav,.wave,audio/wav,audio/x-wav" disabled></label>
<p id="error" role="alert" hidden></p>
<section id="result" hidden>
<h2><span id="file-name"></span>: <span id="label"></span></h2>
<table id="probabilities"><tbody></tbody></table>
<h3 id="timeline-heading" hidden>Timeline (windows overlapping by half)</h3>
<ol id="timeline"></ol>
</section>
<footer>${escapeHtml(meta.arch)} on ${escapeHtml(meta.feature.kind)} features at ${meta.feature.config.sampleRate} Hz. Audio stays in this browser: nothing is uploaded.</footer>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function percent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(1)}%`;
}

function metricsRow(part: string, metrics: ClassificationMetrics | undefined): string | undefined {
  if (typeof metrics !== 'object' || metrics === null) return undefined;
  return `| ${part} | ${typeof metrics.n === 'number' ? metrics.n : '–'} | ${percent(metrics.accuracy)} | ${percent(metrics.uar)} | ${percent(metrics.macroF1)} |`;
}

/** What the features are, in one line (kind, rate, clip, STFT and band counts). */
function featureSummary(meta: BundleMeta): string {
  const c = meta.feature.config;
  const bands = meta.feature.kind === 'mfcc' ? `${c.nMfcc} MFCCs from ${c.nMels} mel bands` : meta.feature.kind === 'logmel' ? `${c.nMels} mel bands` : `${c.nFft / 2 + 1} frequency bins`;
  const clip = c.clipSeconds === null ? 'whole files' : `${c.clipSeconds}-s clips`;
  return `${meta.feature.kind} (${bands}), ${c.sampleRate} Hz, ${clip}, FFT ${c.nFft}, hop ${c.hopLength}${c.trim ? ', silence trimmed' : ''}`;
}

/** The README's "Trained" cell: when and on what, from the parts of emotion.json that hold them ('–' when none does). */
function trainedOn(meta: Partial<Pick<BundleMeta, 'createdAt' | 'dataset'>>): string {
  const when = typeof meta.createdAt === 'string' ? meta.createdAt : undefined;
  const dataset = meta.dataset;
  const files = dataset && typeof dataset.files === 'number' ? `${dataset.files}${typeof dataset.corpus === 'string' ? ` ${dataset.corpus}` : ''} files` : undefined;
  if (when && files) return `${when} on ${files}`;
  return when ?? (files ? `on ${files}` : '–');
}

/** The README's "Split" cell ('–' when emotion.json does not describe the split). */
function splitCell(split: Partial<BundleMeta['split']> | undefined): string {
  if (typeof split?.description !== 'string') return '–';
  return `${markdownCell(split.description)}${split.speakerLeakage ? ' (speakers shared between parts: optimistic scores)' : ''}`;
}

/**
 * The exported folder's README.md: what the model is (labels, features, architecture, metrics from emotion.json), how to
 * serve the folder, and how to use the runtime from a page. Parts emotion.json need not hold (metrics, split, dataset,
 * creation time) are shown as '–' or left out when missing.
 */
export function exportReadme(meta: BundleMeta, name: string): string {
  const [bins, frames] = meta.inputShape;
  const metrics = [metricsRow('test', meta.metrics?.test), metricsRow('validation', meta.metrics?.validation)].filter((row) => row !== undefined);
  const metricsText = metrics.length
    ? [
        '| Split | Clips | Accuracy (WA) | UAR | Macro-F1 |',
        '|---|---|---|---|---|',
        ...metrics,
        '',
        `UAR is the mean recall over emotions (chance is ${percent(1 / meta.labels.length)}); accuracy (WA) counts every clip once.`,
      ].join('\n')
    : 'emotion.json holds no evaluation metrics for this model.';
  const firstLabel = markdownCell(meta.labels[0]);
  return `# ${markdownCell(name)}: speech emotion model for the browser

A speech emotion classifier exported by Voice Emotion Lab. It runs entirely in the browser with TensorFlow.js: audio is
decoded, resampled and turned into features on the page, and nothing is uploaded.

## The model

| | |
|---|---|
| Labels | ${meta.labels.map((label) => `\`${markdownCell(label)}\``).join(', ')} |
| Features | ${markdownCell(featureSummary(meta))} |
| Input | ${bins} × ${frames} feature image, normalised per band with the training set's statistics |
| Architecture | ${markdownCell(meta.arch)} |
| Split | ${splitCell(meta.split)} |
| Trained | ${markdownCell(trainedOn(meta))} |

${metricsText}

## Files

- \`index.html\`: a page to pick or drop a WAV file and see its emotion.
- \`voice-emotion.js\`: the runtime (global \`VoiceEmotion\`): the same WAV decoding, resampling, features and
  windows as Voice Emotion Lab.
- \`tf.min.js\`: TensorFlow.js (Apache License 2.0), so the folder works offline.
- \`model.json\`, \`weights.bin\`: the TensorFlow.js Layers model; \`emotion.json\`: labels, feature settings,
  normalisation, training details and the SHA-256 hashes the runtime checks the model files against.

## Open the page

Browsers do not let a page opened from \`file://\` fetch \`model.json\`, so serve the folder over HTTP:

\`\`\`sh
npx http-server . -p 8080          # then open http://localhost:8080/
python3 -m http.server 8080        # or this, from inside the folder
\`\`\`

Any static file server works; the page loads nothing from elsewhere. Serve it over HTTPS (or from localhost) so the
runtime can verify the model files' hashes with Web Crypto; elsewhere that check is skipped.

## Use it from your own page

\`\`\`html
<script src="tf.min.js"></script>
<script src="voice-emotion.js"></script>
<script>
  VoiceEmotion.load('./').then(async (model) => {
    const bytes = await (await fetch('clip.wav')).arrayBuffer();
    const result = model.classifyWav(bytes, 'clip.wav');
    console.log(result.label, result.probabilities); // e.g. "${firstLabel}", { ${meta.labels.slice(0, 2).map((l) => `"${markdownCell(l)}": …`).join(', ')}, … }
  });
</script>
\`\`\`

- \`model.classifyWav(bytes, name)\`: WAV files (integer PCM 8–32 bit or float, any sample rate and channel count),
  decoded exactly as Voice Emotion Lab does, so results match the extension's and the CLI's.
- \`model.classifyAudioBuffer(buffer)\`: a Web Audio \`AudioBuffer\` (from \`decodeAudioData\`, for MP3 or Ogg, or a
  recording); the browser's decoder may differ slightly from Voice Emotion Lab's.
- \`model.classifySamples(samples, sampleRate)\`: mono \`Float32Array\` samples.
- \`VoiceEmotion.load(url, { backend: 'cpu' })\` picks a TensorFlow.js backend (default: WebGL where available).
- Under a Content-Security-Policy without \`'unsafe-eval'\`, run \`globalThis.regeneratorRuntime = undefined;\`
  before loading tf.min.js, as index.html does: otherwise tf.min.js tries to evaluate a string while starting.

Files up to 1.5 × the clip length are trimmed and centred like the training clips and classified once. Longer files are
cut into windows with 50% overlap: \`result.timeline\` lists each window's emotion, and the overall result averages the
windows that are not silent.
`;
}
