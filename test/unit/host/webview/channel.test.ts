/**
 * The conversation every webview has with the host, on both sides, driven in plain Node:
 *  - the host's channel (src/host/webview/channel.ts), on a fake webview that records what is
 *    posted, with the real protocols' parsers: the ready gate, state re-sent, parse-or-drop,
 *    request/reply;
 *  - the webview's pending requests (src/webview/common/requests.ts): ids, replies, errors,
 *    time-outs and the asker going away.
 */
import * as assert from 'assert';
import { MAX_QUEUED, WebviewChannel, type ChannelHandlers } from '../../../../src/host/webview/channel';
import { parseFromGallery, type FromGallery, type GalleryReadyMessage, type ToGallery } from '../../../../src/shared/galleryProtocol';
import { PendingRequests, RequestError } from '../../../../src/webview/common/requests';

class FakeWebview {
  readonly posted: unknown[] = [];
  postMessage(m: unknown): Thenable<boolean> {
    this.posted.push(m);
    return Promise.resolve(true);
  }
}

class Lines {
  readonly lines: string[] = [];
  info(m: string) {
    this.lines.push(`info ${m}`);
  }
  warn(m: string) {
    this.lines.push(`warn ${m}`);
  }
  error(m: string) {
    this.lines.push(`error ${m}`);
  }
}

const items = (n: number): ToGallery => ({ type: 'items', items: [], scanning: n > 0 });

function gallery(handlers: Partial<ChannelHandlers<ToGallery, FromGallery>> = {}) {
  const log = new Lines();
  const seen: unknown[] = [];
  const channel = new WebviewChannel<ToGallery, FromGallery>(
    { label: 'gallery', parse: parseFromGallery, log, unreadableRequest: () => 'unreadable' },
    { onMessage: (m) => void seen.push(m), ...handlers },
  );
  const page = new FakeWebview();
  channel.attach(page);
  return { channel, page, log, seen };
}

/** Lets the channel's awaited handlers run. */
const settle = () => new Promise((r) => setImmediate(r));

suite('webview channel (host side): the ready gate and state re-sent', () => {
  test('a view with state posts nothing before ready, then sends its state on each ready; what it posted meanwhile is not replayed', async () => {
    const readies: GalleryReadyMessage[] = [];
    let sent = 0;
    const { channel, page } = gallery({
      sendState: async (ready) => {
        readies.push(ready);
        await channel.post(items(++sent));
      },
    });
    assert.strictEqual(await channel.post(items(0)), false);
    assert.deepStrictEqual(page.posted, []);
    await channel.receive({ type: 'ready', view: { width: 300, height: 600 } });
    assert.deepStrictEqual(readies, [{ type: 'ready', view: { width: 300, height: 600 } }]);
    assert.deepStrictEqual(page.posted, [items(1)]);
    assert.strictEqual(channel.isReady, true);

    // Hidden (the page is torn down): nothing goes out until the page says ready again.
    channel.unready();
    assert.strictEqual(await channel.post(items(0)), false);
    await channel.receive({ type: 'ready' });
    assert.deepStrictEqual(page.posted, [items(1), items(2)]);
  });

  test('a view without state has what it posted before ready replayed in order, the newest MAX_QUEUED kept', async () => {
    const { channel, page, log } = gallery();
    for (let i = 0; i < MAX_QUEUED + 3; i++) void channel.post({ type: 'thumbs', items: [{ id: `${i}`, rev: 'r' }] });
    assert.deepStrictEqual(page.posted, []);
    assert.strictEqual(log.lines.filter((l) => l.includes('older messages to it are left out')).length, 1, 'said once');
    await channel.receive({ type: 'ready' });
    assert.strictEqual(page.posted.length, MAX_QUEUED);
    assert.deepStrictEqual((page.posted[0] as { items: { id: string }[] }).items[0].id, '3');
    assert.deepStrictEqual((page.posted[MAX_QUEUED - 1] as { items: { id: string }[] }).items[0].id, `${MAX_QUEUED + 2}`);
  });

  test('posts go through postPlain: a Buffer arrives as a plain Uint8Array', async () => {
    const { channel, page } = gallery();
    await channel.receive({ type: 'ready' });
    await channel.post({ type: 'thumbs', items: [{ id: 'a.png', rev: 'r', bytes: Buffer.from([1, 2, 3]), mime: 'image/webp' }] });
    const bytes = (page.posted[0] as { items: { bytes: Uint8Array }[] }).items[0].bytes;
    assert.strictEqual(bytes.constructor, Uint8Array);
    assert.deepStrictEqual([...bytes], [1, 2, 3]);
  });

  test('a detached view posts nowhere, and a new page waits for its own ready', async () => {
    const { channel, page } = gallery();
    await channel.receive({ type: 'ready' });
    channel.detach();
    assert.strictEqual(channel.isAttached, false);
    assert.strictEqual(await channel.post(items(0)), false);
    const next = new FakeWebview();
    channel.attach(next);
    assert.strictEqual(await channel.post(items(0)), false);
    await channel.receive({ type: 'ready' });
    assert.deepStrictEqual(page.posted, []);
    assert.deepStrictEqual(next.posted, [items(0)], 'the queued post goes to the new page once it is ready');
  });
});

