/**
 * The usage ledger: what Pixelwright spent, by day, workspace and model, kept in the extension's
 * global storage (one small JSON file the host and the MCP server share). No prompts, no key,
 * no file names: a day, a workspace's id and name, a model, and counts. Pure: the callers read and
 * write the file.
 */

export interface LedgerRow {
  /** Local calendar day, YYYY-MM-DD. */
  readonly day: string;
  /** The workspace's id (its folder or workspace file URI) and its name, for the summary. */
  readonly workspace: string;
  readonly workspaceName: string;
  readonly model: string;
  readonly runs: number;
  readonly images: number;
  /** USD of the images whose cost the price list knows. */
  readonly usd: number;
  /** Images with no known cost (custom models, no usage). */
  readonly unpricedImages: number;
  readonly tokens: number;
}

export interface Ledger {
  readonly v: 1;
  readonly rows: readonly LedgerRow[];
}

/** One run to add. */
export interface LedgerEntry {
  readonly time: Date;
  readonly workspace: string;
  readonly workspaceName: string;
  readonly model: string;
  readonly images: number;
  /** Undefined when the run's cost is not known. */
  readonly usd?: number;
  readonly tokens?: number;
}

/** Rows older than this many days are dropped when a run is added. */
export const LEDGER_KEEP_DAYS = 400;

export const EMPTY_LEDGER: Ledger = { v: 1, rows: [] };

/** YYYY-MM-DD of the local calendar day. */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
const nonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A ledger read from its file: anything malformed is dropped row by row (a broken file starts over empty). */
export function parseLedger(text: string | undefined): Ledger {
  if (!text) return EMPTY_LEDGER;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return EMPTY_LEDGER;
  }
  const rows = (raw as { rows?: unknown })?.rows;
  if (!Array.isArray(rows)) return EMPTY_LEDGER;
  const ok = rows.filter(
    (r): r is LedgerRow =>
      !!r &&
      typeof r === 'object' &&
      typeof r.day === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(r.day) &&
      typeof r.workspace === 'string' &&
      typeof r.workspaceName === 'string' &&
      typeof r.model === 'string' &&
      [r.runs, r.images, r.usd, r.unpricedImages, r.tokens].every(nonNegative),
  );
  return { v: 1, rows: ok };
}

/** The ledger with a run added to its day's row (and rows older than LEDGER_KEEP_DAYS dropped). */
export function addToLedger(ledger: Ledger, e: LedgerEntry): Ledger {
  const day = dayKey(e.time);
  const oldest = dayKey(new Date(e.time.getTime() - LEDGER_KEEP_DAYS * 86_400_000));
  const rows = ledger.rows.filter((r) => r.day >= oldest);
  const at = rows.findIndex((r) => r.day === day && r.workspace === e.workspace && r.model === e.model);
  const base: LedgerRow = at >= 0 ? rows[at] : { day, workspace: e.workspace, workspaceName: e.workspaceName, model: e.model, runs: 0, images: 0, usd: 0, unpricedImages: 0, tokens: 0 };
  const row: LedgerRow = {
    ...base,
    workspaceName: e.workspaceName,
    runs: base.runs + 1,
    images: base.images + e.images,
    usd: round(base.usd + (e.usd ?? 0)),
    unpricedImages: base.unpricedImages + (e.usd === undefined ? e.images : 0),
    tokens: base.tokens + (e.tokens ?? 0),
  };
  return { v: 1, rows: at >= 0 ? rows.map((r, i) => (i === at ? row : r)) : [...rows, row] };
}

export interface Totals {
  readonly usd: number;
  readonly images: number;
  readonly runs: number;
  readonly unpricedImages: number;
  readonly tokens: number;
}

export interface UsageSummary {
  /** All workspaces. */
  readonly today: Totals;
  readonly month: Totals;
  /** The workspace asked about. */
  readonly workspaceToday: Totals;
  readonly workspaceMonth: Totals;
  /** This month, all workspaces, by model, most spent first. */
  readonly byModel: readonly (Totals & { readonly model: string })[];
}

const ZERO: Totals = { usd: 0, images: 0, runs: 0, unpricedImages: 0, tokens: 0 };

function total(rows: readonly LedgerRow[]): Totals {
  return rows.reduce((t, r) => ({ usd: round(t.usd + r.usd), images: t.images + r.images, runs: t.runs + r.runs, unpricedImages: t.unpricedImages + r.unpricedImages, tokens: t.tokens + r.tokens }), ZERO);
}

/** Today and this calendar month (local time), overall and for `workspace`, and this month by model. */
export function summarize(ledger: Ledger, now: Date, workspace: string | undefined): UsageSummary {
  const today = dayKey(now);
  const month = today.slice(0, 8);
  const monthRows = ledger.rows.filter((r) => r.day.startsWith(month) && r.day <= today);
  const todayRows = monthRows.filter((r) => r.day === today);
  const models = [...new Set(monthRows.map((r) => r.model))];
  return {
    today: total(todayRows),
    month: total(monthRows),
    workspaceToday: total(todayRows.filter((r) => r.workspace === workspace)),
    workspaceMonth: total(monthRows.filter((r) => r.workspace === workspace)),
    byModel: models.map((model) => ({ model, ...total(monthRows.filter((r) => r.model === model)) })).sort((a, b) => b.usd - a.usd || b.images - a.images || a.model.localeCompare(b.model)),
  };
}

/** This calendar month's spending, all workspaces (what the monthly limit counts). */
export function monthSpent(ledger: Ledger, now: Date): number {
  return summarize(ledger, now, undefined).month.usd;
}
