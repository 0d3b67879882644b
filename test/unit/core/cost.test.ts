/**
 * Cost after the run: the response's usage read, the actual cost from the dated price list
 * (checked against the reference's figures), the recipe's usage and cost from a real run against
 * the fake Images API, the usage ledger's sums, and the budget rule's boundaries.
 */
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { budgetAmount, checkBudget } from '../../../src/core/budget';
import { addToLedger, dayKey, EMPTY_LEDGER, LEDGER_KEEP_DAYS, monthSpent, parseLedger, summarize } from '../../../src/core/ledger';
import { ModelTable } from '../../../src/core/models';
import { actualCost, addCosts, addUsage, formatCost, PRICE_LIST_DATE, spendEstimate, usageFromApi } from '../../../src/core/pricing';
import { makeImages } from '../../../src/core/run';
import { TOOL_NAMES } from '../../../src/core/tools';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const apiUsage = (input: number, text: number, image: number, output: number) => ({ input_tokens: input, input_tokens_details: { text_tokens: text, image_tokens: image }, output_tokens: output, total_tokens: input + output });

suite('cost: usage and the actual cost of a run', () => {
  test("the response's usage is read field by field; anything else is no usage", () => {
    assert.deepStrictEqual(usageFromApi({ ...apiUsage(50, 10, 40, 4160), output_tokens_details: { image_tokens: 4100, text_tokens: 60 } }), {
      inputTokens: 50, outputTokens: 4160, totalTokens: 4210, inputTextTokens: 10, inputImageTokens: 40, outputImageTokens: 4100, outputTextTokens: 60,
    });
    assert.deepStrictEqual(usageFromApi({ input_tokens: 7, output_tokens: 272 }), { inputTokens: 7, outputTokens: 272, totalTokens: 279 });
    for (const bad of [undefined, null, 'x', {}, { input_tokens: -1, output_tokens: 3 }, { input_tokens: 'a', output_tokens: 3 }, { input_tokens: 1 }]) assert.strictEqual(usageFromApi(bad), undefined, JSON.stringify(bad));
    assert.deepStrictEqual(addUsage(usageFromApi(apiUsage(10, 10, 0, 272)), usageFromApi({ input_tokens: 5, output_tokens: 272 })), { inputTokens: 15, outputTokens: 544, totalTokens: 559 });
  });

  test("gpt-image-2.6 image output at the reference's $30 per 1M tokens", () => {
    // 4160 output tokens, no input: exactly the output price.
    assert.deepStrictEqual(actualCost('gpt-image-2.6-flare', { usage: usageFromApi(apiUsage(0, 0, 0, 4160)), images: 1 }), { usd: 0.1248, basis: 'tokens', priceListDate: PRICE_LIST_DATE });
    // 1M output tokens cost $30.
    assert.strictEqual(actualCost('gpt-image-2.6-sunburst', { usage: usageFromApi(apiUsage(0, 0, 0, 1_000_000)), images: 1 })?.usd, 30);
    // Input text $5 and image $8 per 1M: 1000 text + 1000 image tokens = $0.013.
    assert.strictEqual(actualCost('gpt-image-2.5-sunburst-2026-09-08', { usage: usageFromApi(apiUsage(2000, 1000, 1000, 0)), images: 1 })?.usd, 0.013);
    // Without the text/image split, input is priced at the image rate (never under-counted).
    assert.strictEqual(actualCost('gpt-image-2', { usage: usageFromApi({ input_tokens: 1000, output_tokens: 0 }), images: 1 })?.usd, 0.008);
  });

  test('text output tokens without a listed price are counted apart, not guessed', () => {
    const c = actualCost('gpt-image-2', { usage: usageFromApi({ ...apiUsage(0, 0, 0, 1100), output_tokens_details: { image_tokens: 1000, text_tokens: 100 } }), images: 1 });
    assert.deepStrictEqual(c, { usd: 0.03, basis: 'tokens', priceListDate: PRICE_LIST_DATE, unpricedTokens: 100 });
    // gpt-image-1.5 lists text output ($10 per 1M).
    assert.strictEqual(actualCost('gpt-image-1.5', { usage: usageFromApi({ ...apiUsage(0, 0, 0, 1100), output_tokens_details: { image_tokens: 1000, text_tokens: 100 } }), images: 1 })?.usd, 0.033);
  });

  test("per-image models cost the reference's price per image, times the images that came back", () => {
    assert.strictEqual(actualCost('dall-e-3', { quality: 'hd', size: '1792x1024', images: 1 })?.usd, 0.12);
    assert.strictEqual(actualCost('dall-e-3', { images: 2 })?.usd, 0.08); // standard 1024x1024 by default
    assert.strictEqual(actualCost('dall-e-2', { size: '256x256', images: 3 })?.usd, 0.048);
    assert.strictEqual(actualCost('dall-e-2', { images: 1 })?.usd, 0.02);
    // gpt-image-1-mini without usage (a compatible server): its per-image list, at the size and quality the answer names.
    assert.deepStrictEqual(actualCost('gpt-image-1-mini', { quality: 'medium', size: '1536x1024', images: 2 }), { usd: 0.03, basis: 'per-image', priceListDate: PRICE_LIST_DATE });
    assert.strictEqual(actualCost('gpt-image-1-mini', { quality: 'auto', size: '1024x1024', images: 1 }), undefined);
  });

  test('no price, no number: custom models, token models without usage, unknown sizes', () => {
    assert.strictEqual(actualCost('my-sdxl', { usage: usageFromApi(apiUsage(1, 1, 0, 10)), images: 1 }), undefined);
    assert.strictEqual(actualCost('gpt-image-2', { quality: 'high', size: '1024x1024', images: 1 }), undefined);
    assert.strictEqual(actualCost('dall-e-3', { quality: 'hd', size: '512x512', images: 1 }), undefined);
    assert.strictEqual(actualCost('dall-e-2', { images: 0 }), undefined);
    assert.strictEqual(addCosts([undefined, undefined]), undefined);
    assert.deepStrictEqual(addCosts([{ usd: 0.1, basis: 'tokens', priceListDate: 'd' }, undefined, { usd: 0.2, basis: 'tokens', priceListDate: 'd', unpricedTokens: 5 }]), { usd: 0.3, basis: 'tokens', priceListDate: 'd', unpricedTokens: 5 });
  });

  test('the estimate before a run: the published prices per image, or none (no number the price list does not give)', () => {
    assert.deepStrictEqual(spendEstimate('dall-e-3', { quality: 'hd', size: '1024x1024', n: 2 }), { min: 0.16, max: 0.16 });
    assert.deepStrictEqual(spendEstimate('gpt-image-1-mini', { quality: 'auto', size: '1024x1024', n: 1 }), { min: 0.005, max: 0.036 });
    assert.deepStrictEqual(spendEstimate('gpt-image-1-mini', { quality: 'high', size: '1536x1024', n: 10 }), { min: 0.52, max: 0.52 });
    // Token-billed (tokens per image not published), no published price, or a custom model: no estimate.
    for (const m of ['gpt-image-2', 'gpt-image-2.5-flare', 'gpt-image-2.6-sunburst', 'gpt-image-1.5', 'gpt-image-1', 'chatgpt-image-latest', 'my-sdxl']) {
      assert.strictEqual(spendEstimate(m, { quality: 'high', size: '1024x1024', n: 1 }), undefined, m);
    }
  });

  test('money below a tenth of a cent still shows it is not nothing', () => {
    assert.strictEqual(formatCost(0.0002), '<$0.001');
    assert.strictEqual(formatCost(0), '$0.00');
    assert.strictEqual(formatCost(0.1248), '$0.125');
  });
});

