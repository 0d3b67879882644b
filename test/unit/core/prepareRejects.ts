/** Shared by the preparation tests: awaits a refusal and checks its code (and message). */
import * as assert from 'assert';
import { PrepareError, type PrepareErrorCode } from '../../../src/core/prepare';

export async function rejects(p: Promise<unknown>, code: PrepareErrorCode, message?: RegExp): Promise<PrepareError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof PrepareError, `expected a PrepareError, got ${String(err)}`);
    assert.strictEqual(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a PrepareError (${code})`);
}
