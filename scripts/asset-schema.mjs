#!/usr/bin/env node
// Writes the asset manifest's JSON schema (contributed through `jsonValidation`), in English and
// in Simplified Chinese: media/schemas/assets.schema.json and assets.schema.zh-cn.json. The two
// differ only in their descriptions; test/unit/manifest.test.ts checks the files match this script.
// Usage: node scripts/asset-schema.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** [English, Chinese] per description key. */
const D = {
  root: ['The images this project needs, made by Pixelwright: shared defaults and one entry per image.', '本项目需要的图像，由 Pixelwright 生成：共享默认值，每张图像一个条目。'],
  version: ['Manifest format version.', '清单格式版本。'],
  defaults: ['Defaults every entry inherits (an entry may set its own).', '每个条目继承的默认值（条目可自行覆盖）。'],
  assets: ['One entry per image: its output path, prompt and options.', '每张图像一个条目：输出路径、提示词和选项。'],
  path: ['Output path, relative to this file; must stay inside the workspace. Its extension (.png, .jpg, .webp) sets the format.', '输出路径，相对于本文件，必须位于工作区内。扩展名（.png、.jpg、.webp）决定格式。'],
  prompt: ['What the image shows. The style text is added to it.', '图像的内容描述。会附加风格文字。'],
  model: ['Image model, e.g. gpt-image-1.5, gpt-image-1-mini, gpt-image-2.', '图像模型，例如 gpt-image-1.5、gpt-image-1-mini、gpt-image-2。'],
  size: ['Size as WIDTHxHEIGHT or auto, as the model allows.', '尺寸，格式为 宽x高 或 auto，需为模型所支持。'],
  quality: ['Quality: auto, low, medium, high (GPT image models); standard, hd (DALL·E 3).', '质量：auto、low、medium、high（GPT 图像模型）；standard、hd（DALL·E 3）。'],
  format: ['Output format; must agree with the path extension.', '输出格式，须与路径扩展名一致。'],
  background: ['Background: auto, transparent (PNG or WebP) or opaque.', '背景：auto、transparent（PNG 或 WebP）或 opaque。'],
  compression: ['JPEG and WebP compression, 0-100.', 'JPEG 和 WebP 压缩率，0-100。'],
  moderation: ['Moderation: auto or low.', '审核级别：auto 或 low。'],
  style: ['Style text added to every prompt (null in an entry leaves it out).', '附加到每个提示词的风格文字（条目中设为 null 则不附加）。'],
  sources: ['Source images to edit (paths relative to this file): the entry becomes an edit.', '要编辑的源图像（相对于本文件的路径）：该条目将成为编辑。'],
  inputFidelity: ['How closely an edit keeps the source: low or high.', '编辑对源图像的保真程度：low 或 high。'],
  renditions: ['Files made locally from this image (no API call): sizes, crops, formats.', '由该图像在本地生成的文件（不调用 API）：尺寸、裁剪、格式。'],
  rPath: ['Rendition path, relative to this file (.png, .jpg, .webp, .avif).', '派生文件路径，相对于本文件（.png、.jpg、.webp、.avif）。'],
  rSize: ['Exact size WIDTHxHEIGHT.', '精确尺寸 宽x高。'],
  rWidth: ['Width in pixels (the height follows the aspect ratio when not given).', '宽度（像素）；未给出高度时按比例计算。'],
  rHeight: ['Height in pixels (the width follows the aspect ratio when not given).', '高度（像素）；未给出宽度时按比例计算。'],
  rScale: ['Scale of the source image, e.g. 0.5.', '相对源图像的缩放比例，例如 0.5。'],
  rFit: ['cover crops to fill, contain fits inside (keeps the ratio, may be smaller), pad fits inside and fills the rest with the background.', 'cover 裁剪填满，contain 按比例缩放到框内（可能更小），pad 缩放到框内并用背景色填充其余部分。'],
  rFormat: ['Format; must agree with the path extension.', '格式，须与路径扩展名一致。'],
  rBackground: ['Fill colour for pad and for JPEG: #rrggbb, #rrggbbaa or transparent.', 'pad 和 JPEG 使用的填充色：#rrggbb、#rrggbbaa 或 transparent。'],
  rQuality: ['Encoder quality for JPEG, WebP and AVIF, 1-100.', 'JPEG、WebP 和 AVIF 的编码质量，1-100。'],
};

