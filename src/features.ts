/**
 * Everything that is not needed to activate: the run pipeline and every feature (the palette's
 * Generate Image, the mask editor, the Studio, the Gallery, the agent tools and MCP server, and
 * the text editor's Generate Image from Selection, hover and code actions, the asset manifest). Bundled on its own as
 * dist/features.js and loaded by src/extension.ts the first time a command runs or a view opens,
 * so activation costs almost nothing. One bundle for all features keeps one copy of the modules
 * they share (the asset writer's event, for one).
 */
import * as vscode from 'vscode';
import { McpServers } from './host/agent/mcp';
import { AssetsFeature } from './host/assets/feature';
import { ImageTools } from './host/agent/tools';
import { HostEditBackend } from './host/edit/backend';
import { editOpener } from './host/edit/commands';
import { GenerateFromSelection } from './host/editor/fromSelection';
import { ImageLinkProvider } from './host/editor/imageLinks';
import { GalleryViewProvider } from './host/gallery/view';
import { recipeCommands, type RecipeCommands } from './host/recipe/commands';
import { GenerateCommand } from './host/generate/command';
import type { Log } from './host/platform/log';
import type { ApiKeyStore } from './host/platform/secrets';
import { RunHistory } from './host/run/history';
import { RunPipeline } from './host/run/pipeline';
import { StudioViewProvider } from './host/studio/view';
import { UsageLedger } from './host/run/usage';
import { UsageViewProvider } from './host/usage/view';

/** The services activate() builds and every feature shares. */
export interface Services {
  readonly log: Log;
  readonly keys: ApiKeyStore;
}

export interface Features extends vscode.Disposable {
  generate(args?: unknown): Promise<vscode.Uri[]>;
  editImage(uri?: unknown, uris?: unknown, preset?: unknown): Promise<vscode.Uri | undefined>;
  createVariations(uri?: unknown, uris?: unknown, preset?: unknown): Promise<vscode.Uri | undefined>;
  /** Show Recipe, Remake, Rework, Remix, Copy Prompt. */
  readonly recipes: RecipeCommands;
  generateFromSelection(): Promise<void>;
  readonly studio: vscode.WebviewViewProvider;
  readonly gallery: vscode.WebviewViewProvider;
  /** The agent tool named in package.json's languageModelTools. */
  tool(name: string): vscode.LanguageModelTool<unknown>;
  /** The MCP server definition VS Code starts, and the configuration for other clients. */
  readonly mcp: McpServers;
  /** The hover and code actions on image links in text documents. */
  readonly imageLinks: vscode.HoverProvider & vscode.CodeActionProvider;
  /** The Usage view, and the ledger behind it and the budget. */
  readonly usage: UsageViewProvider;
  readonly ledger: UsageLedger;
  /** The asset manifest: plan, generate, CodeLens, diagnostics. */
  readonly assets: AssetsFeature;
}

export function createFeatures(context: vscode.ExtensionContext, { log, keys }: Services): Features {
  const history = new RunHistory(context.globalState);
  const ledger = new UsageLedger(context.globalStorageUri);
  const pipeline = new RunPipeline(context, log, keys, history, ledger);
  const usage = new UsageViewProvider(ledger);
  const generate = new GenerateCommand(pipeline, history, log);
  const edit = editOpener(context, new HostEditBackend(context, log, pipeline), log);
  const studio = new StudioViewProvider(context, pipeline, history, log);
  const gallery = new GalleryViewProvider(context, log);
  const tools = new ImageTools(pipeline, log);
  const mcp = new McpServers(context, keys, log, ledger);
  const fromSelection = new GenerateFromSelection(log);
  const assets = new AssetsFeature(pipeline, log, context.workspaceState);
  const owned: vscode.Disposable[] = [pipeline, studio, gallery, mcp, usage, ledger, assets];
  return {
    generate: (args) => generate.generateCommand(args),
    editImage: (uri, uris, preset) => edit.open('edit', uri, uris, preset),
    createVariations: (uri, uris, preset) => edit.open('variation', uri, uris, preset),
    recipes: recipeCommands(context, log, pipeline),
    generateFromSelection: () => fromSelection.run(),
    studio,
    gallery,
    tool: (name) => tools.tool(name),
    mcp,
    imageLinks: new ImageLinkProvider(log),
    usage,
    ledger,
    assets,
    dispose: () => owned.forEach((d) => d.dispose()),
  };
}
