/**
 * Pixelwright's MCP server (stdio), for any MCP client: the same four tools as Copilot's agent
 * mode (generate, edit with a mask or regions, variations, recipe), built on core: the same input
 * rules and plan (core/tools.ts), the same run (core/run.ts), its own writer (core/files.ts).
 * It writes only under the workspace root it was given and refuses any path outside it.
 *
 * Configured by its environment (VS Code hands the key over when it starts the server; other
 * clients set it themselves; it is never written anywhere):
 *   PIXELWRIGHT_WORKSPACE   the workspace root (required)
 *   PIXELWRIGHT_API_KEY     the key (else OPENAI_API_KEY, or AZURE_OPENAI_API_KEY for Azure)
 *   PIXELWRIGHT_PROVIDER    openai | azure | compatible (default openai)
 *   PIXELWRIGHT_BASE_URL, PIXELWRIGHT_AZURE_ENDPOINT, PIXELWRIGHT_AZURE_DEPLOYMENT,
 *   PIXELWRIGHT_AZURE_API_VERSION, PIXELWRIGHT_MODEL, PIXELWRIGHT_OUTPUT_FOLDER,
 *   PIXELWRIGHT_TIMEOUT_SECONDS, PIXELWRIGHT_MAX_CONCURRENT, PIXELWRIGHT_RECIPE_STORAGE (embedded | sidecar)
 *   PIXELWRIGHT_BUDGET_MONTHLY_LIMIT, PIXELWRIGHT_BUDGET_ASK_ABOVE   the budget (USD, 0 or unset: off);
 *     a call the rule would ask about is refused here (a server cannot ask), with the reason
 *   PIXELWRIGHT_LEDGER      the usage ledger file (VS Code hands over its own, so the month's
 *     spending is shared); without it, the server keeps its spending only while it runs
 *   PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT   1 (or true): SVG and GIF output on the models that
 *     may serve it (VS Code sets it from pixelwright.experimental.vectorAndAnimatedOutput); off
 *     otherwise, and a call asking for them is refused with how to turn it on
 * The SDK and sharp load on the first call that needs them (dist/engine.js), so the server
 * answers `tools/list` at once.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type * as EngineEntry from '../core/engineEntry';
import { budgetAmount, checkBudget, type BudgetLimits } from '../core/budget';
import { classifyError } from '../core/errors';
import { readRecipeFile } from '../core/recipeFile';
import { addToLedger, monthSpent, parseLedger, type Ledger } from '../core/ledger';
import { estimateCost, formatUsd, spendEstimate } from '../core/pricing';
import { ModelTable } from '../core/models';
import { checkOutputFolder, checkRealFolder, isInsideFolder } from '../core/paths';
import { englishMessage } from '../shared/messages';
import { providerConfig, providerRecord, type ProviderSettings } from '../core/provider';
import type { RunSourcesOf, SourceFile } from '../core/run';
import { TOOL_DEFINITIONS } from '../core/toolDefinitions';
import {
  describeRecipe, describeWritten, paintRegions, parseEditInput, parseGenerateInput, parseRecipeInput, parseVariationInput, planToolRun, TOOL_NAMES, ToolInputError, type ToolOperation,
} from '../core/tools';
import { writeImageWithRecipe } from '../core/files';
import { detectImageFormat, RESULT_MIME_TYPES } from '../shared/imageFormat';

export interface McpConfig extends ProviderSettings {
  readonly root: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly outputFolder: string;
  readonly maxConcurrent: number;
  /** Recipes inside the images (sidecars for C2PA images), or always in sidecars (PIXELWRIGHT_RECIPE_STORAGE=sidecar). */
  readonly recipeStorage: 'embedded' | 'sidecar';
  readonly budget: BudgetLimits;
  /** The usage ledger file shared with VS Code; undefined: kept in memory. */
  readonly ledgerPath?: string;
  /** SVG and GIF output offered (PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT). */
  readonly vectorAndAnimatedOutput: boolean;
  /** How to turn them on, for the tools' refusal when they are off. */
  readonly previewOutputSwitch: string;
}

/** The environment variable that turns SVG and GIF output on for the server. */
export const VECTOR_AND_ANIMATED_ENV = 'PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT';

