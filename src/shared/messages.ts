/**
 * Core's messages as ids with parameters: validation reasons, the custom-size rule, preparation's
 * refusals and notes, the problems of the generate command's argument object. Core
 * throws them as data ({@link CoreMessage}); the host words them in the user's language
 * (src/host/platform/messages.ts, through the l10n bundle, keyed by the English text below), the
 * MCP server and the logs in English ({@link englishMessage}). test/unit/house/l10n.test.ts fails when
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
  // Preparation's refusals (src/core/prepare.ts): an input that cannot be sent, and why.
  'prepare.cancelled': 'Preparing the image was cancelled.',
  'prepare.heic': '{0} is a HEIC/HEIF photo, which Pixelwright cannot read. Export it as JPEG or PNG first.',
  'prepare.pdf': '{0} is a PDF document, not an image. Export the page as PNG first.',
  'prepare.svg': '{0} is an SVG drawing. Export it as PNG first (vector images are not sent to the image models).',
  'prepare.notAnImage': '{0} is not a PNG, JPEG, WebP, GIF, TIFF or AVIF image, or it is damaged.',
  'prepare.refusedKind': '{0} is {1}, which Pixelwright does not read. Use PNG, JPEG, WebP, GIF, TIFF or AVIF.',
  'prepare.kind.bmp': 'a BMP image',
  'prepare.kind.psd': 'a Photoshop document',
  'prepare.kind.ico': 'an icon (ICO) file',
  'prepare.kind.jxl': 'a JPEG XL image',
  'prepare.kind.jp2': 'a JPEG 2000 image',
  'prepare.megapixels': '{0} megapixels',
  'prepare.tooLarge': '{0} is {1}x{2} ({3}); Pixelwright prepares images of at most {4}. Scale it down first.',
  'prepare.overPixelLimit': '{0} has more than {1}; scale it down first.',
  'prepare.damaged': '{0} is damaged or truncated: it cannot be read in full. If an image editor opens it, save it again from there.',
  'prepare.noSize': '{0} has no readable size.',
  'prepare.decodedUnexpected': '{0} decoded to an unexpected {1}x{2}x{3} image.',
  'prepare.noInputsTaken': '{0} does not take input images.',
  'prepare.noInput': 'No input image was given.',
  'prepare.tooManyInputs': '{0} takes at most {1} input images; {2} were given.',
  'prepare.tooManyInputsOne': '{0} takes at most 1 input image; {1} were given.',
  'prepare.maskInvalid': 'The mask is not a valid {0}x{1} painting ({2} bytes for {3} pixels).',
  'prepare.maskNotPng': 'The mask is not a PNG image.',
  'prepare.maskSize': 'The mask is {0}x{1} but {2} is shown at {3}x{4}.',
  'prepare.maskSizeRotated': 'The mask is {0}x{1} but {2} is shown at {3}x{4} (the mask must follow the image as displayed, after its EXIF rotation).',
  'prepare.maskTooBig': 'The mask for {0} compresses to {1} MB; the API takes less than 4 MB. Paint a simpler area.',
  'prepare.paintedOutside': 'The painted area of {0} lies outside the square that is sent. Paint inside it, or pad instead of cropping.',
  'prepare.dalle2NoArea': 'dall-e-2 edits only where the image is painted or transparent, and {0} has no transparent pixels and no painted area. Paint the area to change.',
  'prepare.transparentOutside': 'The transparent pixels of {0} lie outside the square that is sent, and nothing is painted. Pad instead of cropping, or paint the area to change.',
  'prepare.staysOver': '{0} stays over {1} even at {2}x{3}.',
  'prepare.cannotShrink': '{0} cannot be made small enough to send.',
  'prepare.cannotShrinkBelow': '{0} cannot be made smaller than {1}.',
  'prepare.areaLost': 'The area to edit in {0} was lost when it was scaled to {1}x{2}; nothing was sent.',
  'prepare.guideNotPng': 'The guide is not a PNG image.',
  'prepare.guideSize': 'The guide is {0}x{1} but {2} is shown at {3}x{4}.',
  'prepare.guideSizeRotated': 'The guide is {0}x{1} but {2} is shown at {3}x{4} (the guide must follow the image as displayed, after its EXIF rotation).',
  'prepare.guideCoversAll': 'The guide covers all of {0}; it must leave the image visible (transparent) where nothing is drawn.',
  'prepare.originalSize': 'The original image is {0}x{1} but the edit was prepared from a {2}x{3} image.',
  // What preparation calls the images that have no file name of their own.
  'prepare.name.mask': 'The mask',
  'prepare.name.guide': 'The guide',
  'prepare.name.image': 'The image',
  'prepare.name.original': 'The original image',
  'prepare.name.originalInSentence': 'the original image',
  'prepare.name.edited': 'The edited image',
  // Preparation's notes (src/core/prepare.ts): what was changed in an input before it was sent, one sentence each.
  'note.rotated': '{0}: rotated to match its EXIF orientation ({1}).',
  'note.convertedToPng': '{0}: converted from {1} to PNG.',
  'note.firstFrame': '{0}: used the first of its {1} frames.',
  'note.convertedToRgba': '{0}: converted from {1} to 8-bit RGBA.',
  'note.convertedTo8Bit': '{0}: converted from {1} to 8-bit.',
  'note.cmykToRgb': '{0}: converted from CMYK to RGB.',
  'note.reencoded': '{0}: re-encoded to stay under {1}.',
  'note.padded': '{0}: padded to a square with its edge colours; the padding is never edited.',
  'note.cropped': '{0}: cropped to the centre square ({1}x{2} at {3},{4}).',
  'note.scaled': '{0}: scaled from {1}x{2} to {3}x{4}.',
  'note.scaledPadded': '{0}: scaled from {1}x{2} to {3}x{4} ({5}x{6} with the padding).',
  'note.widenedPainted': 'The painted area of {0} has parts too thin to survive scaling to {1}x{2}; they were widened to one pixel there so that they are still edited.',
  'note.widenedTransparent': 'The transparent area of {0} has parts too thin to survive scaling to {1}x{2}; they were widened to one pixel there so that they are still edited.',
  'note.paintedOutsideCrop': '{0}: part of the painted area lies outside the square crop and will not be edited.',
  'note.alphaAsMask': '{0}: no mask was painted, so its transparent pixels mark where to edit.',
  'note.quantized': '{0}: reduced to 256 colours to stay under {1}.',
  'note.reduced': '{0}: reduced to {1}x{2} to stay under {3}.',
  'note.maskEmpty': 'The mask for {0} is empty, so the whole image may change.',
  'note.guideEmpty': 'The guide for {0} is empty, so it was not sent.',
  'note.guideScaled': 'The guide for {0} was scaled with the image to {1}x{2}.',
  'note.keptCmyk': 'The original image is CMYK, which a PNG cannot hold: its kept pixels were converted to RGB, so they are close to the original but not exact.',
  'note.keptProfile': "The original image's colour profile ({0}) cannot describe a colour result: its kept pixels were converted to sRGB, so they are close to the original but not exact.",
  'note.profileUnknown': 'unknown kind',
  // How a note describes an input's pixels ({0}: its bits per sample).
  'note.pixels.cmyk': 'CMYK',
  'note.pixels.palette': '{0}-bit palette',
  'note.pixels.paletteAlpha': '{0}-bit palette with transparency',
  'note.pixels.grey': '{0}-bit grey',
  'note.pixels.greyAlpha': '{0}-bit grey+alpha',
  'note.pixels.rgb': '{0}-bit RGB',
  'note.pixels.rgbAlpha': '{0}-bit RGB+alpha',
  // Why the asset manifest is not JSON (src/core/jsonc.ts), after "not valid JSON (line n):".
  'jsonc.atEnd': '{0}, but the file ends',
  'jsonc.commentNotClosed': 'a comment is not closed',
  'jsonc.stringNotClosed': 'a string is not closed',
  'jsonc.lineBreakInString': 'a line break inside a string',
  'jsonc.unknownEscape': 'an unknown escape in a string',
  'jsonc.commaOrClose': '"," or "{0}" was expected',
  'jsonc.tooDeep': 'nesting too deep',
  'jsonc.propertyName': 'a property name in double quotes was expected',
  'jsonc.colon': '":" was expected',
  'jsonc.value': 'a value was expected',
  'jsonc.trailing': 'the file should end after its value',
  // What pickers show next to a model's name (src/core/models.ts: where it is still served, what it is).
  'model.replaces': 'replaces {0}',
  'model.retiredOn': 'retired at OpenAI {0}; Azure and compatible servers',
  'model.retired': 'retired at OpenAI; Azure and compatible servers',
  'model.custom': 'custom, like {0}',
  // Why the output folder setting is refused (src/core/paths.ts).
  'folder.absolute': 'it must be a path relative to the workspace folder, not an absolute path',
  'folder.outside': 'it leads outside the workspace folder',
  'folder.badName': '"{0}" is not a folder name that works on every system',
  // The problems of pixelwright.generate's argument object (src/core/args.ts).
  'args.notObject': 'the argument must be an object such as { "prompt": "...", "model": "gpt-image-1.5" }',
  'args.notString': '"{0}" must be a string',
  'args.oneOf': '"{0}" must be one of {1}',
  'args.wholeNumber': '"{0}" must be a whole number from {1} to {2}',
  'args.trueOrFalse': '"{0}" must be true or false',
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

/** The message an error carries as data (`text`: a ValidationError, a PrepareError), if it carries one. */
export function messageOf(err: unknown): CoreMessage | undefined {
  const text = (err as { text?: unknown } | null | undefined)?.text;
  return isCoreMessage(text) ? text : undefined;
}
