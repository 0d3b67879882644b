/**
 * The gallery's index in a real VS Code: it finds the images carrying a Pixelwright record in the
 * workspace (findFiles, file heads), newest first, and follows files added, changed and removed on
 * disk (FileSystemWatcher), folders included. What the webview shows and does is tested in a real
 * browser: test/ui/gallery.test.mjs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { embedRecord } from '../../src/core/metadata';
import type { GenerationRecord } from '../../src/core/record';
import { onDidWriteAsset, writeAsset } from '../../src/host/run/assets';
import { GalleryIndex } from '../../src/host/gallery/imageIndex';

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

/**
 * What the file watcher may not report: files written into a folder made a moment before (the
 * Studio's first run into a new images/generated), or changes it dropped. The index must not
 * depend on it for Pixelwright's own writes, and must find the rest when asked to look again.
 */
suite('Gallery index: beyond the watcher (host)', function () {
  this.timeout(60_000);
  let root: vscode.Uri;
  let index: GalleryIndex;
  const cacheFile = path.join(os.tmpdir(), `pw-gallery-index-${process.pid}.json`);
  const ids = () => index.items().map((i) => i.id);
  const watchers: vscode.Disposable[] = [];

  suiteSetup(async () => {
    root = vscode.workspace.workspaceFolders![0].uri;
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root, 'gallery-beyond', 'seed.png'), withRecord('the seed', '2026-01-01T00:00:00Z'));
    index = new GalleryIndex(undefined, { cacheFile });
    await index.start();
  });

  suiteTeardown(async () => {
    index?.dispose();
    for (const w of watchers) w.dispose();
    for (const d of ['gallery-beyond', 'gallery-late']) fs.rmSync(path.join(root.fsPath, d), { recursive: true, force: true });
    fs.rmSync(cacheFile, { force: true });
  });

  test("Pixelwright's own write into a new folder is listed at once, without the file watcher", async () => {
    // An index that follows no file system watcher: only the write itself can list the file. The
    // order of events shows it, whatever the machine's speed: the write is announced, then listed.
    const own = new GalleryIndex(undefined, { fileWatchers: false });
    watchers.push(own);
    await own.start();
    const made = 'gallery-beyond/generated/made.png';
    const events: string[] = [];
    watchers.push(onDidWriteAsset((u) => u.path.endsWith('/generated/made.png') && events.push('written')));
    watchers.push(own.onDidChange(() => own.items().some((i) => i.id === made) && !events.includes('listed') && events.push('listed')));
    // the watcher's report, for the log only (it may come before or after, or not at all)
    const watcher = vscode.workspace.createFileSystemWatcher('**/made.png');
    watchers.push(watcher, watcher.onDidCreate(() => events.push('watcher')));
    assert.ok(!own.get(made), 'not listed before the write');
    const uri = await writeAsset(vscode.Uri.joinPath(root, 'gallery-beyond', 'generated'), 'made.png', withRecord('made by a run', '2026-09-01T00:00:00Z'));
    assert.strictEqual(vscode.workspace.asRelativePath(uri), made);
    await until(own, 'made.png in the index without watchers', () => !!own.get(made), 5000);
    assert.strictEqual(own.get(made)!.record.prompt, 'made by a run');
    assert.ok(events.indexOf('written') >= 0 && events.indexOf('written') < events.indexOf('listed'), `order of events: ${events.join(', ')}`);
    console.log(`      order of events: ${events.join(', ')}`);
    // the index with watchers lists it too (the tests below rely on it)
    await until(index, 'made.png in the index with watchers', () => ids().includes(made), 5000);
  });

  test('a folder made after the start, and written at once, is looked into', async () => {
    const late = path.join(root.fsPath, 'gallery-late');
    fs.mkdirSync(late);
    fs.writeFileSync(path.join(late, 'first.png'), withRecord('written as the folder appeared', '2026-10-02T00:00:00Z'));
    await until(index, 'gallery-late/first.png', () => ids().includes('gallery-late/first.png'), 10_000);
  });

  test('revalidate (the view shown again) finds a file at once, reading only new and changed files', async () => {
    fs.writeFileSync(path.join(root.fsPath, 'gallery-beyond', 'missed.png'), withRecord('not reported yet', '2026-11-01T00:00:00Z'));
    await index.revalidate();
    assert.ok(ids().includes('gallery-beyond/missed.png'), 'revalidate found it');
    const scan = index.lastScan!;
    assert.ok(scan.files >= 4, `${scan.files} files`);
    // at most missed.png (and first.png, were the watcher late) were new to the index
    assert.ok(scan.reused >= scan.files - 2, JSON.stringify(scan));
    assert.ok(scan.bytesRead <= 2 * withRecord('x', '2026-01-01T00:00:00Z').length + 1024, JSON.stringify(scan));
  });

  test('a new window lists the images from the kept index before its scan, and reads no unchanged file', async () => {
    await index.save();
    const next = new GalleryIndex(undefined, { cacheFile });
    try {
      let first: { ids: string[]; scanning: boolean } | undefined;
      const sub = next.onDidChange(() => (first ??= { ids: next.items().map((i) => i.id), scanning: next.scanning }));
      await next.start();
      sub.dispose();
      assert.ok(first, 'no change event');
      assert.strictEqual(first.scanning, true, 'the first list is shown while the scan runs');
      for (const id of ['gallery-beyond/seed.png', 'gallery-beyond/generated/made.png', 'gallery-late/first.png', 'gallery-beyond/missed.png']) assert.ok(first.ids.includes(id), `${id} not in the first list: ${first.ids.join(', ')}`);
      const scan = next.lastScan!;
      assert.strictEqual(scan.bytesRead, 0, JSON.stringify(scan));
      assert.strictEqual(scan.reused, scan.files, JSON.stringify(scan));
      assert.deepStrictEqual(next.items().map((i) => [i.id, i.rev]), index.items().map((i) => [i.id, i.rev]));
    } finally {
      next.dispose();
    }
  });
});
