import Plotly from 'plotly.js-strict-dist-min';

/**
 * Plotly for the notebook output webview, bundled into the renderer (panels load the same build with a script tag).
 * The panels' chart wrapper (panel/plot.ts) reads the global `Plotly`, so the renderer makes sure it is this copy.
 * Plotly adds its style rules (absolutely positioned SVG layers, modebar, hover) to the document's head, which does not
 * reach into shadow roots: they are mirrored into one constructable sheet that every output's shadow root adopts.
 */

/** Makes the global `Plotly` this bundle's copy (another renderer in the same webview may have set its own). */
export function installPlotly(): void {
  const global = globalThis as { Plotly?: unknown };
  if (global.Plotly !== Plotly) global.Plotly = Plotly;
}

const mirror = new CSSStyleSheet();
let mirrored = '';

/** The text of every style rule Plotly added to the document. */
function plotlyRules(): string {
  const parts: string[] = [];
  for (const style of document.querySelectorAll<HTMLStyleElement>('style[id^="plotly.js-style-"]')) {
    const rules = style.sheet?.cssRules;
    if (!rules) continue;
    for (const rule of rules) parts.push(rule.cssText);
  }
  return parts.join('\n');
}

/** Copies Plotly's current style rules into the shared sheet (only when they changed) and returns the sheet. */
export function syncPlotlyStyles(): CSSStyleSheet {
  const text = plotlyRules();
  if (text !== mirrored) {
    mirrored = text;
    mirror.replaceSync(text);
  }
  return mirror;
}
