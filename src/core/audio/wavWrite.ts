import { WaveFile } from 'wavefile';

/** Bit depths {@link encodeWav} writes: integer PCM 8/16/24/32-bit, or IEEE float 32/64-bit. */
export type WavBitDepth = '8' | '16' | '24' | '32' | '32f' | '64';

/** 16-bit PCM written directly (wavefile packs sample by sample, which is slow for whole corpora); same bytes. */
function encodePcm16(samples: Float32Array, sampleRate: number, channels: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) out[offset + i] = value.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, dataBytes, true);
  const pcm = new Int16Array(out.buffer, 44, samples.length);
  for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
  return out;
}

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
  if (bitDepth === '16') return encodePcm16(samples, sampleRate, channels);
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