function schema(lang) {
  const d = (k) => D[k][lang === 'en' ? 0 : 1];
  const options = {
    model: { type: 'string', description: d('model'), examples: ['gpt-image-1.5', 'gpt-image-1-mini', 'gpt-image-2', 'dall-e-3'] },
    size: { type: 'string', description: d('size'), examples: ['auto', '1024x1024', '1536x1024', '1024x1536'] },
    quality: { type: 'string', description: d('quality'), enum: ['auto', 'low', 'medium', 'high', 'xhigh', 'max', 'standard', 'hd'] },
    format: { type: 'string', description: d('format'), enum: ['png', 'jpeg', 'jpg', 'webp'] },
    background: { type: 'string', description: d('background'), enum: ['auto', 'transparent', 'opaque'] },
    compression: { type: 'integer', minimum: 0, maximum: 100, description: d('compression') },
    moderation: { type: 'string', description: d('moderation'), enum: ['auto', 'low'] },
    style: { type: ['string', 'null'], description: d('style') },
  };
  const rendition = {
    type: 'object',
    required: ['path'],
    additionalProperties: false,
    properties: {
      path: { type: 'string', description: d('rPath'), pattern: '\\.(png|jpe?g|webp|avif)$' },
      size: { type: 'string', description: d('rSize'), pattern: '^\\d+x\\d+$' },
      width: { type: 'integer', minimum: 1, maximum: 16384, description: d('rWidth') },
      height: { type: 'integer', minimum: 1, maximum: 16384, description: d('rHeight') },
      scale: { type: 'number', exclusiveMinimum: 0, maximum: 8, description: d('rScale') },
      fit: { type: 'string', enum: ['cover', 'contain', 'pad'], default: 'cover', description: d('rFit') },
      format: { type: 'string', enum: ['png', 'jpeg', 'jpg', 'webp', 'avif'], description: d('rFormat') },
      background: { type: 'string', pattern: '^(#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?|transparent)$', description: d('rBackground') },
      quality: { type: 'integer', minimum: 1, maximum: 100, description: d('rQuality') },
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Pixelwright assets',
    description: d('root'),
    type: 'object',
    required: ['assets'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      version: { type: 'integer', enum: [1], description: d('version') },
      defaults: { type: 'object', description: d('defaults'), additionalProperties: false, properties: options },
      assets: {
        type: 'array',
        description: d('assets'),
        items: {
          type: 'object',
          required: ['path', 'prompt'],
          additionalProperties: false,
          defaultSnippets: [{ label: 'image', body: { path: '${1:images/name.png}', prompt: '${2}' } }],
          properties: {
            path: { type: 'string', description: d('path'), pattern: '\\.(png|jpe?g|webp)$' },
            prompt: { type: 'string', minLength: 1, description: d('prompt') },
            ...options,
            sources: { type: 'array', items: { type: 'string' }, description: d('sources') },
            inputFidelity: { type: 'string', enum: ['low', 'high'], description: d('inputFidelity') },
            renditions: { type: 'array', items: rendition, description: d('renditions') },
          },
        },
      },
    },
  };
}

export function schemaText(lang) {
  return JSON.stringify(schema(lang), null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const [lang, file] of [['en', 'assets.schema.json'], ['zh-cn', 'assets.schema.zh-cn.json']]) {
    const target = join(root, 'media', 'schemas', file);
    const text = schemaText(lang);
    if (check) {
      let current = '';
      try { current = readFileSync(target, 'utf8'); } catch { /* missing */ }
      if (current !== text) { stale = true; console.error(`${file} is not what scripts/asset-schema.mjs writes`); }
    } else writeFileSync(target, text);
  }
  process.exit(stale ? 1 : 0);
}
