import type { ActivationFunction, RendererContext } from 'vscode-notebook-renderer';
import { el } from '../panel/dom';
import { watchTheme } from '../panel/plot';
import { ClipClient } from './clips';
import { checkOutput } from './model';
import { installPlotly, syncPlotlyStyles } from './plotly';
import { adoptStyles } from './styles';
import { createView, type OutputView } from './views';

/**
 * Notebook renderer for the product's MIME types. Each output draws into its element's shadow root (notebook styles do
 * not leak in), reusing the panels' views and Plotly charts. VS Code renders an output again on the same element when
 * it is replaced (a live training run): the output's view then updates its charts in place with Plotly.react.
 */

/** A drawn output: where, what type, its view and the JSON it last showed (redrawn on theme changes). */
interface LiveOutput {
  readonly element: HTMLElement;
  readonly mime: string;
  readonly view: OutputView;
  json: unknown;
}

/** The text of a thrown value. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The box shown instead of an output that could not be drawn. */
function errorBox(error: unknown): HTMLElement {
  return el('div', { className: 'error', attrs: { role: 'alert' } }, `Voice Emotion could not render this output: ${errorText(error)}`);
}

/** Mirrors Plotly's style rules into the shadow roots now and after the next frame (when late rules have been added). */
function syncStylesSoon(): void {
  syncPlotlyStyles();
  requestAnimationFrame(() => syncPlotlyStyles());
}

/** Activates the renderer: `context.postMessage`, when present, lets the feature explorer ask the kernel for clips. */
export const activate: ActivationFunction = (context: RendererContext<unknown>) => {
  const live = new Map<string, LiveOutput>();
  const post = context.postMessage?.bind(context);
  const clips = post && context.onDidReceiveMessage ? new ClipClient(post) : undefined;
  if (clips) context.onDidReceiveMessage?.((message) => clips.receive(message));

  const dispose = (id: string) => {
    const output = live.get(id);
    if (!output) return;
    live.delete(id);
    output.view.dispose();
  };

  watchTheme(() => {
    for (const [id, output] of live) {
      try {
        output.view.update(output.json);
      } catch (error) {
        dispose(id);
        output.element.shadowRoot?.replaceChildren(errorBox(error));
      }
    }
    syncStylesSoon();
  });

  return {
    renderOutputItem(item, element) {
      installPlotly();
      const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
      // Which output this is, for the accessibility tree and the end-to-end tests ("spectrogram", "training", …).
      element.dataset.voiceEmotionOutput = item.mime.replace(/^application\/vnd\.voice-emotion\.|\+json$/g, '');
      adoptStyles(root);
      let output = live.get(item.id);
      if (output && (output.element !== element || output.mime !== item.mime)) {
        dispose(item.id);
        output = undefined;
      }
      try {
        const json = checkOutput(item.mime, item.json());
        if (!output) {
          output = { element, mime: item.mime, view: createView(item.mime, clips), json };
          live.set(item.id, output);
        }
        if (root.firstElementChild !== output.view.element || root.childElementCount !== 1) root.replaceChildren(output.view.element);
        output.json = json;
        output.view.update(json);
      } catch (error) {
        dispose(item.id);
        root.replaceChildren(errorBox(error));
      }
      syncStylesSoon();
    },
    disposeOutputItem(id) {
      if (id !== undefined) {
        dispose(id);
        return;
      }
      for (const key of [...live.keys()]) dispose(key);
    },
  };
};
