// The usage ledger (src/core/ledger.ts): a file read row by row (each malformed kind dropped, a
// file that is no ledger read as empty), a run added to the row of its day, workspace and model
// only, the 400-day horizon on its boundary day, a future day left out of the month, and the
// month's models ordered by spend, then images, then name.
import * as assert from 'assert';
import { addToLedger, EMPTY_LEDGER, LEDGER_KEEP_DAYS, parseLedger, summarize, type Ledger, type LedgerRow } from '../../../src/core/ledger';

const row = (over: Partial<LedgerRow> = {}): LedgerRow => ({ day: '2026-12-02', workspace: 'w1', workspaceName: 'One', model: 'gpt-image-1.5', runs: 1, images: 2, usd: 0.5, unpricedImages: 0, tokens: 100, ...over });
const ledger = (...rows: LedgerRow[]): Ledger => ({ v: 1, rows });
const noon = (day: string) => new Date(`${day}T12:00:00`);

suite('usage ledger: bounds', () => {
  test('reading: each malformed row is dropped, the rest kept; what is no ledger reads as empty', () => {
    const good = row();
    const bad: unknown[] = [null, 3, 'row', { ...good, day: 5 }, { ...good, day: '2026-12-2' }, { ...good, day: 'x2026-12-02' }, { ...good, day: '2026-12-02x' }, { ...good, day: ['2026-12-02'] }, { ...good, workspace: 1 }, { ...good, workspaceName: null }, { ...good, model: {} }, { ...good, runs: -1 }, { ...good, usd: '0.5' }, { ...good, tokens: 1e400 }];
    assert.deepStrictEqual(parseLedger(JSON.stringify({ v: 1, rows: [good, ...bad, good] })), ledger(good, good));
    assert.deepStrictEqual(parseLedger(JSON.stringify({ v: 1, rows: [{ ...good, tokens: 0, usd: 0 }] })).rows.length, 1, 'zero is a count');
    assert.deepStrictEqual(parseLedger(JSON.stringify({ v: 1, rows: [good] }).replace('"tokens":100', '"tokens":1e400')), ledger(), 'a count JSON overflows to Infinity');
    for (const text of [undefined, '', '{ broken', 'null', '[]', '{"rows":{}}', '{"v":1}']) assert.deepStrictEqual(parseLedger(text), EMPTY_LEDGER, String(text));
  });

  test('a run goes into the row of its day, workspace and model; any other differing makes a new row', () => {
    const start = ledger(row({ images: 1, usd: 0.1, tokens: 10, runs: 1 }));
    const two = addToLedger(ledger(row({ model: 'other' }), row({ images: 1, usd: 0.1, tokens: 10 })), { time: noon('2026-12-02'), workspace: 'w1', workspaceName: 'One', model: 'gpt-image-1.5', images: 1, usd: 0.1 });
    assert.deepStrictEqual(two.rows.map((r) => [r.model, r.runs, r.images]), [['other', 1, 2], ['gpt-image-1.5', 2, 2]], 'the other row untouched');
    const same = addToLedger(start, { time: noon('2026-12-02'), workspace: 'w1', workspaceName: 'One renamed', model: 'gpt-image-1.5', images: 2, usd: 0.2, tokens: 5 });
    assert.deepStrictEqual(same.rows, [row({ workspaceName: 'One renamed', runs: 2, images: 3, usd: 0.3, tokens: 15 })]);
    for (const other of [{ time: noon('2026-12-03') }, { workspace: 'w2' }, { model: 'gpt-image-1' }]) {
      const e = { time: noon('2026-12-02'), workspace: 'w1', workspaceName: 'One', model: 'gpt-image-1.5', images: 1, ...other };
      const got = addToLedger(start, e);
      assert.strictEqual(got.rows.length, 2, JSON.stringify(other));
      assert.deepStrictEqual(got.rows[0], start.rows[0], 'the existing row untouched');
      assert.deepStrictEqual([got.rows[1].runs, got.rows[1].unpricedImages], [1, 1], 'no cost known: its images are unpriced');
    }
  });

  test(`rows older than ${LEDGER_KEEP_DAYS} days go when a run is added; the boundary day stays`, () => {
    const now = noon('2026-12-02');
    const boundary = new Date(now.getTime() - LEDGER_KEEP_DAYS * 86_400_000);
    const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const older = new Date(boundary.getTime() - 86_400_000);
    const got = addToLedger(ledger(row({ day: day(older) }), row({ day: day(boundary) })), { time: now, workspace: 'w1', workspaceName: 'One', model: 'm', images: 1, usd: 0 });
    assert.deepStrictEqual(got.rows.map((r) => r.day), [day(boundary), '2026-12-02']);
  });

  test('the month: days after today are not counted; models by spend, then images, then name', () => {
    const l = ledger(
      row({ day: '2026-12-01', model: 'b', usd: 1, images: 1 }),
      row({ day: '2026-12-02', model: 'a', usd: 1, images: 1 }),
      row({ day: '2026-12-02', model: 'c', usd: 1, images: 5 }),
      row({ day: '2026-12-02', model: 'd', usd: 2, images: 1, workspace: 'w2' }),
      row({ day: '2026-12-03', model: 'e', usd: 9, images: 9 }),
      row({ day: '2025-12-02', model: 'f', usd: 9, images: 9 }),
    );
    const s = summarize(l, noon('2026-12-02'), 'w2');
    assert.deepStrictEqual(s.byModel.map((m) => [m.model, m.usd, m.images]), [['d', 2, 1], ['c', 1, 5], ['a', 1, 1], ['b', 1, 1]]);
    assert.deepStrictEqual([s.month.usd, s.today.usd, s.workspaceToday.usd, s.workspaceMonth.images], [5, 4, 2, 1]);
  });
});