suite('cost: a run records its usage and cost (fake Images API)', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  const table = new ModelTable();
  suiteSetup(async () => (fake = await startFakeOpenAI()));
  suiteTeardown(() => fake.close());
  const make = (model: string, extra: Record<string, unknown> = {}) =>
    makeImages({ operation: 'generate', model, prompt: 'a red kite over the dunes', n: 1, size: '1024x1024', quality: 'low', ...extra }, table.get(model)!, {
      provider: { kind: 'compatible', apiKey: 'sk-test-key', baseUrl: fake.url, timeoutMs: 10_000 },
      providerRecord: { kind: 'compatible' },
      tool: 'test',
      concurrency: 2,
      maxWaitMs: 0,
    });

  test('the fake answers with usage as the API does, and each image of a request carries its share', async () => {
    const out = await make('gpt-image-2.6-flare', { n: 2, quality: 'high' });
    assert.ok(out.usage && out.usage.outputTokens > 0 && out.usage.inputTextTokens !== undefined, JSON.stringify(out.usage));
    const expected = actualCost('gpt-image-2.6-flare', { usage: out.usage, images: 2 })!;
    assert.deepStrictEqual(out.cost, expected);
    assert.strictEqual(out.cost?.basis, 'tokens');
    for (const img of out.images) {
      assert.deepStrictEqual(img.record.usage, { ...out.usage, images: 2 });
      assert.strictEqual(img.record.cost?.usd, Math.round((expected.usd / 2) * 1e6) / 1e6);
      assert.strictEqual(img.record.cost?.priceListDate, PRICE_LIST_DATE);
    }
  });

  test('streamed images take their usage from the completed event', async () => {
    const out = await makeImages({ operation: 'generate', model: 'gpt-image-1.5', prompt: 'a kite', n: 1, size: '1024x1024', quality: 'low' }, table.get('gpt-image-1.5')!, {
      provider: { kind: 'compatible', apiKey: 'sk-test-key', baseUrl: fake.url, timeoutMs: 10_000 },
      providerRecord: { kind: 'compatible' },
      tool: 'test',
      concurrency: 1,
      maxWaitMs: 0,
      onPartial: () => undefined,
    });
    assert.strictEqual(out.usage?.outputTokens, 272);
    assert.strictEqual(out.images[0].record.cost?.basis, 'tokens');
  });

  test('DALL·E answers have no usage: priced per image', async () => {
    const out = await make('dall-e-3', { quality: 'hd', size: '1792x1024' });
    assert.strictEqual(out.usage, undefined);
    assert.deepStrictEqual(out.cost, { usd: 0.12, basis: 'per-image', priceListDate: PRICE_LIST_DATE });
    assert.strictEqual(out.images[0].record.usage, undefined);
    assert.strictEqual(out.images[0].record.cost?.usd, 0.12);
  });
});

