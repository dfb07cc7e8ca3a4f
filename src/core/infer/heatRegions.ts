import type { ModelBundle } from '../bundle/bundle';
import { melFrequencies } from '../audio/mel';
import { PROSODY_ROWS } from '../audio/prosody';
import type { Explanation, ExplainedRegion } from '../../shared/explanation';

/** A heat map over a model's input: bins × frames, bins-major, 0..1, and the input bins × frames per cell of heat. */
export interface HeatMap {
  readonly heat: Float32Array;
  readonly bins: number;
  readonly frames: number;
  readonly resolution: { readonly bins: number; readonly frames: number };
}

/** Heat above this fraction of the maximum belongs to a region. */
const REGION_THRESHOLD = 0.5;

/** Regions reported, strongest first. */
const MAX_REGIONS = 3;

/** Frequency range of spectral bins `low`..`high` in Hz, or undefined for MFCC. */
function binBand(bundle: ModelBundle, low: number, high: number): { lowHz: number; highHz: number } | undefined {
  const { kind, config } = bundle.meta.feature;
  if (kind === 'mfcc') return undefined;
  if (kind === 'logmel') {
    const edges = melFrequencies(config.nMels + 2, config.fMin, config.fMax, config.melScale);
    return { lowHz: edges[low], highHz: edges[high + 2] };
  }
  const binHz = config.sampleRate / config.nFft;
  return { lowHz: Math.max(0, (low - 0.5) * binHz), highHz: Math.min(config.sampleRate / 2, (high + 0.5) * binHz) };
}

/**
 * The strongest regions of a heat map: connected areas (4-neighbours) of heat ≥ half the maximum, as bounding boxes in
 * seconds and Hz with their share of the total heat, largest share first. The Hz cover a region's spectral bins only;
 * the prosody rows of a model with them (above the spectral bins) are named instead.
 */
export function heatRegions(bundle: ModelBundle, map: HeatMap, time: Explanation['time'], clip: { startSeconds: number; endSeconds: number }): ExplainedRegion[] {
  const { heat, bins, frames } = map;
  const prosodyRows = bundle.meta.feature.config.prosody ? PROSODY_ROWS : [];
  const spectralBins = bins - prosodyRows.length;
  let total = 0;
  for (const value of heat) total += value;
  if (!(total > 0)) return [];
  const seen = new Uint8Array(heat.length);
  const regions: ExplainedRegion[] = [];
  const stack: number[] = [];
  for (let start = 0; start < heat.length; start++) {
    if (seen[start] || heat[start] < REGION_THRESHOLD) continue;
    let lowBin = bins;
    let highBin = -1;
    let startFrame = frames;
    let endFrame = -1;
    let mass = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const index = stack.pop()!;
      const b = Math.floor(index / frames);
      const t = index - b * frames;
      mass += heat[index];
      lowBin = Math.min(lowBin, b);
      highBin = Math.max(highBin, b);
      startFrame = Math.min(startFrame, t);
      endFrame = Math.max(endFrame, t);
      const neighbours = [b > 0 ? index - frames : -1, b < bins - 1 ? index + frames : -1, t > 0 ? index - 1 : -1, t < frames - 1 ? index + 1 : -1];
      for (const next of neighbours) {
        if (next >= 0 && !seen[next] && heat[next] >= REGION_THRESHOLD) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    const clamp = (seconds: number) => Math.min(clip.endSeconds, Math.max(clip.startSeconds, seconds));
    const startSeconds = clamp(time.startSeconds + (startFrame - 0.5) * time.hopSeconds);
    const endSeconds = clamp(time.startSeconds + (endFrame + 0.5) * time.hopSeconds);
    // A region wholly in the zero padding of a short clip lies outside the file: there is nothing in it to point at.
    if (endSeconds <= startSeconds) continue;
    const highSpectral = Math.min(highBin, spectralBins - 1);
    const namedRows = prosodyRows.slice(Math.max(lowBin, spectralBins) - spectralBins, highBin - spectralBins + 1);
    regions.push({
      startSeconds,
      endSeconds,
      ...(lowBin <= highSpectral ? binBand(bundle, lowBin, highSpectral) : {}),
      ...(namedRows.length ? { prosodyRows: namedRows } : {}),
      lowBin,
      highBin,
      startFrame,
      endFrame,
      share: mass / total,
    });
  }
  return regions.sort((a, b) => b.share - a.share).slice(0, MAX_REGIONS);
}
