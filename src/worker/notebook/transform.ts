import * as acorn from 'acorn';
import { createRequire } from 'node:module';
import type { TransformFailure } from 'esbuild-wasm';
import { ensureNodeCommand } from './nodeShim';
import { LineMap, unshiftColumn, type ColumnShift } from './sourceMap';

/**
 * Turns a notebook cell into a script for the kernel's persistent context: TypeScript types are stripped (esbuild),
 * top-level declarations become assignments to context globals so they outlive the cell, the whole is wrapped in an
 * async function (top-level await) whose value is the cell's last expression. Line numbers never change.
 */

/** A cell ready to run, with what is needed to map its positions back to the cell's text. */
export interface CompiledCell {
  /** The script: `(async () => { … })()` on the cell's own lines. */
  readonly code: string;
  /** Names the cell declares at top level (the kernel creates them on the context before running). */
  readonly names: readonly string[];
  /** The cell's 1-based line and column of a 1-based position in `code` (undefined on the wrapper's closing line). */
  original(line: number, column: number): { line: number; column: number } | undefined;
}

/** A cell that cannot run as written: the message names the cell's line. */
export class CellSyntaxError extends Error {
  constructor(
    message: string,
    readonly cellLabel: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'SyntaxError';
    this.stack = `SyntaxError: ${message}\n    at ${cellLabel}:${line}:${column}`;
  }
}

interface Edit {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

const PREFIX = '(async () => { ';
const SUFFIX = '})()';

/** Identifiers bound by a declaration target (identifier or destructuring pattern). */
function boundNames(pattern: acorn.Pattern, into: string[]): void {
  switch (pattern.type) {
    case 'Identifier':
      into.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) boundNames(property.type === 'RestElement' ? property.argument : property.value, into);
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) boundNames(element, into);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, into);
      break;
    case 'RestElement':
      boundNames(pattern.argument, into);
      break;
    default:
      break;
  }
}

/** Edits turning `const/let/var a = 1, {b} = c` into `a = 1, ({b} = c)`; `var` without a value keeps the old one. */
function declarationEdits(declaration: acorn.VariableDeclaration, names: string[], edits: Edit[], inFor: boolean): void {
  edits.push({ at: declaration.start, remove: declaration.kind.length, insert: '' });
  for (const declarator of declaration.declarations) {
    boundNames(declarator.id, names);
    const pattern = declarator.id.type !== 'Identifier';
    if (pattern && !inFor) {
      edits.push({ at: declarator.start, remove: 0, insert: '(' });
      edits.push({ at: declarator.end, remove: 0, insert: ')' });
    }
    if (!declarator.init && !inFor && declaration.kind !== 'var') edits.push({ at: declarator.end, remove: 0, insert: ' = void 0' });
  }
}

/** Applies non-overlapping edits (sorted stably by position) and records the column shifts of each line. */
function applyEdits(source: string, edits: Edit[]): { code: string; shifts: Map<number, ColumnShift[]> } {
  const sorted = edits.map((edit, order) => ({ edit, order })).sort((a, b) => a.edit.at - b.edit.at || a.order - b.order);
  const shifts = new Map<number, ColumnShift[]>();
  let code = '';
  let at = 0;
  let line = 1;
  let lineStart = 0;
  let originalLineStart = 0;
  for (const { edit } of sorted) {
    const kept = source.slice(at, edit.at);
    for (let i = kept.indexOf('\n'); i >= 0; i = kept.indexOf('\n', i + 1)) {
      line++;
      lineStart = code.length + i + 1;
      originalLineStart = at + i + 1;
    }
    code += kept + edit.insert;
    at = edit.at + edit.remove;
    const delta = code.length - lineStart - (at - originalLineStart);
    shifts.set(line, [...(shifts.get(line) ?? []), { from: code.length - lineStart, delta }]);
  }
  return { code: code + source.slice(at), shifts };
}

/** Converts esbuild's first error into a {@link CellSyntaxError} at the cell's line. */
function esbuildError(error: unknown, cellLabel: string): Error {
  const failure = error as Partial<TransformFailure>;
  const first = failure.errors?.[0];
  if (!first) return error instanceof Error ? error : new Error(String(error));
  return new CellSyntaxError(first.text, cellLabel, first.location?.line ?? 1, (first.location?.column ?? 0) + 1);
}

/** Compiles a cell (see the module comment); throws {@link CellSyntaxError} for code that cannot run. */
export function compileCell(source: string, language: 'typescript' | 'javascript', cellLabel: string): CompiledCell {
  let transformed: { code: string; map: string };
  try {
    ensureNodeCommand();
    // Loaded on the first cell: the worker's other methods never need the compiler.
    const { transformSync } = createRequire(__filename)('esbuild-wasm') as typeof import('esbuild-wasm');
    transformed = transformSync(source, {
      loader: language === 'typescript' ? 'ts' : 'js',
      format: 'esm',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: cellLabel,
      // Imports stay visible (not dropped as possibly type-only) so they can be refused with a clear message.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
  } catch (error) {
    throw esbuildError(error, cellLabel);
  }
  const map = new LineMap((JSON.parse(transformed.map) as { mappings: string }).mappings);
  const js = transformed.code;
  const program = acorn.parse(js, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, locations: true });
  const names: string[] = [];
  const functions: string[] = [];
  const edits: Edit[] = [];
  program.body.forEach((statement, i) => {
    switch (statement.type) {
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration': {
        const at = map.original(statement.loc!.start.line, statement.loc!.start.column + 1);
        const what = statement.type === 'ImportDeclaration' ? 'import declarations' : 'export declarations';
        throw new CellSyntaxError(`${what} are not supported: use require() in notebook cells (e.g. const fs = require('node:fs'))`, cellLabel, at.line, at.column);
      }
      case 'VariableDeclaration':
        declarationEdits(statement, names, edits, false);
        break;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = statement.type === 'ForStatement' ? statement.init : statement.left;
        if (head?.type === 'VariableDeclaration' && head.kind === 'var') declarationEdits(head, names, edits, true);
        break;
      }
      case 'FunctionDeclaration':
        // Kept as a declaration (hoisted within the cell) and published to the context when the cell starts.
        names.push(statement.id.name);
        functions.push(statement.id.name);
        break;
      case 'ClassDeclaration':
        names.push(statement.id.name);
        edits.push({ at: statement.start, remove: 0, insert: `${statement.id.name} = ` });
        edits.push({ at: statement.end, remove: 0, insert: ';' });
        break;
      case 'ExpressionStatement':
        if (i === program.body.length - 1) {
          edits.push({ at: statement.start, remove: 0, insert: 'return (' });
          edits.push({ at: statement.expression.end, remove: 0, insert: ')' });
        }
        break;
      default:
        break;
    }
  });
  const prologue = PREFIX + functions.map((name) => `globalThis[${JSON.stringify(name)}] = ${name}; `).join('');
  edits.unshift({ at: 0, remove: 0, insert: prologue });
  const { code, shifts } = applyEdits(js, edits);
  const body = code.endsWith('\n') ? code : `${code}\n`;
  const closingLine = body.split('\n').length;
  return {
    code: body + SUFFIX,
    names: [...new Set(names)],
    original: (line, column) => (line >= closingLine ? undefined : map.original(line, unshiftColumn(shifts.get(line), column))),
  };
}