suite('webview channel (host side): parse-or-drop, requests and replies', () => {
  test('a message that fails the parser is logged by its shape and reaches no handler', async () => {
    const { channel, log, seen } = gallery();
    await channel.receive({ type: 'ready' });
    await channel.receive({ type: 'thumbs', items: 'sk-abcdefghijkl' });
    assert.deepStrictEqual(seen, []);
    assert.deepStrictEqual(log.lines, ['warn gallery: dropped a message that does not fit the protocol (thumbs {type, items})']);
  });

  test('a request that fails the parser is answered with an error (the page does not wait forever)', async () => {
    const { channel, page } = gallery({ onRequest: async () => ({}) });
    await channel.receive({ type: 'ready' });
    await channel.receive({ type: 'action', id: 7, action: 'format-disk', item: 'a.png' });
    assert.deepStrictEqual(page.posted, [{ type: 'reply', inReplyTo: 7, error: 'unreadable' }]);
  });

  test("the page's report of a message it could not read is logged as an error", async () => {
    const { channel, log, seen } = gallery();
    await channel.receive({ type: 'dropped', detail: 'items {type, items}' });
    assert.deepStrictEqual(seen, []);
    assert.deepStrictEqual(log.lines, ['error gallery: the view could not read a message from the host (items {type, items}); it shows an error']);
  });

  test('a request gets its handler’s answer as a reply with inReplyTo; other messages go to onMessage', async () => {
    const asked: unknown[] = [];
    const { channel, page, seen } = gallery({
      onRequest: async (r) => {
        asked.push(r);
        return { notice: `did ${r.action}` };
      },
    });
    await channel.receive({ type: 'ready' });
    await channel.receive({ type: 'action', id: 3, action: 'copyPath', item: 'a.png' });
    await channel.receive({ type: 'thumbs', items: [{ id: 'a.png', rev: 'r' }] });
    assert.deepStrictEqual(asked, [{ type: 'action', id: 3, action: 'copyPath', item: 'a.png' }]);
    assert.deepStrictEqual(page.posted, [{ type: 'reply', inReplyTo: 3, notice: 'did copyPath' }]);
    assert.deepStrictEqual(seen, [{ type: 'thumbs', items: [{ id: 'a.png', rev: 'r' }] }]);
  });

  test('a handler that throws becomes an error reply, with secrets masked, and a log line', async () => {
    const { channel, page, log } = gallery({
      onRequest: async () => {
        throw new Error('refused for sk-abcdefghijklmnop');
      },
    });
    await channel.receive({ type: 'ready' });
    await channel.receive({ type: 'action', id: 1, action: 'delete', item: 'a.png' });
    assert.deepStrictEqual(page.posted, [{ type: 'reply', inReplyTo: 1, error: 'refused for sk-***' }]);
    assert.deepStrictEqual(log.lines, ['warn gallery: action failed: refused for sk-***']);
  });

  test('a reply is never sent to a page loaded after the request (its ids start over)', async () => {
    let answer!: () => void;
    const { channel, page } = gallery({
      sendState: () => undefined,
      onRequest: () => new Promise((resolve) => (answer = () => resolve({}))),
    });
    await channel.receive({ type: 'ready' });
    const pending = channel.receive({ type: 'action', id: 1, action: 'runAgain', item: 'a.png' });
    await settle();
    await channel.receive({ type: 'ready' }); // reloaded meanwhile
    answer();
    await pending;
    assert.deepStrictEqual(page.posted, []);
  });

  test('a failing notice handler is logged with the message type, secrets masked', async () => {
    const { channel, log } = gallery({
      onMessage: () => {
        throw new Error('Bearer abcdefghij');
      },
    });
    await channel.receive({ type: 'ready' });
    await channel.receive({ type: 'thumbs', items: [] });
    assert.deepStrictEqual(log.lines, ['error gallery: thumbs failed: Bearer ***']);
  });
});

