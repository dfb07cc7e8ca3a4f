/**
 * Line mapping of notebook cells: esbuild's source map (decoded here, base64 VLQ) takes a line and column of the
 * transformed code back to the cell's own text; the kernel rewrites stack traces with it.
 */

/** One decoded mapping segment: generated column → source line and column (all 0-based). */
interface Segment {
  readonly column: number;
  readonly sourceLine: number;
  readonly sourceColumn: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one comma-free group of base64 VLQ numbers. */
function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`bad source map character "${char}"`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

/** A decoded source map of one transformed cell (single source). */
export class LineMap {
  private readonly lines: Segment[][] = [];

  /** @param mappings the `mappings` field of a version-3 source map */
  constructor(mappings: string) {
    let sourceLine = 0;
    let sourceColumn = 0;
    for (const line of mappings.split(';')) {
      const segments: Segment[] = [];
      let column = 0;
      for (const group of line.split(',')) {
        if (!group) continue;
        const [dColumn, , dLine, dSourceColumn] = decodeVlq(group);
        column += dColumn;
        if (dLine === undefined) continue;
        sourceLine += dLine;
        sourceColumn += dSourceColumn ?? 0;
        segments.push({ column, sourceLine, sourceColumn });
      }
      this.lines.push(segments);
    }
  }

  /** The cell's 1-based line and column of a 1-based position in the transformed code (nearest mapped point). */
  original(line: number, column: number): { line: number; column: number } {
    for (let l = Math.min(line, this.lines.length) - 1; l >= 0; l--) {
      const segments = this.lines[l];
      if (!segments.length) continue;
      if (l < line - 1) {
        const last = segments[segments.length - 1];
        return { line: last.sourceLine + 1, column: last.sourceColumn + 1 };
      }
      let best = segments[0];
      for (const segment of segments) if (segment.column <= column - 1) best = segment;
      return { line: best.sourceLine + 1, column: best.sourceColumn + Math.max(0, column - 1 - best.column) + 1 };
    }
    return { line, column };
  }
}

/** Edits made to one line of code, to take a column of the edited text back to the text before the edits. */
export interface ColumnShift {
  /** Column (0-based, in the edited text) from which `delta` applies. */
  readonly from: number;
  /** Edited column minus original column at and after `from`. */
  readonly delta: number;
}

/** Takes a 1-based column of an edited line back through its shifts (sorted by `from`). */
export function unshiftColumn(shifts: readonly ColumnShift[] | undefined, column: number): number {
  let delta = 0;
  for (const shift of shifts ?? []) if (shift.from <= column - 1) delta = shift.delta;
  return Math.max(1, column - delta);
}
