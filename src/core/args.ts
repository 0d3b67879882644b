/**
 * The argument object that `pixelwright.generate` accepts from keybindings, tasks and other
 * extensions. It arrives untrusted: every field is checked for its type here; whether a value
 * suits the model is checked later against the capability table.
 */
import type { GenerationRecord } from './record';
import { MAX_IMAGES } from '../shared/modelRules';
import { englishMessage, msg, type CoreMessage } from '../shared/messages';

export interface GenerateArgs {
  readonly prompt?: string;
  readonly model?: string;
  readonly size?: string;
  readonly quality?: string;
  readonly n?: number;
  readonly style?: string;
  readonly background?: 'auto' | 'transparent' | 'opaque';
  /** svg and gif need the setting pixelwright.experimental.vectorAndAnimatedOutput. */
  readonly outputFormat?: 'png' | 'jpeg' | 'webp' | 'svg' | 'gif';
  readonly outputCompression?: number;
  readonly moderation?: 'auto' | 'low';
  readonly complexity?: 'low' | 'medium' | 'high';
  /** GIF output: frames (2-16) and milliseconds per frame. */
  readonly frameCount?: number;
  readonly frameDurationMs?: number;
  /** Workspace-relative folder to write into, instead of the setting. */
  readonly outputFolder?: string;
  /** Do not open or reveal the results (for callers that handle them). */
  readonly noOpen?: boolean;
}

const STRING_KEYS = ['prompt', 'model', 'size', 'quality', 'style', 'outputFolder'] as const;
const ENUMS = {
  background: ['auto', 'transparent', 'opaque'],
  outputFormat: ['png', 'jpeg', 'webp', 'svg', 'gif'],
  moderation: ['auto', 'low'],
  complexity: ['low', 'medium', 'high'],
} as const;
const INTEGERS: Readonly<Record<string, readonly [number, number]>> = { n: [1, 10], outputCompression: [0, 100], frameCount: [2, 16], frameDurationMs: [10, 655_350] };

/** A refusal's `text` is a message id with parameters (for the host to translate); `problem` is its English. */
export type ArgsCheck =
  | { readonly ok: true; readonly args: GenerateArgs; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly problem: string; readonly text: CoreMessage };

function refuse(text: CoreMessage): ArgsCheck {
  return { ok: false, problem: englishMessage(text), text };
}

export function parseGenerateArgs(raw: unknown): ArgsCheck {
  if (raw === undefined || raw === null) return { ok: true, args: {}, ignored: [] };
  // A string argument is taken as the prompt (handy in keybindings).
  if (typeof raw === 'string') return { ok: true, args: raw.trim() ? { prompt: raw } : {}, ignored: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return refuse(msg('args.notObject'));
  const src = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(src)) {
    if (value === undefined || value === null) continue;
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string') return refuse(msg('args.notString', key));
      if (value.trim()) out[key] = key === 'prompt' ? value : value.trim();
    } else if (key in ENUMS) {
      const allowed = ENUMS[key as keyof typeof ENUMS] as readonly string[];
      if (typeof value !== 'string' || !allowed.includes(value)) return refuse(msg('args.oneOf', key, allowed.join(', ')));
      out[key] = value;
    } else if (Object.prototype.hasOwnProperty.call(INTEGERS, key)) {
      const [min, max] = INTEGERS[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return refuse(msg('args.wholeNumber', key, min, max));
      out[key] = value;
    } else if (key === 'noOpen') {
      if (typeof value !== 'boolean') return refuse(msg('args.trueOrFalse', key));
      out[key] = value;
    } else {
      ignored.push(key);
    }
  }
  return { ok: true, args: out as GenerateArgs, ignored };
}

/**
 * The `pixelwright.generate` argument that makes the image again with the same settings: the
 * prompt (the user's, not the model's rewrite), the model, and the recorded options mapped from
 * the API's names (`output_format`...) to the command's (`outputFormat`...). Values of the wrong
 * type or outside what the command accepts are left out (the command then asks, or uses the
 * setting), so an old or hand-edited record never makes the command refuse.
 * `n` is the batch size of the original request (record.options.n, else record.count).
 */
export function generateArgsFromRecord(record: Pick<GenerationRecord, 'prompt' | 'model' | 'options' | 'count'>): GenerateArgs {
  const o = (record.options ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { prompt: record.prompt, model: record.model };
  const str = (key: string, from: string) => {
    const v = o[from];
    if (typeof v === 'string' && v.trim()) out[key] = v.trim();
  };
  const oneOf = (key: keyof typeof ENUMS, from: string) => {
    const v = o[from];
    if (typeof v === 'string' && (ENUMS[key] as readonly string[]).includes(v)) out[key] = v;
  };
  const int = (key: string, v: unknown, min: number, max: number) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) out[key] = v;
  };
  str('size', 'size');
  str('quality', 'quality');
  str('style', 'style');
  oneOf('background', 'background');
  oneOf('outputFormat', 'output_format');
  int('outputCompression', o.output_compression, 0, 100);
  oneOf('moderation', 'moderation');
  oneOf('complexity', 'complexity');
  int('frameCount', o.frame_count, 2, 16);
  int('frameDurationMs', o.frame_duration_ms, 10, 655_350);
  int('n', o.n ?? record.count, 1, MAX_IMAGES);
  return out as GenerateArgs;
}
