import { plotColor } from './model';

/**
 * Charts with Plotly (loaded by the host as the global `Plotly`, its strict build), themed from VS Code's CSS
 * variables. A {@link Chart} redraws only when what it shows or the theme changed, always with `Plotly.react`.
 */

/** A Plotly trace or layout: plain JSON objects as Plotly documents them. */
export type PlotObject = Record<string, unknown>;

/** The part of the Plotly global the panel uses. */
interface PlotlyGlobal {
  newPlot(element: HTMLElement, data: PlotObject[], layout?: PlotObject, config?: PlotObject): Promise<unknown>;
  react(element: HTMLElement, data: PlotObject[], layout?: PlotObject, config?: PlotObject): Promise<unknown>;
  purge(element: HTMLElement): void;
  Plots: { resize(element: HTMLElement): void };
}

declare const Plotly: PlotlyGlobal | undefined;

const CONFIG: PlotObject = { displaylogo: false, responsive: true };

/** Colours of the current VS Code theme, ready for Plotly. */
export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly fontFamily: string;
  readonly fontSize: number;
  readonly hoverBackground: string;
  readonly hoverBorder: string;
  readonly hoverForeground: string;
  /** Series colours (the --vscode-charts-* palette). */
  readonly palette: readonly string[];
}

const PALETTE_VARIABLES: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
  ['--vscode-terminal-ansiCyan', '#11a8cd'],
  ['--vscode-terminal-ansiMagenta', '#bc3fbc'],
];

let themeVersion = 0;
let cachedTheme: Theme | undefined;

/** Forgets the cached colours so every chart redraws with the new theme on its next draw. */
function themeChanged(): void {
  themeVersion++;
  cachedTheme = undefined;
}

/**
 * Calls `redraw` after VS Code switches the colour theme: it changes the body's class and the root element's CSS
 * variables (and class), so the change is noticed once per animation frame, after both have settled; the cached
 * colours are forgotten first.
 */
export function watchTheme(redraw: () => void): void {
  let frame = 0;
  const observer = new MutationObserver(() => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      themeChanged();
      redraw();
    });
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** The current theme's chart colours, read from the body's computed CSS variables. */
export function currentTheme(): Theme {
  if (cachedTheme) return cachedTheme;
  const style = getComputedStyle(document.body);
  const read = (...names: string[]) => {
    for (const name of names) {
      const value = style.getPropertyValue(name).trim();
      if (value) return plotColor(value);
    }
    return '';
  };
  const foreground = read('--vscode-charts-foreground', '--vscode-foreground') || '#cccccc';
  cachedTheme = {
    foreground,
    muted: read('--vscode-disabledForeground', '--vscode-descriptionForeground') || 'rgba(128, 128, 128, 0.8)',
    grid: read('--vscode-editorWidget-border', '--vscode-charts-lines', '--vscode-panel-border') || 'rgba(128, 128, 128, 0.35)',
    fontFamily: style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif',
    fontSize: parseFloat(style.getPropertyValue('--vscode-font-size')) || 13,
    hoverBackground: read('--vscode-editorHoverWidget-background', '--vscode-editor-background') || '#252526',
    hoverBorder: read('--vscode-editorHoverWidget-border', '--vscode-contrastBorder') || foreground,
    hoverForeground: read('--vscode-editorHoverWidget-foreground', '--vscode-foreground') || foreground,
    palette: PALETTE_VARIABLES.map(([name, fallback]) => read(name) || fallback),
  };
  return cachedTheme;
}

/** An axis styled for the theme, with `extra` settings on top. */
export function themedAxis(theme: Theme, title: string, extra: PlotObject = {}): PlotObject {
  return {
    title: { text: title },
    color: theme.foreground,
    gridcolor: theme.grid,
    linecolor: theme.grid,
    zerolinecolor: theme.grid,
    automargin: true,
    ...extra,
  };
}

/** A layout with transparent backgrounds, the theme's font, palette and hover colours, and `extra` on top. */
export function themedLayout(theme: Theme, extra: PlotObject = {}): PlotObject {
  return {
    paper_bgcolor: 'rgba(0, 0, 0, 0)',
    plot_bgcolor: 'rgba(0, 0, 0, 0)',
    font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
    colorway: theme.palette,
    margin: { l: 56, r: 16, t: 16, b: 48 },
    hoverlabel: { bgcolor: theme.hoverBackground, bordercolor: theme.hoverBorder, font: { color: theme.hoverForeground, family: theme.fontFamily } },
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', bgcolor: 'rgba(0, 0, 0, 0)' },
    modebar: { bgcolor: 'rgba(0, 0, 0, 0)', color: theme.muted, activecolor: theme.foreground },
    ...extra,
  };
}

/** A chart: a div (role="img" with a summary for screen readers) that Plotly draws into. */
export class Chart {
  readonly element: HTMLDivElement;
  private drawn: string | undefined;

  constructor(height: number, className = 'chart') {
    this.element = document.createElement('div');
    this.element.className = className;
    this.element.style.height = `${height}px`;
    this.element.setAttribute('role', 'img');
  }

  /** Draws the figure `build` returns, unless `key` (what the figure shows) and the theme are unchanged since the last draw. */
  draw(key: string, label: string, build: (theme: Theme) => { data: PlotObject[]; layout: PlotObject }): void {
    if (this.element.getAttribute('aria-label') !== label) this.element.setAttribute('aria-label', label);
    const stamp = `${themeVersion}\u0000${key}`;
    if (stamp === this.drawn) return;
    this.drawn = stamp;
    if (typeof Plotly === 'undefined') {
      this.element.textContent = 'Charts are unavailable: Plotly did not load.';
      return;
    }
    const { data, layout } = build(currentTheme());
    Plotly.react(this.element, data, layout, CONFIG).catch((error: unknown) => {
      console.error('Voice Emotion: chart failed', error);
    });
  }

  /** Sets the height and lets Plotly fit the new size. */
  setHeight(height: number): void {
    const value = `${height}px`;
    if (this.element.style.height === value) return;
    this.element.style.height = value;
    if (typeof Plotly !== 'undefined' && this.drawn !== undefined) Plotly.Plots.resize(this.element);
  }

  /** Frees Plotly's listeners and memory. */
  dispose(): void {
    if (typeof Plotly !== 'undefined') Plotly.purge(this.element);
    this.drawn = undefined;
  }
}
