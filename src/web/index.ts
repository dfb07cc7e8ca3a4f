/**
 * The browser runtime of exported models (dist/web/voice-emotion.js, a classic script): loaded after tf.min.js, it
 * defines the global `VoiceEmotion` with `load(folderUrl, options)` → an {@link EmotionModel}.
 */
export { EmotionModel, loadModel as load, type LoadOptions } from './runtime';
export type { SamplesClassification, TimelineSegment } from '../core/infer/timeline';
