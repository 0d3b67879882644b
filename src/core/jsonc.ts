/**
 * A small JSON-with-comments reader that keeps where every value is, for diagnostics and CodeLens
 * on the asset manifest: `//` and `/* *\/` comments and trailing commas are allowed (as in VS
 * Code's own settings files); anything else that is not JSON stops the reading with one error at
 * its offset. Plain TypeScript, no dependencies.
 */
import { englishMessage, msg, type CoreMessage } from '../shared/messages';

export type JsonNode =
  | { readonly type: 'object'; readonly offset: number; readonly length: number; readonly properties: readonly JsonProperty[] }
  | { readonly type: 'array'; readonly offset: number; readonly length: number; readonly items: readonly JsonNode[] }
  | { readonly type: 'string'; readonly offset: number; readonly length: number; readonly value: string }
  | { readonly type: 'number'; readonly offset: number; readonly length: number; readonly value: number }
  | { readonly type: 'boolean'; readonly offset: number; readonly length: number; readonly value: boolean }
  | { readonly type: 'null'; readonly offset: number; readonly length: number; readonly value: null };

export interface JsonProperty {
  readonly key: string;
  /** Where the key (with its quotes) is. */
  readonly keyOffset: number;
  readonly keyLength: number;
  readonly value: JsonNode;
}

export class JsoncError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** What is wrong, without the line (the manifest's diagnostic says the line): a message id the host words. */
    readonly reason: CoreMessage,
  ) {
    super(message);
    this.name = 'JsoncError';
  }
}

/** Parses `text`; throws a {@link JsoncError} with the offset of the first thing that is not JSONC. */
export function parseJsonc(text: string): JsonNode {
  let i = 0;
  const fail = (what: CoreMessage): never => {
    const reason = i >= text.length ? msg('jsonc.atEnd', what) : what;
    throw new JsoncError(i >= text.length ? englishMessage(reason) : `${englishMessage(what)} at line ${lineOf(text, i)}`, Math.min(i, text.length), reason);
  };
  const skip = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) i++;
      else if (c === 47 && text.charCodeAt(i + 1) === 47) {
        const end = text.indexOf('\n', i);
        i = end < 0 ? text.length : end + 1;
      } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail(msg('jsonc.commentNotClosed'));
        i = end + 2;
      } else return;
    }
  };
  const str = (): { value: string; offset: number; length: number } => {
    const start = i;
    i++;
    let out = '';
    let from = i;
    for (;;) {
      if (i >= text.length) fail(msg('jsonc.stringNotClosed'));
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) fail(msg('jsonc.lineBreakInString'));
      if (c === 92) {
        out += text.slice(from, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail(msg('jsonc.unknownEscape'));
        from = i;
        continue;
      }
      i++;
    }
    out += text.slice(from, i);
    i++;
    return { value: out, offset: start, length: i - start };
  };
  /** From the opening bracket at `i` past `close`: `one` reads each member; commas between, one trailing allowed. */
  const list = (close: '}' | ']', one: () => void) => {
    i++;
    skip();
    while (text[i] !== close) {
      one();
      skip();
      if (text[i] === ',') {
        i++;
        skip();
      } else if (text[i] !== close) fail(msg('jsonc.commaOrClose', close));
    }
    i++;
  };
  const value = (depth: number): JsonNode => {
    if (depth > 256) fail(msg('jsonc.tooDeep'));
    skip();
    const start = i;
    const c = text[i];
    if (c === '{') {
      const properties: JsonProperty[] = [];
      list('}', () => {
        if (text[i] !== '"') fail(msg('jsonc.propertyName'));
        const k = str();
        skip();
        if (text[i] !== ':') fail(msg('jsonc.colon'));
        i++;
        properties.push({ key: k.value, keyOffset: k.offset, keyLength: k.length, value: value(depth + 1) });
      });
      return { type: 'object', offset: start, length: i - start, properties };
    }
    if (c === '[') {
      const items: JsonNode[] = [];
      list(']', () => items.push(value(depth + 1)));
      return { type: 'array', offset: start, length: i - start, items };
    }
    if (c === '"') {
      const s = str();
      return { type: 'string', ...s };
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m && m[0]) {
      i += m[0].length;
      return { type: 'number', offset: start, length: m[0].length, value: Number(m[0]) };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v === null ? { type: 'null', offset: start, length: 4, value: null } : { type: 'boolean', offset: start, length: word.length, value: v };
      }
    }
    return fail(msg('jsonc.value'));
  };
  const root = value(0);
  skip();
  if (i < text.length) fail(msg('jsonc.trailing'));
  return root;
}

/** 1-based line of `offset`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

/** The plain value of a node (objects and arrays too). */
export function plainValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries(node.properties.map((p) => [p.key, plainValue(p.value)]));
    case 'array':
      return node.items.map(plainValue);
    default:
      return node.value;
  }
}

/** The last property named `key` of an object node (JSON's rule for duplicates). */
export function property(node: JsonNode | undefined, key: string): JsonProperty | undefined {
  if (node?.type !== 'object') return undefined;
  for (let k = node.properties.length - 1; k >= 0; k--) if (node.properties[k].key === key) return node.properties[k];
  return undefined;
}
