import { CSS as PANEL_CSS } from '../panel/styles';
import { syncPlotlyStyles } from './plotly';

/**
 * Styles of a notebook output's shadow root: the panels' sheet (tables, summaries, figures, headings), the renderer's
 * own rules for the output's host element and its pieces, and the mirror of Plotly's rules. Colours come only from
 * VS Code's theme variables, which the output webview defines.
 */
const RENDERER_CSS = `
:host {
  display: block;
  color: var(--vscode-foreground);
  font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size);
  line-height: 1.4;
}
main, .output { max-width: 1100px; }
h1 { font-size: 1.25em; margin: 6px 0 4px; }
h2 { margin: 14px 0 6px; }
.empty { margin: 8px 0; }
/* Notebooks stop a training cell with the cell's own Stop button. */
.progress-section > vscode-button { display: none; }
.audio { width: 100%; max-width: 520px; margin: 6px 0; display: block; }
.clip { border-top: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border, transparent)); margin-top: 10px; }
.clip-picker { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
select {
  color: var(--vscode-dropdown-foreground);
  background: var(--vscode-dropdown-background);
  border: 1px solid var(--vscode-dropdown-border, transparent);
  font: inherit;
  padding: 2px 4px;
  max-width: 100%;
}
select:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.heatmap figcaption { font-weight: normal; }
.error { border-left: 3px solid var(--vscode-errorForeground); }
`;

let sheets: CSSStyleSheet[] | undefined;

/** Gives `root` the renderer's style sheets (shared between outputs; created once). */
export function adoptStyles(root: ShadowRoot): void {
  if (!sheets) {
    const panel = new CSSStyleSheet();
    panel.replaceSync(PANEL_CSS);
    const renderer = new CSSStyleSheet();
    renderer.replaceSync(RENDERER_CSS);
    sheets = [panel, renderer, syncPlotlyStyles()];
  }
  if (root.adoptedStyleSheets.length !== sheets.length || root.adoptedStyleSheets.some((sheet, i) => sheet !== sheets?.[i])) {
    root.adoptedStyleSheets = sheets;
  }
}
