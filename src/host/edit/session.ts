/**
 * What the mask editor panel needs from the rest of the host to run edits and variations:
 * the panel owns the webview and its messages; an EditBackend owns the API calls, the image
 * preparation and the workspace writes.
 */
import type * as vscode from 'vscode';
import type { EditOptions, RunFinishedMessage, RunMessage } from '../../shared/editProtocol';
import type { ModelInfo } from '../../shared/modelRules';

/** A run as the editor asked for it (prompt, options, mask, guide: its `run` message) and what it runs on. */
export interface EditRunInput extends Pick<RunMessage, 'prompt' | 'options' | 'mask' | 'guide'> {
  readonly operation: 'edit' | 'variation';
  readonly source: vscode.Uri;
  readonly references: readonly vscode.Uri[];
}

/** What the panel tells the editor when a run ends (its `runFinished` message without the envelope). */
export type EditRunOutcome = Omit<RunFinishedMessage, 'type' | 'runId'>;

export interface EditBackend {
  /** Models offered for the operation, and the options to start from (last used). */
  choices(operation: 'edit' | 'variation'): { models: readonly ModelInfo[]; options: EditOptions; prompt: string };
  /** Size after EXIF orientation and whether the image has transparency. */
  describe(source: vscode.Uri): Promise<{ width: number; height: number; hasAlpha: boolean }>;
  run(input: EditRunInput, token: vscode.CancellationToken, onProgress: (message: string, done: number, total: number) => void): Promise<EditRunOutcome>;
  /** Saves a result like a generation; returns where it landed. */
  keep(resultId: string): Promise<vscode.Uri>;
  discard(resultId: string): void;
  /** Whether the result was saved into the workspace (kept or used as input). */
  isKept(resultId: string): boolean;
  /** Writes the result so it can become the next input; returns its file. */
  materialize(resultId: string): Promise<vscode.Uri>;
}
