import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealFft } from '../../src/core/audio/fft';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Temporary folders made by {@link tempDir}, removed by one exit handler. */
const temporaryDirs = new Set<string>();

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = 'voice-emotion-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (temporaryDirs.size === 0) process.once('exit', () => temporaryDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  temporaryDirs.add(dir);
  return dir;
}

/** A sine of `hz` Hz at `rate` Hz, `seconds` long, peak `amplitude`. */
export function sine(hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** Level in dB re full-scale sine of each FFT bin of a Blackman–Harris-windowed segment (sidelobes < −92 dB). */
export function spectrumDb(samples: Float32Array, start: number, size: number): Float64Array {
  const window = new Float64Array(size);
  const a = [0.35875, 0.48829, 0.14128, 0.01168];
  let gain = 0;
  for (let i = 0; i < size; i++) {
    const x = (2 * Math.PI * i) / (size - 1);
    window[i] = a[0] - a[1] * Math.cos(x) + a[2] * Math.cos(2 * x) - a[3] * Math.cos(3 * x);
    gain += window[i];
  }
  const frame = new Float64Array(size);
  for (let i = 0; i < size; i++) frame[i] = samples[start + i] * window[i];
  const fft = new RealFft(size);
  const re = new Float64Array(fft.bins);
  const im = new Float64Array(fft.bins);
  fft.forward(frame, re, im);
  const out = new Float64Array(fft.bins);
  for (let k = 0; k < fft.bins; k++) out[k] = 20 * Math.log10(Math.max(1e-20, (2 * Math.hypot(re[k], im[k])) / gain));
  return out;
}

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Reports a missing system tool: in CI (CI=true) the test fails, since .ci/run installs every tool;
 * elsewhere it is skipped with the reason.
 */
export function requireTools(t: { skip(message: string): void }, ...tools: string[]): boolean {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) return true;
  const message = `needs ${missing.join(', ')} (apt-get install espeak-ng sox python3-numpy python3-scipy)`;
  if (process.env.CI) throw new Error(message);
  t.skip(message);
  return false;
}

let speechCache: { dir: string; speech16k: string; speech48k: string } | undefined;

/**
 * Real speech made with espeak-ng: "Kids are talking by the door" with 0.4 s of silence before and 0.6 s after,
 * as 16 kHz and 48 kHz 16-bit mono WAVs (the 48 kHz one named like a RAVDESS file).
 */
export function speechFiles(): { dir: string; speech16k: string; speech48k: string } {
  if (speechCache) return speechCache;
  const dir = tempDir('voice-emotion-speech-');
  const raw = path.join(dir, 'espeak.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, 'Kids are talking by the door']);
  const speech16k = path.join(dir, 'speech-16k.wav');
  const speech48k = path.join(dir, '03-01-05-02-01-01-12.wav');
  execFileSync('sox', [raw, '-r', '16000', '-b', '16', '-c', '1', speech16k, 'pad', '0.4', '0.6']);
  execFileSync('sox', [raw, '-r', '48000', '-b', '16', '-c', '1', speech48k, 'pad', '0.4', '0.6']);
  speechCache = { dir, speech16k, speech48k };
  return speechCache;
}

/** A Python 3 with NumPy and SciPy (Debian's first), or undefined. */
export function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Runs the bundled CLI; returns exit code and output. */
export function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'voice-emotion.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
