// Compares architectures with and without augmentation on the demo corpus, speaker-independently, and prints the
// rows of docs/RECIPES.md. Usage: npm run build && node scripts/recipes.mjs [--actors 8] [--epochs 12] [--only arch,…]
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const core = require('../dist/core.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const actors = Number(arg('actors', '8'));
const epochs = Number(arg('epochs', '12'));
const only = arg('only', 'cnn,cnn-bn,resnet-blocks,resnet18').split(',');
const augments = arg('augments', 'none,specaugment').split(',');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-recipes-'));
const corpus = path.join(work, 'corpus');
core.generateDemoCorpus(corpus, { actors, seed: 1 });
const features = { nMels: 64, clipSeconds: 1.5 };
const rows = [];
for (const arch of only) {
  for (const augment of augments) {
    const started = Date.now();
    const result = await core.trainModel({
      dataDir: corpus,
      out: path.join(work, `${arch}-${augment}`),
      cacheDir: path.join(work, 'cache'),
      config: { arch, augment, epochs, batchSize: 16, features, seed: 1, testSpeakers: ['07', '08'], validationSpeakers: ['05', '06'] },
    });
    const pct = (v) => (v === undefined ? '—' : (v * 100).toFixed(1));
    const row = `| ${arch} | ${augment} | ${pct(result.validation?.uar)} | ${pct(result.test?.accuracy)} | ${pct(result.test?.uar)} | ${pct(result.test?.macroF1)} | ${result.epochs} (best ${result.bestEpoch + 1}) | ${((Date.now() - started) / 60000).toFixed(1)} |`;
    rows.push(row);
    console.log(row);
  }
}
console.log(`\n${actors} actors, ${epochs} epochs max, features ${JSON.stringify(features)}, backend ${core.initBackend ? 'auto' : ''}, ${new Date().toISOString().slice(0, 10)}`);
fs.rmSync(work, { recursive: true, force: true });