suite('cost: the usage ledger', () => {
  const at = (iso: string) => new Date(iso);
  const entry = (time: string, model: string, usd: number | undefined, workspace = 'file:///a', images = 1) => ({ time: at(time), workspace, workspaceName: workspace.slice(-1), model, images, usd, tokens: 100 });

  test('runs add up by day, workspace and model; today, this month, this workspace, by model', () => {
    let l = EMPTY_LEDGER;
    l = addToLedger(l, entry('2026-12-02T10:00:00', 'gpt-image-1.5', 0.1331));
    l = addToLedger(l, entry('2026-12-02T11:00:00', 'gpt-image-1.5', 0.0087, 'file:///a', 2));
    l = addToLedger(l, entry('2026-12-01T09:00:00', 'dall-e-3', 0.08, 'file:///b'));
    l = addToLedger(l, entry('2026-12-02T12:00:00', 'my-sdxl', undefined, 'file:///b', 3));
    l = addToLedger(l, entry('2026-11-30T23:00:00', 'dall-e-3', 5)); // last month
    assert.strictEqual(l.rows.length, 4); // the two gpt-image-1.5 runs share a row
    const s = summarize(l, at('2026-12-02T18:00:00'), 'file:///a');
    assert.deepStrictEqual(s.today, { usd: 0.1418, images: 6, runs: 3, unpricedImages: 3, tokens: 300 });
    assert.deepStrictEqual(s.month, { usd: 0.2218, images: 7, runs: 4, unpricedImages: 3, tokens: 400 });
    assert.deepStrictEqual(s.workspaceToday, { usd: 0.1418, images: 3, runs: 2, unpricedImages: 0, tokens: 200 });
    assert.strictEqual(s.workspaceMonth.usd, 0.1418);
    assert.deepStrictEqual(s.byModel.map((m) => [m.model, m.usd, m.images]), [['gpt-image-1.5', 0.1418, 3], ['dall-e-3', 0.08, 1], ['my-sdxl', 0, 3]]);
    assert.strictEqual(monthSpent(l, at('2026-12-31T23:59:00')), 0.2218);
    assert.strictEqual(monthSpent(l, at('2026-11-30T23:59:00')), 5);
    assert.strictEqual(monthSpent(l, at('2027-01-01T00:00:00')), 0);
  });

  test('it survives its file: round trip, malformed rows dropped, a broken file starts empty, old rows trimmed', () => {
    const l = addToLedger(EMPTY_LEDGER, entry('2026-12-02T10:00:00', 'dall-e-2', 0.02));
    assert.deepStrictEqual(parseLedger(JSON.stringify(l)), l);
    assert.deepStrictEqual(parseLedger('{not json'), EMPTY_LEDGER);
    assert.deepStrictEqual(parseLedger(undefined), EMPTY_LEDGER);
    const mixed = { v: 1, rows: [...l.rows, { day: '2026-12-02', workspace: 'x', workspaceName: 'x', model: 'm', runs: 1, images: -1, usd: 0, unpricedImages: 0, tokens: 0 }, { day: 'yesterday' }, null] };
    assert.deepStrictEqual(parseLedger(JSON.stringify(mixed)).rows, l.rows);
    const later = addToLedger(l, entry(new Date(at('2026-12-02T10:00:00').getTime() + (LEDGER_KEEP_DAYS + 1) * 86_400_000).toISOString(), 'dall-e-2', 0.02));
    assert.strictEqual(later.rows.length, 1);
    assert.notStrictEqual(later.rows[0].day, '2026-12-02');
    assert.strictEqual(dayKey(at('2026-03-05T08:00:00')), '2026-03-05');
  });
});

