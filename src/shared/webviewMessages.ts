/**
 * What every host <-> webview message has in common, whatever the view:
 *  - `plainMessage`: the one conversion every message to a webview goes through. Binary data must
 *    cross as plain `Uint8Array`: VS Code tells typed arrays by their constructor's name, so a
 *    Node Buffer (or any other Uint8Array subclass) arrives in the webview as `{type, data}` or a
 *    bare ArrayBuffer, and the view's guard then refuses the whole message.
 *  - `DroppedMessage`: what a webview says when a message from the host failed its guard, so the
 *    host can log it while the view shows a visible error (a message is never lost silently).
 *  - `RequestEnvelope` / `ReplyEnvelope`: a request carries an `id`; its one reply carries
 *    `inReplyTo` and, when it failed, `error` (src/host/webview/channel.ts answers,
 *    src/webview/common/requests.ts waits).
 *  - `ReadyMessage` / `CancelRunMessage`: what a view that starts runs (the Studio, the mask
 *    editor) says when its page is up, and to stop the run it started.
 * No `vscode`, no Node APIs: imported by the host and by the browser bundles.
 */
import { isInt, isObj, isStr } from './guards';

/**
 * A copy of `value` in which every Uint8Array subclass instance (a Node Buffer) is a plain
 * Uint8Array with the same bytes; plain Uint8Arrays, other values and shared structure are kept
 * as they are. Walks plain objects and arrays only (messages are JSON-like).
 */
export function plainMessage<T>(value: T): T {
  return plain(value, 0) as T;
}

const MAX_DEPTH = 32;

function plain(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  if (depth >= MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    v.forEach((item, i) => {
      const p = plain(item, depth + 1);
      if (p !== item) (out ??= v.slice())[i] = p;
    });
    return out ?? v;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, item] of Object.entries(v)) {
    const p = plain(item, depth + 1);
    if (p !== item) (out ??= { ...(v as Record<string, unknown>) })[k] = p;
  }
  return out ?? v;
}

/** webview -> host: a message from the host failed the view's guard (the view shows an error). */
export interface DroppedMessage {
  readonly type: 'dropped';
  /** The message's type and top-level field names, never its contents. */
  readonly detail: string;
}

export function parseDropped(v: unknown): DroppedMessage | undefined {
  return isObj(v) && v.type === 'dropped' && isStr(v.detail) && v.detail.length <= 300 ? { type: 'dropped', detail: v.detail } : undefined;
}

/** What a message looked like (its type and top-level field names), never its contents. */
export function messageShape(v: unknown): string {
  if (!isObj(v)) return Array.isArray(v) ? 'array' : typeof v;
  const type = isStr(v.type) && /^[A-Za-z]{1,32}$/.test(v.type) ? v.type : 'no known type';
  return `${type} {${Object.keys(v).slice(0, 12).map((k) => k.slice(0, 24)).join(', ')}}`.slice(0, 300);
}

/**
 * webview -> host: a request, answered by exactly one {@link ReplyEnvelope}. Only requests carry
 * an `id` (the webview's, unique per page); everything else a view sends is answered, if at all,
 * by the state the host posts.
 */
export interface RequestEnvelope {
  readonly id: number;
}

/** host -> webview: the answer to the request `inReplyTo`; `error` says why it failed. */
export interface ReplyEnvelope {
  readonly type: 'reply';
  readonly inReplyTo: number;
  readonly error?: string;
}

/** Whether `v` has a reply's envelope (the view's parser checks what else its replies carry). */
export function isReplyEnvelope(v: Record<string, unknown>): boolean {
  return v.type === 'reply' && typeof v.inReplyTo === 'number' && Number.isInteger(v.inReplyTo) && (v.error === undefined || isStr(v.error));
}

/** The id of what looks like a request (a message with a non-negative integer `id`), else undefined. */
export function requestId(v: unknown): number | undefined {
  return isObj(v) && typeof v.id === 'number' && Number.isSafeInteger(v.id) && v.id >= 0 ? v.id : undefined;
}

/** webview -> host: the page is up (first load, reload, shown again) and wants its state. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** webview -> host: stop the run the view started as `runId` (a no-op when it is over). */
export interface CancelRunMessage {
  readonly type: 'cancel';
  readonly runId: number;
}

/** A run's id as a view gives it: a non-negative safe integer. */
export const isRunId = (v: unknown): v is number => isInt(v, 0, Number.MAX_SAFE_INTEGER);

/** `ready`, or `cancel` with a valid run id, from a view that runs; undefined for anything else. */
export function parseRunControl(v: Record<string, unknown>): ReadyMessage | CancelRunMessage | undefined {
  if (v.type === 'ready') return { type: 'ready' };
  if (v.type === 'cancel') return isRunId(v.runId) ? { type: 'cancel', runId: v.runId } : undefined;
  return undefined;
}
