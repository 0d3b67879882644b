/**
 * The setup the asset host suites share (assets.test.ts, assetsBatch.test.ts): the extension
 * activated and pointed at a fake API server of the suite's own (provider `compatible`, its key
 * set), a folder of the workspace for the suite's files, emptied together with `.pixelwright/`
 * before each test, and everything put back after the suite. Call it inside `suite()`: it
 * registers the hooks; hooks the suite registers before the call run before these.
 */
import * as vscode from 'vscode';
import type { FakeOpenAI } from '../fake-openai/server';

export const EXT_ID = 'pixelwright.pixelwright';

export interface AssetsWorkspace {
  /** The fake API server (from suiteSetup on). */
  readonly fake: FakeOpenAI;
  /** The workspace folder. */
  readonly root: vscode.Uri;
  /** The suite's folder in it. */
  readonly dir: vscode.Uri;
  readonly config: () => vscode.WorkspaceConfiguration;
  /** A path in the suite's folder. */
  readonly file: (rel: string) => vscode.Uri;
  readonly write: (rel: string, data: string | Uint8Array) => Thenable<void>;
  readonly read: (rel: string) => Thenable<Uint8Array>;
  readonly exists: (rel: string) => Thenable<boolean>;
  /** The suite's manifest (`pixelwright.assets.json` in its folder), as a URI string. */
  readonly manifest: () => string;
  /** A path under the workspace folder's `.pixelwright/`. */
  readonly kept: (...segments: string[]) => vscode.Uri;
  /** A JSON file parsed. */
  readonly readJson: <T>(uri: vscode.Uri) => Promise<T>;
}

/**
 * Registers the suite's hooks for a folder `folder` of the workspace. `settings`: more
 * `pixelwright.*` settings for the suite (workspace level), put back after it.
 */
export function assetsWorkspace(folder: string, settings: Readonly<Record<string, unknown>> = {}): AssetsWorkspace {
  let fake: FakeOpenAI | undefined;
  const root = () => vscode.workspace.workspaceFolders![0].uri;
  const dir = () => vscode.Uri.joinPath(root(), folder);
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const file = (rel: string) => vscode.Uri.joinPath(dir(), ...rel.split('/'));
  const clear = async () => {
    for (const d of [dir(), vscode.Uri.joinPath(root(), '.pixelwright')]) await vscode.workspace.fs.delete(d, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  };
  const keys = ['provider', 'baseUrl', ...Object.keys(settings)];

  suiteSetup(async () => {
    const api = await vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!.activate();
    // Loaded here, not at the top: the activation test checks what was loaded before it.
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI();
    await config().update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await config().update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    for (const [k, v] of Object.entries(settings)) await config().update(k, v, vscode.ConfigurationTarget.Workspace);
    await api.setApiKey(fake.apiKey);
  });

  setup(async () => {
    fake!.reset();
    await clear();
    await vscode.workspace.fs.createDirectory(dir());
  });

  suiteTeardown(async () => {
    await clear();
    for (const k of keys) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await fake?.close();
  });

  return {
    get fake() {
      if (!fake) throw new Error('the fake API server starts in suiteSetup');
      return fake;
    },
    get root() {
      return root();
    },
    get dir() {
      return dir();
    },
    config,
    file,
    write: (rel, data) => vscode.workspace.fs.writeFile(file(rel), typeof data === 'string' ? new TextEncoder().encode(data) : data),
    read: (rel) => vscode.workspace.fs.readFile(file(rel)),
    exists: (rel) => vscode.workspace.fs.stat(file(rel)).then(() => true, () => false),
    manifest: () => file('pixelwright.assets.json').toString(),
    kept: (...segments) => vscode.Uri.joinPath(root(), '.pixelwright', ...segments),
    readJson: async <T>(uri: vscode.Uri) => JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as T,
  };
}
