/**
 * Starts the fake Images API and prints one JSON line: {"url","origin","apiKey"}.
 *   node out/test/fake-openai/cli.js [--port N] [--latency MS] [--host H] [--url-ttl-ms MS] [--log]
 * Stays up until SIGINT / SIGTERM.
 */
import { startFakeOpenAI, type FakeOptions } from './server';

function parseArgs(argv: string[]): FakeOptions {
  const opts: FakeOptions = {};
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        opts.port = number(flag, value());
        break;
      case '--latency':
        opts.latencyMs = number(flag, value());
        break;
      case '--host':
        opts.host = value();
        break;
      case '--url-ttl-ms':
        opts.urlTtlMs = number(flag, value());
        break;
      case '--log':
        opts.log = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  let opts: FakeOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fake-openai: ${(e as Error).message}\nusage: cli.js [--port N] [--latency MS] [--host H] [--url-ttl-ms MS] [--log]\n`);
    process.exit(2);
  }
  const fake = await startFakeOpenAI(opts);
  process.stdout.write(`${JSON.stringify({ url: fake.url, origin: fake.origin, apiKey: fake.apiKey })}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`fake-openai: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
