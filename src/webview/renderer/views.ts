import { MIME, type AudioJson, type ClassifyRowView, type DashboardRun, type Explanation, type ExplorerJson, type FeatureMatrixJson, type MetricsJson, type SpectrogramView, type TableJson } from '../../shared/mime';
import { renderHeatmap } from '../heatmap';
import { dataTable, el, type Host, type ViewContext } from '../panel/dom';
import { formatDuration } from '../panel/model';
import { ClassifyView } from '../panel/views/classify';
import { DashboardView } from '../panel/views/dashboard';
import { ExplanationSection } from '../panel/views/explanation';
import { MetricsSection } from '../panel/views/metrics';
import { KIND_NAMES, SpectrogramFigure } from '../panel/views/spectrogramFigure';
import { AudioOutput } from './audio';
import type { ClipClient } from './clips';
import { ExplorerOutput } from './explorer';
import { formatTableCell, numericColumns } from './model';

/** One view per MIME type, each updated in place when VS Code renders the same output again (live training runs). */

/** A rendered output: its element, redrawn in place with each new JSON of the same output. */
export interface OutputView {
  readonly element: HTMLElement;
  update(json: unknown): void;
  dispose(): void;
}

/** The panel views' host, which notebook outputs do not have: actions that need it (cancel, open file) report why not. */
const NO_HOST: Host = {
  request: () => Promise.reject(new Error('This action is not available in notebook outputs.')),
};

/** A panel view's context inside an output: errors go to an alert box above the view. */
function outputContext(alert: HTMLElement): ViewContext {
  return {
    host: NO_HOST,
    report(error) {
      alert.textContent = error === undefined ? '' : error instanceof Error ? error.message : String(error);
    },
  };
}

/** The features heatmap (a canvas; no Plotly). */
function featuresView(): OutputView {
  const element = el('div', { className: 'output heatmap' });
  return { element, update: (json) => element.replaceChildren(renderHeatmap(document, json as FeatureMatrixJson)), dispose: () => undefined };
}

/** A clip's waveform above its feature heatmap. */
function spectrogramView(): OutputView {
  const figure = new SpectrogramFigure();
  const caption = el('figcaption');
  const element = el('figure', { className: 'output' }, caption, figure.chart.element);
  return {
    element,
    update(json) {
      const view = json as SpectrogramView;
      caption.textContent = `${view.name} · ${KIND_NAMES[view.matrix.kind] ?? view.matrix.kind} · ${formatDuration(view.waveform.durationSeconds)}`;
      figure.show(view);
    },
    dispose: () => figure.dispose(),
  };
}

/** The training dashboard (header, status line, progress, loss and accuracy/UAR curves, final metrics). */
function trainingView(): OutputView {
  const alert = el('div', { className: 'alert', attrs: { role: 'alert' } });
  const dashboard = new DashboardView(outputContext(alert));
  return {
    element: el('div', { className: 'output' }, alert, dashboard.element),
    update: (json) => dashboard.update({ view: 'dashboard', run: json as DashboardRun }),
    dispose: () => dashboard.dispose(),
  };
}

/** Summary numbers, confusion matrix and per-class table under the output's title. */
function metricsView(): OutputView {
  const section = new MetricsSection();
  return {
    element: el('div', { className: 'output' }, section.element),
    update(json) {
      const { title, metrics } = json as MetricsJson;
      section.update(metrics, title);
    },
    dispose: () => section.dispose(),
  };
}

/**
 * Classified files, with the first one's probability bars and timeline. The output knows no model name (the panel's
 * "Model …" prefix is dropped) and no editor to open files in (file names are plain text).
 */
function classificationView(): OutputView {
  const alert = el('div', { className: 'alert', attrs: { role: 'alert' } });
  const view = new ClassifyView(outputContext(alert));
  const element = el('div', { className: 'output' }, alert, view.element);
  return {
    element,
    update(json) {
      view.update({ view: 'classify', model: '', rows: json as ClassifyRowView[] });
      const meta = view.element.querySelector('.meta');
      if (meta?.textContent?.startsWith('Model  · ')) meta.textContent = meta.textContent.slice('Model  · '.length);
      for (const button of element.querySelectorAll<HTMLButtonElement>('button.link')) {
        button.replaceWith(el('span', { text: button.textContent ?? '', attrs: { title: button.title.replace(/^Open /, '') } }));
      }
    },
    dispose: () => view.dispose(),
  };
}

/** Why a model chose an emotion: the heat over the clip's features, how it was made, and the regions in words. */
function explanationView(): OutputView {
  const section = new ExplanationSection(undefined);
  return {
    element: el('div', { className: 'output' }, section.element),
    update: (json) => section.show(json as Explanation),
    dispose: () => section.dispose(),
  };
}

/** An HTML table with a caption, column headers and numbers right-aligned. */
function tableView(): OutputView {
  const element = el('div', { className: 'output' });
  return {
    element,
    update(json) {
      const table = json as TableJson;
      const numeric = numericColumns(table);
      const headers = table.columns.map((column, c) => ({ content: column, numeric: numeric[c] }));
      const rows = table.rows.map((row) => table.columns.map((_, c) => ({ content: formatTableCell(row[c]), numeric: numeric[c] })));
      const caption = table.caption ?? `${table.rows.length} ${table.rows.length === 1 ? 'row' : 'rows'}`;
      element.replaceChildren(dataTable(caption, headers, rows));
    },
    dispose: () => undefined,
  };
}

/** A view for the output type `mime`; `clips` asks the kernel for clips when renderer messaging is available. */
export function createView(mime: string, clips: ClipClient | undefined): OutputView {
  switch (mime) {
    case MIME.features:
      return featuresView();
    case MIME.spectrogram:
      return spectrogramView();
    case MIME.audio: {
      const audio = new AudioOutput();
      return { element: audio.element, update: (json) => audio.update(json as AudioJson), dispose: () => audio.dispose() };
    }
    case MIME.training:
      return trainingView();
    case MIME.metrics:
      return metricsView();
    case MIME.classification:
      return classificationView();
    case MIME.table:
      return tableView();
    case MIME.explanation:
      return explanationView();
    case MIME.explorer: {
      const explorer = new ExplorerOutput(clips);
      return { element: explorer.element, update: (json) => explorer.update(json as ExplorerJson), dispose: () => explorer.dispose() };
    }
    default:
      throw new Error(`unsupported output type ${mime}`);
  }
}
