// AssemblyScript: compiled to dist/simd-kernels.wasm by scripts/build.mjs. It runs on TensorFlow.js's own wasm
// memory (imported), reading and writing tensors in place, so it must allocate nothing and hold no static data.

/** Output pixels whose partial sums one pass of every accumulator tile covers (they stay in the L1/L2 caches). */
const CHUNK_PIXELS: i32 = 128;

/**
 * The filter gradient of a 2-D convolution, NHWC, as a register-blocked, cache-blocked sum of outer products:
 * dW[kh, kw, c, o] = Σ over (b, r, j) of x[b, r·sh + kh, j·sw + kw, c] · dy[b, r, j, o], with x already padded
 * ([n, hp, wp, ci], zeros where the forward convolution padded). Four input channels × eight output channels are
 * accumulated in eight SIMD registers over a chunk of output rows, then added to dW; input channels past the last
 * multiple of four go one at a time. co must be a multiple of 8. dW is overwritten.
 */
export function filterGradient(
  x: usize, dy: usize, dw: usize,
  n: i32, hp: i32, wp: i32, ci: i32,
  oh: i32, ow: i32, co: i32,
  fh: i32, fw: i32, sh: i32, sw: i32,
): void {
  memory.fill(dw, 0, <usize>(fh * fw * ci * co) << 2);
  const rowsPerChunk = max(1, CHUNK_PIXELS / ow);
  const coBytes = <usize>co << 2;
  const xStep = <usize>(sw * ci) << 2;
  for (let b = 0; b < n; b++) {
    for (let r0 = 0; r0 < oh; r0 += rowsPerChunk) {
      const r1 = min(oh, r0 + rowsPerChunk);
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          let c = 0;
          for (; c + 4 <= ci; c += 4) {
            for (let o = 0; o < co; o += 8) {
              const acc = dw + ((<usize>(((kh * fw + kw) * ci + c) * co + o)) << 2);
              let a00 = v128.load(acc);
              let a01 = v128.load(acc, 16);
              let a10 = v128.load(acc + coBytes);
              let a11 = v128.load(acc + coBytes, 16);
              let a20 = v128.load(acc + 2 * coBytes);
              let a21 = v128.load(acc + 2 * coBytes, 16);
              let a30 = v128.load(acc + 3 * coBytes);
              let a31 = v128.load(acc + 3 * coBytes, 16);
              for (let r = r0; r < r1; r++) {
                let xp = x + ((<usize>(((b * hp + r * sh + kh) * wp + kw) * ci + c)) << 2);
                let dp = dy + ((<usize>(((b * oh + r) * ow) * co + o)) << 2);
                for (let j = 0; j < ow; j++) {
                  const d0 = v128.load(dp);
                  const d1 = v128.load(dp, 16);
                  const x0 = v128.load32_splat(xp);
                  const x1 = v128.load32_splat(xp, 4);
                  const x2 = v128.load32_splat(xp, 8);
                  const x3 = v128.load32_splat(xp, 12);
                  a00 = f32x4.add(a00, f32x4.mul(x0, d0));
                  a01 = f32x4.add(a01, f32x4.mul(x0, d1));
                  a10 = f32x4.add(a10, f32x4.mul(x1, d0));
                  a11 = f32x4.add(a11, f32x4.mul(x1, d1));
                  a20 = f32x4.add(a20, f32x4.mul(x2, d0));
                  a21 = f32x4.add(a21, f32x4.mul(x2, d1));
                  a30 = f32x4.add(a30, f32x4.mul(x3, d0));
                  a31 = f32x4.add(a31, f32x4.mul(x3, d1));
                  xp += xStep;
                  dp += coBytes;
                }
              }
              v128.store(acc, a00);
              v128.store(acc, a01, 16);
              v128.store(acc + coBytes, a10);
              v128.store(acc + coBytes, a11, 16);
              v128.store(acc + 2 * coBytes, a20);
              v128.store(acc + 2 * coBytes, a21, 16);
              v128.store(acc + 3 * coBytes, a30);
              v128.store(acc + 3 * coBytes, a31, 16);
            }
          }
          // Input channels past the last multiple of four (all of them for a one-channel spectrogram): one at a time.
          for (; c < ci; c++) {
            for (let o = 0; o < co; o += 8) {
              const acc = dw + ((<usize>(((kh * fw + kw) * ci + c) * co + o)) << 2);
              let a0 = v128.load(acc);
              let a1 = v128.load(acc, 16);
              for (let r = r0; r < r1; r++) {
                let xp = x + ((<usize>(((b * hp + r * sh + kh) * wp + kw) * ci + c)) << 2);
                let dp = dy + ((<usize>(((b * oh + r) * ow) * co + o)) << 2);
                for (let j = 0; j < ow; j++) {
                  const xv = v128.load32_splat(xp);
                  a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(dp)));
                  a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(dp, 16)));
                  xp += xStep;
                  dp += coBytes;
                }
              }
              v128.store(acc, a0);
              v128.store(acc, a1, 16);
            }
          }
        }
      }
    }
  }
}

/**
 * MaxPoolGrad of a 2×2, stride-2 pool without padding over an even-sized NHWC image, four channels at a time: each dy
 * value goes to the first maximum of its window in row-major order, as the cpu backend does (NaN never is one; a
 * window of −∞ or NaN only passes nothing on). Windows tile the image, so every dx value is written exactly once.
 * c must be a multiple of 4.
 */
export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, n: i32, h: i32, w: i32, c: i32): void {
  const pixel = <usize>c << 2;
  const row = <usize>(w * c) << 2;
  const zero = f32x4.splat(0);
  const none = f32x4.splat(-Infinity);
  const outH = h >> 1;
  const outW = w >> 1;
  let dp = dy;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      let corner = (<usize>((b * h + 2 * r) * w * c)) << 2;
      for (let j = 0; j < outW; j++) {
        for (let k: usize = 0; k < pixel; k += 16) {
          const p0 = corner + k;
          const p1 = p0 + pixel;
          const p2 = p0 + row;
          const p3 = p2 + pixel;
          const v0 = v128.load(x + p0);
          const v1 = v128.load(x + p1);
          const v2 = v128.load(x + p2);
          const v3 = v128.load(x + p3);
          // Sequential first-maximum: a later pixel wins only where it is strictly greater.
          const t0 = f32x4.gt(v0, none);
          let best = v128.bitselect(v0, none, t0);
          const t1 = f32x4.gt(v1, best);
          best = v128.bitselect(v1, best, t1);
          const t2 = f32x4.gt(v2, best);
          best = v128.bitselect(v2, best, t2);
          const t3 = f32x4.gt(v3, best);
          // The winner is the last pixel whose test passed.
          const w3 = t3;
          const w2 = v128.andnot(t2, t3);
          const w1 = v128.andnot(v128.andnot(t1, t2), t3);
          const w0 = v128.andnot(v128.andnot(v128.andnot(t0, t1), t2), t3);
          const g = v128.load(dp + k);
          v128.store(dx + p0, v128.bitselect(g, zero, w0));
          v128.store(dx + p1, v128.bitselect(g, zero, w1));
          v128.store(dx + p2, v128.bitselect(g, zero, w2));
          v128.store(dx + p3, v128.bitselect(g, zero, w3));
        }
        corner += pixel << 1;
        dp += pixel;
      }
    }
  }
}
