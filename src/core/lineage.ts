/**
 * Lineage: an edit's or variation's recipe keeps the recipes of its sources (which keep theirs),
 * so that a file says how it came to be, generation after generation. Bounded, because a chain of
 * edits would otherwise grow without end and a JPEG's XMP segment holds 64 KB at most:
 *  - depth: at most {@link LINEAGE_LIMITS.depth} generations of ancestors (the sources' recipes,
 *    theirs, and so on); older ones are left out;
 *  - bytes: the lineage as JSON is at most {@link LINEAGE_LIMITS.bytes} UTF-8 bytes. Over it,
 *    older generations go first (depth lowered down to the sources alone), then the sources'
 *    prompts are shortened (halved down to nothing), then whole entries are left out from the last.
 * Whatever is cut, the record says so in `lineageCut`. Plain TypeScript.
 */
import { utf8Bytes } from '../shared/bytes';
import { sanitizeRecord, withoutLineage } from './recipe';
import type { GenerationRecord, SourceRecipe } from './record';

export const LINEAGE_LIMITS = {
  /** Generations of ancestors kept: 1 = the sources' recipes only. */
  depth: 3,
  /** UTF-8 bytes of the lineage as JSON. */
  bytes: 16 * 1024,
  /** Longest prompt of an ancestor before the byte bound shortens it further. */
  promptChars: 4_000,
} as const;

export interface LineageLimits {
  readonly depth: number;
  readonly bytes: number;
  readonly promptChars: number;
}

/** A source as the run saw it: its path, and the recipe it carried (undefined: none, or unreadable). */
export interface SourceWithRecipe {
  readonly path: string;
  readonly recipe?: unknown;
}

export function lineageBytes(lineage: readonly SourceRecipe[]): number {
  return utf8Bytes(JSON.stringify(lineage)).length;
}

function cutText(s: string | undefined, n: number): string | undefined {
  if (s === undefined) return undefined;
  const cps = Array.from(s);
  return cps.length > n ? cps.slice(0, n).join('') : s;
}

/** `record` with its own lineage kept down to `depth` more generations, prompts cut to `chars`. */
function trim(record: GenerationRecord, depth: number, chars: number, cut: { any: boolean }): GenerationRecord {
  const prompt = cutText(record.prompt, chars)!;
  const revisedPrompt = cutText(record.revisedPrompt, chars);
  if (prompt !== record.prompt || revisedPrompt !== record.revisedPrompt) cut.any = true;
  const base = { ...withoutLineage(record), prompt, ...(revisedPrompt !== undefined ? { revisedPrompt } : {}) } as GenerationRecord;
  if (record.lineageCut) cut.any = true;
  if (!record.lineage?.length) return record.lineageCut ? { ...base, lineageCut: true } : base;
  if (depth <= 0) {
    cut.any = true;
    return base;
  }
  const lineage = record.lineage.map((e) => ({ path: e.path, recipe: trim(e.recipe, depth - 1, chars, cut) }));
  return { ...base, lineage, ...(record.lineageCut ? { lineageCut: true } : {}) };
}

/**
 * The lineage of a new image made from `sources`, within `limits`: the sources that carried a
 * (well-formed) recipe, each with its own lineage down to the depth bound, the whole within the
 * byte bound. `cut` says whether anything was left out or shortened.
 */
export function buildLineage(sources: readonly SourceWithRecipe[], limits: LineageLimits = LINEAGE_LIMITS): { lineage: SourceRecipe[]; cut: boolean } {
  const found = sources.flatMap((s) => {
    const recipe = s.recipe === undefined ? undefined : sanitizeRecord(s.recipe);
    return recipe ? [{ path: s.path, recipe }] : [];
  });
  if (found.length === 0 || limits.depth < 1) return { lineage: [], cut: found.length > 0 };
  const make = (depth: number, chars: number, cut: { any: boolean }) => found.map((s) => ({ path: s.path, recipe: trim(s.recipe, depth - 1, chars, cut) }));
  // Fewer generations first, down to the sources alone.
  for (let depth = limits.depth; depth >= 1; depth--) {
    const cut = { any: false };
    const lineage = make(depth, limits.promptChars, cut);
    if (lineageBytes(lineage) <= limits.bytes) return { lineage, cut: cut.any };
  }
  // Then the sources' prompts, shorter and shorter.
  for (let chars = Math.floor(limits.promptChars / 2); chars >= 0; chars = chars === 0 ? -1 : Math.floor(chars / 2)) {
    const lineage = make(1, chars, { any: true });
    if (lineageBytes(lineage) <= limits.bytes) return { lineage, cut: true };
  }
  // Then whole entries, from the last.
  const lineage = make(1, 0, { any: true });
  while (lineage.length && lineageBytes(lineage) > limits.bytes) lineage.pop();
  return { lineage, cut: true };
}

/** How many generations a lineage holds (0: none). */
export function lineageDepth(lineage: readonly SourceRecipe[] | undefined): number {
  if (!lineage?.length) return 0;
  return 1 + Math.max(...lineage.map((e) => lineageDepth(e.recipe.lineage)));
}
