import { Console } from 'node:console';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as vm from 'node:vm';
import { CancelledError } from '../../core/errors';
import type { CellEvent } from '../../shared/workerProtocol';
import { outputsOf } from './display';
import { createEmo, type CellScope, type Emo } from './emo';
import { CellSyntaxError, compileCell, type CompiledCell } from './transform';

/** A cell to run (the `notebookExecute` parameters). */
export interface CellRequest {
  readonly code: string;
  readonly language: 'typescript' | 'javascript';
  readonly cellLabel: string;
  readonly cwd?: string;
}

/** How a cell ended; the error's stack names the cell and its own lines ("at cell 3:2:5"). */
export interface CellResult {
  readonly success: boolean;
  readonly error?: { name: string; message: string; stack: string };
}

/** Options of a {@link NotebookKernel}. */
export interface KernelOptions {
  /** How long an interrupted cell may take to stop on its own before the kernel reports the interrupt anyway (default 3 s). */
  readonly interruptGraceMs?: number;
}

interface RunningCell extends CellScope {
  /** Output ids displayed in this cell (showing one again updates it). */
  readonly shown: Set<string>;
}

const idle: RunningCell = { signal: new AbortController().signal, emit: () => undefined, cwd: process.cwd(), shown: new Set() };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Name, message and stack of any thrown value (errors of the cell's own realm included). */
function errorParts(error: unknown): { name: string; message: string; stack: string } {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
    const parts = { name: String(name ?? 'Error'), message: String(message) };
    return { ...parts, stack: typeof stack === 'string' ? stack : `${parts.name}: ${parts.message}` };
  }
  return { name: 'Error', message: String(error), stack: `Uncaught ${String(error)}` };
}

/**
 * A notebook's kernel: one persistent vm context where cells run one after another, keeping their variables.
 * Console output and rich outputs stream to the running cell; the `emo` API and `display()` are preloaded.
 */
export class NotebookKernel {
  private readonly context: vm.Context;
  /** Compiled cells by label, to map stack frames of functions defined in earlier cells too. */
  private readonly cells = new Map<string, CompiledCell>();
  private current: RunningCell = idle;
  private queue: Promise<unknown> = Promise.resolve();
  private displays = 0;
  /** The `emo` API of this kernel (bound to the running cell). */
  readonly emo: Emo;

  constructor(
    cwd = process.cwd(),
    private readonly options: KernelOptions = {},
  ) {
    this.current = { ...idle, cwd };
    this.emo = createEmo(() => this.current);
    // Each console write becomes an event of the running cell, as it happens (the callback is synchronous).
    const stream = (type: 'stdout' | 'stderr') =>
      new Writable({
        decodeStrings: false,
        write: (chunk: unknown, _encoding, done) => {
          this.current.emit({ type, text: String(chunk) });
          done();
        },
      });
    const cellConsole = new Console({ stdout: stream('stdout'), stderr: stream('stderr'), colorMode: false });
    this.context = vm.createContext({
      console: cellConsole,
      process,
      Buffer,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      AbortController,
      AbortSignal,
      structuredClone,
      queueMicrotask,
      performance,
      atob,
      btoa,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      setImmediate,
      clearImmediate,
      ...(typeof fetch === 'function' ? { fetch, Headers, Request, Response } : {}),
      emo: this.emo,
      display: (value: unknown, options: { id?: string } = {}) => this.display(value, options.id),
    });
    this.setCwd(cwd);
  }

  /** Runs a cell after the ones before it finish; never throws (a failing cell reports its error). */
  execute(request: CellRequest, signal: AbortSignal, emit: (event: CellEvent) => void): Promise<CellResult> {
    const run = this.queue.then(() => this.run(request, signal, emit));
    this.queue = run;
    return run;
  }

  /** Shows a value in the running cell: a new output, or an update of an output this cell showed with the same id. */
  display(value: unknown, id?: string): void {
    for (const output of outputsOf(value)) {
      const outputId = id ?? output.id;
      if (outputId !== undefined && this.current.shown.has(outputId)) {
        this.current.emit({ type: 'update', id: outputId, items: output.items });
        continue;
      }
      const shownId = outputId ?? `display-${++this.displays}`;
      this.current.emit({ type: 'display', id: shownId, items: output.items });
    }
  }