suite('cost: the budget rule', () => {
  const limits = (monthlyLimit: number, askAbove: number) => ({ monthlyLimit, askAbove });
  const e = (min: number, max = min) => ({ min, max });

  test('no limits: everything goes; askFirst always asks', () => {
    assert.deepStrictEqual(checkBudget({ estimate: e(100), monthSpent: 1e6, limits: limits(0, 0) }), { kind: 'go' });
    assert.deepStrictEqual(checkBudget({ monthSpent: 0, limits: limits(0, 0) }), { kind: 'go' });
    assert.deepStrictEqual(checkBudget({ estimate: e(0.01), monthSpent: 0, limits: limits(0, 0), askFirst: true }), { kind: 'ask', reason: 'recipe', estimate: e(0.01) });
    assert.deepStrictEqual(checkBudget({ monthSpent: 0, limits: limits(0, 0), askFirst: true }), { kind: 'ask', reason: 'recipe', estimate: undefined });
  });

  test('the monthly limit: reached at exactly the limit; refused when even the lowest estimate passes it; asked when the top may', () => {
    assert.strictEqual(checkBudget({ estimate: e(0.01), monthSpent: 9.99, limits: limits(10, 0) }).kind, 'go');
    assert.deepStrictEqual(checkBudget({ estimate: e(0.01), monthSpent: 10, limits: limits(10, 0) }), { kind: 'refuse', reason: 'reached', spent: 10, limit: 10, estimate: e(0.01) });
    assert.deepStrictEqual(checkBudget({ monthSpent: 12, limits: limits(10, 0) }), { kind: 'refuse', reason: 'reached', spent: 12, limit: 10, estimate: undefined });
    // 9.9 + 0.1 = 10: lands exactly on the limit, allowed; 0.11 passes it.
    assert.strictEqual(checkBudget({ estimate: e(0.1), monthSpent: 9.9, limits: limits(10, 0) }).kind, 'go');
    assert.deepStrictEqual(checkBudget({ estimate: e(0.11), monthSpent: 9.9, limits: limits(10, 0) }), { kind: 'refuse', reason: 'would-exceed', spent: 9.9, limit: 10, estimate: e(0.11) });
    assert.deepStrictEqual(checkBudget({ estimate: e(0.05, 0.2), monthSpent: 9.9, limits: limits(10, 0) }), { kind: 'ask', reason: 'may-exceed', estimate: e(0.05, 0.2) });
    // Refusal wins over askFirst; an unknown estimate under the limit goes.
    assert.strictEqual(checkBudget({ estimate: e(1), monthSpent: 10, limits: limits(10, 0), askFirst: true }).kind, 'refuse');
    assert.strictEqual(checkBudget({ monthSpent: 9.99, limits: limits(10, 0) }).kind, 'go');
  });

  test('ask above: strictly above the amount; an unknown estimate asks when it is set', () => {
    assert.strictEqual(checkBudget({ estimate: e(0.5), monthSpent: 0, limits: limits(0, 0.5) }).kind, 'go');
    assert.deepStrictEqual(checkBudget({ estimate: e(0.1, 0.51), monthSpent: 0, limits: limits(0, 0.5) }), { kind: 'ask', reason: 'above', estimate: e(0.1, 0.51) });
    assert.deepStrictEqual(checkBudget({ monthSpent: 0, limits: limits(0, 0.5) }), { kind: 'ask', reason: 'unknown' });
  });

  test('limits from settings or the environment: finite and positive, else off', () => {
    assert.deepStrictEqual([budgetAmount(5), budgetAmount('2.5'), budgetAmount(' '), budgetAmount('x'), budgetAmount(-3), budgetAmount(Infinity), budgetAmount(undefined), budgetAmount(0.123456)], [5, 2.5, 0, 0, 0, 0, 0, 0.1235]);
  });
});

