/**
 * One place that says what went wrong with an API call, as a kind the UI can act on.
 * Duck-typed on the SDK's error fields (status, code, type, name) so that this module does not
 * load the `openai` package: the host can classify errors without paying for the SDK.
 * The UI turns a kind into words (localized) and a next action.
 */
import type { CoreMessage } from '../shared/messages';
import type { ValidationError } from './request';

export type ErrorKind =
  | 'validation' // refused before sending (names a parameter)
  | 'auth' // 401: bad or missing key
  | 'org-verification' // 403: organization must be verified
  | 'forbidden' // other 403 (region, permissions)
  | 'no-access' // 403/400 to SVG or GIF output: the project has no access to it yet (ErrorInfo.format says which)
  | 'content-policy' // the safety system refused the prompt
  | 'bad-request' // other 400
  | 'not-found' // 404: model or (Azure) deployment
  | 'quota' // 429 insufficient_quota
  | 'rate-limit' // 429, still limited after waiting
  | 'server' // 500/502/504
  | 'overloaded' // 503
  | 'timeout'
  | 'network' // no connection / DNS / proxy
  | 'cut-off' // the connection closed before the answer was complete (or the body stops mid-JSON)
  | 'bad-response' // malformed JSON or no image in the answer
  | 'url-expired' // a result URL could not be downloaded
  | 'cancelled'
  | 'unknown';

export interface ErrorInfo {
  readonly kind: ErrorKind;
  readonly status?: number;
  /** The server's own message, with anything that looks like a key masked out. */
  readonly serverMessage?: string;
  readonly param?: string;
  readonly code?: string;
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;
  /** A refusal's reason as a message id with parameters (validation), for the host to translate. */
  readonly text?: CoreMessage;
  /** 'no-access': the output format the project has no access to. */
  readonly format?: 'svg' | 'gif';
}

/** An error raised by Pixelwright's own client code with an already known kind. */
export class ImageApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly extra: Omit<ErrorInfo, 'kind'> = {},
  ) {
    super(message);
    this.name = 'ImageApiError';
  }
}

