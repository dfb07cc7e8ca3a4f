import type { ActivationFunction } from 'vscode-notebook-renderer';
import { MIME, type FeatureMatrixJson } from '../../shared/mime';
import { renderHeatmap } from '../heatmap';

/** Notebook renderer for the product's MIME types; draws into a shadow root so notebook styles do not leak in. */
export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    root.replaceChildren();
    try {
      if (item.mime !== MIME.features) throw new Error(`unsupported output type ${item.mime}`);
      root.append(renderHeatmap(document, item.json() as FeatureMatrixJson));
    } catch (error) {
      const message = document.createElement('pre');
      message.style.color = 'var(--vscode-errorForeground)';
      message.textContent = `Voice Emotion could not render this output: ${error instanceof Error ? error.message : String(error)}`;
      root.append(message);
    }
  },
  disposeOutputItem(id) {
    // Canvases hold no external resources; nothing beyond the DOM (removed by VS Code) to free for `id`.
    void id;
  },
});