/** The server's settings from its environment; throws with what is missing. */
export function configFromEnv(env: NodeJS.ProcessEnv): McpConfig {
  const root = env.PIXELWRIGHT_WORKSPACE;
  if (!root || !nodePath.isAbsolute(root) || !existsSync(root)) throw new Error('PIXELWRIGHT_WORKSPACE must be the absolute path of an existing workspace folder');
  const provider = (env.PIXELWRIGHT_PROVIDER ?? 'openai') as McpConfig['provider'];
  if (!['openai', 'azure', 'compatible'].includes(provider)) throw new Error('PIXELWRIGHT_PROVIDER must be openai, azure or compatible');
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return {
    root,
    apiKey: env.PIXELWRIGHT_API_KEY || (provider === 'azure' ? env.AZURE_OPENAI_API_KEY : env.OPENAI_API_KEY) || undefined,
    provider,
    baseUrl: env.PIXELWRIGHT_BASE_URL ?? '',
    azure: { endpoint: env.PIXELWRIGHT_AZURE_ENDPOINT ?? '', deployment: env.PIXELWRIGHT_AZURE_DEPLOYMENT ?? '', apiVersion: env.PIXELWRIGHT_AZURE_API_VERSION ?? '2025-04-01-preview' },
    organization: '',
    project: '',
    requestTimeoutSeconds: num(env.PIXELWRIGHT_TIMEOUT_SECONDS, 180),
    model: env.PIXELWRIGHT_MODEL || 'gpt-image-1.5',
    outputFolder: env.PIXELWRIGHT_OUTPUT_FOLDER ?? 'images/generated',
    maxConcurrent: num(env.PIXELWRIGHT_MAX_CONCURRENT, 3),
    recipeStorage: env.PIXELWRIGHT_RECIPE_STORAGE === 'sidecar' ? 'sidecar' : 'embedded',
    budget: { monthlyLimit: budgetAmount(env.PIXELWRIGHT_BUDGET_MONTHLY_LIMIT), askAbove: budgetAmount(env.PIXELWRIGHT_BUDGET_ASK_ABOVE) },
    ledgerPath: env.PIXELWRIGHT_LEDGER && nodePath.isAbsolute(env.PIXELWRIGHT_LEDGER) ? env.PIXELWRIGHT_LEDGER : undefined,
    vectorAndAnimatedOutput: /^(1|true)$/i.test(env[VECTOR_AND_ANIMATED_ENV]?.trim() ?? ''),
    previewOutputSwitch: `set ${VECTOR_AND_ANIMATED_ENV}=1 where the MCP server starts (VS Code sets it from the setting pixelwright.experimental.vectorAndAnimatedOutput)`,
  };
}

let engine: Promise<typeof EngineEntry> | undefined;
/** dist/engine.js beside this bundle; compiled tests find core's entry instead. A computed path keeps esbuild from inlining it. */
function loadEngine(): Promise<typeof EngineEntry> {
  engine ??= Promise.resolve().then(() => {
    const bundled = nodePath.join(__dirname, 'engine.js');
    return require(existsSync(bundled) ? bundled : nodePath.join(__dirname, '..', 'core', 'engineEntry.js')) as typeof EngineEntry;
  });
  return engine;
}

export class PixelwrightMcp {
  readonly server = new Server({ name: 'pixelwright', version: '0.1.0' }, { capabilities: { tools: {} } });
  /** The ledger when there is no file to share it through. */
  private memoryLedger: Ledger = parseLedger(undefined);

