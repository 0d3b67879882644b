/**
 * What runs leave behind for the next one, shared by every entry point: the prompts used lately
 * (newest first), the options chosen last (fitted to nothing: callers fit them to a model), and
 * the prompt kept after a refusal so that it is not lost.
 */
import type * as vscode from 'vscode';
import type { ImageRequest } from '../../core/request';
import type { FittedChoices } from '../../shared/modelRules';

const RECENT_KEY = 'pixelwright.recentPrompts';
const LAST_KEY = 'pixelwright.lastChoices';
const DRAFT_KEY = 'pixelwright.draftPrompt';
const MAX_RECENT = 20;

export interface LastChoices extends FittedChoices {
  readonly model?: string;
  readonly n?: number;
  /** The last compression level chosen for jpeg or webp (kept across runs that take none). */
  readonly outputCompression?: number;
}

export class RunHistory {
  constructor(private readonly state: vscode.Memento) {}

  /** Remembers a request's prompt (recent prompts) and options (last choices) for the next run. */
  async remember(req: ImageRequest): Promise<void> {
    const state = this.state;
    const recent = state.get<string[]>(RECENT_KEY) ?? [];
    const before = state.get<LastChoices>(LAST_KEY) ?? {};
    await state.update(LAST_KEY, {
      model: req.model,
      n: req.n,
      size: req.size,
      quality: req.quality,
      style: req.style,
      background: req.background,
      outputFormat: req.outputFormat,
      outputCompression: req.outputCompression ?? before.outputCompression,
    } satisfies LastChoices);
    await state.update(RECENT_KEY, [req.prompt, ...recent.filter((p) => p !== req.prompt)].slice(0, MAX_RECENT));
  }

  /** The prompts used lately, newest first (shared by the palette and the Studio). */
  recentPrompts(): string[] {
    return this.state.get<string[]>(RECENT_KEY) ?? [];
  }

  /** The options chosen last (palette or Studio), fitted to nothing: callers fit them to a model. */
  lastChoices(): LastChoices {
    return this.state.get<LastChoices>(LAST_KEY) ?? {};
  }

  /** A prompt kept after a refusal (a safety refusal, a prompt too long), for the next palette run. */
  draftPrompt(): string {
    return this.state.get<string>(DRAFT_KEY) ?? '';
  }

  async keepDraft(prompt: string | undefined): Promise<void> {
    await this.state.update(DRAFT_KEY, prompt);
  }
}
