/** The core API: pure TypeScript, no VS Code import; shared by the CLI, the worker, the notebook kernel and tests. */
export * from './audio';
export * from './errors';
export * from './fsutil';
export * from './random';
export * from './report/html';
export * from './report/png';
export * from './synth/voice';
export { paintMatrix, viridis } from '../shared/colormap';
export * from './augment';
export * from './cache';
export * from './dataset';
export * from './synth/corpus';
