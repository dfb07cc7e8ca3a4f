/** Anchor colours of the viridis colour map (perceptually uniform, legible in light, dark and high-contrast themes). */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

/** Viridis colour of `t` in [0, 1] (clamped) as 0–255 RGB. */
export function viridis(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/**
 * Paints a bins-major matrix into RGBA pixels (width = frames, height = bins, low bins at the bottom),
 * scaled from its own minimum to maximum. Returns the pixels and that range.
 */
export function paintMatrix(rows: readonly (ArrayLike<number>)[], frames: number): { pixels: Uint8ClampedArray<ArrayBuffer>; min: number; max: number } {
  const bins = rows.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    for (let t = 0; t < frames; t++) {
      if (row[t] < min) min = row[t];
      if (row[t] > max) max = row[t];
    }
  }
  const span = max > min ? max - min : 1;
  const pixels = new Uint8ClampedArray(4 * bins * frames);
  for (let b = 0; b < bins; b++) {
    const y = bins - 1 - b;
    for (let t = 0; t < frames; t++) {
      const [r, g, bl] = viridis((rows[b][t] - min) / span);
      const p = 4 * (y * frames + t);
      pixels[p] = r;
      pixels[p + 1] = g;
      pixels[p + 2] = bl;
      pixels[p + 3] = 255;
    }
  }
  return { pixels, min, max };
}

/** Lowest and highest value of a matrix given as rows (Infinity and -Infinity for an empty one). */
export function valueRange(rows: readonly (ArrayLike<number>)[]): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (row[i] < min) min = row[i];
      if (row[i] > max) max = row[i];
    }
  }
  return { min, max };
}
