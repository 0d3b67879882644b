/**
 * Shared by the preparation tests: awaits a refusal and checks its code (and message), and that
 * its words come from a message id (`text`, which the host translates) and are exactly its English.
 */
import * as assert from 'assert';
import { PrepareError, type PrepareErrorCode } from '../../../src/core/prepare';
import { englishMessage, isCoreMessage } from '../../../src/shared/messages';

export async function rejects(p: Promise<unknown>, code: PrepareErrorCode, message?: RegExp): Promise<PrepareError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof PrepareError, `expected a PrepareError, got ${String(err)}`);
    assert.strictEqual(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    assert.ok(isCoreMessage(err.text), `${code}: the refusal carries no message id`);
    assert.strictEqual(englishMessage(err.text), err.message, `${code}: the message is not the English of its id ${err.text.id}`);
    return err;
  }
  assert.fail(`expected a PrepareError (${code})`);
}