  constructor(private readonly config: McpConfig) {
    this.server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOL_DEFINITIONS.map((t) => ({ ...t })) }));
    this.server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      try {
        return await this.call(req.params.name, req.params.arguments ?? {}, extra.signal);
      } catch (err) {
        const message = err instanceof ToolInputError || (err as Error)?.name === 'PrepareError' ? (err as Error).message : classifyError(err, this.config.apiKey ? [this.config.apiKey] : []).serverMessage ?? String(err);
        return { isError: true, content: [{ type: 'text', text: `Pixelwright: ${message}` }] };
      }
    });
  }

  private async call(name: string, input: unknown, signal: AbortSignal): Promise<CallToolResult> {
    if (name === TOOL_NAMES.recipe) {
      const file = await this.workspaceImage(parseRecipeInput(input).image);
      const found = await readRecipeFile(nodePath.resolve(this.config.root, file.path));
      return { content: [{ type: 'text', text: describeRecipe(this.relative(nodePath.resolve(this.config.root, file.path)), found.record, found.where) }] };
    }
    const operation: ToolOperation | undefined = name === TOOL_NAMES.generate ? 'generate' : name === TOOL_NAMES.edit ? 'edit' : name === TOOL_NAMES.variations ? 'variation' : undefined;
    if (!operation) throw new ToolInputError(`there is no tool "${name}"`);
    const parsed = operation === 'generate' ? parseGenerateInput(input) : operation === 'edit' ? parseEditInput(input) : parseVariationInput(input);
    const plan = planToolRun(operation, parsed, new ModelTable([], { previewFormats: this.config.vectorAndAnimatedOutput }), this.config);
    const folder = await this.outputFolder(plan.folder ?? this.config.outputFolder);
    let sources: RunSourcesOf<SourceFile> | undefined;
    if (operation === 'edit') {
      const e = parseEditInput(input);
      const [image, ...references] = await Promise.all(e.images.map((p) => this.workspaceImage(p)));
      const max = Math.max(0, plan.caps.input.maxImages - 1);
      if (references.length > max) throw new ToolInputError(`${plan.caps.id} takes ${max} reference image(s) besides the one edited; ${references.length} were given`);
      let mask: RunSourcesOf<SourceFile>['mask'];
      if (e.mask !== undefined) mask = { png: (await this.workspaceImage(e.mask)).bytes };
      else if (e.regions) {
        const { width, height } = await (await loadEngine()).describeImage(image.bytes);
        mask = paintRegions(e.regions, width, height);
      }
      sources = { image, references, mask, keepUnmasked: mask !== undefined && plan.caps.family === 'gpt-image' && e.keepUnmasked !== false };
    } else if (operation === 'variation') {
      sources = { image: await this.workspaceImage(parseVariationInput(input).image) };
    }
    if (!this.config.apiKey) throw new ToolInputError('no API key: set PIXELWRIGHT_API_KEY (or OPENAI_API_KEY) in the environment the MCP client starts the server with');
    await this.checkBudget(plan.caps.id, plan.request);
    const outcome = await (await loadEngine()).makeImages({ ...plan.request, sources }, plan.caps, {
      provider: providerConfig(this.config, this.config.apiKey),
      providerRecord: providerRecord(this.config),
      tool: 'Pixelwright MCP server',
      fileName: plan.fileName,
      signal,
      concurrency: this.config.maxConcurrent,
      maxWaitMs: 60_000,
    });
    if (outcome.images.length) {
      await this.addToLedger(plan.caps.id, outcome.images.length, outcome.cost?.usd, outcome.usage?.totalTokens).catch((err) => process.stderr.write(`pixelwright mcp: usage ledger: ${(err as Error).message}\n`));
    }
    if (signal.aborted) throw new ToolInputError('cancelled; nothing was written');
    const error = outcome.failures[0] && (outcome.failures[0].serverMessage ?? outcome.failures[0].kind);
    if (outcome.images.length === 0) throw new ToolInputError(error ?? 'nothing came back');
    const written: { path: string; revisedPrompt?: string }[] = [];
    const content: CallToolResult['content'] = [];
    for (const image of outcome.images) {
      const path = await writeImageWithRecipe(folder, image.name, image.bytes, image.record, this.config.recipeStorage);
      written.push({ path: this.relative(path), revisedPrompt: image.record.revisedPrompt });
      // An SVG goes back as its path only: clients hand image parts to models that read pixels.
      if (image.format !== 'svg') content.push({ type: 'image', data: Buffer.from(image.bytes).toString('base64'), mimeType: RESULT_MIME_TYPES[image.format] });
    }
    // What preparing the sources changed (a crop, an empty mask...), in English: the server has no UI language.
    const notes = outcome.notes.map(englishMessage).join('\n');
    const said = describeWritten(written, plan.request.prompt, operation, error);
    return { content: [{ type: 'text', text: notes ? `${said}\n${notes}` : said }, ...content] };
  }

  /**
   * The budget rule every path that spends runs (core/budget.ts). A server cannot ask its user,
   * so what the rule would ask about is refused with the reason and the setting that allows it.
   */
  private async checkBudget(model: string, request: { readonly quality?: string; readonly size?: string; readonly n: number }): Promise<void> {
    const limits = this.config.budget;
    if (!limits.monthlyLimit && !limits.askAbove) return;
    const estimate = spendEstimate(model, request);
    const verdict = checkBudget({ estimate, monthSpent: monthSpent(await this.readLedger(), new Date()), limits });
    const est = estimate && (estimate.min === estimate.max ? formatUsd(estimate.min) : `${formatUsd(estimate.min)} to ${formatUsd(estimate.max)}`);
    if (verdict.kind === 'refuse') {
      throw new ToolInputError(
        verdict.reason === 'reached'
          ? `nothing was sent: this month ${formatUsd(verdict.spent)} was spent, which reaches the monthly limit of ${formatUsd(verdict.limit)} (PIXELWRIGHT_BUDGET_MONTHLY_LIMIT)`
          : `nothing was sent: this run is estimated at ${est} or more, and this month ${formatUsd(verdict.spent)} of the monthly limit of ${formatUsd(verdict.limit)} is spent (PIXELWRIGHT_BUDGET_MONTHLY_LIMIT)`,
      );
    }
    if (verdict.kind === 'ask') {
      const why =
        verdict.reason === 'unknown'
          ? `its cost is not known before it runs (${estimateCost(model, request).kind === 'tokens' ? `${model} is billed by tokens` : `no price is published for ${model}`}) and PIXELWRIGHT_BUDGET_ASK_ABOVE is set`
          : verdict.reason === 'may-exceed'
            ? `it is estimated at ${est} and may take this month past the monthly limit (PIXELWRIGHT_BUDGET_MONTHLY_LIMIT)`
            : `it is estimated at ${est}, above PIXELWRIGHT_BUDGET_ASK_ABOVE (${formatUsd(limits.askAbove)})`;
      throw new ToolInputError(`nothing was sent: ${why}. The user must confirm it: ask them, then run it from VS Code or with a higher limit`);
    }
  }

  private async readLedger(): Promise<Ledger> {
    if (!this.config.ledgerPath) return this.memoryLedger;
    try {
      return parseLedger(await readFile(this.config.ledgerPath, 'utf8'));
    } catch {
      return parseLedger(undefined);
    }
  }

  private async addToLedger(model: string, images: number, usd: number | undefined, tokens: number | undefined): Promise<void> {
    const ledger = addToLedger(await this.readLedger(), { time: new Date(), workspace: pathToFileURL(this.config.root).href, workspaceName: nodePath.basename(this.config.root), model, images, usd, tokens });
    const path = this.config.ledgerPath;
    if (!path) return void (this.memoryLedger = ledger);
    await mkdir(nodePath.dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(ledger));
    await rename(tmp, path);
  }

  /** A folder under the root: refused when it leads outside, as text or through a link. */
  private async outputFolder(setting: string): Promise<string> {
    const check = checkOutputFolder(setting);
    if (!check.ok) throw new ToolInputError(`the folder "${setting}" is refused: ${englishMessage(check.reason)}`);
    const real = await checkRealFolder(this.config.root, check.segments);
    if (!real.ok) throw new ToolInputError(`the folder "${setting}" is refused: "${real.folder}" is a link to ${real.target}, outside the workspace`);
    return nodePath.join(this.config.root, ...check.segments);
  }

  /** An image file inside the root (links followed), read; a PNG, JPEG or WebP. */
  private async workspaceImage(given: string): Promise<SourceFile> {
    const path = nodePath.resolve(this.config.root, given.trim());
    if (!isInsideFolder(this.config.root, path)) throw new ToolInputError(`"${given}" is outside the workspace; give a path relative to the workspace root`);
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      throw new ToolInputError(`"${given}" does not exist in the workspace`);
    }
    if (!isInsideFolder(await realpath(this.config.root), real)) throw new ToolInputError(`"${given}" is a link to a file outside the workspace`);
    if ((await stat(real)).isDirectory()) throw new ToolInputError(`"${given}" is a folder, not an image`);
    const bytes = new Uint8Array(await readFile(real));
    const format = detectImageFormat(bytes.subarray(0, 64));
    if (format !== 'png' && format !== 'jpeg' && format !== 'webp') throw new ToolInputError(`"${given}" is not a PNG, JPEG or WebP image`);
    return { name: nodePath.basename(path), bytes, path: this.relative(path), recipe: (await readRecipeFile(real).catch(() => undefined))?.record ?? null };
  }

  private relative(path: string): string {
    return nodePath.relative(this.config.root, path).split(nodePath.sep).join('/');
  }
}

/** The process: stdio, until the client closes it. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = configFromEnv(env);
  await new PixelwrightMcp(config).server.connect(new StdioServerTransport());
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`pixelwright mcp: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
