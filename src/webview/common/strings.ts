/**
 * A view's words. The host sends them localized (init.strings, keyed by the English text); a key
 * without a translation shows as the English text. Each view is its own bundle, so each has its
 * own table. Every key a view uses must be one its host localizes (test/unit/house/webviewStrings.test.ts).
 */
import { formatString } from '../../shared/maskGeometry';

let table: Readonly<Record<string, string>> = {};

export function setStrings(strings: Readonly<Record<string, string>>): void {
  table = strings;
}

/** The localized text for an English key, with {0}, {1}... filled in. */
export function s(key: string, ...args: (string | number)[]): string {
  const v = Object.prototype.hasOwnProperty.call(table, key) && typeof table[key] === 'string' ? table[key] : key;
  return args.length ? formatString(v, ...args) : v;
}
