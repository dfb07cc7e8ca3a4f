import type { FeatureMatrixJson } from '../../shared/mime';
import { renderHeatmap } from '../heatmap';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Panel script: draws feature matrices the host sends, and tells the host when it is ready. */
const vscode = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body;

window.addEventListener('message', (event: MessageEvent<{ type: string; matrix?: FeatureMatrixJson }>) => {
  const message = event.data;
  if (message?.type === 'features' && message.matrix) {
    root.replaceChildren(renderHeatmap(document, message.matrix));
  }
});
vscode.postMessage({ type: 'ready' });