suite('cost: the MCP server keeps the same budget and ledger', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let root: string;
  let client: Client | undefined;
  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    root = mkdtempSync(path.join(tmpdir(), 'pw-cost-'));
  });
  suiteTeardown(async () => {
    await client?.close();
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  });
  const start = async (env: Record<string, string>) => {
    await client?.close();
    client = new Client({ name: 'pixelwright-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [path.join(__dirname, '..', '..', '..', 'src', 'mcp', 'server.js')],
        env: { PIXELWRIGHT_WORKSPACE: root, PIXELWRIGHT_PROVIDER: 'compatible', PIXELWRIGHT_BASE_URL: fake.url, PIXELWRIGHT_API_KEY: 'sk-test-key', PATH: process.env.PATH ?? '', ...env },
        stderr: 'pipe',
      }),
    );
    return client;
  };
  const text = (r: unknown) => (r as { content: { type: string; text?: string }[] }).content.map((c) => c.text ?? '').join('\n');

  test('a run is added to the shared ledger; over the monthly limit the next is refused and nothing is sent', async () => {
    const ledger = path.join(root, 'storage', 'usage.json');
    const c = await start({ PIXELWRIGHT_LEDGER: ledger, PIXELWRIGHT_BUDGET_MONTHLY_LIMIT: '0.08' });
    fake.reset();
    const ok = await c.callTool({ name: TOOL_NAMES.generate, arguments: { prompt: 'a lantern', model: 'dall-e-3', quality: 'hd', size: '1024x1024' } });
    assert.ok(!ok.isError, text(ok));
    const rows = parseLedger(readFileSync(ledger, 'utf8')).rows;
    assert.deepStrictEqual(rows.map((r) => [r.model, r.images, r.usd, r.workspaceName]), [['dall-e-3', 1, 0.08, path.basename(root)]]);
    const refused = await c.callTool({ name: TOOL_NAMES.generate, arguments: { prompt: 'another lantern', model: 'dall-e-3' } });
    assert.ok(refused.isError);
    assert.match(text(refused), /nothing was sent: this month \$0\.08 was spent, which reaches the monthly limit of \$0\.08/);
    assert.strictEqual(fake.requests.filter((r) => r.path.includes('/images/')).length, 1);
  });

  test('what the rule would ask about is refused with the reason (a server cannot ask)', async () => {
    const ledger = path.join(root, 'other.json');
    writeFileSync(ledger, 'not json');
    const c = await start({ PIXELWRIGHT_LEDGER: ledger, PIXELWRIGHT_BUDGET_ASK_ABOVE: '0.1' });
    fake.reset();
    const r = await c.callTool({ name: TOOL_NAMES.generate, arguments: { prompt: 'a lantern', model: 'gpt-image-2', quality: 'high', size: '1024x1024' } });
    assert.ok(r.isError);
    assert.match(text(r), /its cost is not known before it runs \(gpt-image-2 is billed by tokens\)/);
    const cheap = await c.callTool({ name: TOOL_NAMES.generate, arguments: { prompt: 'a lantern', model: 'dall-e-2', size: '256x256' } });
    assert.ok(!cheap.isError, text(cheap));
    assert.strictEqual(fake.requests.filter((r) => r.path.includes('/images/')).length, 1);
  });
});
