/** Shared by the engine tests: a bare HTTP server whose every answer the test writes. */
import * as http from 'http';
import type { AddressInfo } from 'net';

/** A bare HTTP server on a free port whose every answer `handle` writes; `url` ends in /v1. */
export async function rawServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
