/**
 * Requests a view sends the host, and their replies: each request gets the next id; the host's
 * reply names it in `inReplyTo`. A request resolves with its reply, and rejects when the reply
 * carries an `error`, when its time (if given) runs out, or when the view that asked goes away
 * ({@link PendingRequests.rejectAll}). No DOM, no VS Code: the unit tests use it as it is.
 */
import type { ReplyEnvelope, RequestEnvelope } from '../../shared/webviewMessages';

/** Why a request failed: the host's refusal (its words are the message), no answer in time, or the asker gone. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly reason: 'refused' | 'timeout' | 'cancelled',
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A request as a view writes it: the id is added when it is sent. */
export type RequestBody<From> = From extends RequestEnvelope ? Omit<From, 'id'> : never;

export interface RequestOptions {
  /** Reject when no reply came in this many ms (none by default: a reply may wait for a dialog). */
  readonly timeoutMs?: number;
}

interface Pending<Reply> {
  resolve(reply: Reply): void;
  reject(err: RequestError): void;
  timer?: ReturnType<typeof setTimeout>;
}

export class PendingRequests<Reply extends ReplyEnvelope> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<Reply>>();

  /** Sends `body` with a new id through `post`, and waits for its reply. */
  send<M>(post: (message: M & RequestEnvelope) => void, body: M, options: RequestOptions = {}): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const entry: Pending<Reply> = { resolve, reject };
      if (options.timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          if (this.pending.delete(id)) reject(new RequestError(`no reply in ${options.timeoutMs} ms`, 'timeout'));
        }, options.timeoutMs);
      }
      this.pending.set(id, entry);
      try {
        post({ ...body, id });
      } catch (err) {
        this.take(id);
        reject(err);
      }
    });
  }

  /** Settles the request `reply` answers; false when none waits for it (unknown, timed out, rejected). */
  settle(reply: Reply): boolean {
    const p = this.take(reply.inReplyTo);
    if (!p) return false;
    if (reply.error) p.reject(new RequestError(reply.error, 'refused'));
    else p.resolve(reply);
    return true;
  }

  /** Rejects every request still waiting (the part of the view that asked is gone). */
  rejectAll(message = 'closed'): void {
    for (const id of [...this.pending.keys()]) this.take(id)?.reject(new RequestError(message, 'cancelled'));
  }

  /** How many requests wait for a reply. */
  get size(): number {
    return this.pending.size;
  }

  private take(id: number): Pending<Reply> | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    return p;
  }
}
