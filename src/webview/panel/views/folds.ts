import type { KFoldView } from '../../../shared/panelProtocol';
import { dataTable, el, linkButton, openFile, setText, type Cell, type ViewContext } from '../dom';
import { foldTable } from '../runsModel';

/** The dashboard's k-fold section: a row per fold (filled as folds finish) and the mean ± std line. */
export class FoldsSection {
  readonly element: HTMLElement;
  private readonly heading = el('h2', { text: 'Folds' });
  private readonly note = el('p', { className: 'note' });
  private readonly table = el('div');
  private key: string | undefined;

  constructor(private readonly context: ViewContext) {
    this.element = el('section', { className: 'folds-section' }, this.heading, this.note, this.table);
  }

  /** Shows a k-fold run's folds, or hides the section for a single run. */
  update(kfold: KFoldView | undefined): void {
    this.element.hidden = !kfold;
    if (!kfold) return;
    setText(this.heading, `Folds (${kfold.folds}, by speaker)`);
    setText(this.note, 'Each fold tests speakers no other fold tests; the summed confusion matrix below counts every test clip once.');
    const key = JSON.stringify(kfold);
    if (key === this.key) return;
    this.key = key;
    const { rows, summary } = foldTable(kfold);
    const headers: Cell[] = [
      { content: 'Fold' },
      { content: 'Test speakers' },
      { content: 'WA', numeric: true },
      { content: 'UAR', numeric: true },
      { content: 'Macro-F1', numeric: true },
      { content: 'Test clips', numeric: true },
      { content: 'Status' },
    ];
    const body = rows.map((cells, i) => {
      const row = kfold.rows[i];
      const fold = row.status === 'done' ? linkButton(`Fold ${cells.fold}`, `Open ${row.modelDir}/emotion.json`, () => openFile(this.context, `${row.modelDir}/emotion.json`)) : `Fold ${cells.fold}`;
      return {
        className: row.status === 'failed' ? 'failed' : undefined,
        cells: [{ content: fold }, { content: cells.speakers }, { content: cells.accuracy, numeric: true }, { content: cells.uar, numeric: true }, { content: cells.macroF1, numeric: true }, { content: cells.clips, numeric: true }, { content: cells.status }] as Cell[],
      };
    });
    if (summary) {
      body.push({
        className: 'summary-row',
        cells: [{ content: summary.fold }, { content: '' }, { content: summary.accuracy, numeric: true }, { content: summary.uar, numeric: true }, { content: summary.macroF1, numeric: true }, { content: summary.clips, numeric: true }, { content: '' }],
      });
    }
    this.table.replaceChildren(dataTable('Test scores per fold', headers, body));
  }
}
