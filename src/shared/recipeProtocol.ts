/**
 * Messages between the host and the Show Recipe panel, and what the panel shows: a recipe as
 * plain strings only (built on the host by core/recipeView.ts from whatever the file carried).
 * The panel renders every string as text (never as markup), so a hostile prompt stays words.
 */
import { isInt, isObj, isStr } from './guards';
import type { ReplyEnvelope, RequestEnvelope } from './webviewMessages';

export interface RecipeLineageEntry {
  /** 1: a source of this image; 2: a source of that source... */
  readonly depth: number;
  readonly path: string;
  readonly model: string;
  readonly operation: string;
  readonly prompt: string;
  readonly createdAt: string;
}

export interface RecipeView {
  /** The image, workspace-relative. */
  readonly file: string;
  /** 'recipe': a well-formed recipe; 'none': the image carries none; 'malformed': text that is not one (shown as it is). */
  readonly state: 'recipe' | 'none' | 'malformed';
  /** Where it was found: inside the image, or in its sidecar file. */
  readonly where?: 'embedded' | 'sidecar';
  /** The sidecar was written for another file (the image was replaced or re-encoded since). */
  readonly mismatch?: boolean;
  /** The text that is not a recipe (malformed), cut to a bound. */
  readonly raw?: string;
  readonly rawCut?: boolean;
  readonly prompt?: string;
  readonly revisedPrompt?: string;
  readonly model?: string;
  readonly operation?: 'generate' | 'edit' | 'variation';
  /** Request options under the API's names, values as text. */
  readonly options: readonly (readonly [string, string])[];
  readonly sources: readonly { readonly path: string; readonly exists: boolean }[];
  readonly lineage: readonly RecipeLineageEntry[];
  readonly lineageCut?: boolean;
  /** The cost and usage, when the recipe recorded them. */
  readonly cost?: string;
  readonly usage?: string;
  readonly provider?: string;
  readonly createdAt?: string;
  readonly tool?: string;
  readonly requestId?: string;
  /** Fields cut to fit the file (JPEG). */
  readonly truncated: readonly string[];
  readonly width?: number;
  readonly height?: number;
  /** The recipe's model is not offered by the configured provider (Remake offers the closest). */
  readonly modelMissing?: boolean;
}

export type RecipeAction = 'remake' | 'rework' | 'remix' | 'copyPrompt' | 'openImage' | 'openSource';
export const RECIPE_ACTIONS: readonly RecipeAction[] = ['remake', 'rework', 'remix', 'copyPrompt', 'openImage', 'openSource'];

// ---- host -> panel ---------------------------------------------------------------------------

export interface RecipeInitMessage {
  readonly type: 'init';
  readonly strings: Readonly<Record<string, string>>;
  readonly locale: string;
  readonly view: RecipeView;
}

export interface RecipeReplyMessage extends ReplyEnvelope {
  readonly notice?: string;
}

export type ToRecipe = RecipeInitMessage | RecipeReplyMessage;

// ---- panel -> host ---------------------------------------------------------------------------

export interface RecipeReadyMessage {
  readonly type: 'ready';
}

export interface RecipeActionMessage extends RequestEnvelope {
  readonly type: 'action';
  readonly action: RecipeAction;
  /** openSource: which source (its path as shown). */
  readonly path?: string;
}

export type FromRecipe = RecipeReadyMessage | RecipeActionMessage;

/** Checks a message from the panel (untrusted); undefined when it is not one we accept. */
export function parseFromRecipe(v: unknown): FromRecipe | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'ready') return { type: 'ready' };
  if (v.type === 'action') {
    if (!isInt(v.id, 0, Number.MAX_SAFE_INTEGER) || !(RECIPE_ACTIONS as readonly unknown[]).includes(v.action)) return undefined;
    if (v.path !== undefined && !(isStr(v.path) && v.path.length <= 4096)) return undefined;
    return { type: 'action', id: v.id as number, action: v.action as RecipeAction, ...(v.path !== undefined ? { path: v.path as string } : {}) };
  }
  return undefined;
}
