import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import type { PanelHostMethods, PanelMethods } from '../../shared/panelProtocol';
import type { RpcEndpoint } from '../../shared/rpc';

/** Small DOM helpers shared by the views (and the vscode-elements components they use, registered once here). */

/** Attributes and text of a new element. */
export interface ElementOptions {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Creates an element with a class, text, attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Sets an element's text only when it changed (cheap for views updated several times a second). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** A table cell: text or nodes, optionally right-aligned as a number or spanning columns. */
export interface Cell {
  readonly content: string | Node;
  readonly numeric?: boolean;
  readonly span?: number;
}

/** A header (th) or data (td) cell element for `cell`. */
function cellElement(tag: 'th' | 'td', cell: Cell, scope?: string): HTMLTableCellElement {
  const element = el(tag, { className: cell.numeric ? 'num' : '' }, cell.content);
  if (scope) element.scope = scope;
  if (cell.span && cell.span > 1) element.colSpan = cell.span;
  return element;
}

/** A table row: its cells and an optional class ("failed"). */
export interface Row {
  readonly cells: readonly Cell[];
  readonly className?: string;
}

/** A table with a caption, header cells (scope="col"), the first cell of each row as its header (scope="row"). */
export function dataTable(caption: string, headers: readonly Cell[], rows: readonly (readonly Cell[] | Row)[]): HTMLTableElement {
  const head = el('tr', {}, ...headers.map((h) => cellElement('th', h, 'col')));
  const body = rows.map((row) => {
    const { cells, className } = 'cells' in row ? row : { cells: row, className: undefined };
    return el('tr', { className }, ...cells.map((cell, i) => (i === 0 ? cellElement('th', cell, 'row') : cellElement('td', cell))));
  });
  return el('table', {}, el('caption', { text: caption }), el('thead', {}, head), el('tbody', {}, ...body));
}

/** A button that looks like a link (keyboard reachable; Enter and Space activate it). */
export function linkButton(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const button = el('button', { className: 'link', text, attrs: { type: 'button', title } });
  button.addEventListener('click', onClick);
  return button;
}

/** A status badge ("running", "done", …) coloured through its class. */
export function statusBadge(status: string): HTMLElement {
  return el('vscode-badge', { className: `status status-${status}`, text: status });
}

/** The host's methods as the panel calls them. */
export type Host = Pick<RpcEndpoint<PanelMethods, PanelHostMethods>, 'request'>;

/** What every view gets: the host, and a place to report a failed action. */
export interface ViewContext {
  readonly host: Host;
  /** Shows an error (or clears it with undefined) above the view. */
  report(error: unknown): void;
}

/** A rendered view: its element, updated in place with each new state of the same view. */
export interface ViewRenderer<S> {
  readonly element: HTMLElement;
  update(state: S): void;
  dispose(): void;
}

/** Opens `file` in the editor through the host, reporting a failure. */
export function openFile(context: ViewContext, file: string): void {
  context.host.request('openFile', { file }).catch((error: unknown) => context.report(error));
}
