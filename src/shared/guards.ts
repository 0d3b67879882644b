import { MAX_IMAGES } from './modelRules';

/** Type guards for untrusted messages, shared by the host's and the webviews' protocol checks. */
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isStr = (v: unknown): v is string => typeof v === 'string';
export const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
/** Absent, or a string of at most `max` characters. */
export const optStr = (v: unknown, max = 64): boolean => v === undefined || (typeof v === 'string' && v.length <= max);

/** The fields every options form sends: a model id and 1 to MAX_IMAGES images, each option a short string when given. */
export function isFormChoices(v: unknown, options: readonly string[]): v is Record<string, unknown> & { model: string; n: number } {
  return isObj(v) && typeof v.model === 'string' && v.model.length > 0 && v.model.length <= 128 && isInt(v.n, 1, MAX_IMAGES) && options.every((k) => optStr(v[k], k === 'size' ? 16 : 64));
}
