import { valueRange } from './colormap';
import type { FeatureMatrixJson } from './mime';

/**
 * "Why this emotion?": which time–frequency regions of a clip's features drove a model's decision, as plain JSON that
 * the worker computes and the CLI, the panels and the notebook renderer show.
 */

/** How an explanation was computed: Grad-CAM (gradients at the last feature map) or occlusion (masking patches). */
export type ExplanationMethod = 'gradcam' | 'occlusion';

/** Every {@link ExplanationMethod}. */
export const EXPLANATION_METHODS: readonly ExplanationMethod[] = ['gradcam', 'occlusion'];

/** Plain names of the methods. */
export const EXPLANATION_METHOD_NAMES: Readonly<Record<ExplanationMethod, string>> = {
  gradcam: 'Grad-CAM',
  occlusion: 'Occlusion',
};

/** Longest emotion name a request from a panel may carry (as long as a model's labels may be). */
export const MAX_LABEL_LENGTH = 256;

/** What to explain: a file, the method, and the emotion (absent: the one the model predicts). */
export interface ExplainRequest {
  readonly file: string;
  readonly method: ExplanationMethod;
  readonly label?: string;
}

/** One region of high heat: its time span in the file, its frequency band, and its part of the total heat. */
export interface ExplainedRegion {
  /** Start and end in seconds from the start of the file. */
  readonly startSeconds: number;
  readonly endSeconds: number;
  /**
   * Lowest and highest frequency in Hz the region's spectral bins cover; absent for MFCC (coefficients are not
   * frequencies) and for a region on prosody rows only.
   */
  readonly lowHz?: number;
  readonly highHz?: number;
  /** First and last row (mel band, FFT bin, MFCC coefficient, or prosody row) of the region, inclusive. */
  readonly lowBin: number;
  readonly highBin: number;
  /** Names of the prosody rows the region covers (the rows from `highBin − prosodyRows.length + 1` to `highBin`). */
  readonly prosodyRows?: readonly string[];
  /** First and last frame of the region, inclusive. */
  readonly startFrame: number;
  readonly endFrame: number;
  /** Fraction (0..1) of the whole map's heat inside the region. */
  readonly share: number;
}

/** Why a model gave a clip its emotion: a heat map over the clip's input features. */
export interface Explanation {
  readonly file: string;
  readonly method: ExplanationMethod;
  /** The emotion explained (the predicted one unless another was asked for). */
  readonly label: string;
  /** The emotion the model predicts for the explained clip or window, and its probabilities. */
  readonly predicted: string;
  readonly probabilities: Readonly<Record<string, number>>;
  /** Grad-CAM: the layer whose feature map was weighted. */
  readonly targetLayer?: string;
  /** The class score behind the heat: Grad-CAM's gradients are of the logit (or the probability); occlusion measures the drop of the log-probability. */
  readonly score: 'logit' | 'probability' | 'log-probability';
  /** Occlusion: patch size in bins × frames and the stride between patches. */
  readonly patch?: { readonly bins: number; readonly frames: number; readonly binStride: number; readonly frameStride: number };
  /** How sharp the heat can be: input bins × frames per cell of Grad-CAM's feature map, or per occlusion patch. */
  readonly resolution: { readonly bins: number; readonly frames: number };
  /** Size of the map (the model's input): feature bins × frames. */
  readonly bins: number;
  readonly frames: number;
  /** Heat of each bin and frame, 0..1, bins-major: `heat[bin * frames + frame]`. */
  readonly heat: readonly number[];
  /** The input features the heat lies over (dB for spectrograms, coefficients for MFCC), before normalisation. */
  readonly features: FeatureMatrixJson;
  /** Frame `t` is centred at `startSeconds + t · hopSeconds` seconds of the file. */
  readonly time: { readonly startSeconds: number; readonly hopSeconds: number };
  /** Lowest and highest frequency of the spectral bins in Hz (mel or linear); absent for MFCC. */
  readonly fMin?: number;
  readonly fMax?: number;
  /** The mel scale of log-mel bands. */
  readonly melScale?: 'slaney' | 'htk';
  /**
   * Models with prosody rows: what each row after the spectral bins holds (F0, voicing, energy, HNR), bottom up; the
   * spectral bins are the first `bins − prosodyRows.length` rows.
   */
  readonly prosodyRows?: readonly string[];
  /** Length of the whole file in seconds. */
  readonly durationSeconds: number;
  /** For files longer than the model's window: the window explained (the most confident voiced one), in seconds. */
  readonly window?: { readonly startSeconds: number; readonly endSeconds: number };
  /** The strongest regions, largest share of heat first (at most three). */
  readonly regions: readonly ExplainedRegion[];
}

/** A number of seconds with two decimals ("1.25 s"). */
function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

/** A frequency in whole Hz with thousands separators. */
function hertz(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} Hz`;
}

/** A prosody row's short name: "F0 (semitones re 27.5 Hz; 0 when unvoiced)" → "F0". */
export function prosodyRowName(row: string): string {
  return row.replace(/\s*\(.*$/, '');
}

/** Names joined in words: "F0", "F0 and voicing", "F0, voicing and energy". */
function joinNames(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * One region in words: "0.30–0.75 s, 812–1,640 Hz (64% of the heat)"; MFCC regions name coefficients instead, and
 * prosody rows are named ("7,320–8,000 Hz and the F0 and voicing rows").
 */
export function describeRegion(region: ExplainedRegion): string {
  const time = `${region.startSeconds.toFixed(2)}–${seconds(region.endSeconds)}`;
  const rows = region.prosodyRows ?? [];
  const highSpectral = region.highBin - rows.length;
  const parts: string[] = [];
  if (region.lowHz !== undefined && region.highHz !== undefined) parts.push(`${Math.round(region.lowHz).toLocaleString('en-US')}–${hertz(region.highHz)}`);
  else if (region.lowBin <= highSpectral) parts.push(`coefficients ${region.lowBin}–${highSpectral}`);
  if (rows.length) parts.push(`the ${joinNames(rows.map(prosodyRowName))} ${rows.length === 1 ? 'row' : 'rows'}`);
  return `${time}, ${parts.join(' and ')} (${Math.round(region.share * 100)}% of the heat)`;
}

/**
 * The features under an explanation as shades 0..1 for drawing, bins-major: the spectral bins on one scale (their
 * common lowest to highest value), each prosody row on its own (their units differ from the spectrum's and each other's).
 */
export function featureShades(explanation: Pick<Explanation, 'features' | 'prosodyRows'>): number[][] {
  const rows = explanation.features.data;
  const spectralBins = rows.length - (explanation.prosodyRows?.length ?? 0);
  const shade = (group: readonly (readonly number[])[]) => {
    const { min, max } = valueRange(group);
    const span = max > min ? max - min : 1;
    return group.map((row) => row.map((value) => (max > min ? (value - min) / span : 0)));
  };
  return [...shade(rows.slice(0, spectralBins)), ...rows.slice(spectralBins).flatMap((row) => shade([row]))];
}

/** A one-line summary: "happy (82%) · Grad-CAM of happy: 0.30–0.75 s, 812–1,640 Hz (64% of the heat)". */
export function describeExplanation(explanation: Explanation): string {
  const probability = explanation.probabilities[explanation.predicted] ?? 0;
  const top = explanation.regions[0];
  const what = `${EXPLANATION_METHOD_NAMES[explanation.method]} of ${explanation.label}`;
  return `${explanation.predicted} (${(probability * 100).toFixed(0)}%) · ${what}: ${top ? describeRegion(top) : 'no region stands out'}`;
}
