/**
 * The gallery's index in a real VS Code: it finds the images carrying a Pixelwright record in the
 * workspace (findFiles, file heads), newest first, and follows files added, changed and removed on
 * disk (FileSystemWatcher), folders included. What the webview shows and does is tested in a real
 * browser: test/ui/gallery.test.mjs.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { embedRecord } from '../../src/core/metadata';
import type { GenerationRecord } from '../../src/core/record';
import { GalleryIndex } from '../../src/host/galleryIndex';

const PNG_1x1 = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'));

function withRecord(prompt: string, createdAt: string): Uint8Array {
  const record: GenerationRecord = {
    v: 1,
    operation: 'generate',
    prompt,
    model: 'gpt-image-1.5',
    options: { size: '1024x1024', n: 1 },
    provider: { kind: 'openai' },
    createdAt,
    tool: 'Pixelwright host test',
  };
  return embedRecord(PNG_1x1, record);
}

/** Waits until `fn` holds, checking after each change of the index (and every 200 ms). */
async function until(index: GalleryIndex, what: string, fn: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const sub = index.onDidChange(() => {
        sub.dispose();
        resolve();
      });
      setTimeout(() => {
        sub.dispose();
        resolve();
      }, 200);
    });
  }
}

suite('Gallery index (host)', function () {
  this.timeout(60_000);
  let root: vscode.Uri;
  let dir: vscode.Uri;
  let index: GalleryIndex;
  const ours = () => index.items().filter((i) => i.id.startsWith('gallery-host-test/'));
  const ids = () => ours().map((i) => i.id);

  suiteSetup(async () => {
    root = vscode.workspace.workspaceFolders![0].uri;
    dir = vscode.Uri.joinPath(root, 'gallery-host-test');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'old.png'), withRecord('an old one', '2026-01-01T00:00:00Z'));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'new.png'), withRecord('a new one', '2026-06-01T00:00:00Z'));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'sub', 'middle.png'), withRecord('in between', '2026-03-01T00:00:00Z'));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'plain.png'), PNG_1x1);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'node_modules', 'dep.png'), withRecord('inside node_modules', '2026-07-01T00:00:00Z'));
    index = new GalleryIndex();
    await index.start();
  });

  suiteTeardown(async () => {
    index?.dispose();
    await vscode.workspace.fs.delete(dir, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  test('finds the images with a record, newest first; plain images and node_modules are left out', () => {
    assert.deepStrictEqual(ids(), ['gallery-host-test/new.png', 'gallery-host-test/sub/middle.png', 'gallery-host-test/old.png']);
    const n = ours()[0];
    assert.strictEqual(n.record.prompt, 'a new one');
    assert.deepStrictEqual([n.width, n.height], [1, 1]);
    assert.ok(index.lastScan && index.lastScan.images >= 3);
    assert.strictEqual(index.scanning, false);
  });

  test('follows a file added on disk', async () => {
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'newest.png'), withRecord('the newest', '2026-09-01T00:00:00Z'));
    await until(index, 'newest.png', () => ids()[0] === 'gallery-host-test/newest.png');
  });

  test('follows a file changed on disk (a new record, a new rev)', async () => {
    const uri = vscode.Uri.joinPath(dir, 'old.png');
    const before = index.get('gallery-host-test/old.png')!.rev;
    await new Promise((r) => setTimeout(r, 20)); // a new mtime
    await vscode.workspace.fs.writeFile(uri, withRecord('an old one, redone', '2026-12-01T00:00:00Z'));
    await until(index, 'old.png to change', () => index.get('gallery-host-test/old.png')?.record.prompt === 'an old one, redone');
    assert.notStrictEqual(index.get('gallery-host-test/old.png')!.rev, before);
    assert.strictEqual(ids()[0], 'gallery-host-test/old.png', 'its new date moves it first');
  });

  test('follows a file deleted on disk', async () => {
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(dir, 'new.png'), { useTrash: false });
    await until(index, 'new.png to go', () => !ids().includes('gallery-host-test/new.png'));
  });

  test('follows a folder deleted on disk (the watcher reports only the folder)', async () => {
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(dir, 'sub'), { recursive: true, useTrash: false });
    await until(index, 'sub/middle.png to go', () => !ids().includes('gallery-host-test/sub/middle.png'));
  });

  test('a record written into a plain image makes it appear', async () => {
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'plain.png'), withRecord('now with a record', '2026-02-01T00:00:00Z'));
    await until(index, 'plain.png', () => ids().includes('gallery-host-test/plain.png'));
    assert.deepStrictEqual(ids(), ['gallery-host-test/old.png', 'gallery-host-test/newest.png', 'gallery-host-test/plain.png']);
  });
});
