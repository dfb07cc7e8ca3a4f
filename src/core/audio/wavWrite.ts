import { WaveFile } from 'wavefile';

/** Bit depths {@link encodeWav} writes: integer PCM 8/16/24/32-bit, or IEEE float 32/64-bit. */
export type WavBitDepth = '8' | '16' | '24' | '32' | '32f' | '64';

/**
 * Encodes Float32 samples in [-1, 1] (interleaved when `channels` > 1) as WAV bytes, via wavefile.
 * Integer depths round and clip; float depths store the values as they are.
 */
export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  options: { channels?: number; bitDepth?: WavBitDepth } = {},
): Uint8Array {
  const channels = options.channels ?? 1;
  const bitDepth = options.bitDepth ?? '16';
  let values: Float64Array | Float32Array = samples;
  if (bitDepth !== '32f' && bitDepth !== '64') {
    const bits = Number(bitDepth);
    const full = 2 ** (bits - 1);
    const offset = bits === 8 ? full : 0;
    values = new Float64Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const scaled = Math.round(samples[i] * full);
      values[i] = Math.max(-full, Math.min(full - 1, scaled)) + offset;
    }
  }
  const interleaved: Float64Array[] | Float64Array | Float32Array =
    channels === 1 ? values : Array.from({ length: channels }, (_, c) => {
      const channel = new Float64Array(values.length / channels);
      for (let i = 0; i < channel.length; i++) channel[i] = values[i * channels + c];
      return channel;
    });
  const wav = new WaveFile();
  wav.fromScratch(channels, sampleRate, bitDepth, interleaved as unknown as number[]);
  return wav.toBuffer();
}
