import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { allowedFile } from '../fileAccess';
import { RpcEndpoint, type Handlers, type HandlerContext, type RpcMessage } from '../../shared/rpc';
import type { Explanation, ExplanationMethod } from '../../shared/explanation';
import type { PanelHostMethods, PanelMethods, PanelState, PanelView, SpectrogramKind, SpectrogramView } from '../../shared/panelProtocol';
import { PanelGate } from './panelGate';
import { panelHtml } from './panelPage';

/** What a panel's content comes from: its state now, later states, and the actions its buttons ask for. */
export interface PanelSource {
  /** The state to show now. */
  state(): PanelState | Promise<PanelState>;
  /** Subscribes to new states (the dashboard while training); returns the unsubscribe. */
  subscribe?(listener: (state: PanelState) => void): vscode.Disposable;
  cancelJob?(): boolean;
  spectrogram?(kind: SpectrogramKind): Promise<SpectrogramView>;
  /** Files the panel may ask to open (the ones it shows); anything else is refused. */
  openableFiles?(): ReadonlySet<string>;
  /**
   * Explains one of the panel's files (`openableFiles` decides which; the host passes the canonical path): `label`'s
   * evidence, or the predicted emotion's without one.
   */
  explain?(file: string, method: ExplanationMethod, label?: string): Promise<Explanation>;
}

/**
 * A webview panel of the extension: the built panel script under a strict CSP (fresh nonce, no eval, local
 * resources from dist/webview only), talking to the host through the typed RPC protocol. Every message from the page
 * passes the {@link PanelGate} (known method, parameters matching the protocol's schema, bounded requests and
 * subscriptions) before a handler runs; files it asks to open are compared by real path with the ones it shows.
 */
export class PanelHost extends Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly onDisposed = this._register(new vscode.EventEmitter<void>());
  /** Fires when the user closes the panel. */
  readonly onDidDispose = this.onDisposed.event;
  private source: PanelSource;
  private readonly assets: vscode.Uri;
  private endpoint: RpcEndpoint<PanelHostMethods, PanelMethods>;

  constructor(
    extensionUri: vscode.Uri,
    readonly view: PanelView,
    title: string,
    source: PanelSource,
    column: vscode.ViewColumn = vscode.ViewColumn.Active,
  ) {
    super();
    this.source = source;
    const assets = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(`voiceEmotion.${view}`, title, column, {
      enableScripts: true,
      retainContextWhenHidden: view === 'dashboard',
      localResourceRoots: [assets],
    });
    this._register({ dispose: () => this.panel.dispose() });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.assets = assets;
    this.endpoint = this.connect(title);
    this._register({ dispose: () => this.endpoint.close(new Error('the panel was closed')) });
    this._register(this.panel.onDidDispose(() => {
      this.onDisposed.fire();
      this.dispose();
    }));
  }

  /** Shows new content in the same panel (e.g. another file's classification): the page reloads with a new channel. */
  replaceSource(source: PanelSource, title: string): void {
    this.source = source;
    this.endpoint.close(new Error('the panel shows something else now'));
    this.endpoint = this.connect(title);
    this.panel.reveal();
  }

  /** Loads the page and opens its RPC channel (requests of an earlier page are answered no more). */
  private connect(title: string): RpcEndpoint<PanelHostMethods, PanelMethods> {
    this.panel.title = title;
    const webview = this.panel.webview;
    const gate = new PanelGate();
    const endpoint = new RpcEndpoint<PanelHostMethods, PanelMethods>(
      {
        send: (message: RpcMessage) => {
          gate.sent(message);
          void webview.postMessage(message);
        },
        onMessage: (listener) => {
          const subscription = webview.onDidReceiveMessage((raw: unknown) => {
            const admission = gate.admit(raw);
            if (admission.action === 'forward') admission.messages.forEach(listener);
            else if (admission.action === 'refuse') void webview.postMessage(admission.reply);
          });
          return () => subscription.dispose();
        },
      },
      this.handlers(),
      0,
    );
    const script = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.assets, name)).toString();
    webview.html = panelHtml({ cspSource: webview.cspSource, plotlyScript: script('plotly.min.js'), panelScript: script('panel.js') }, this.view, title);
    return endpoint;
  }

  private handlers(): Handlers<PanelHostMethods> {
    return {
      state: () => this.source.state(),
      watch: (_params, context: HandlerContext<PanelState>) =>
        new Promise<null>((resolve) => {
          const subscription = this.source.subscribe?.((state) => context.emit(state));
          context.signal.addEventListener('abort', () => {
            subscription?.dispose();
            resolve(null);
          });
        }),
      cancelJob: () => ({ cancelled: this.source.cancelJob?.() ?? false }),
      spectrogram: ({ kind }) => {
        if (!this.source.spectrogram) throw new Error('this panel shows no spectrogram');
        return this.source.spectrogram(kind);
      },
      openFile: async ({ file }) => {
        const allowed = allowedFile(file, this.source.openableFiles?.() ?? []);
        if (allowed === undefined) throw new Error('the panel asked to open a file it does not show');
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(allowed));
        return null;
      },
      explain: ({ file, method, label }) => {
        if (!this.source.explain) throw new Error('this panel explains no files');
        const allowed = allowedFile(file, this.source.openableFiles?.() ?? []);
        if (allowed === undefined) throw new Error('the panel asked to explain a file it does not show');
        return this.source.explain(allowed, method, label);
      },
    };
  }
}
