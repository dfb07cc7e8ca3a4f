import {
  MAX_PANEL_REQUESTS_IN_FLIGHT,
  MAX_PANEL_WATCHES,
  PANEL_REQUEST_PARAMS,
  type PanelHostMethods,
} from '../../shared/panelProtocol';
import type { RpcMessage } from '../../shared/rpc';
import { isPlainObject, number, object, oneOf, string } from '../../shared/validate';

/** What to do with one message from a panel's page. */
export type Admission =
  /** Hand these to the RPC endpoint, in order: a well-formed request or cancellation (after ending a previous page's requests). */
  | { readonly action: 'forward'; readonly messages: readonly RpcMessage[] }
  /** Answer it with this error and run nothing. */
  | { readonly action: 'refuse'; readonly reply: RpcMessage }
  /** Ignore it: there is nothing to answer (no usable id, or a kind panels never send). */
  | { readonly action: 'drop'; readonly reason: string };

const requestId = number({ min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
const methodName = string({ maxLength: 64 });
const cancelMessage = object({ kind: oneOf(['cancel']), id: requestId });
const requestEnvelope = object({ kind: oneOf(['request']), id: requestId, method: methodName, params: { description: 'any value', check: () => undefined } });

function refuse(id: number, name: string, message: string): Admission {
  return { action: 'refuse', reply: { kind: 'error', id, error: { name, message } } };
}

/**
 * The host's check of every message a panel's page sends, before the RPC endpoint sees it: only requests of the
 * panel protocol's methods with parameters that match their schema, at most {@link MAX_PANEL_REQUESTS_IN_FLIGHT}
 * unanswered and {@link MAX_PANEL_WATCHES} live `watch` subscriptions, each request id in use once; and
 * cancellations of those requests. A `state` request starts a page (a hidden panel's page is reloaded when shown
 * again, numbering its requests from 1): the requests of the page before it are cancelled first. One gate per
 * endpoint.
 */
export class PanelGate {
  /** Requests forwarded and not answered or cancelled yet: id → method. */
  private readonly inFlight = new Map<number, keyof PanelHostMethods>();

  /** Decides what happens to a message from the page. */
  admit(raw: unknown): Admission {
    if (!isPlainObject(raw)) return { action: 'drop', reason: 'not a protocol message' };
    const id = raw.id;
    if (requestId.check(id, 'id') !== undefined) return { action: 'drop', reason: 'no usable request id' };
    const numericId = id as number;
    if (raw.kind === 'cancel') {
      if (cancelMessage.check(raw, 'message') !== undefined || !this.inFlight.has(numericId)) return { action: 'drop', reason: 'nothing to cancel' };
      this.inFlight.delete(numericId);
      return { action: 'forward', messages: [{ kind: 'cancel', id: numericId }] };
    }
    if (raw.kind !== 'request') return { action: 'drop', reason: `panels do not send ${typeof raw.kind === 'string' ? JSON.stringify(raw.kind.slice(0, 32)) : 'such'} messages` };
    const envelope = requestEnvelope.check(raw, 'request');
    if (envelope !== undefined) return refuse(numericId, 'InvalidRequest', `invalid request: ${envelope}`);
    const method = raw.method as string;
    if (!Object.prototype.hasOwnProperty.call(PANEL_REQUEST_PARAMS, method)) return refuse(numericId, 'MethodNotFound', `unknown method ${JSON.stringify(method)}`);
    const name = method as keyof PanelHostMethods;
    const problem = PANEL_REQUEST_PARAMS[name].check(raw.params, `${name} parameters`);
    if (problem !== undefined) return refuse(numericId, 'InvalidParams', `invalid request: ${problem}`);
    const ended: RpcMessage[] = [];
    if (name === 'state') {
      for (const stale of this.inFlight.keys()) ended.push({ kind: 'cancel', id: stale });
      this.inFlight.clear();
    }
    if (this.inFlight.has(numericId)) return refuse(numericId, 'InvalidRequest', `request id ${numericId} is already in use`);
    if (this.inFlight.size >= MAX_PANEL_REQUESTS_IN_FLIGHT) return refuse(numericId, 'TooManyRequests', `more than ${MAX_PANEL_REQUESTS_IN_FLIGHT} requests are waiting for an answer`);
    if (name === 'watch' && this.watches() >= MAX_PANEL_WATCHES) return refuse(numericId, 'TooManyRequests', `a panel may watch for updates at most ${MAX_PANEL_WATCHES} times at once`);
    this.inFlight.set(numericId, name);
    return { action: 'forward', messages: [...ended, { kind: 'request', id: numericId, method: name, params: raw.params }] };
  }

  /** Notes a message the host sends to the page: a result or error ends its request. */
  sent(message: RpcMessage): void {
    if (message.kind === 'result' || message.kind === 'error') this.inFlight.delete(message.id);
  }

  /** Live `watch` subscriptions. */
  watches(): number {
    let count = 0;
    for (const method of this.inFlight.values()) if (method === 'watch') count++;
    return count;
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.inFlight.size;
  }
}
