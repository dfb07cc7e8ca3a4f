import type { PanelHostMethods, PanelMethods, PanelState } from '../../shared/panelProtocol';
import { RpcEndpoint, type RpcMessage, type Transport } from '../../shared/rpc';
import { el, type ViewContext, type ViewRenderer } from './dom';
import { watchTheme } from './plot';
import { installStyles } from './styles';
import { ClassifyView } from './views/classify';
import { DashboardView } from './views/dashboard';
import { EvaluationView } from './views/evaluation';
import { RunsView } from './views/runs';
import { SpectrogramPanel } from './views/spectrogram';

/**
 * Panel script: asks the host for the panel's state, renders its view, then follows the host's live updates
 * (coalesced to one render per animation frame) and redraws charts when the colour theme changes.
 */

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

const transport: Transport = {
  send: (message: RpcMessage) => vscode.postMessage(message),
  onMessage(listener) {
    const receive = (event: MessageEvent) => listener(event.data);
    window.addEventListener('message', receive);
    return () => window.removeEventListener('message', receive);
  },
};

const host = new RpcEndpoint<PanelMethods, PanelHostMethods>(transport, {}, 0);

installStyles(document);
const root = document.getElementById('root') ?? document.body;
const alert = el('div', { className: 'alert', attrs: { role: 'alert' } });
const content = el('div', {}, el('p', { className: 'note', text: 'Loading…' }));
root.replaceChildren(alert, content);

/** The text of a thrown value. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const context: ViewContext = {
  host,
  report(error) {
    alert.textContent = error === undefined ? '' : errorText(error);
  },
};

let current: { view: PanelState['view']; renderer: ViewRenderer<never> } | undefined;
let shown: PanelState | undefined;
let pending: PanelState | undefined;

/** A renderer for `state`'s view. */
function createRenderer(state: PanelState): ViewRenderer<never> {
  switch (state.view) {
    case 'dashboard':
      return new DashboardView(context);
    case 'classify':
      return new ClassifyView(context);
    case 'spectrogram':
      return new SpectrogramPanel(context);
    case 'evaluation':
      return new EvaluationView();
    case 'runs':
      return new RunsView(context);
  }
}

/** Shows `state`, reusing the view on screen when it is the same kind so charts update in place. */
function render(state: PanelState): void {
  shown = state;
  try {
    if (!current || current.view !== state.view) {
      current?.renderer.dispose();
      current = { view: state.view, renderer: createRenderer(state) };
      document.body.dataset.view = state.view;
      content.replaceChildren(current.renderer.element);
    }
    (current.renderer as ViewRenderer<PanelState>).update(state);
  } catch (error) {
    console.error('Voice Emotion: rendering failed', error);
    context.report(`Could not show this view: ${errorText(error)}`);
  }
}

/** Renders the latest of the states that arrived since the last frame. */
function schedule(state: PanelState): void {
  const first = pending === undefined;
  pending = state;
  if (!first) return;
  requestAnimationFrame(() => {
    const next = pending;
    pending = undefined;
    if (next) render(next);
  });
}

watchTheme(() => {
  if (shown && !pending) render(shown);
});

host
  .request('state', {})
  .then(
    (state) => {
      render(state);
      host.request('watch', {}, { onEvent: schedule }).catch((error: unknown) => {
        context.report(`Live updates stopped: ${errorText(error)}`);
      });
    },
    (error: unknown) => {
      content.replaceChildren(el('p', { className: 'error', text: `Could not load this panel: ${errorText(error)}` }));
    },
  );
