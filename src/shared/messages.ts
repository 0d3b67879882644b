/**
 * Core's messages as ids with parameters: validation reasons and the custom-size rule. Core
 * throws them as data ({@link CoreMessage}); the host words them in the user's language
 * (src/host/platform/messages.ts, through the l10n bundle, keyed by the English text below), the
 * MCP server and the logs in English ({@link englishMessage}). test/unit/l10n.test.ts fails when
 * an id's English text has no zh-cn translation.
 * No `vscode`, no Node APIs.
 */
export const CORE_MESSAGES = {
  // A refusal: the parameter, the reason, and what is allowed.
  'validation.reason': '{0}: {1}',
  'validation.reasonAllowed': '{0}: {1} (allowed: {2})',
  'validation.notTaken': '{0} does not take {1}',
  'validation.notOffered': '"{0}" is not offered by {1}',
  'validation.cannotGenerate': '{0} cannot generate images',
  'validation.cannotEdit': '{0} cannot make edits',
  'validation.cannotVary': '{0} cannot make variations',
  'validation.promptEmpty': 'the prompt is empty',
  'validation.promptTooLong': '{0} characters is longer than the {1} {2} accepts',
  'validation.countRange': '{0} is not a whole number from 1 to {1}',
  'validation.customSize': '"{0}": {1}',
  'validation.previewOff': 'SVG and GIF output are turned off: turn on the setting pixelwright.experimental.vectorAndAnimatedOutput',
  'validation.transparentJpeg': 'a transparent background needs png or webp output',
  'validation.compressionFormats': 'compression applies to jpeg and webp output only',
  'validation.compressionRange': '{0} is not a whole number from 0 to 100',
  'validation.fidelityEditsOnly': 'input_fidelity applies to edits only',
  'validation.gifMask': 'GIF output cannot be combined with a mask',
  'validation.frameCount': '{0} is not a whole number from {1} to {2}',
  'validation.frameDuration': '{0} is not a whole number of milliseconds from {1} to {2}',
  'validation.framesGifOnly': 'frames apply to GIF output only',
  'validation.maskEditsOnly': 'a mask applies to edits only',
  'validation.inputNeeded': 'an input image is needed',
  'validation.tooManyInputs': '{0} takes at most {1} input images, got {2}',
  'validation.oneInputOnly': '{0} takes at most 1 input image, got {1}',
  'validation.inputFormat': '{0} is {1}',
  'validation.inputTooLarge': '{0} is {1} MB; {2} takes less than {3} MB',
  'validation.maskPng': 'the mask must be a PNG',
  'validation.maskTooLarge': 'the mask must be smaller than 4 MB',
  'validation.guidePng': 'the guide must be a PNG',
  'validation.guideEditsOnly': 'a guide applies to edits only',
  'validation.guideNotTaken': '{0} does not take a guide (markup); the GPT Image 2.5 models do',
  'validation.guideWithMask': 'a guide cannot be sent together with a mask: send one of them',
  // The custom-size rule (gpt-image-2 and 2.5), as validation and the palette's size box word it.
  'size.format': 'must be WIDTHxHEIGHT, for example 1536x864',
  'size.min': 'width and height must each be at least {0}',
  'size.multiple': 'width and height must both be divisible by {0}',
  'size.edge': 'the longest side must be at most {0}',
  'size.pixels': 'at most {0} pixels (3840x2160)',
  'size.ratio': 'the aspect ratio must be between 1:{0} and {0}:1',
} as const;

export type MessageId = keyof typeof CORE_MESSAGES;
export type MessageArg = string | number | CoreMessage;

/** A message as data: its id and its parameters (which may be messages themselves). */
export interface CoreMessage {
  readonly id: MessageId;
  readonly args: readonly MessageArg[];
}

export function msg(id: MessageId, ...args: MessageArg[]): CoreMessage {
  return { id, args };
}

/** Fills `{n}` placeholders in a template. */
export function fillTemplate(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));
}

/** A message in English (the MCP server, logs, Error.message). */
export function englishMessage(m: CoreMessage): string {
  return fillTemplate(
    CORE_MESSAGES[m.id],
    m.args.map((a) => (typeof a === 'object' ? englishMessage(a) : a)),
  );
}

/** Whether a value (from another bundle, say) has a message's shape. */
export function isCoreMessage(v: unknown): v is CoreMessage {
  return typeof v === 'object' && v !== null && typeof (v as CoreMessage).id === 'string' && Object.prototype.hasOwnProperty.call(CORE_MESSAGES, (v as CoreMessage).id) && Array.isArray((v as CoreMessage).args);
}
