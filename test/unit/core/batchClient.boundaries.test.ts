// The Batch API client (src/core/batchClient.ts) in the cases mutation testing found unpinned:
// where Azure's v1 routes are, which provider's client a setting gives, what is retried (reads)
// and what is not (cancel), the upload's content type, cancelling, and the node:http fetch of the
// streamed upload with every kind of body, empty answers, joined headers and failures.
import * as assert from 'assert';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { batchBaseUrl, batchSdkClient, createBatchClient, streamingFetch } from '../../../src/core/batchClient';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

interface Seen {
  method: string;
  url: string;
  body: Buffer;
}

/** A local server answering each request with `answer(seen, res)`; what it saw, in order. */
async function server(answer: (seen: Seen, res: http.ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const one = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(parts) };
      seen.push(one);
      answer(one, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);

suite('batch client: providers and routes', () => {
  test('Azure\'s Files and Batch routes are the v1 routes under the endpoint; other providers have none', () => {
    assert.strictEqual(batchBaseUrl({ kind: 'azure', apiKey: 'k', azure: { endpoint: 'https://x.example.com//', deployment: 'd', apiVersion: 'v' }, timeoutMs: 1000 }), 'https://x.example.com/openai/v1');
    assert.strictEqual(batchBaseUrl({ kind: 'azure', apiKey: 'k', timeoutMs: 1000 }), '/openai/v1');
    assert.strictEqual(batchBaseUrl({ kind: 'openai', apiKey: 'k', azure: { endpoint: 'https://x.example.com', deployment: 'd', apiVersion: 'v' }, timeoutMs: 1000 }), undefined);
  });

  test('the client follows the provider kind, not Azure settings left over from before; Azure without an endpoint is refused', () => {
    const leftOver = { endpoint: 'https://x.example.com', deployment: 'd', apiVersion: 'v' };
    assert.strictEqual(batchSdkClient({ kind: 'openai', apiKey: 'k', azure: leftOver, timeoutMs: 1000 }).baseURL, 'https://api.openai.com/v1');
    assert.strictEqual(batchSdkClient({ kind: 'compatible', apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1', azure: leftOver, timeoutMs: 1000 }).baseURL, 'http://127.0.0.1:9/v1');
    assert.strictEqual(batchSdkClient({ kind: 'azure', apiKey: 'k', azure: leftOver, timeoutMs: 1000 }).baseURL, 'https://x.example.com/openai/v1');
    assert.throws(() => batchSdkClient({ kind: 'azure', apiKey: 'k', azure: { ...leftOver, endpoint: '' }, timeoutMs: 1000 }), /Azure needs an endpoint/);
    assert.throws(() => batchSdkClient({ kind: 'azure', apiKey: 'k', timeoutMs: 1000 }), /Azure needs an endpoint/);
  });
});

suite('batch client: requests', function () {
  this.timeout(20_000);
  const batch = { id: 'batch_1', object: 'batch', status: 'in_progress' };

  test('reads are retried (up to two times), a cancel is not', async () => {
    let failures = 0;
    const srv = await server((seen, res) => {
      if (failures > 0) {
        failures--;
        res.writeHead(500, { 'content-type': 'application/json', 'retry-after-ms': '1' }).end('{"error":{"message":"busy"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen.url.endsWith('/cancel') ? { ...batch, status: 'cancelling' } : seen.url.includes('/files/') ? undefined : batch));
    });
    try {
      const client = createBatchClient({ kind: 'compatible', apiKey: 'k', baseUrl: `${srv.url}/v1`, timeoutMs: 10_000 });
      failures = 2;
      assert.deepStrictEqual(await client.retrieve('batch_1'), batch);
      assert.strictEqual(srv.seen.length, 3, 'two failed reads, then the answer');
      failures = 1;
      srv.seen.length = 0;
      await assert.rejects(client.cancel('batch_1'));
      assert.deepStrictEqual(srv.seen.map((s) => [s.method, s.url]), [['POST', '/v1/batches/batch_1/cancel']], 'one try');
      assert.deepStrictEqual(await client.cancel('batch_1'), { ...batch, status: 'cancelling' });
    } finally {
      await srv.close();
    }
  });

  test('an aborted signal stops a download and an upload before they start', async () => {
    const srv = await server((_seen, res) => res.writeHead(200, { 'content-type': 'application/jsonl' }).end('{"a":1}\n'));
    try {
      const client = createBatchClient({ kind: 'compatible', apiKey: 'k', baseUrl: `${srv.url}/v1`, timeoutMs: 10_000 });
      const got: string[] = [];
      for await (const l of client.lines('file_1')) got.push(l);
      assert.deepStrictEqual(got, ['{"a":1}']);
      await assert.rejects(async () => {
        for await (const l of client.lines('file_1', AbortSignal.abort())) got.push(l);
      });
      async function* one() {
        yield '{}\n';
      }
      await assert.rejects(client.upload(one(), 'in.jsonl', AbortSignal.abort()));
      assert.strictEqual(srv.seen.filter((s) => s.method === 'POST').length, 0, 'nothing uploaded');
    } finally {
      await srv.close();
    }
  });

  test('the upload is sent as application/jsonl', async () => {
    const fake: FakeOpenAI = await startFakeOpenAI();
    try {
      const client = createBatchClient({ kind: 'compatible', apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 10_000 });
      async function* one() {
        yield '{"custom_id":"a"}\n';
      }
      await client.upload(one(), 'in.jsonl');
      const up = fake.requests.find((r) => r.path === '/v1/files')!;
      assert.deepStrictEqual(up.files?.map((f) => [f.filename, f.contentType]), [['in.jsonl', 'application/jsonl']]);
    } finally {
      await fake.close();
    }
  });
});

suite('batch client: the streamed upload\'s fetch', function () {
  this.timeout(20_000);
  let srv: Awaited<ReturnType<typeof server>>;
  suiteSetup(async () => {
    srv = await server((seen, res) => {
      if (seen.url === '/empty') return void res.writeHead(204).end();
      if (seen.url === '/same') return void res.writeHead(304).end();
      if (seen.url === '/never') return; // no answer
      res.writeHead(200, { 'set-cookie': ['a=1', 'b=2'], 'x-got': String(seen.body.length) }).end(`${seen.method} ${seen.body.toString('latin1')}`);
    });
  });
  suiteTeardown(() => srv.close());
  setup(() => {
    srv.seen.length = 0;
  });

  test('every kind of body arrives as it was given; no body is a GET', async () => {
    const text = async (init?: RequestInit) => (await streamingFetch(`${srv.url}/echo`, init)).text();
    assert.strictEqual(await text(), 'GET ');
    assert.strictEqual(await text({ method: 'POST', body: 'a string' }), 'POST a string');
    assert.strictEqual(await text({ method: 'POST', body: new Uint8Array([0x41, 0x42]) }), 'POST AB');
    assert.strictEqual(await text({ method: 'PUT', body: new Uint8Array([0x43, 0x44]).buffer }), 'PUT CD');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('one,'));
        c.enqueue(new TextEncoder().encode('two'));
        c.close();
      },
    });
    assert.strictEqual(await text({ method: 'POST', body: stream, duplex: 'half' } as RequestInit), 'POST one,two');
    assert.strictEqual(await text({ method: 'POST', body: new Blob(['a blob']) }), 'POST a blob');
    assert.strictEqual(await text({ method: 'POST', body: new URLSearchParams({ q: 'x y' }) }), 'POST q=x+y');
  });

  test('answers: status and headers (repeated ones joined), no body for 204, 304 and HEAD', async () => {
    const ok = await streamingFetch(new URL(`${srv.url}/echo`), { method: 'POST', body: 'abc' });
    assert.strictEqual(ok.status, 200);
    assert.strictEqual(ok.headers.get('set-cookie'), 'a=1, b=2');
    assert.strictEqual(ok.headers.get('x-got'), '3');
    for (const [path, method, status] of [['/empty', 'GET', 204], ['/same', 'GET', 304], ['/echo', 'HEAD', 200]] as const) {
      const res = await streamingFetch(`${srv.url}${path}`, { method });
      assert.strictEqual(res.status, status);
      assert.strictEqual(res.body, null, `${method} ${path}`);
    }
  });

  test('failures reject: no server, an aborted request, a body stream that fails', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(within(streamingFetch(`http://127.0.0.1:${port}/`), 5000), /ECONNREFUSED/);
    const ctl = new AbortController();
    const pending = streamingFetch(`${srv.url}/never`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    await assert.rejects(within(pending, 5000), (e: Error) => e.name === 'AbortError');
    const failing = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('part'));
        setTimeout(() => c.error(new Error('the lines failed')), 20);
      },
    });
    await assert.rejects(within(streamingFetch(`${srv.url}/echo`, { method: 'POST', body: failing, duplex: 'half' } as RequestInit), 5000), /the lines failed/);
  });

  test('an https URL is spoken in TLS', async () => {
    let first: number | undefined;
    const raw = net.createServer((sock) => {
      sock.once('data', (d: Buffer) => {
        first = d[0];
        sock.destroy();
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const port = (raw.address() as AddressInfo).port;
      await assert.rejects(within(streamingFetch(`https://127.0.0.1:${port}/`), 5000));
      assert.strictEqual(first, 0x16, 'a TLS handshake record');
    } finally {
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });
});