/**
 * Masks API-key-like tokens in text that may be shown or logged: `sk-...` keys, Azure keys (32
 * hex digits, or long letter-and-digit tokens), whatever follows "Bearer ", and the values of
 * `api-key` / `subscription-key` / `authorization` fields in headers, JSON and query strings.
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const k of known) if (k && k.length >= 4) out = out.split(k).join('***');
  return out
    .replace(/\bsk-[A-Za-z0-9_*\-]{3,}/g, 'sk-***')
    .replace(/\b(bearer[\s:=]+)(?!\*\*\*)[^\s"',;}]{4,}/gi, '$1***')
    .replace(/\b((?:x-)?api[-_ ]?key|(?:ocp-apim-)?subscription[-_ ]?key|authorization)(["']?\s*[:=]\s*["']?)(?!bearer\s|\*\*\*)[^\s"',;}&]{4,}/gi, '$1$2***')
    .replace(/\b[0-9a-fA-F]{32}\b/g, '***')
    .replace(/\b(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{48,}\b/g, '***');
}

interface ErrorLike {
  name?: string;
  message?: string;
  status?: number;
  code?: string | null;
  type?: string | null;
  param?: string | null;
  error?: { message?: string; code?: string | null; type?: string | null; param?: string | null } | null;
  headers?: Headers | Record<string, string>;
  requestID?: string | null;
  cause?: unknown;
}

function header(headers: ErrorLike['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string>;
  return rec[name] ?? rec[name.toLowerCase()];
}

/** Seconds to wait from `retry-after-ms` / `retry-after` (seconds or an HTTP date), if given. */
export function retryAfterSeconds(headers: ErrorLike['headers'], now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && header(headers, 'retry-after-ms') !== undefined) return ms / 1000;
  const ra = header(headers, 'retry-after');
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export function classifyError(err: unknown, knownSecrets: readonly string[] = []): ErrorInfo {
  // By name, not instanceof: the engine is a separate bundle with its own copies of these classes.
  const named = err as { name?: string };
  if (named?.name === 'ValidationError') {
    const v = err as ValidationError;
    return { kind: 'validation', param: v.param, serverMessage: v.message, ...(v.text ? { text: v.text } : {}) };
  }
  if (named?.name === 'ImageApiError') {
    const a = err as ImageApiError;
    return { kind: a.kind, serverMessage: a.message, ...a.extra };
  }
  const e = (err ?? {}) as ErrorLike;
  // The SDK's errors keep the name "Error"; their class names say more (the build keeps names).
  const ctor = (err as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  const name = ctor.startsWith('API') ? ctor : (e.name ?? '');
  const body = e.error ?? undefined;
  const code = (body?.code ?? e.code ?? undefined) || undefined;
  const type = (body?.type ?? e.type ?? undefined) || undefined;
  const rawMessage = body?.message ?? e.message ?? String(err);
  const base = {
    status: e.status,
    serverMessage: redactSecrets(rawMessage, knownSecrets),
    param: (body?.param ?? e.param ?? undefined) || undefined,
    code: code ?? undefined,
    requestId: e.requestID ?? header(e.headers, 'x-request-id'),
  };
  if (name === 'APIUserAbortError' || name === 'AbortError') return { ...base, kind: 'cancelled' };
  if (name === 'APIConnectionTimeoutError') return { ...base, kind: 'timeout' };
  if (e.status === undefined && isCutOff(err)) return { ...base, kind: 'cut-off' };
  if (name === 'APIConnectionError' || (e.status === undefined && isNetworkError(err))) return { ...base, kind: 'network' };
  if (err instanceof SyntaxError || named?.name === 'SyntaxError') return { ...base, kind: 'bad-response' };

  switch (e.status) {
    case 400:
    case 422:
      if (code === 'moderation_blocked' || code === 'content_policy_violation' || code === 'contentFilter' || code === 'content_filter' || type === 'image_generation_user_error') {
        return { ...base, kind: 'content-policy' };
      }
      return { ...base, kind: 'bad-request' };
    case 401:
      return { ...base, kind: 'auth' };
    case 403:
      return { ...base, kind: /verif/i.test(rawMessage) ? 'org-verification' : 'forbidden' };
    case 404:
      return { ...base, kind: 'not-found' };
    case 408:
      return { ...base, kind: 'timeout' };
    case 429:
      if (code === 'insufficient_quota' || type === 'insufficient_quota' || /quota|billing/i.test(rawMessage)) return { ...base, kind: 'quota' };
      return { ...base, kind: 'rate-limit', retryAfterSeconds: retryAfterSeconds(e.headers) };
    case 503:
      return { ...base, kind: 'overloaded', retryAfterSeconds: retryAfterSeconds(e.headers) };
  }
  if (e.status !== undefined && e.status >= 500) return { ...base, kind: 'server' };
  return { ...base, kind: 'unknown' };
}

/**
 * A request for SVG or GIF output refused with 403, or with 400 about the output format or
 * access, is the project's missing access to that output (the SDK: "requires project access", "the
 * GIF preview"), to be shown as such and not as a failure of Pixelwright. Anything else is as it was.
 */
export function noAccessToOutput(info: ErrorInfo, outputFormat: string | undefined): ErrorInfo {
  if (outputFormat !== 'svg' && outputFormat !== 'gif') return info;
  const aboutAccess = info.param === 'output_format' || /\baccess\b|\bpreview\b|not (?:enabled|available)/i.test(info.serverMessage ?? '');
  const refused = (info.status === 403 && info.kind !== 'org-verification') || (info.status === 400 && aboutAccess);
  return refused ? { ...info, kind: 'no-access', format: outputFormat } : info;
}

/**
 * The provider was reached but its answer did not arrive whole: the socket closed before or
 * while the body came ("other side closed", undici's "terminated"), or the JSON stops in the
 * middle ("Unexpected end of JSON input", an unterminated string). Not "could not reach".
 */
export function isCutOff(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: string; name?: string; message?: string; cause?: unknown };
    const message = c.message ?? '';
    if (c.code === 'UND_ERR_SOCKET' || c.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || c.code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
    if (c.name === 'TypeError' && /^terminated$/i.test(message)) return true;
    if (c.name === 'SyntaxError' && /Unexpected end of JSON input|Unterminated string in JSON/i.test(message)) return true;
    cur = c.cause;
  }
  return false;
}

function isNetworkError(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: string; name?: string; message?: string; cause?: unknown };
    if (c.code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|UND_ERR_CONNECT_TIMEOUT)$/.test(c.code)) return true;
    if (c.name === 'TypeError' && /fetch failed/i.test(c.message ?? '')) return true;
    cur = c.cause;
  }
  return false;
}

/**
 * A notification's text with the product name in front, once: messages that already start with
 * "Pixelwright" ("Pixelwright cannot send this request: …", in any language) are left as they are.
 */
export function withProductPrefix(message: string): string {
  return /^\s*Pixelwright\b/.test(message) ? message : `Pixelwright: ${message}`;
}

/** Whether waiting and trying again may help. */
export function isRetryable(info: ErrorInfo): boolean {
  return info.kind === 'rate-limit' || info.kind === 'server' || info.kind === 'overloaded';
}
