/**
 * The usage ledger's file in the extension's global storage (`usage.json`): what every run
 * spent, by day, workspace and model (src/core/ledger.ts), shared by every window and by the MCP
 * server VS Code starts (it is handed the file's path). No prompts, no key, no file names.
 * Writes are serialized in this window and re-read before each one, so two windows only race
 * within one write.
 */
import * as vscode from 'vscode';
import { addToLedger, monthSpent, parseLedger, summarize, type Ledger, type LedgerEntry, type UsageSummary } from '../../core/ledger';
import { Disposable } from '../platform/lifecycle';

export const LEDGER_FILE = 'usage.json';

export class UsageLedger extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires after a run is added. */
  readonly onDidChange = this.changed.event;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly storage: vscode.Uri) {
    super();
  }

  get uri(): vscode.Uri {
    return vscode.Uri.joinPath(this.storage, LEDGER_FILE);
  }

  async read(): Promise<Ledger> {
    try {
      return parseLedger(new TextDecoder().decode(await vscode.workspace.fs.readFile(this.uri)));
    } catch {
      return parseLedger(undefined);
    }
  }

  /** Adds a run of this window's workspace (a failure to write is logged by the caller, never fatal). */
  record(entry: Omit<LedgerEntry, 'time' | 'workspace' | 'workspaceName'>, time = new Date()): Promise<void> {
    const next = this.queue.then(async () => {
      const ledger = addToLedger(await this.read(), { ...entry, time, ...currentWorkspace() });
      await vscode.workspace.fs.createDirectory(this.storage);
      // Temp file and rename: a reader never sees half a ledger.
      const tmp = vscode.Uri.joinPath(this.storage, `${LEDGER_FILE}.${process.pid}.tmp`);
      await vscode.workspace.fs.writeFile(tmp, new TextEncoder().encode(JSON.stringify(ledger)));
      await vscode.workspace.fs.rename(tmp, this.uri, { overwrite: true });
    });
    this.queue = next.catch(() => undefined);
    return next.then(() => this.changed.fire());
  }

  async summary(now = new Date()): Promise<UsageSummary> {
    return summarize(await this.read(), now, currentWorkspace().workspace);
  }

  async monthSpent(now = new Date()): Promise<number> {
    return monthSpent(await this.read(), now);
  }
}

/** This window's workspace as the ledger names it: its workspace file or first folder, and its name. */
export function currentWorkspace(): { workspace: string; workspaceName: string } {
  const uri = vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  return { workspace: uri?.toString() ?? '', workspaceName: vscode.workspace.name ?? '' };
}
