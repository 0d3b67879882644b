/**
 * Which models a picker offers and which one it preselects, for the palette, the Studio and the
 * mask editor, the agent tools and the MCP server alike. Pure, so unit tests cover it.
 *
 * With Azure, requests go to a deployment, and a deployment runs one model: the one the
 * `pixelwright.model` setting names. That model is then the only one offered, whatever was
 * used last, so that a dall-e-3 deployment is never sent a GPT image model's fields.
 */
import type { ModelCapabilities, ModelTable, Operation } from './models';

/** The settings that decide the models: the provider kind and the configured model. */
export interface ModelSettings {
  readonly provider: string;
  readonly model: string;
}

/** The model the Azure deployment runs; undefined for other providers (or a model the table does not know). */
export function deploymentModel(table: ModelTable, settings: ModelSettings): ModelCapabilities | undefined {
  return settings.provider === 'azure' ? table.get(settings.model) : undefined;
}

/** The models a picker offers for an operation: with Azure only the deployment's (none when it cannot do it). */
export function offeredModels(table: ModelTable, settings: ModelSettings, operation: Operation): ModelCapabilities[] {
  const deployed = deploymentModel(table, settings);
  if (deployed) return deployed.operations.includes(operation) ? [deployed] : [];
  return table.list(operation);
}

/**
 * The model to preselect among `offered`: the first remembered one that is offered, else the
 * configured model, else the first offered. With Azure `offered` holds the deployment's model
 * only, so the setting rules over anything remembered.
 */
export function preferredModel(offered: readonly ModelCapabilities[], settings: ModelSettings, ...remembered: (string | undefined)[]): ModelCapabilities | undefined {
  for (const id of [...remembered, settings.model]) {
    const found = id !== undefined ? offered.find((m) => m.id === id) : undefined;
    if (found) return found;
  }
  return offered[0];
}

/**
 * The model a request may use, or undefined: known, able to do the operation, and with Azure
 * the deployment's own.
 */
export function allowedModel(table: ModelTable, settings: ModelSettings, id: string, operation: Operation): ModelCapabilities | undefined {
  const caps = table.get(id);
  if (!caps || !caps.operations.includes(operation)) return undefined;
  const deployed = deploymentModel(table, settings);
  return deployed && deployed.id !== caps.id ? undefined : caps;
}

/** A prompt's length as the API counts it (code points, not UTF-16 units). */
export function promptLength(prompt: string): number {
  return [...prompt].length;
}

/** The longest prompt any of the models takes (0 for none). */
export function longestPromptLimit(models: readonly ModelCapabilities[]): number {
  return models.reduce((max, m) => Math.max(max, m.maxPromptChars), 0);
}
