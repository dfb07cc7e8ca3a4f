import * as fs from 'node:fs';
import * as path from 'node:path';
import { readWav } from '../audio/wav';
import { FileError } from '../errors';
import { peakAmplitude } from './waveform';

/** Noise recordings loaded for the noise step, and the files that could not be used with the reason. */
export interface NoiseBank {
  /** Mono recordings at the requested sample rate. */
  readonly noises: Float32Array[];
  /** Paths of the loaded recordings, in the same order as `noises`. */
  readonly files: string[];
  /** Files skipped, with a plain-language problem. */
  readonly skipped: { file: string; problem: string }[];
}

/**
 * Reads every .wav file in `dir` (not sub-folders, in name order), mono and resampled to `sampleRate` Hz.
 * A file that cannot be read or is silent is skipped with its reason; only an unreadable folder throws
 * {@link FileError}. An empty folder gives an empty bank.
 */
export function loadNoiseBank(dir: string, sampleRate: number): NoiseBank {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    throw new FileError(dir, `cannot read the noise folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const bank: NoiseBank = { noises: [], files: [], skipped: [] };
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.wav')).sort()) {
    const file = path.join(dir, name);
    try {
      if (!fs.statSync(file).isFile()) continue;
      const { samples } = readWav(file, { targetRate: sampleRate });
      if (peakAmplitude(samples) === 0) {
        bank.skipped.push({ file, problem: 'the recording is silent' });
        continue;
      }
      bank.noises.push(samples);
      bank.files.push(file);
    } catch (error) {
      bank.skipped.push({ file, problem: error instanceof FileError ? error.problem : String((error as Error).message ?? error) });
    }
  }
  return bank;
}
