/**
 * Pixelwright's MCP server in VS Code and elsewhere. VS Code starts it through the definition
 * this provides (the key handed over in the process's environment when the definition is
 * resolved, read from SecretStorage, never written down). "Copy MCP Server Configuration…" gives
 * other clients (Claude Code, Cursor, ...) a configuration that never holds the key: they set it
 * in the environment they start from.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Log } from '../platform/log';
import type { ApiKeyStore } from '../platform/secrets';
import { readSettings, type PixelwrightSettings } from '../platform/settings';
import type { UsageLedger } from '../run/usage';

/** The server's settings as its environment (no key): where requests go and where images land. */
export function mcpEnvironment(root: string, s: PixelwrightSettings, ledgerPath?: string): Record<string, string> {
  const env: Record<string, string> = {
    PIXELWRIGHT_WORKSPACE: root,
    PIXELWRIGHT_PROVIDER: s.provider,
    PIXELWRIGHT_MODEL: s.model,
    PIXELWRIGHT_OUTPUT_FOLDER: s.outputFolder,
    PIXELWRIGHT_TIMEOUT_SECONDS: String(s.requestTimeoutSeconds),
    PIXELWRIGHT_MAX_CONCURRENT: String(s.maxConcurrentRequests),
  };
  // The same budget rule as every other run, and the same ledger (the month's spending) when VS Code starts it.
  if (s.budget.monthlyLimit) env.PIXELWRIGHT_BUDGET_MONTHLY_LIMIT = String(s.budget.monthlyLimit);
  if (s.budget.askAbove) env.PIXELWRIGHT_BUDGET_ASK_ABOVE = String(s.budget.askAbove);
  if (ledgerPath) env.PIXELWRIGHT_LEDGER = ledgerPath;
  // SVG and GIF output as the setting says (the server refuses them without it).
  if (s.vectorAndAnimatedOutput) env.PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT = '1';
  if (s.provider === 'compatible') env.PIXELWRIGHT_BASE_URL = s.baseUrl;
  if (s.provider === 'azure') {
    env.PIXELWRIGHT_AZURE_ENDPOINT = s.azure.endpoint;
    env.PIXELWRIGHT_AZURE_DEPLOYMENT = s.azure.deployment;
    env.PIXELWRIGHT_AZURE_API_VERSION = s.azure.apiVersion;
  }
  return env;
}

export class McpServers implements vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly keys: ApiKeyStore,
    private readonly log: Log,
    private readonly ledger?: UsageLedger,
  ) {
    this.subs = [
      this.changed,
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('pixelwright') && this.changed.fire()),
    ];
  }

  private get script(): string {
    return path.join(this.context.extensionPath, 'dist', 'mcp.js');
  }

  /** One server per workspace folder would be noise: the first folder is the root it may write under. */
  provideMcpServerDefinitions(): vscode.McpStdioServerDefinition[] {
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!root) return [];
    // ELECTRON_RUN_AS_NODE: the editor's own binary runs the script as Node.js.
    const ledger = this.ledger?.uri.scheme === 'file' ? this.ledger.uri.fsPath : undefined;
    const env = { ...mcpEnvironment(root.uri.fsPath, readSettings(root.uri), ledger), ELECTRON_RUN_AS_NODE: '1' };
    return [new vscode.McpStdioServerDefinition('Pixelwright', process.execPath, [this.script], env, String(this.context.extension.packageJSON.version ?? ''))];
  }

  /** Starting: the key from SecretStorage into the process's environment, asked for once if missing. */
  async resolveMcpServerDefinition(server: vscode.McpStdioServerDefinition): Promise<vscode.McpStdioServerDefinition | undefined> {
    const key = await this.keys.getOrAsk(readSettings());
    if (!key) {
      this.log.warn('MCP server: no API key was given, so it was not started');
      return undefined;
    }
    server.env = { ...server.env, PIXELWRIGHT_API_KEY: key };
    return server;
  }

  /** "Copy MCP Server Configuration…": a client configuration without the key, on the clipboard. */
  async copyConfiguration(): Promise<void> {
    const t = vscode.l10n.t;
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!root) {
      void vscode.window.showErrorMessage(t('Pixelwright: open a folder first: the MCP server writes images only under its workspace folder.'));
      return;
    }
    const config = { mcpServers: { pixelwright: { command: 'node', args: [this.script], env: mcpEnvironment(root.uri.fsPath, readSettings(root.uri)) } } };
    await vscode.env.clipboard.writeText(JSON.stringify(config, null, 2));
    void vscode.window.showInformationMessage(
      t('Pixelwright: the MCP server configuration is on the clipboard. It holds no key: set PIXELWRIGHT_API_KEY (or OPENAI_API_KEY) in the environment your MCP client starts from.'),
    );
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
