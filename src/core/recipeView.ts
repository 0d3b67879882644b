/**
 * What Show Recipe shows, built from whatever an image carried: a well-formed recipe (already
 * sanitized: core/recipe.ts), the raw text of a malformed one, or nothing. Every value becomes a
 * bounded plain string; the panel renders them as text only. Pure (no `vscode`, no Node APIs).
 */
import { formatUsd } from './pricing';
import type { StoredRecord } from './metadata';
import type { SourceRecipe } from './record';
import type { RecipeLineageEntry, RecipeView } from '../shared/recipeProtocol';

/** The most characters of a malformed recipe's text shown. */
export const RAW_SHOWN_CHARS = 64 * 1024;
/** Lineage entries shown at most (the lineage itself is bounded when written). */
const LINEAGE_SHOWN = 64;

export interface RecipeFound {
  readonly record?: StoredRecord;
  readonly raw?: string;
  readonly where?: 'embedded' | 'sidecar';
  readonly mismatch?: boolean;
  readonly width?: number;
  readonly height?: number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A recorded cost: a number of dollars, or an object with one (`usd`, `total`, `amount`). */
function costText(v: unknown): string | undefined {
  const n = num(v);
  if (n !== undefined) return formatUsd(n);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const usd = num(o.usd) ?? num(o.totalUsd) ?? num(o.total) ?? num(o.amount);
    if (usd !== undefined) return formatUsd(usd);
  }
  return undefined;
}

/** Recorded token usage: "1,234 tokens (input 200, output 1,034)". */
function usageText(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const total = num(o.total_tokens) ?? num(o.totalTokens);
  const input = num(o.input_tokens) ?? num(o.inputTokens);
  const output = num(o.output_tokens) ?? num(o.outputTokens);
  if (total === undefined && input === undefined && output === undefined) return undefined;
  const parts = [input !== undefined ? `input ${input}` : '', output !== undefined ? `output ${output}` : ''].filter(Boolean);
  return `${total ?? (input ?? 0) + (output ?? 0)} tokens${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function flattenLineage(lineage: readonly SourceRecipe[] | undefined, depth: number, out: RecipeLineageEntry[]): void {
  for (const e of lineage ?? []) {
    if (out.length >= LINEAGE_SHOWN) return;
    const r = e.recipe;
    out.push({ depth, path: e.path, model: r.model, operation: r.operation, prompt: r.prompt, createdAt: str(r.createdAt) ?? '' });
    flattenLineage(r.lineage, depth + 1, out);
  }
}

/**
 * The panel's view of an image's recipe. `sourceExists` says which of the recorded source paths
 * are files in the workspace now (they become links); `modelOffered` whether the provider offers
 * the recipe's model.
 */
export function buildRecipeView(file: string, found: RecipeFound, sourceExists: (path: string) => boolean, modelOffered: (model: string) => boolean): RecipeView {
  const base = { file, where: found.where, width: found.width, height: found.height, options: [], sources: [], lineage: [], truncated: [] };
  const r = found.record;
  if (!r) {
    if (found.raw === undefined) return { ...base, state: 'none' };
    const cut = found.raw.length > RAW_SHOWN_CHARS;
    return { ...base, state: 'malformed', raw: cut ? found.raw.slice(0, RAW_SHOWN_CHARS) : found.raw, rawCut: cut };
  }
  const rec = r as unknown as Record<string, unknown>;
  const provider = [str(r.provider?.kind), str(r.provider?.deployment), str(r.provider?.baseUrl)].filter((s): s is string => !!s).join(' · ');
  const lineage: RecipeLineageEntry[] = [];
  flattenLineage(r.lineage, 1, lineage);
  return {
    ...base,
    state: 'recipe',
    mismatch: found.mismatch || undefined,
    prompt: r.prompt,
    revisedPrompt: str(r.revisedPrompt),
    model: r.model,
    operation: r.operation,
    options: Object.entries(r.options ?? {}).map(([k, v]) => [k, String(v)] as const),
    sources: (r.sources ?? []).map((path) => ({ path, exists: sourceExists(path) })),
    lineage,
    lineageCut: r.lineageCut || undefined,
    cost: costText(rec.cost),
    usage: usageText(rec.usage),
    provider: provider || undefined,
    createdAt: str(r.createdAt),
    tool: str(r.tool),
    requestId: str(r.requestId),
    truncated: [...(r.truncated ?? [])],
    modelMissing: !modelOffered(r.model) || undefined,
  };
}
