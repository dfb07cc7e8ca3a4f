import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { RpcEndpoint, type Handlers, type HandlerContext, type RpcMessage } from '../../shared/rpc';
import type { PanelHostMethods, PanelMethods, PanelState, PanelView, SpectrogramKind, SpectrogramView } from '../../shared/panelProtocol';

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
}

const SPECTROGRAM_KINDS: readonly SpectrogramKind[] = ['logmel', 'mfcc', 'spectrogram'];

/**
 * A webview panel of the extension: the built panel script under a strict CSP (fresh nonce, no eval, local
 * resources from dist/webview only), talking to the host through the typed RPC protocol. The host checks every
 * request's parameters before acting on it.
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
    const endpoint = new RpcEndpoint<PanelHostMethods, PanelMethods>(
      {
        send: (message: RpcMessage) => void this.panel.webview.postMessage(message),
        onMessage: (listener) => {
          const subscription = this.panel.webview.onDidReceiveMessage(listener);
          return () => subscription.dispose();
        },
      },
      this.handlers(),
      0,
    );
    this.panel.webview.html = panelHtml(this.panel.webview, this.assets, this.view, title);
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
        if (!SPECTROGRAM_KINDS.includes(kind)) throw new Error(`unknown spectrogram kind ${JSON.stringify(kind)}`);
        if (!this.source.spectrogram) throw new Error('this panel shows no spectrogram');
        return this.source.spectrogram(kind);
      },
      openFile: async ({ file }) => {
        if (typeof file !== 'string' || !this.source.openableFiles?.().has(file)) throw new Error('the panel asked to open a file it does not show');
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
        return null;
      },
    };
  }
}

/** The panel page: root element, Plotly's strict build and the panel bundle, both with this render's nonce. */
function panelHtml(webview: vscode.Webview, assets: vscode.Uri, view: PanelView, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(assets, name)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  const escaped = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escaped}</title>
</head>
<body data-view="${view}">
<div id="root" role="main" aria-label="${escaped}"></div>
<script nonce="${nonce}" src="${script('plotly.min.js')}"></script>
<script nonce="${nonce}" src="${script('panel.js')}"></script>
</body>
</html>`;
}
