import { describeRegion, EXPLANATION_METHOD_NAMES, type ExplainRequest, type Explanation, type ExplanationMethod } from '../../shared/explanation';
import { featureAxis, formatPercent, type FeatureAxis } from './model';

/**
 * How the explanation figure shows an {@link Explanation}, shaped without the DOM or Plotly: the frames' times in the
 * file, the heat as an overlay that is clear where nothing stands out, the regions as rectangles, and the words.
 */

/** Heat below this is left clear, so the features show through untouched. */
export const HEAT_FLOOR = 0.1;

/** How many of an explanation's rows are spectral (mel bands, FFT bins, MFCC coefficients); prosody rows follow them. */
export function spectralBins(explanation: Pick<Explanation, 'bins' | 'prosodyRows'>): number {
  return explanation.bins - (explanation.prosodyRows?.length ?? 0);
}

/**
 * The overlay's vertical axis: the spectral rows in Hz on the model's own frequency scale (its mel scale for log-mels),
 * or MFCC coefficients, and the prosody rows by name.
 */
export function explanationAxis(explanation: Pick<Explanation, 'features' | 'fMin' | 'fMax' | 'melScale' | 'prosodyRows'>): FeatureAxis {
  const { features: matrix, fMin, fMax, melScale, prosodyRows } = explanation;
  return featureAxis({ matrix, fMin, fMax, melScale, prosodyRows });
}

/** The request an explanation answers when nothing else is known: its file, method and emotion. */
export function requestOf(explanation: Pick<Explanation, 'file' | 'method' | 'label'>): ExplainRequest {
  return { file: explanation.file, method: explanation.method, label: explanation.label };
}

/** The request after picking `method`: the same file and emotion as `current`. */
export function requestWithMethod(current: ExplainRequest, method: ExplanationMethod): ExplainRequest {
  return { ...current, method };
}

/**
 * The request of a row's "Why?": that file with the method in use (Grad-CAM at first); an emotion asked for is kept
 * for the same file only (another file is explained by its own predicted emotion).
 */
export function requestForFile(current: ExplainRequest | undefined, file: string): ExplainRequest {
  const method = current?.method ?? 'gradcam';
  return current?.file === file && current.label !== undefined ? { file, method, label: current.label } : { file, method };
}

/** Whether two requests ask for the same explanation. */
export function sameRequest(a: ExplainRequest, b: ExplainRequest): boolean {
  return a.file === b.file && a.method === b.method && a.label === b.label;
}

/** Time in seconds of the file of each frame's centre. */
export function explanationTimes(explanation: Pick<Explanation, 'frames' | 'time'>): number[] {
  return Array.from({ length: explanation.frames }, (_, t) => explanation.time.startSeconds + t * explanation.time.hopSeconds);
}

/** The heat as bins-major rows for a heatmap, with null (drawn clear) below {@link HEAT_FLOOR}. */
export function heatRows(explanation: Pick<Explanation, 'bins' | 'frames' | 'heat'>): (number | null)[][] {
  const { bins, frames, heat } = explanation;
  return Array.from({ length: bins }, (_, b) =>
    Array.from({ length: frames }, (__, t) => {
      const value = heat[b * frames + t];
      return value >= HEAT_FLOOR ? value : null;
    }),
  );
}

/** One region as a rectangle in the figure's coordinates (x in seconds, y in bins), numbered from 1. */
export interface RegionBox {
  readonly number: number;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly text: string;
}

/** The regions as rectangles around their frames and bins (each cell's full extent), strongest first. */
export function regionBoxes(explanation: Pick<Explanation, 'regions' | 'time'>): RegionBox[] {
  const { startSeconds, hopSeconds } = explanation.time;
  return explanation.regions.map((region, i) => ({
    number: i + 1,
    x0: startSeconds + (region.startFrame - 0.5) * hopSeconds,
    x1: startSeconds + (region.endFrame + 0.5) * hopSeconds,
    y0: region.lowBin - 0.5,
    y1: region.highBin + 0.5,
    text: `${i + 1}. ${describeRegion(region)}`,
  }));
}

/** What the explanation says in words: the prediction, what was explained and how, and the strongest region. */
export function explanationSummary(explanation: Explanation): string {
  const method = EXPLANATION_METHOD_NAMES[explanation.method];
  const predicted = `Predicted ${explanation.predicted} (${formatPercent(explanation.probabilities[explanation.predicted])})`;
  const explained = explanation.label === explanation.predicted ? '' : `; explaining ${explanation.label} (${formatPercent(explanation.probabilities[explanation.label])})`;
  const window = explanation.window ? ` in the window ${explanation.window.startSeconds.toFixed(2)}–${explanation.window.endSeconds.toFixed(2)} s` : '';
  const top = explanation.regions[0];
  return `${predicted}${explained}${window}. ${method}: ${top ? `strongest region ${describeRegion(top)}` : 'no region stands out'}.`;
}

/** How the map was made and how sharp it can be ("Grad-CAM at layer block4_pool, cells of 16 bins × 16 frames"). */
export function explanationMethodNote(explanation: Explanation): string {
  const cell = `${formatCells(explanation.resolution.bins)} bins × ${formatCells(explanation.resolution.frames)} frames`;
  if (explanation.method === 'gradcam') return `Grad-CAM at layer ${explanation.targetLayer ?? '?'} (${explanation.score} gradients), cells of ${cell}`;
  const stride = explanation.patch ? `, stride ${explanation.patch.binStride} × ${explanation.patch.frameStride}` : '';
  return `Occlusion with patches of ${cell}${stride}: heat = drop of the ${explanation.score} when a patch is hidden`;
}

function formatCells(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
