import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RendererRequest } from '../../src/shared/mime';
import { ClipClient } from '../../src/webview/renderer/clips';

const WAVEFORM = { sampleRate: 16000, samplesPerPoint: 160, min: [0], max: [0], durationSeconds: 0.01 };
const AUDIO = { name: 'a.wav', sampleRate: 16000, wavBase64: 'UklGRg==', waveform: WAVEFORM };
const SPECTROGRAM = { file: '/a.wav', name: 'a.wav', waveform: WAVEFORM, matrix: { kind: 'mfcc', sampleRate: 16000, shape: [1, 1], data: [[0]] }, nMels: 1 };

describe('renderer clip requests', () => {
  it('numbers requests and settles each with the reply carrying its id', async () => {
    const sent: RendererRequest[] = [];
    const client = new ClipClient((message) => sent.push(message));
    const first = client.request('/d/1.wav');
    const second = client.request('/d/2.wav');
    assert.deepEqual(sent, [
      { type: 'clip', requestId: 1, file: '/d/1.wav' },
      { type: 'clip', requestId: 2, file: '/d/2.wav' },
    ]);
    client.receive({ type: 'error', requestId: 2, message: 'not a WAV file' });
    client.receive({ type: 'clip', requestId: 99, audio: AUDIO, spectrogram: SPECTROGRAM });
    client.receive({ type: 'clip', requestId: 1, audio: AUDIO, spectrogram: SPECTROGRAM });
    assert.deepEqual(await first, { audio: AUDIO, spectrogram: SPECTROGRAM });
    await assert.rejects(second, { message: 'not a WAV file' });
    client.dispose();
  });

  it('rejects malformed replies, unanswered requests after the timeout, and pending ones on dispose', async () => {
    const client = new ClipClient(() => undefined, 20);
    const malformed = client.request('/d/1.wav');
    client.receive({ type: 'clip', requestId: 1, audio: AUDIO });
    await assert.rejects(malformed, { message: 'malformed clip output: not an object' });
    await assert.rejects(client.request('/d/2.wav'), { message: 'No answer from the Voice Emotion kernel. Run the notebook to hear clips.' });
    const disposing = new ClipClient(() => undefined);
    const cancelled = disposing.request('/d/4.wav');
    disposing.dispose();
    await assert.rejects(cancelled, { message: 'cancelled' });
  });
});