  private setCwd(cwd: string): void {
    const require = createRequire(path.join(cwd, '[notebook]'));
    Object.assign(this.context, { require, __dirname: cwd, __filename: path.join(cwd, '[notebook]') });
  }

  private async run(request: CellRequest, signal: AbortSignal, emit: (event: CellEvent) => void): Promise<CellResult> {
    const cwd = request.cwd ?? this.current.cwd;
    const shown = new Set<string>();
    const track = (event: CellEvent) => {
      if (event.type === 'display' && event.id !== undefined) shown.add(event.id);
      emit(event);
    };
    this.current = { signal, emit: track, cwd, shown };
    this.setCwd(cwd);
    try {
      if (signal.aborted) throw new CancelledError('interrupted before the cell started');
      const cell = compileCell(request.code, request.language, request.cellLabel);
      this.cells.set(request.cellLabel, cell);
      for (const name of cell.names) if (!(name in this.context)) this.context[name] = undefined;
      const script = new vm.Script(cell.code, { filename: request.cellLabel });
      const value: unknown = await this.untilInterrupted(Promise.resolve(script.runInContext(this.context)), signal);
      this.display(value);
      return { success: true };
    } catch (error) {
      const parts = errorParts(error);
      return { success: false, error: { ...parts, stack: error instanceof CellSyntaxError ? parts.stack : this.mapStack(parts.stack) } };
    }
  }

  /** The cell's promise, or a CancelledError when it has not stopped a few seconds after an interrupt. */
  private untilInterrupted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        timer = setTimeout(() => reject(new CancelledError('interrupted (the cell did not stop; its work may still be running)')), this.options.interruptGraceMs ?? 3000);
      };
      // The cell may have been interrupted while its synchronous part ran.
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
      };
      promise.then(
        (value) => (settle(), resolve(value)),
        (error: unknown) => (settle(), reject(error)),
      );
    });
  }

  /** Reports an error that escaped every cell (a stray callback or promise) in the running or last cell's stderr. */
  reportStray(error: unknown): void {
    this.current.emit({ type: 'stderr', text: `${this.mapStack(errorParts(error).stack)}\n` });
  }

  /** Rewrites stack frames of cells to the cells' own lines and drops the kernel's frames below the last cell frame. */
  mapStack(stack: string): string {
    const labels = [...this.cells.keys()].sort((a, b) => b.length - a.length);
    if (!labels.length) return stack;
    const frame = new RegExp(`(${labels.map(escapeRegExp).join('|')}):(\\d+):(\\d+)`, 'g');
    const lines: string[] = [];
    for (const line of stack.split('\n')) {
      let wrapper = false;
      const mapped = line.replace(frame, (_, label: string, line: string, column: string) => {
        const at = this.cells.get(label)!.original(Number(line), Number(column));
        wrapper ||= at === undefined;
        return at ? `${label}:${at.line}:${at.column}` : `${label}`;
      });
      // The frame of the kernel's call of the cell's wrapper function means nothing to the user.
      if (!wrapper) lines.push(mapped);
    }
    let lastCellFrame = lines.length - 1;
    while (lastCellFrame > 0 && !(/^\s+at /.test(lines[lastCellFrame]) && labels.some((label) => lines[lastCellFrame].includes(`${label}:`)))) lastCellFrame--;
    return (lastCellFrame > 0 ? lines.slice(0, lastCellFrame + 1) : lines).join('\n');
  }
}

let kernel: NotebookKernel | undefined;

/** This worker's kernel (one per notebook: the host starts a worker per notebook), created on first use. */
export function notebookKernel(): NotebookKernel {
  if (!kernel) {
    kernel = new NotebookKernel();
    // Errors from a cell's stray callbacks and promises go to the cell's error stream instead of ending the kernel.
    const stray = kernel;
    process.on('uncaughtException', (error) => stray.reportStray(error));
    process.on('unhandledRejection', (error) => stray.reportStray(error));
  }
  return kernel;
}
