/**
 * The one typed view of Pixelwright's settings (schema and defaults live in package.json).
 * Nothing else reads `workspace.getConfiguration('pixelwright')`.
 */
import type { ProviderSettings } from '../../core/provider';
// A plain require, not `import * as`: see the note in src/extension.ts.
import vscode = require('vscode');
// Types only from core/models: building the model table is the features' work (./models.ts), and
// this module is part of the activation bundle.
import type { CustomModelDeclaration } from '../../core/models';
import { budgetAmount, type BudgetLimits } from '../../core/budget';

export type ProviderKind = ProviderSettings['provider'];
export type OpenResults = 'auto' | 'open' | 'reveal' | 'none';

/** Every `pixelwright.*` setting; where requests go is core's ProviderSettings (the MCP server reads the same from its environment). */
export interface PixelwrightSettings extends ProviderSettings {
  readonly outputFolder: string;
  readonly openResults: OpenResults;
  readonly model: string;
  readonly size: string;
  readonly quality: string;
  readonly outputFormat: 'png' | 'jpeg' | 'webp';
  readonly count: number;
  readonly moderation: 'auto' | 'low';
  readonly maxConcurrentRequests: number;
  readonly rateLimitMaxWaitSeconds: number;
  readonly customModels: readonly CustomModelDeclaration[];
  /** SVG and GIF output offered where a model may serve it (needs project access). */
  readonly vectorAndAnimatedOutput: boolean;
  /** Where recipes go: inside the image (sidecar only for images with C2PA credentials), or always in a sidecar file. */
  readonly recipeStorage: 'embedded' | 'sidecar';
  /** `pixelwright.budget.monthlyLimit` and `.askAbove` (USD, 0 = off). */
  readonly budget: BudgetLimits;
}

export const VECTOR_AND_ANIMATED_SETTING = 'experimental.vectorAndAnimatedOutput';

export const SECTION = 'pixelwright';

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function int(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value.trim() : fallback;
}

function customModels(value: unknown): CustomModelDeclaration[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((m): m is Record<string, unknown> => !!m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string' && (m as { id: string }).id.trim() !== '')
    .map((m) => ({
      id: (m.id as string).trim(),
      like: typeof m.like === 'string' ? m.like : undefined,
      sizes: Array.isArray(m.sizes) ? m.sizes.filter((s): s is string => typeof s === 'string') : undefined,
      maxN: typeof m.maxN === 'number' ? int(m.maxN, 1, 10, 1) : undefined,
    }));
}

export function readSettings(scope?: vscode.ConfigurationScope): PixelwrightSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    provider: pick(c.get('provider'), ['openai', 'azure', 'compatible'] as const, 'openai'),
    baseUrl: str(c.get('baseUrl')),
    azure: {
      endpoint: str(c.get('azure.endpoint')),
      deployment: str(c.get('azure.deployment')),
      apiVersion: str(c.get('azure.apiVersion'), '2025-04-01-preview') || '2025-04-01-preview',
    },
    organization: str(c.get('organization')),
    project: str(c.get('project')),
    requestTimeoutSeconds: int(c.get('requestTimeoutSeconds'), 30, 3600, 600),
    outputFolder: str(c.get('outputFolder'), 'images/generated'),
    openResults: pick(c.get('openResults'), ['auto', 'open', 'reveal', 'none'] as const, 'auto'),
    model: str(c.get('model'), 'gpt-image-1.5') || 'gpt-image-1.5',
    size: str(c.get('size'), 'auto') || 'auto',
    quality: str(c.get('quality'), 'auto') || 'auto',
    outputFormat: pick(c.get('outputFormat'), ['png', 'jpeg', 'webp'] as const, 'png'),
    count: int(c.get('count'), 1, 10, 1),
    moderation: pick(c.get('moderation'), ['auto', 'low'] as const, 'auto'),
    maxConcurrentRequests: int(c.get('maxConcurrentRequests'), 1, 10, 3),
    rateLimitMaxWaitSeconds: int(c.get('rateLimitMaxWaitSeconds'), 0, 600, 90),
    customModels: customModels(c.get('customModels')),
    safetyIdentifier: str(c.get('safetyIdentifier')),
    vectorAndAnimatedOutput: c.get(VECTOR_AND_ANIMATED_SETTING) === true,
    recipeStorage: pick(c.get('recipe.storage'), ['embedded', 'sidecar'] as const, 'embedded'),
    budget: { monthlyLimit: budgetAmount(c.get('budget.monthlyLimit')), askAbove: budgetAmount(c.get('budget.askAbove')) },
  };
}

/** Opens the Settings editor on Pixelwright's settings (or one of them). */
export function openSettings(key?: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', key ? `${SECTION}.${key}` : `@ext:pixelwright.pixelwright`);
}

/** Sets `pixelwright.experimental.vectorAndAnimatedOutput` to false where it is set (workspace and user). */
export async function turnOffPreviewOutput(): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const inspected = c.inspect<boolean>(VECTOR_AND_ANIMATED_SETTING);
  if (inspected?.workspaceValue !== undefined) await c.update(VECTOR_AND_ANIMATED_SETTING, false, vscode.ConfigurationTarget.Workspace);
  if (inspected?.globalValue !== undefined || inspected?.workspaceValue === undefined) await c.update(VECTOR_AND_ANIMATED_SETTING, false, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(vscode.l10n.t('Pixelwright: SVG and GIF output are turned off. Turn them on again in the settings.'));
}
