/**
 * What an operation becomes on the wire. Only DALL·E 2 has a variations endpoint; a GPT image
 * model makes a variation as an edit without a mask, asked for in words. Every entry point (the
 * mask editor, and later agents, the MCP server and the asset manifest) goes through here, so a
 * variation means the same thing wherever it was asked for.
 */
import type { ModelCapabilities } from './models';
import type { ImageRequest } from './request';

/** The prompt a GPT image variation sends, before the user's own words (if any). */
export const VARIATION_PROMPT = 'Create a variation of this image: keep its subject, composition and style, and vary the details.';

/** The request the API is sent for `req` on `caps`: a GPT image variation becomes an edit. */
export function apiRequest<R extends Pick<ImageRequest, 'operation' | 'prompt' | 'quality'>>(req: R, caps: ModelCapabilities): R {
  if (req.operation !== 'variation') return req;
  if (caps.family === 'dall-e-2') return { ...req, quality: undefined };
  return { ...req, operation: 'edit', prompt: [VARIATION_PROMPT, req.prompt.trim()].filter(Boolean).join('\n') };
}
