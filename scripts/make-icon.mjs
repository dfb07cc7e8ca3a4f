// Renders media/icon.png (128×128): the log-mel spectrogram of a synthetic voice, in viridis.
// Usage: npm run build && node scripts/make-icon.mjs
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = require(path.join(root, 'dist', 'core.js'));

const rate = 16000;
const voice = core.synthesizeVoice({ sampleRate: rate, durationSeconds: 2.1, f0Hz: 170, f0RangeSemitones: 5, vowels: 'aiu', seed: 11 });
const config = core.resolveFeatureConfig({ trim: false, clipSeconds: null, hopLength: 256, nMels: 128 });
const logmel = core.computeFeatures(voice, 'logmel', config);
const rows = core.toBinsMajor(logmel).map((row) => row.slice(0, 128));
const { pixels } = core.paintMatrix(rows, 128);
core.writeFileAtomic(path.join(root, 'media', 'icon.png'), core.encodePng(128, 128, pixels));
console.log('wrote media/icon.png');
