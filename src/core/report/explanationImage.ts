import { viridis } from '../../shared/colormap';
import { featureShades, type Explanation } from '../../shared/explanation';
import { encodePng } from './png';

/** Pixels per feature cell: about 720 × 360 pixels in all, each cell at least 1 and at most 8 pixels on a side. */
function scaleFor(cells: number, pixels: number): number {
  return Math.max(1, Math.min(8, Math.ceil(pixels / Math.max(1, cells))));
}

/**
 * Paints an explanation as RGBA pixels: the features in grey (low bins at the bottom, time left to right; prosody rows
 * on top, each on its own grey scale) with the heat over them in viridis colours, opaque where the heat is 1 and clear
 * where it is 0, and the regions outlined in white. Returns the pixels and the image size.
 */
export function paintExplanation(explanation: Explanation): { pixels: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } {
  const { bins, frames, heat } = explanation;
  const shades = featureShades(explanation);
  const sx = scaleFor(frames, 720);
  const sy = scaleFor(bins, 360);
  const width = frames * sx;
  const height = bins * sy;
  const pixels = new Uint8ClampedArray(width * height * 4);
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const p = 4 * (y * width + x);
    pixels[p] = r;
    pixels[p + 1] = g;
    pixels[p + 2] = b;
    pixels[p + 3] = 255;
  };
  for (let bin = 0; bin < bins; bin++) {
    for (let t = 0; t < frames; t++) {
      const grey = 30 + 190 * shades[bin][t];
      const h = heat[bin * frames + t];
      const [hr, hg, hb] = viridis(h);
      const alpha = 0.8 * h;
      const r = grey + alpha * (hr - grey);
      const g = grey + alpha * (hg - grey);
      const b = grey + alpha * (hb - grey);
      const top = (bins - 1 - bin) * sy;
      for (let dy = 0; dy < sy; dy++) for (let dx = 0; dx < sx; dx++) put(t * sx + dx, top + dy, r, g, b);
    }
  }
  for (const region of explanation.regions) {
    const left = region.startFrame * sx;
    const right = (region.endFrame + 1) * sx - 1;
    const top = (bins - 1 - region.highBin) * sy;
    const bottom = (bins - region.lowBin) * sy - 1;
    for (let x = left; x <= right; x++) {
      put(x, top, 255, 255, 255);
      put(x, bottom, 255, 255, 255);
    }
    for (let y = top; y <= bottom; y++) {
      put(left, y, 255, 255, 255);
      put(right, y, 255, 255, 255);
    }
  }
  return { pixels, width, height };
}

/** An explanation as PNG bytes: the features in grey with the heat overlaid and the top regions outlined. */
export function explanationPng(explanation: Explanation): Buffer {
  const { pixels, width, height } = paintExplanation(explanation);
  return encodePng(width, height, pixels);
}