suite('pending requests (webview side)', () => {
  interface Reply {
    readonly type: 'reply';
    readonly inReplyTo: number;
    readonly error?: string;
    readonly path?: string;
  }
  const sent: unknown[] = [];
  const post = (m: unknown) => void sent.push(m);
  setup(() => (sent.length = 0));

  test('each request gets the next id; its reply resolves it', async () => {
    const r = new PendingRequests<Reply>();
    const a = r.send(post, { type: 'keep', resultId: 'x' });
    const b = r.send(post, { type: 'addReference' });
    assert.deepStrictEqual(sent, [
      { type: 'keep', resultId: 'x', id: 1 },
      { type: 'addReference', id: 2 },
    ]);
    assert.strictEqual(r.settle({ type: 'reply', inReplyTo: 2, path: 'b.png' }), true);
    assert.strictEqual(r.settle({ type: 'reply', inReplyTo: 1, path: 'a.png' }), true);
    assert.deepStrictEqual(await a, { type: 'reply', inReplyTo: 1, path: 'a.png' });
    assert.deepStrictEqual(await b, { type: 'reply', inReplyTo: 2, path: 'b.png' });
    assert.strictEqual(r.size, 0);
  });

  test('an error reply rejects with the host’s words; a reply nobody waits for is ignored', async () => {
    const r = new PendingRequests<Reply>();
    const a = r.send(post, { type: 'discard' });
    assert.strictEqual(r.settle({ type: 'reply', inReplyTo: 99 }), false);
    r.settle({ type: 'reply', inReplyTo: 1, error: 'This result is no longer available.' });
    await assert.rejects(a, (e: unknown) => e instanceof RequestError && e.reason === 'refused' && e.message === 'This result is no longer available.');
    assert.strictEqual(r.settle({ type: 'reply', inReplyTo: 1 }), false, 'settled once');
  });

  test('a request with a time limit rejects when no reply comes; a late reply is ignored', async () => {
    const r = new PendingRequests<Reply>();
    const a = r.send(post, { type: 'keep' }, { timeoutMs: 10 });
    await assert.rejects(a, (e: unknown) => e instanceof RequestError && e.reason === 'timeout');
    assert.strictEqual(r.settle({ type: 'reply', inReplyTo: 1 }), false);
  });

  test('a reply in time clears the time limit', async () => {
    const r = new PendingRequests<Reply>();
    const a = r.send(post, { type: 'keep' }, { timeoutMs: 20 });
    r.settle({ type: 'reply', inReplyTo: 1, path: 'p' });
    assert.strictEqual((await a).path, 'p');
    await new Promise((res) => setTimeout(res, 30)); // no late rejection surfaces
  });

  test('rejectAll rejects every waiting request (the view that asked is gone)', async () => {
    const r = new PendingRequests<Reply>();
    const a = r.send(post, { type: 'keep' });
    const b = r.send(post, { type: 'discard' });
    r.rejectAll();
    await assert.rejects(a, (e: unknown) => e instanceof RequestError && e.reason === 'cancelled');
    await assert.rejects(b, (e: unknown) => e instanceof RequestError && e.reason === 'cancelled');
    assert.strictEqual(r.size, 0);
  });

  test('a post that throws rejects the request and leaves nothing waiting', async () => {
    const r = new PendingRequests<Reply>();
    const a = r.send(() => {
      throw new Error('gone');
    }, { type: 'keep' });
    await assert.rejects(a, /gone/);
    assert.strictEqual(r.size, 0);
  });
});
