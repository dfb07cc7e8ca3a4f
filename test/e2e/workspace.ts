import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { synthesizeVoice } from '../../src/core/synth/voice';

/** The repository root. */
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A fresh workspace for the end-to-end scenarios: clip.wav (2 s of synthetic voice), long.wav (8 s, long enough for an
 * emotion timeline), corrupt.wav (a truncated header) and, with `notebook`, a copy of notebooks/quickstart.emonb.
 */
export function makeWorkspace(options: { notebook?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-ws-'));
  fs.writeFileSync(path.join(dir, 'clip.wav'), encodeWav(synthesizeVoice({ sampleRate: 16000, durationSeconds: 2, seed: 1 }), 16000));
  fs.writeFileSync(path.join(dir, 'corrupt.wav'), Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '));
  fs.writeFileSync(path.join(dir, 'long.wav'), encodeWav(synthesizeVoice({ sampleRate: 16000, durationSeconds: 8, vowels: 'aiueoaiueo', seed: 2 }), 16000));
  if (options.notebook) fs.copyFileSync(path.join(ROOT, 'notebooks', 'quickstart.emonb'), path.join(dir, 'quickstart.emonb'));
  return dir;
}
