/**
 * The argument object that `pixelwright.generate` accepts from keybindings, tasks and other
 * extensions. It arrives untrusted: every field is checked for its type here; whether a value
 * suits the model is checked later against the capability table.
 */
export interface GenerateArgs {
  readonly prompt?: string;
  readonly model?: string;
  readonly size?: string;
  readonly quality?: string;
  readonly n?: number;
  readonly style?: string;
  readonly background?: 'auto' | 'transparent' | 'opaque';
  readonly outputFormat?: 'png' | 'jpeg' | 'webp';
  readonly outputCompression?: number;
  readonly moderation?: 'auto' | 'low';
  /** Workspace-relative folder to write into, instead of the setting. */
  readonly outputFolder?: string;
  /** Do not open or reveal the results (for callers that handle them). */
  readonly noOpen?: boolean;
}

const STRING_KEYS = ['prompt', 'model', 'size', 'quality', 'style', 'outputFolder'] as const;
const ENUMS = {
  background: ['auto', 'transparent', 'opaque'],
  outputFormat: ['png', 'jpeg', 'webp'],
  moderation: ['auto', 'low'],
} as const;

export type ArgsCheck = { readonly ok: true; readonly args: GenerateArgs; readonly ignored: readonly string[] } | { readonly ok: false; readonly problem: string };

export function parseGenerateArgs(raw: unknown): ArgsCheck {
  if (raw === undefined || raw === null) return { ok: true, args: {}, ignored: [] };
  // A string argument is taken as the prompt (handy in keybindings).
  if (typeof raw === 'string') return { ok: true, args: raw.trim() ? { prompt: raw } : {}, ignored: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problem: 'the argument must be an object such as { "prompt": "...", "model": "gpt-image-1.5" }' };
  const src = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(src)) {
    if (value === undefined || value === null) continue;
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string') return { ok: false, problem: `"${key}" must be a string` };
      if (value.trim()) out[key] = key === 'prompt' ? value : value.trim();
    } else if (key in ENUMS) {
      const allowed = ENUMS[key as keyof typeof ENUMS] as readonly string[];
      if (typeof value !== 'string' || !allowed.includes(value)) return { ok: false, problem: `"${key}" must be one of ${allowed.join(', ')}` };
      out[key] = value;
    } else if (key === 'n' || key === 'outputCompression') {
      const [min, max] = key === 'n' ? [1, 10] : [0, 100];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return { ok: false, problem: `"${key}" must be a whole number from ${min} to ${max}` };
      out[key] = value;
    } else if (key === 'noOpen') {
      if (typeof value !== 'boolean') return { ok: false, problem: `"noOpen" must be true or false` };
      out[key] = value;
    } else {
      ignored.push(key);
    }
  }
  return { ok: true, args: out as GenerateArgs, ignored };
}
