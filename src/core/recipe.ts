/**
 * A recipe as it is read back from a file, which may come from anyone: a repository can ship an
 * image whose recipe is malformed, huge, of the wrong types or hostile (markup or script in the
 * prompt). {@link sanitizeRecord} keeps only fields of the right types and sizes, so that what a
 * reader shows or runs is always plain data; {@link closestModel} names the model to offer when
 * a recipe's model is not served by this provider. Plain TypeScript (no `vscode`, no Node APIs).
 */
import type { StoredRecord } from './metadata';
import type { ModelCapabilities } from './models';
import type { GenerationRecord, Operation, SourceRecipe } from './record';

/** Bounds on what a read recipe may hold (far above what Pixelwright writes). */
export const RECIPE_LIMITS = {
  /** Longest prompt or revised prompt kept (the longest any model takes is 32,000). */
  promptChars: 64_000,
  /** Longest other string (a model id, a path, an option value). */
  textChars: 1_000,
  /** Most options, sources and lineage entries per level. */
  entries: 64,
  /** Nesting of the lineage followed at most when reading (writing keeps far less: core/lineage.ts). */
  depth: 8,
} as const;

const OPERATIONS: readonly Operation[] = ['generate', 'edit', 'variation'];
const TRUNCATABLE = ['revisedPrompt', 'prompt'] as const;
const KNOWN = new Set(['v', 'operation', 'prompt', 'revisedPrompt', 'model', 'options', 'sources', 'provider', 'createdAt', 'requestId', 'index', 'count', 'tool', 'truncated', 'lineage', 'lineageCut']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown, max: number = RECIPE_LIMITS.textChars): string | undefined {
  return typeof v === 'string' ? (v.length > max ? v.slice(0, max) : v) : undefined;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** An object of strings, numbers and booleans only (bounded), else undefined. */
function flatObject(v: unknown): Record<string, string | number | boolean> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, string | number | boolean> = {};
  let n = 0;
  for (const [k, value] of Object.entries(v)) {
    if (n >= RECIPE_LIMITS.entries || k.length > 64 || k === '__proto__') continue;
    if (typeof value === 'string') out[k] = value.slice(0, RECIPE_LIMITS.textChars);
    else if (typeof value === 'boolean' || finite(value) !== undefined) out[k] = value as number | boolean;
    else continue;
    n++;
  }
  return out;
}

/**
 * The record in `value` with only well-typed, bounded fields; undefined when it is not a record
 * at all (no `v: 1`, no string prompt and model). An unknown operation reads as a generation;
 * fields a later version added (a cost, a usage) are kept when they are flat.
 */
export function sanitizeRecord(value: unknown, depth = 0): StoredRecord | undefined {
  if (!isPlainObject(value)) return undefined;
  const r = value;
  if (r.v !== 1 || typeof r.prompt !== 'string' || typeof r.model !== 'string') return undefined;
  const out: Record<string, unknown> = {
    v: 1,
    operation: OPERATIONS.includes(r.operation as Operation) ? r.operation : 'generate',
    prompt: text(r.prompt, RECIPE_LIMITS.promptChars),
    model: text(r.model),
    options: flatObject(r.options) ?? {},
    provider: { kind: 'unknown', ...flatObject(r.provider) },
    createdAt: text(r.createdAt) ?? '',
    tool: text(r.tool) ?? '',
  };
  const revised = text(r.revisedPrompt, RECIPE_LIMITS.promptChars);
  if (revised !== undefined) out.revisedPrompt = revised;
  if (Array.isArray(r.sources)) out.sources = r.sources.filter((s): s is string => typeof s === 'string').slice(0, RECIPE_LIMITS.entries).map((s) => s.slice(0, RECIPE_LIMITS.textChars));
  const requestId = text(r.requestId);
  if (requestId !== undefined) out.requestId = requestId;
  for (const k of ['index', 'count'] as const) if (finite(r[k]) !== undefined) out[k] = r[k];
  if (Array.isArray(r.truncated)) out.truncated = r.truncated.filter((f): f is (typeof TRUNCATABLE)[number] => (TRUNCATABLE as readonly unknown[]).includes(f));
  if (Array.isArray(r.lineage) && depth < RECIPE_LIMITS.depth) {
    const lineage: SourceRecipe[] = [];
    for (const e of r.lineage.slice(0, RECIPE_LIMITS.entries)) {
      if (!isPlainObject(e) || typeof e.path !== 'string') continue;
      const recipe = sanitizeRecord(e.recipe, depth + 1);
      if (recipe) lineage.push({ path: e.path.slice(0, RECIPE_LIMITS.textChars), recipe });
    }
    if (lineage.length) out.lineage = lineage;
  }
  if (r.lineageCut === true || (Array.isArray(r.lineage) && depth >= RECIPE_LIMITS.depth)) out.lineageCut = true;
  // Fields of later versions (a cost, a usage): kept when flat, so a reader can show them.
  let extra = 0;
  for (const [k, v] of Object.entries(r)) {
    if (KNOWN.has(k) || k === '__proto__' || extra >= 16) continue;
    if (typeof v === 'string') out[k] = v.slice(0, RECIPE_LIMITS.textChars);
    else if (typeof v === 'boolean' || finite(v) !== undefined) out[k] = v;
    else if (flatObject(v)) out[k] = flatObject(v);
    else continue;
    extra++;
  }
  return out as unknown as StoredRecord;
}

/** A recipe's JSON text as a record; undefined when it is not JSON or not a record. */
export function parseRecipeText(json: string): StoredRecord | undefined {
  try {
    return sanitizeRecord(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** The family a model id belongs to, guessed from its name (for a model no table knows). */
function familyOf(id: string): ModelCapabilities['family'] | undefined {
  if (/^dall-e-2/i.test(id)) return 'dall-e-2';
  if (/^dall-e-3/i.test(id)) return 'dall-e-3';
  if (/image/i.test(id)) return 'gpt-image';
  return undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The model among `offered` closest to `wanted` (a model this provider lacks): one of its family
 * first (gpt-image-1 -> another GPT image model), then the longest shared name prefix, then the
 * order offered. Undefined when nothing is offered.
 */
export function closestModel(wanted: string, offered: readonly ModelCapabilities[]): ModelCapabilities | undefined {
  const family = familyOf(wanted);
  let best: ModelCapabilities | undefined;
  let bestScore = -1;
  for (const m of offered) {
    const score = (family && m.family === family ? 10_000 : 0) + commonPrefix(wanted.toLowerCase(), m.id.toLowerCase());
    if (score > bestScore) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}

/** The record without its lineage (what a source's recipe is reduced to at the depth bound). */
export function withoutLineage(record: GenerationRecord): GenerationRecord {
  const { lineage: _l, lineageCut: _c, ...rest } = record;
  return rest;
}
