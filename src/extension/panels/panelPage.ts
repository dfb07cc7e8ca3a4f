import { randomBytes } from 'node:crypto';
import type { PanelView } from '../../shared/panelProtocol';

/** What the page needs from its webview: the CSP source of its resources and the URIs of the built scripts. */
export interface PanelPageResources {
  /** The webview's `cspSource` (the origin its local resources are served from). */
  readonly cspSource: string;
  /** Webview URIs of Plotly's strict build and of the panel bundle. */
  readonly plotlyScript: string;
  readonly panelScript: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** A fresh random nonce for one render's scripts (128 bits, base64). */
export function scriptNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Content-Security-Policy of a panel page: nothing by default; scripts only with this render's nonce (no eval,
 * no inline handlers); styles, images and fonts from the webview's own resources (inline styles for Plotly); no
 * `<base>` and no form submission.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The panel page: root element, Plotly's strict build and the panel bundle, both with a nonce fresh for this render. */
export function panelHtml(resources: PanelPageResources, view: PanelView, title: string, nonce = scriptNonce()): string {
  const csp = panelCsp(resources.cspSource, nonce);
  const escaped = escapeHtml(title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escaped}</title>
</head>
<body data-view="${escapeHtml(view)}">
<div id="root" role="main" aria-label="${escaped}"></div>
<script nonce="${nonce}" src="${escapeHtml(resources.plotlyScript)}"></script>
<script nonce="${nonce}" src="${escapeHtml(resources.panelScript)}"></script>
</body>
</html>`;
}
