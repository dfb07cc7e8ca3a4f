import { CancelledError } from '../core/errors';

/**
 * One small request/response + event protocol for every channel (host↔worker, host↔webview, renderer↔host):
 * numbered requests, results or errors back, progress events tied to a request, cancellation, and time-outs.
 */

/** A method's parameter, result and progress-event types. */
export interface MethodSpec {
  readonly params: unknown;
  readonly result: unknown;
  readonly event?: unknown;
}

/** A method's progress-event type (never for methods without events). */
export type EventOf<S> = S extends { readonly event: infer E } ? E : never;

/** The methods one side serves, by name (an interface whose every property is a {@link MethodSpec}). */
export type MethodMap<M = Record<string, MethodSpec>> = { [K in keyof M]: MethodSpec };

/** An error as it travels: message, plus the file involved and an error name when known. */
export interface WireError {
  readonly message: string;
  readonly name?: string;
  readonly file?: string;
  readonly problem?: string;
}

/** Every message on a channel. */
export type RpcMessage =
  | { readonly kind: 'request'; readonly id: number; readonly method: string; readonly params: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'event'; readonly id: number; readonly event: unknown }
  | { readonly kind: 'cancel'; readonly id: number };

/** Moves messages between two sides (a child process, a webview, a MessagePort). */
export interface Transport {
  send(message: RpcMessage): void;
  /** Registers the receiver; returns a function that unregisters it. */
  onMessage(listener: (message: unknown) => void): () => void;
}

/** An error from the other side of a channel, keeping the file it concerns. */
export class RemoteError extends Error {
  readonly file?: string;
  readonly problem?: string;
  constructor(error: WireError) {
    super(error.message);
    this.name = error.name ?? 'RemoteError';
    this.file = error.file;
    this.problem = error.problem;
  }
}

/** Thrown when a request is cancelled by its caller (the core's error, shared by every channel). */
export { CancelledError };

/** Thrown when no answer came within the request's time limit. */
export class TimeoutError extends Error {
  constructor(method: string, ms: number) {
    super(`${method} did not answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** What a handler gets besides its parameters. */
export interface HandlerContext<Event> {
  /** Aborted when the caller cancels the request or the channel closes. */
  readonly signal: AbortSignal;
  /** Sends a progress event to the caller. */
  emit(event: Event): void;
}

/** Implementations of the methods a side serves. */
export type Handlers<M extends MethodMap<M>> = {
  [K in keyof M]: (params: M[K]['params'], context: HandlerContext<EventOf<M[K]>>) => Promise<M[K]['result']> | M[K]['result'];
};

/** Options of one request. */
export interface RequestOptions<Event> {
  /** Reject with TimeoutError after this many milliseconds (default: the endpoint's default; 0 = never). */
  readonly timeoutMs?: number;
  /** Cancels the request: the other side's handler sees its signal aborted; the promise rejects with CancelledError. */
  readonly signal?: AbortSignal;
  /** Receives the request's progress events. */
  readonly onEvent?: (event: Event) => void;
}

interface Pending {
  readonly method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onEvent?(event: unknown): void;
  cleanup(): void;
}

function isMessage(value: unknown): value is RpcMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { kind?: unknown; id?: unknown };
  return (
    typeof message.id === 'number' &&
    Number.isInteger(message.id) &&
    (message.kind === 'request' || message.kind === 'result' || message.kind === 'error' || message.kind === 'event' || message.kind === 'cancel')
  );
}

/** Converts any thrown value to its wire form. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const withFile = error as Error & { file?: unknown; problem?: unknown };
    return {
      message: error.message,
      name: error.name,
      file: typeof withFile.file === 'string' ? withFile.file : undefined,
      problem: typeof withFile.problem === 'string' ? withFile.problem : undefined,
    };
  }
  return { message: String(error) };
}

/**
 * One side of a channel: serves `Local` methods with `handlers` and calls the other side's `Remote` methods.
 * Messages that are not protocol messages, or name unknown methods, are answered with an error, never thrown.
 */
export class RpcEndpoint<Local extends MethodMap<Local>, Remote extends MethodMap<Remote>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, AbortController>();
  private readonly unsubscribe: () => void;
  private closedError: Error | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly handlers: Partial<Handlers<Local>>,
    private readonly defaultTimeoutMs = 30_000,
  ) {
    this.unsubscribe = transport.onMessage((message) => this.receive(message));
  }

  /** Calls `method` on the other side. */
  request<K extends keyof Remote & string>(
    method: K,
    params: Remote[K]['params'],
    options: RequestOptions<EventOf<Remote[K]>> = {},
  ): Promise<Remote[K]['result']> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (options.signal?.aborted) return Promise.reject(new CancelledError());
    const id = this.nextId++;
    return new Promise<Remote[K]['result']>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        this.settle(id)?.reject(new CancelledError());
        this.safeSend({ kind: 'cancel', id });
      };
      const entry: Pending = {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        onEvent: options.onEvent as ((event: unknown) => void) | undefined,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      this.pending.set(id, entry);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.settle(id)?.reject(new TimeoutError(method, timeoutMs));
          this.safeSend({ kind: 'cancel', id });
        }, timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.transport.send({ kind: 'request', id, method, params });
      } catch (error) {
        this.settle(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Rejects every pending request with `error` (e.g. the worker died), aborts running handlers, and stops listening. */
  close(error: Error = new Error('channel closed')): void {
    if (this.closedError) return;
    this.closedError = error;
    this.unsubscribe();
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  /** Number of requests awaiting an answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    entry.cleanup();
    return entry;
  }

  private safeSend(message: RpcMessage): void {
    if (this.closedError) return;
    try {
      this.transport.send(message);
    } catch {
      // The channel is gone; pending requests are rejected when it is closed.
    }
  }

  private receive(raw: unknown): void {
    if (!isMessage(raw)) return;
    switch (raw.kind) {
      case 'result':
        this.settle(raw.id)?.resolve(raw.result);
        break;
      case 'error':
        this.settle(raw.id)?.reject(new RemoteError(raw.error));
        break;
      case 'event':
        this.pending.get(raw.id)?.onEvent?.(raw.event);
        break;
      case 'cancel':
        this.running.get(raw.id)?.abort();
        break;
      case 'request':
        void this.serve(raw.id, raw.method, raw.params);
        break;
    }
  }

  private async serve(id: number, method: string, params: unknown): Promise<void> {
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, method)
      ? (this.handlers as Record<string, Handlers<Local>[keyof Local] | undefined>)[method]
      : undefined;
    if (typeof handler !== 'function') {
      this.safeSend({ kind: 'error', id, error: { message: `unknown method "${method}"`, name: 'MethodNotFound' } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const context: HandlerContext<unknown> = {
      signal: controller.signal,
      emit: (event) => {
        if (!controller.signal.aborted) this.safeSend({ kind: 'event', id, event });
      },
    };
    try {
      const result = await (handler as (p: unknown, c: HandlerContext<unknown>) => unknown)(params, context);
      if (!controller.signal.aborted) this.safeSend({ kind: 'result', id, result });
    } catch (error) {
      if (!controller.signal.aborted) this.safeSend({ kind: 'error', id, error: toWireError(error) });
    } finally {
      this.running.delete(id);
    }
  }
}
