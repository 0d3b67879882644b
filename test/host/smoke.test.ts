/**
 * First extension-host test: runs inside a real VS Code (code-server's extension host, see
 * scripts/vscode-shim.cjs) with this repository as the extension under development.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'pixelwright.pixelwright';
const COMMANDS = ['pixelwright.generate', 'pixelwright.setApiKey', 'pixelwright.clearApiKey', 'pixelwright.showLog'];

suite('smoke: the extension in a real VS Code', () => {
  test('the test runner environment reaches the extension host', () => {
    // scripts/run-host-tests.mjs sets this; tests that need e.g. PIXELWRIGHT_FAKE_URL rely on it.
    assert.strictEqual(process.env.PIXELWRIGHT_HOST_TEST, '1');
  });

  test(`${EXTENSION_ID} is installed`, () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    assert.strictEqual(ext.packageJSON.name, 'pixelwright');
  });

  test('contributes the expected commands', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (ext.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    for (const id of COMMANDS) assert.ok(contributed.includes(id), `package.json does not contribute ${id}`);
  });

  test('activates when one of its commands runs', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    // Showing the log is harmless: no network, no input boxes.
    await vscode.commands.executeCommand('pixelwright.showLog');
    assert.strictEqual(ext.isActive, true, 'extension is not active after running pixelwright.showLog');
  });

  test('registers all of its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], `commands not registered after activation: ${missing.join(', ')}`);
  });
});
