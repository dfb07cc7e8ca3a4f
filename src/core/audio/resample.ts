import FFT from 'fft.js';

/** Options for band-limited resampling. */
export interface ResamplerOptions {
  /** Stop-band attenuation of the anti-aliasing filter in dB (default 90). */
  readonly attenuationDb?: number;
  /**
   * Where the filter's transition band sits, as fractions of the lower Nyquist frequency:
   * pass band up to `passband`, stop band from 1.0 (default 0.9, i.e. 7.2–8 kHz for 16 kHz output).
   */
  readonly passband?: number;
  /**
   * Integer decimation (e.g. 48 → 16 kHz) filters blocks of outputs through an FFT (default true, about three times
   * faster); false evaluates every output's filter sum directly. Both give the same values to float32 precision.
   */
  readonly blockFft?: boolean;
}

const MAX_EXACT_PHASES = 1024;

/**
 * Integer decimation filters whole blocks of outputs by FFT correlation (overlap-save): one FFT of a block of input
 * and one inverse give every input-rate position of the filter's output, of which each `down`-th is kept.
 */
interface BlockFilter {
  readonly fft: FFT;
  readonly size: number;
  /** Outputs per block. */
  readonly outputs: number;
  /** conj(FFT(filter)), interleaved complex. */
  readonly filterSpectrum: number[];
  readonly input: Float64Array;
  readonly spectrum: number[];
  readonly result: number[];
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Streaming band-limited resampler: a polyphase windowed-sinc (Kaiser) filter evaluated at each output instant.
 * Rational ratios with up to 1,024 phases are exact; others interpolate linearly between 1,024 filter phases.
 * Zero-phase (no delay): output sample m sits at input time m · inputRate / outputRate.
 */
export class Resampler {
  /** Output samples per `down` input samples is `up` (the reduced ratio). */
  private readonly up: number;
  private readonly down: number;
  /** Filter taps on each side of the output instant, in input samples. */
  private readonly halfTaps: number;
  private readonly phases: number;
  /** Row p holds the 2·halfTaps taps for fractional offset p / phases; one extra row for interpolation. */
  private readonly table: Float64Array;
  /** Input not yet consumed; buffer[0] is input index `bufferStart`. */
  private buffer: Float64Array;
  private bufferStart: number;
  private bufferLength = 0;
  private inputCount = 0;
  private outputIndex = 0;
  private readonly block?: BlockFilter;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    options: ResamplerOptions = {},
  ) {
    if (!(inputRate > 0 && outputRate > 0) || !Number.isInteger(inputRate) || !Number.isInteger(outputRate)) {
      throw new RangeError(`sample rates must be positive integers (got ${inputRate} → ${outputRate})`);
    }
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    const attenuation = options.attenuationDb ?? 90;
    const passband = options.passband ?? 0.9;
    const ratio = Math.min(1, outputRate / inputRate);
    // Cut-off midway through the transition band, relative to the input Nyquist frequency.
    const cutoff = ((1 + passband) / 2) * ratio;
    const transition = ((1 - passband) / 2) * ratio; // in cycles per input sample
    const beta = attenuation > 50 ? 0.1102 * (attenuation - 8.7) : 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21);
    this.halfTaps = Math.ceil((attenuation - 7.95) / (2.285 * 2 * Math.PI * transition) / 2) + 1;
    this.phases = this.up <= MAX_EXACT_PHASES ? this.up : MAX_EXACT_PHASES;
    const taps = 2 * this.halfTaps;
    this.table = new Float64Array((this.phases + 1) * taps);
    const i0Beta = besselI0(beta);
    for (let p = 0; p <= this.phases; p++) {
      const frac = p / this.phases;
      for (let t = 0; t < taps; t++) {
        // Tap t multiplies input index k0 + t - halfTaps + 1; its distance from the output instant:
        const tau = frac - (t - this.halfTaps + 1);
        const r = tau / this.halfTaps;
        const window = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
        const x = cutoff * tau;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        this.table[p * taps + t] = cutoff * sinc * window;
      }
    }
    if (this.up === 1 && options.blockFft !== false) this.block = this.blockFilter(taps);
    this.buffer = new Float64Array(Math.max(4096, 4 * taps));
    // Virtual zeros before the first sample.
    this.bufferStart = -this.halfTaps;
    this.bufferLength = this.halfTaps;
  }

  private blockFilter(taps: number): BlockFilter {
    let size = 4096;
    while (size < 4 * taps) size *= 2;
    const fft = new FFT(size);
    const padded = new Float64Array(size);
    padded.set(this.table.subarray(0, taps));
    const filterSpectrum = fft.createComplexArray() as number[];
    fft.realTransform(filterSpectrum, padded);
    fft.completeSpectrum(filterSpectrum);
    for (let i = 1; i < filterSpectrum.length; i += 2) filterSpectrum[i] = -filterSpectrum[i];
    return {
      fft,
      size,
      outputs: Math.floor((size - taps) / this.down) + 1,
      filterSpectrum,
      input: new Float64Array(size),
      spectrum: fft.createComplexArray() as number[],
      result: fft.createComplexArray() as number[],
    };
  }

  /** Writes `block.outputs` outputs of integer decimation whose first needs the input at buffer index `base`. */
  private filterBlock(block: BlockFilter, base: number, out: Float32Array, at: number): void {
    const { fft, size, outputs, filterSpectrum, input, spectrum, result } = block;
    const span = (outputs - 1) * this.down + 2 * this.halfTaps;
    input.set(this.buffer.subarray(base, base + span));
    input.fill(0, span);
    fft.realTransform(spectrum, input);
    fft.completeSpectrum(spectrum);
    for (let i = 0; i < 2 * size; i += 2) {
      const xr = spectrum[i];
      const xi = spectrum[i + 1];
      spectrum[i] = xr * filterSpectrum[i] - xi * filterSpectrum[i + 1];
      spectrum[i + 1] = xr * filterSpectrum[i + 1] + xi * filterSpectrum[i];
    }
    fft.inverseTransform(result, spectrum);
    for (let i = 0, j = 0; i < outputs; i++, j += 2 * this.down) out[at + i] = result[j];
  }

  /** Number of output samples `inputLength` input samples produce: ceil(n · outputRate / inputRate). */
  outputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.up) / this.down);
  }

  /** Feeds input samples; writes the outputs now computable into `out` at `offset`; returns how many. */
  process(input: Float32Array, out: Float32Array, offset = 0): number {
    this.append(input);
    this.inputCount += input.length;
    return this.emit(out, offset, this.bufferStart + this.bufferLength);
  }

  /** Ends the stream (zeros after the last sample); writes the remaining outputs; returns how many. */
  flush(out: Float32Array, offset = 0): number {
    this.append(new Float32Array(this.halfTaps + 1));
    const written = this.emit(out, offset, Number.POSITIVE_INFINITY, this.outputLength(this.inputCount));
    this.bufferLength = 0;
    return written;
  }

  private append(input: Float32Array): void {
    if (this.bufferLength + input.length > this.buffer.length) {
      const grown = new Float64Array(Math.max(this.buffer.length * 2, this.bufferLength + input.length));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(input, this.bufferLength);
    this.bufferLength += input.length;
  }

  private emit(out: Float32Array, offset: number, availableEnd: number, limit = Number.POSITIVE_INFINITY): number {
    const { up, down, halfTaps, phases, table, buffer } = this;
    const taps = 2 * halfTaps;
    const exact = phases === up;
    let m = this.outputIndex;
    let written = 0;
    while (m < limit) {
      const block = this.block;
      if (block) {
        // Whole blocks go through the FFT; only the last partial block of a stream is filtered directly, so every
        // output takes the same path however the input was split into calls.
        const lastNeeds = (m + block.outputs - 1) * down + halfTaps;
        if (m + block.outputs <= limit && lastNeeds < availableEnd) {
          if (offset + written + block.outputs > out.length) break;
          this.filterBlock(block, m * down - halfTaps + 1 - this.bufferStart, out, offset + written);
          written += block.outputs;
          m += block.outputs;
          continue;
        }
        if (limit === Number.POSITIVE_INFINITY) break;
      }
      const position = m * down;
      const k0 = Math.floor(position / up);
      if (k0 + halfTaps >= availableEnd) break;
      const base = k0 - halfTaps + 1 - this.bufferStart;
      const remainder = position - k0 * up;
      let sum = 0;
      if (up === 1) {
        // Integer decimation uses one phase, whose taps are symmetric about the output instant: fold them.
        const centre = base + halfTaps - 1;
        let s0 = table[halfTaps - 1] * buffer[centre];
        let s1 = 0;
        let k = 1;
        for (; k + 1 < halfTaps; k += 2) {
          s0 += table[halfTaps - 1 - k] * (buffer[centre - k] + buffer[centre + k]);
          s1 += table[halfTaps - 2 - k] * (buffer[centre - k - 1] + buffer[centre + k + 1]);
        }
        for (; k < halfTaps; k++) s0 += table[halfTaps - 1 - k] * (buffer[centre - k] + buffer[centre + k]);
        sum = s0 + s1;
      } else if (exact) {
        // Four independent accumulators let the CPU overlap the multiply-adds (taps is even, see halfTaps).
        const row = remainder * taps;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let t = 0;
        for (; t + 3 < taps; t += 4) {
          s0 += buffer[base + t] * table[row + t];
          s1 += buffer[base + t + 1] * table[row + t + 1];
          s2 += buffer[base + t + 2] * table[row + t + 2];
          s3 += buffer[base + t + 3] * table[row + t + 3];
        }
        for (; t < taps; t++) s0 += buffer[base + t] * table[row + t];
        sum = s0 + s1 + s2 + s3;
      } else {
        const phase = (remainder / up) * phases;
        const p = Math.floor(phase);
        const w = phase - p;
        const rowA = p * taps;
        const rowB = rowA + taps;
        for (let t = 0; t < taps; t++) {
          sum += buffer[base + t] * (table[rowA + t] + w * (table[rowB + t] - table[rowA + t]));
        }
      }
      if (offset + written >= out.length) break;
      out[offset + written++] = sum;
      m++;
    }
    this.outputIndex = m;
    // Drop input no future output needs.
    const nextK0 = Math.floor((m * down) / up);
    const keepFrom = Math.max(this.bufferStart, nextK0 - halfTaps + 1);
    const drop = Math.min(this.bufferLength, keepFrom - this.bufferStart);
    if (drop > 0) {
      buffer.copyWithin(0, drop, this.bufferLength);
      this.bufferLength -= drop;
      this.bufferStart += drop;
    }
    return written;
  }
}

/** Resamples a whole signal from `inputRate` to `outputRate` Hz with the band-limited {@link Resampler}. */
export function resample(samples: Float32Array, inputRate: number, outputRate: number, options?: ResamplerOptions): Float32Array {
  if (inputRate === outputRate) return samples.slice();
  const resampler = new Resampler(inputRate, outputRate, options);
  const out = new Float32Array(resampler.outputLength(samples.length));
  let written = resampler.process(samples, out, 0);
  written += resampler.flush(out, written);
  return written === out.length ? out : out.subarray(0, written);
}
