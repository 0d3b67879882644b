/**
 * What an operation becomes on the wire. Only DALL·E 2 has a variations endpoint; a GPT image
 * model makes a variation as an edit without a mask, asked for in words. Every entry point (the
 * mask editor, and later agents, the MCP server and the asset manifest) goes through here, so a
 * variation means the same thing wherever it was asked for. Light on purpose (no SDK, no sharp):
 * the host checks a request here before it loads the engine.
 */
import { msg } from '../shared/messages';
import type { ModelCapabilities } from './models';
import { checkGuide, validateRequest, ValidationError, type ImageRequest } from './request';
import type { RunRequestOf } from './run';

/** The prompt a GPT image variation sends, before the user's own words (if any). */
export const VARIATION_PROMPT = 'Create a variation of this image: keep its subject, composition and style, and vary the details.';

/** The request the API is sent for `req` on `caps`: a GPT image variation becomes an edit. */
export function apiRequest<R extends Pick<ImageRequest, 'operation' | 'prompt' | 'quality'>>(req: R, caps: ModelCapabilities): R {
  if (req.operation !== 'variation') return req;
  if (caps.family === 'dall-e-2') return { ...req, quality: undefined };
  return { ...req, operation: 'edit', prompt: [VARIATION_PROMPT, req.prompt.trim()].filter(Boolean).join('\n') };
}

/**
 * Checks a request before anything is read or sent: throws ValidationError on the first
 * problem. Returns what is sent on the wire (a GPT image variation is an edit there).
 */
export function checkRunRequest(request: RunRequestOf<unknown>, caps: ModelCapabilities): ImageRequest {
  const { sources, ...asked } = request;
  if (request.operation !== 'generate' && !sources) throw new ValidationError('image', msg('validation.inputNeeded'));
  if (sources?.mask && request.operation !== 'edit') throw new ValidationError('mask', msg('validation.maskEditsOnly'));
  if (sources?.guide) checkGuide(request.operation, caps, !!sources.mask);
  const wire: ImageRequest = apiRequest(asked, caps);
  validateRequest(wire, caps, { inputsLater: !!sources });
  return wire;
}
