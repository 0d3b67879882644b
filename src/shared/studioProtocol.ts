/**
 * Typed messages between the host and the Studio view (the sidebar where users write a prompt,
 * pick a model and its options, and watch the images stream in). One interface per message,
 * split "to webview" / "from webview". Binary data travels as Uint8Array. Every message from the
 * webview is untrusted: the host checks it with parseFromStudio before acting.
 * No `vscode`, no Node APIs: imported by the host and by the browser bundle.
 */
import { isFormChoices, isObj } from './guards';
import { parseRunControl, type CancelRunMessage, type ReadyMessage } from './webviewMessages';
import { defined, type ModelInfo, type OptionChoices } from './modelRules';

/**
 * What a model's images cost, from core's price list: per image (USD, [min, max], a range when
 * the model decides) by `quality|size` (quality '' = auto); or billed by tokens (with the image
 * output price per 1M tokens where the list publishes it, but no tokens per image, so no
 * estimate); or a built-in model the list publishes no price for; or unknown (custom models).
 * The webview only multiplies by n.
 */
export type StudioPricing =
  | { readonly kind: 'per-image'; readonly prices: Readonly<Record<string, readonly [number, number]>> }
  | { readonly kind: 'tokens'; readonly imageOutputPerMillion?: number }
  | { readonly kind: 'unpublished' }
  | { readonly kind: 'unknown' };

/** A model as the form shows it (the shared description, for generations) and its prices. */
export interface StudioModel extends ModelInfo {
  readonly pricing: StudioPricing;
}

/** The options of one run, as the form holds them: the model, how many images, and its choices. */
export interface StudioOptions extends OptionChoices {
  readonly model: string;
  readonly n: number;
}

/** What the Studio keeps between sessions (the host stores it in globalState). */
export interface StudioDraft {
  readonly prompt: string;
  readonly options?: StudioOptions;
}

export type ImageTileState = 'queued' | 'requesting' | 'waiting' | 'received' | 'saved' | 'failed';

/** One image of a run. `partial`/`result` carry the bytes last shown. */
export interface StudioTile {
  readonly index: number;
  readonly state: ImageTileState;
  readonly error?: string;
  /** The newest partial image (streaming models), until the result replaces it. */
  readonly partial?: { readonly bytes: Uint8Array; readonly mime: string; readonly partialIndex: number };
  /** Partial images received so far for this image. */
  readonly partials?: number;
  readonly result?: StudioResult;
}

export interface StudioResult {
  /** The host's id for the file (the only thing "open" may name). */
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly mime: string;
  /** Workspace-relative path, for display. */
  readonly path: string;
}

export type RunPhase = 'running' | 'done' | 'cancelled' | 'failed';

/** The run in flight or the last one, whole: sent after (re)load and when it starts or ends. */
export interface StudioRun {
  readonly runId: number;
  readonly phase: RunPhase;
  readonly model: string;
  readonly streaming: boolean;
  readonly prompt: string;
  readonly tiles: readonly StudioTile[];
  readonly message?: string;
  readonly error?: string;
  /** What the run cost, in the user's words (from the host), once it is done. */
  readonly cost?: string;
  /** What preparing the references changed (a crop, a reduced image...), in the user's words, once it is done. */
  readonly notice?: string;
}

// ---- host -> studio ------------------------------------------------------------------------

export interface StudioInitMessage {
  readonly type: 'init';
  readonly models: readonly StudioModel[];
  readonly draft: StudioDraft;
  readonly recent: readonly string[];
  /** The date of the price list behind the estimates. */
  readonly priceListDate: string;
  readonly run?: StudioRun;
  /** Localized strings for the UI, keyed by English source text. */
  readonly strings: Readonly<Record<string, string>>;
}

/** The whole run (start, end, after a reload). */
export interface StudioRunMessage {
  readonly type: 'run';
  readonly run: StudioRun;
}

/** One image changed state. */
export interface StudioTileMessage {
  readonly type: 'tile';
  readonly runId: number;
  readonly tile: StudioTile;
}

/** The status line (what the notification would say). */
export interface StudioStatusMessage {
  readonly type: 'status';
  readonly runId: number;
  readonly message: string;
}

export interface StudioRecentMessage {
  readonly type: 'recent';
  readonly recent: readonly string[];
}

export type ToStudio = StudioInitMessage | StudioRunMessage | StudioTileMessage | StudioStatusMessage | StudioRecentMessage;

// ---- studio -> host ------------------------------------------------------------------------

export interface StudioGenerateMessage {
  readonly type: 'generate';
  readonly prompt: string;
  readonly options: StudioOptions;
}

export interface StudioOpenMessage {
  readonly type: 'open';
  readonly resultId: string;
}

/** The draft changed (debounced by the webview): the host keeps it across restarts. */
export interface StudioSaveDraftMessage {
  readonly type: 'saveDraft';
  readonly draft: StudioDraft;
}

export type FromStudio = ReadyMessage | StudioGenerateMessage | CancelRunMessage | StudioOpenMessage | StudioSaveDraftMessage;

// ---- guards ----------------------------------------------------------------------------------

/** The longest prompt any model takes (GPT image models: 32,000 characters). */
export const MAX_PROMPT_CHARS = 32000;

export function isStudioOptions(v: unknown): v is StudioOptions {
  return isFormChoices(v, ['size', 'quality', 'style', 'background', 'outputFormat', 'complexity', 'frames', 'frameMs']);
}

/** Only the known fields (a message may carry more; they are dropped). */
function cleanOptions(o: StudioOptions): StudioOptions {
  return {
    model: o.model,
    n: o.n,
    size: o.size,
    quality: o.quality,
    style: o.style,
    background: o.background,
    outputFormat: o.outputFormat,
    ...defined({ complexity: o.complexity, frames: o.frames, frameMs: o.frameMs }),
  };
}

const isPrompt = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_PROMPT_CHARS * 2;

/** Checks a message from the Studio; undefined when it is not one we accept. */
export function parseFromStudio(v: unknown): FromStudio | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'ready':
    case 'cancel':
      return parseRunControl(v);
    case 'generate':
      return isPrompt(v.prompt) && isStudioOptions(v.options) ? { type: 'generate', prompt: v.prompt, options: cleanOptions(v.options) } : undefined;
    case 'open':
      return typeof v.resultId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v.resultId) ? { type: 'open', resultId: v.resultId } : undefined;
    case 'saveDraft': {
      const d = v.draft;
      if (!isObj(d) || !isPrompt(d.prompt) || (d.options !== undefined && !isStudioOptions(d.options))) return undefined;
      return { type: 'saveDraft', draft: { prompt: d.prompt, options: d.options === undefined ? undefined : cleanOptions(d.options) } };
    }
    default:
      return undefined;
  }
}
