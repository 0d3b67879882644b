/**
 * The fake Images API (test/fake-openai) driven by the real `openai` SDK, so its shapes are
 * proven SDK-compatible: responses, streams, error classes, Azure routing, control endpoints.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import OpenAI, {
  APIConnectionError,
  AuthenticationError,
  AzureOpenAI,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  toFile,
} from 'openai';
import sharp from 'sharp';
import { maskKey, startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const KEY = 'sk-test-key';

async function png(width: number, height: number, alpha: boolean): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: alpha ? 4 : 3, background: alpha ? { r: 200, g: 40, b: 40, alpha: 0.5 } : { r: 200, g: 40, b: 40 } },
  })
    .png()
    .toBuffer();
}

function magic(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return 'unknown';
}

async function decoded(b64: string | undefined): Promise<{ bytes: Buffer; format: string; width: number; height: number; hasAlpha: boolean }> {
  assert.ok(b64, 'expected b64_json');
  const bytes = Buffer.from(b64, 'base64');
  const meta = await sharp(bytes).metadata();
  return { bytes, format: magic(bytes), width: meta.width!, height: meta.height!, hasAlpha: Boolean(meta.hasAlpha) };
}

/** Runs `fn`, expecting it to throw an instance of `cls`; returns the error. */
async function rejects<T>(fn: () => Promise<unknown>, cls: new (...args: never[]) => T): Promise<T> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail(`expected ${cls.name}, but the call succeeded`);
}

suite('fake OpenAI Images API', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;
  let rgba256: Buffer;
  let rgb256: Buffer;

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
    rgba256 = await png(256, 256, true);
    rgb256 = await png(256, 256, false);
  });

  suiteTeardown(async () => {
    await fake?.close();
  });

  setup(() => {
    fake.reset();
    fake.setLatency(0);
  });

  suite('generations', () => {
    test('GPT image: real PNG in b64_json, response fields and headers', async () => {
      const { data: res, response } = await client.images
        .generate({ model: 'gpt-image-1.5', prompt: 'a lighthouse at dusk', size: '1536x1024', quality: 'low' })
        .withResponse();
      assert.equal(res.data?.length, 1);
      assert.equal(res.data![0]!.url, undefined);
      const img = await decoded(res.data![0]!.b64_json);
      assert.deepEqual([img.format, img.width, img.height], ['png', 1536, 1024]);
      assert.equal(res.size, '1536x1024');
      assert.equal(res.quality, 'low');
      assert.equal(res.output_format, 'png');
      assert.equal(res.background, 'opaque');
      assert.ok(res.usage && res.usage.output_tokens > 0 && res.usage.input_tokens_details.text_tokens > 0);
      assert.equal(res.usage.total_tokens, res.usage.input_tokens + res.usage.output_tokens);
      assert.match(response.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
      assert.match(response.headers.get('openai-processing-ms') ?? '', /^\d+$/);
      assert.ok(response.headers.get('x-ratelimit-limit-requests'));
      // Recorded without the secret.
      const rec = fake.requests[0]!;
      assert.equal(rec.path, '/v1/images/generations');
      assert.equal(rec.hasAuthorization, true);
      assert.equal(rec.headers['authorization'], undefined);
      assert.deepEqual(rec.body, { model: 'gpt-image-1.5', prompt: 'a lighthouse at dusk', size: '1536x1024', quality: 'low' });
      assert.equal(rec.status, 200);
    });

    test('output_format jpeg / webp, auto size, and images that differ', async () => {
      const jpeg = await client.images.generate({ model: 'gpt-image-1-mini', prompt: 'p', output_format: 'jpeg', output_compression: 60, n: 2 });
      const [a, b] = await Promise.all(jpeg.data!.map((d) => decoded(d.b64_json)));
      assert.deepEqual([a!.format, a!.width, a!.height], ['jpeg', 1024, 1024]);
      assert.equal(jpeg.size, '1024x1024');
      assert.ok(!a!.bytes.equals(b!.bytes), 'two images of one request differ');
      const webp = await client.images.generate({ model: 'chatgpt-image-latest', prompt: 'p', output_format: 'webp' });
      assert.equal((await decoded(webp.data![0]!.b64_json)).format, 'webp');
      const other = await client.images.generate({ model: 'gpt-image-1-mini', prompt: 'q', output_format: 'jpeg', output_compression: 60 });
      assert.notEqual(other.data![0]!.b64_json, jpeg.data![0]!.b64_json, 'another prompt, another image');
    });

    test('background transparent gives real transparent pixels', async () => {
      const res = await client.images.generate({ model: 'gpt-image-1.5', prompt: 'a sticker', background: 'transparent', size: '1024x1024' });
      assert.equal(res.background, 'transparent');
      const img = await decoded(res.data![0]!.b64_json);
      assert.ok(img.hasAlpha);
      const stats = await sharp(img.bytes).stats();
      assert.equal(stats.channels[3]!.min, 0, 'some pixels are fully transparent');
      assert.equal(stats.channels[3]!.max, 255, 'some pixels are opaque');
    });

    test('gpt-image-2 custom sizes: 1536x864 accepted, 1000x1000 and 3840x800 refused', async () => {
      const ok = await client.images.generate({ model: 'gpt-image-2', prompt: 'wide', size: '1536x864' });
      const img = await decoded(ok.data![0]!.b64_json);
      assert.deepEqual([img.width, img.height], [1536, 864]);
      assert.equal(ok.size, '1536x864');
      const snap = await client.images.generate({ model: 'gpt-image-2-2026-04-21', prompt: 'wide', size: '2160x3840' });
      assert.equal(snap.size, '2160x3840');
      for (const [size, why] of [['1000x1000', /divisible by 16/], ['3840x800', /aspect ratio/], ['4096x1024', /longest edge/]] as const) {
        const e = await rejects(() => client.images.generate({ model: 'gpt-image-2', prompt: 'x', size }), BadRequestError);
        assert.equal(e.param, 'size');
        assert.match(e.message, why);
      }
      const e = await rejects(() => client.images.generate({ model: 'gpt-image-1.5', prompt: 'x', size: '1536x864' }), BadRequestError);
      assert.equal(e.param, 'size');
      assert.equal(e.code, 'invalid_value');
    });

    test('dall-e-3: url + revised_prompt, the URL downloads a PNG; expired URL -> 403', async () => {
      const res = await client.images.generate({ model: 'dall-e-3', prompt: 'a fox', size: '1792x1024', quality: 'hd', style: 'natural' });
      const item = res.data![0]!;
      assert.equal(item.b64_json, undefined);
      assert.ok(item.revised_prompt && item.revised_prompt.includes('a fox'));
      assert.equal(res.usage, undefined);
      assert.ok(item.url!.startsWith(fake.origin + '/_fake/files/'));
      const got = await fetch(item.url!);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'image/png');
      const bytes = Buffer.from(await got.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([magic(bytes), meta.width, meta.height], ['png', 1792, 1024]);

      fake.inject({ kind: 'expired_url' });
      const old = await client.images.generate({ model: 'dall-e-3', prompt: 'a fox' });
      const expired = await fetch(old.data![0]!.url!);
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /AuthenticationFailed/);
      const b64 = await client.images.generate({ model: 'dall-e-2', prompt: 'tiny', size: '256x256', response_format: 'b64_json', n: 3 });
      assert.equal(b64.data!.length, 3);
      const small = await decoded(b64.data![0]!.b64_json);
      assert.deepEqual([small.format, small.width], ['png', 256]);
    });

    test('a fake with a short urlTtlMs expires its URLs', async () => {
      const short = await startFakeOpenAI({ urlTtlMs: 50 });
      try {
        const c = new OpenAI({ apiKey: KEY, baseURL: short.url, maxRetries: 0 });
        const res = await c.images.generate({ model: 'dall-e-2', prompt: 'x', size: '256x256' });
        assert.equal((await fetch(res.data![0]!.url!)).status, 200);
        await new Promise((r) => setTimeout(r, 80));
        assert.equal((await fetch(res.data![0]!.url!)).status, 403);
      } finally {
        await short.close();
      }
    });
  });

  suite('validation', () => {
    const bad = async (body: Record<string, unknown>, param: string | null, message?: RegExp): Promise<BadRequestError> => {
      const e = await rejects(() => client.images.generate(body as never), BadRequestError);
      assert.equal(e.param, param, `param for ${JSON.stringify(body)}: ${e.message}`);
      assert.equal(e.type, 'invalid_request_error');
      if (message) assert.match(e.message, message);
      return e;
    };

    test('refusals name their parameter', async () => {
      await bad({ model: 'dall-e-3', prompt: 'x', size: '1024x1536' }, 'size', /not supported by this model/);
      await bad({ model: 'dall-e-3', prompt: 'x', n: 2 }, 'n', /n=1/);
      await bad({ model: 'gpt-image-1.5', prompt: 'x', background: 'transparent', output_format: 'jpeg' }, 'background');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', n: 11 }, 'n', /Expected a value <= 10/);
      await bad({ model: 'gpt-image-1.5', prompt: 'x', n: 0 }, 'n');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', foo: 1 }, 'foo', /^400 Unrecognized request argument supplied: foo$/);
      await bad({ model: 'gpt-image-1.5', prompt: 'x', response_format: 'url' }, 'response_format');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', style: 'vivid' }, 'style');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', quality: 'hd' }, 'quality', /'low', 'medium', 'high', and 'auto'/);
      await bad({ model: 'dall-e-3', prompt: 'x', quality: 'high' }, 'quality');
      await bad({ model: 'dall-e-3', prompt: 'x', output_format: 'png' }, 'output_format');
      await bad({ model: 'dall-e-2', prompt: 'x', background: 'opaque' }, 'background');
      await bad({ model: 'dall-e-2', prompt: 'x'.repeat(1001) }, 'prompt', /maximum length 1000/);
      await bad({ model: 'dall-e-3', prompt: 'x'.repeat(4001) }, 'prompt', /maximum length 4000/);
      await bad({ model: 'gpt-image-1.5', prompt: 'x'.repeat(32001) }, 'prompt', /maximum length 32000/);
      await bad({ model: 'gpt-image-1.5' }, 'prompt', /Missing required parameter/);
      await bad({ model: 'gpt-image-1.5', prompt: 'x', output_compression: 50 }, 'output_compression');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', output_format: 'webp', output_compression: 101 }, 'output_compression');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', partial_images: 4, stream: true }, 'partial_images');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', moderation: 'strict' }, 'moderation');
      await bad({ model: 'gpt-image-1.5', prompt: 'x', n: '2' }, 'n', /expected an integer/);
      await bad({ model: 'gpt-4o', prompt: 'x' }, 'model', /Supported values are/);
      const nf = await rejects(() => client.images.generate({ model: 'gpt-image-9', prompt: 'x' }), NotFoundError);
      assert.equal(nf.code, 'model_not_found');
      // Defaults the spec gives: no model -> dall-e-2 (url), or a GPT model when a GPT-only parameter is used.
      const dflt = await client.images.generate({ prompt: 'x', size: '256x256' });
      assert.ok(dflt.data![0]!.url);
      const gptDefault = await client.images.generate({ prompt: 'x', output_format: 'webp' });
      assert.equal(gptDefault.output_format, 'webp');
      // JSON that is not JSON.
      const raw = await fetch(`${fake.url}/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: '{"prompt": ',
      });
      assert.equal(raw.status, 400);
      assert.match(((await raw.json()) as { error: { message: string } }).error.message, /could not parse the JSON body/);
    });
  });

  suite('edits and variations', () => {
    test('GPT image edit with several image[] files and a mask; the upload is recorded', async () => {
      const first = await png(1536, 1024, false);
      const mask = await png(1536, 1024, true);
      const jpeg = await sharp(rgb256).jpeg().toBuffer();
      const res = await client.images.edit({
        model: 'gpt-image-1.5',
        prompt: 'merge these',
        image: [
          await toFile(first, 'a.png', { type: 'image/png' }),
          await toFile(jpeg, 'b.jpg', { type: 'image/jpeg' }),
        ],
        mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
        input_fidelity: 'high',
        output_format: 'webp',
      });
      const img = await decoded(res.data![0]!.b64_json);
      // size auto follows the first input (3:2 -> 1536x1024).
      assert.deepEqual([img.format, img.width, img.height], ['webp', 1536, 1024]);
      assert.ok(res.usage!.input_tokens_details.image_tokens > 0);
      const rec = fake.requests[0]!;
      assert.equal(rec.path, '/v1/images/edits');
      // In wire order (the SDK may put the mask first).
      assert.deepEqual(rec.files!.filter((f) => f.field === 'image[]').map((f) => [f.filename, f.contentType]), [
        ['a.png', 'image/png'],
        ['b.jpg', 'image/jpeg'],
      ]);
      assert.deepEqual(rec.files!.filter((f) => f.field === 'mask').map((f) => [f.filename, f.contentType]), [['mask.png', 'image/png']]);
      assert.ok(rec.files!.find((f) => f.filename === 'a.png')!.bytes.equals(first));
      assert.equal(rec.fields!['prompt'], 'merge these');
      assert.equal(rec.fields!['input_fidelity'], 'high');
    });

    test('mask dimension mismatch, octet-stream uploads and gpt-image-1-mini input_fidelity are refused', async () => {
      const mismatch = await rejects(
        async () =>
          client.images.edit({
            model: 'gpt-image-1.5',
            prompt: 'x',
            image: [await toFile(rgba256, 'a.png', { type: 'image/png' })],
            mask: await toFile(await png(128, 128, true), 'm.png', { type: 'image/png' }),
          }),
        BadRequestError,
      );
      assert.equal(mismatch.param, 'mask');
      assert.match(mismatch.message, /same dimensions/);
      const octet = await rejects(
        async () => client.images.edit({ model: 'gpt-image-1.5', prompt: 'x', image: await toFile(rgba256, 'a.png') }),
        BadRequestError,
      );
      assert.equal(octet.param, 'image');
      assert.match(octet.message, /unsupported mimetype \('application\/octet-stream'\)/);
      const notImage = await rejects(
        async () => client.images.edit({ model: 'gpt-image-1.5', prompt: 'x', image: await toFile(Buffer.from('hello'), 'a.png', { type: 'image/png' }) }),
        BadRequestError,
      );
      assert.equal(notImage.param, 'image');
      const mini = await rejects(
        async () =>
          client.images.edit({ model: 'gpt-image-1-mini', prompt: 'x', image: await toFile(rgba256, 'a.png', { type: 'image/png' }), input_fidelity: 'high' }),
        BadRequestError,
      );
      assert.equal(mini.param, 'input_fidelity');
      const tooMany = await rejects(
        async () =>
          client.images.edit({
            model: 'gpt-image-1.5',
            prompt: 'x',
            image: await Promise.all(Array.from({ length: 17 }, (_, i) => toFile(rgb256, `${i}.png`, { type: 'image/png' }))),
          }),
        BadRequestError,
      );
      assert.equal(tooMany.param, 'image');
      assert.match(tooMany.message, /maximum length 16/);
    });

    test('markup (GPT Image 2.5): a transparent PNG of the first image\'s displayed size, never with a mask; recorded', async () => {
      // A guide: transparent except for one bar.
      const guide = (w: number, h: number, cover = false) => {
        const px = Buffer.alloc(w * h * 4);
        for (let i = 3; i < px.length; i += 4) px[i] = cover ? 255 : 0;
        for (let x = 10; x < 60; x++) px.set([255, 59, 48, 255], (20 * w + x) * 4);
        return sharp(px, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
      };
      const edit = async (model: string, markup: Buffer, extra: Record<string, unknown> = {}, image = rgb256) =>
        client.images.edit({ model, prompt: 'follow the arrow', image: await toFile(image, 'a.png', { type: 'image/png' }), markup: await toFile(markup, 'a-guide.png', { type: 'image/png' }), ...extra });
      const ok = await edit('gpt-image-2.5-flare', await guide(256, 256));
      assert.ok(ok.data![0]!.b64_json);
      const rec = fake.requests[0]!;
      assert.deepEqual(rec.files!.filter((f) => f.field === 'markup').map((f) => [f.filename, f.contentType]), [['a-guide.png', 'image/png']]);
      await edit('gpt-image-2.5-sunburst-2026-09-08', await guide(256, 256));
      const refusal = async (why: RegExp, param: string, ...args: Parameters<typeof edit>) => {
        const e = await rejects(() => edit(...args), BadRequestError);
        assert.equal(e.param, param);
        assert.match(e.message, why);
      };
      await refusal(/'markup' is not supported with this model \(gpt-image-2\)/, 'markup', 'gpt-image-2', await guide(256, 256));
      await refusal(/not supported with this model \(gpt-image-1\.5\)/, 'markup', 'gpt-image-1.5', await guide(256, 256));
      await refusal(/cannot be combined with 'mask'/, 'markup', 'gpt-image-2.5-flare', await guide(256, 256), { mask: await toFile(rgba256, 'm.png', { type: 'image/png' }) });
      await refusal(/same dimensions as the image after orientation \(256x256\)/, 'markup', 'gpt-image-2.5-flare', await guide(128, 256));
      await refusal(/must contain transparent pixels/, 'markup', 'gpt-image-2.5-flare', await guide(256, 256, true));
      await refusal(/got RGB/, 'markup', 'gpt-image-2.5-flare', rgb256);
      await refusal(/must be a valid PNG file/, 'markup', 'gpt-image-2.5-flare', await sharp(rgb256).jpeg().toBuffer());
      // The size that counts is the first image's after its EXIF orientation: stored 128x256 with orientation 6 is shown 256x128.
      const rotated = await sharp({ create: { width: 128, height: 256, channels: 3, background: '#888' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
      const rotatedEdit = async (markup: Buffer) =>
        client.images.edit({ model: 'gpt-image-2.5-flare', prompt: 'x', image: await toFile(rotated, 'r.jpg', { type: 'image/jpeg' }), markup: await toFile(markup, 'g.png', { type: 'image/png' }) });
      await rotatedEdit(await guide(256, 128));
      const sideways = await rejects(async () => rotatedEdit(await guide(128, 256)), BadRequestError);
      assert.match(sideways.message, /markup \(128x256\) must have the same dimensions as the image after orientation \(256x128\)/);
    });

    test('dall-e-2 edit: RGB without mask is the old RGB error; RGBA works and returns a URL', async () => {
      const e = await rejects(
        async () => client.images.edit({ model: 'dall-e-2', prompt: 'x', image: await toFile(rgb256, 'rgb.png', { type: 'image/png' }) }),
        BadRequestError,
      );
      assert.equal(e.message, "400 Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB");
      assert.equal(e.param, 'image');
      const ok = await client.images.edit({ model: 'dall-e-2', prompt: 'x', image: await toFile(rgba256, 'rgba.png', { type: 'image/png' }), size: '512x512' });
      assert.ok(ok.data![0]!.url);
      const withMask = await client.images.edit({
        model: 'dall-e-2',
        prompt: 'x',
        image: await toFile(rgb256, 'rgb.png', { type: 'image/png' }),
        mask: await toFile(rgba256, 'mask.png', { type: 'image/png' }),
        response_format: 'b64_json',
      });
      assert.equal((await decoded(withMask.data![0]!.b64_json)).width, 1024);
      const notSquare = await rejects(
        async () => client.images.edit({ model: 'dall-e-2', prompt: 'x', image: await toFile(await png(300, 200, true), 'r.png', { type: 'image/png' }) }),
        BadRequestError,
      );
      assert.equal(notSquare.param, 'image');
      const d3 = await rejects(
        async () => client.images.edit({ model: 'dall-e-3', prompt: 'x', image: await toFile(rgba256, 'a.png', { type: 'image/png' }) }),
        BadRequestError,
      );
      assert.equal(d3.param, 'model');
    });

    test('variations: dall-e-2 only', async () => {
      const res = await client.images.createVariation({ image: await toFile(rgb256, 'v.png', { type: 'image/png' }), n: 2, size: '256x256' });
      assert.equal(res.data!.length, 2);
      const got = await fetch(res.data![1]!.url!);
      assert.equal((await sharp(Buffer.from(await got.arrayBuffer())).metadata()).width, 256);
      const e = await rejects(
        async () => client.images.createVariation({ model: 'gpt-image-1.5', image: await toFile(rgb256, 'v.png', { type: 'image/png' }) }),
        BadRequestError,
      );
      assert.equal(e.param, 'model');
      const n = await rejects(
        async () => client.images.createVariation({ image: await toFile(rgb256, 'v.png', { type: 'image/png' }), n: 11 }),
        BadRequestError,
      );
      assert.equal(n.param, 'n');
    });
  });

  suite('streaming', () => {
    test('generation: partial images then completed, via the SDK', async () => {
      const stream = await client.images.generate({ model: 'gpt-image-1.5', prompt: 'stream me', stream: true, partial_images: 2, size: '1024x1536' });
      const events: { type: string; partial_image_index?: number; b64_json: string; size: string; usage?: unknown }[] = [];
      for await (const ev of stream) events.push(ev as never);
      assert.deepEqual(events.map((e) => e.type), ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
      assert.deepEqual(events.slice(0, 2).map((e) => e.partial_image_index), [0, 1]);
      const final = await decoded(events[2]!.b64_json);
      assert.deepEqual([final.format, final.width, final.height], ['png', 1024, 1536]);
      assert.equal((await decoded(events[0]!.b64_json)).format, 'png');
      assert.ok(events[2]!.usage);
      assert.equal(events[2]!.size, '1024x1536');
    });

    test('edit streams image_edit events; n > 1 with stream and DALL·E streams are refused', async () => {
      const stream = await client.images.edit({
        model: 'gpt-image-1.5',
        prompt: 'x',
        image: await toFile(rgba256, 'a.png', { type: 'image/png' }),
        stream: true,
        partial_images: 1,
      });
      const types: string[] = [];
      for await (const ev of stream) types.push(ev.type);
      assert.deepEqual(types, ['image_edit.partial_image', 'image_edit.completed']);
      const zero = await client.images.generate({ model: 'gpt-image-1.5', prompt: 'x', stream: true, partial_images: 0 });
      const only: string[] = [];
      for await (const ev of zero) only.push(ev.type);
      assert.deepEqual(only, ['image_generation.completed']);
      const n2 = await rejects(() => client.images.generate({ model: 'gpt-image-1.5', prompt: 'x', stream: true, n: 2 }), BadRequestError);
      assert.equal(n2.param, 'n');
      const d3 = await rejects(() => client.images.generate({ model: 'dall-e-3', prompt: 'x', stream: true }), BadRequestError);
      assert.equal(d3.param, 'stream');
    });
  });

  suite('faults', () => {
    const gen = (c: OpenAI = client) => c.images.generate({ model: 'gpt-image-1.5', prompt: 'fault', size: '1024x1024', quality: 'low' });

    test('rate_limit -> RateLimitError with retry-after headers; quota has none', async () => {
      fake.inject({ kind: 'rate_limit', retryAfterSeconds: 2 });
      const e = await rejects(() => gen(), RateLimitError);
      assert.equal(e.status, 429);
      assert.equal(e.code, 'rate_limit_exceeded');
      assert.equal(e.type, 'requests');
      assert.equal(e.headers?.get('retry-after'), '2');
      assert.equal(e.headers?.get('retry-after-ms'), '2000');
      await gen(); // used up
      fake.inject({ kind: 'quota' });
      const q = await rejects(() => gen(), RateLimitError);
      assert.equal(q.code, 'insufficient_quota');
      assert.equal(q.headers?.get('retry-after'), null);
    });

    test('server_error and overloaded -> InternalServerError; drop -> APIConnectionError; malformed_json rejects', async () => {
      fake.inject([{ kind: 'server_error' }, { kind: 'overloaded' }, { kind: 'drop' }, { kind: 'malformed_json' }]);
      const s = await rejects(() => gen(), InternalServerError);
      assert.equal(s.status, 500);
      assert.equal(s.type, 'server_error');
      const o = await rejects(() => gen(), InternalServerError);
      assert.equal(o.status, 503);
      assert.match(o.message, /The engine is currently overloaded, please try again later/);
      await rejects(() => gen(), APIConnectionError);
      await rejects(() => gen(), SyntaxError); // the SDK's JSON.parse of the truncated body
      const ok = await gen();
      assert.ok(ok.data![0]!.b64_json);
    });

    test('moderation: moderation_blocked for GPT image, content_policy_violation for DALL·E', async () => {
      fake.inject({ kind: 'moderation', times: 2 });
      const g = await rejects(() => gen(), BadRequestError);
      assert.equal(g.code, 'moderation_blocked');
      assert.equal(g.type, 'image_generation_user_error');
      assert.match(g.message, /Your request was rejected by the safety system/);
      const d = await rejects(() => client.images.generate({ model: 'dall-e-3', prompt: 'x' }), BadRequestError);
      assert.equal(d.code, 'content_policy_violation');
      // A request that fails validation leaves the fault queued.
      fake.inject({ kind: 'moderation' });
      await rejects(() => client.images.generate({ model: 'dall-e-3', prompt: 'x', n: 2 }), BadRequestError);
      assert.equal(fake.pendingFaults().length, 1);
    });

    test('auth: wrong key and unauthorized -> AuthenticationError with a masked key; org_verification -> PermissionDeniedError', async () => {
      const wrong = new OpenAI({ apiKey: 'sk-wrong-secret-1234', baseURL: fake.url, maxRetries: 0 });
      const e = await rejects(() => gen(wrong), AuthenticationError);
      assert.equal(e.code, 'invalid_api_key');
      assert.ok(!e.message.includes('sk-wrong-secret-1234'), 'the key is masked');
      assert.match(e.message, /Incorrect API key provided: sk-wr\*+1234/);
      assert.equal(maskKey('sk-test-key'), 'sk-te****-key');
      fake.inject({ kind: 'unauthorized' });
      const u = await rejects(() => gen(), AuthenticationError);
      assert.equal(u.code, 'invalid_api_key');
      fake.inject({ kind: 'org_verification' });
      const p = await rejects(() => gen(), PermissionDeniedError);
      assert.match(p.message, /must be verified to use the model `gpt-image-1.5`/);
      const noKey = await fetch(`${fake.url}/images/generations`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(noKey.status, 401);
    });

    test('slow, latency, times and path filters', async () => {
      fake.inject({ kind: 'slow', ms: 150 });
      let t = Date.now();
      await gen();
      assert.ok(Date.now() - t >= 140, 'slow fault delays');
      fake.setLatency(100);
      t = Date.now();
      await gen();
      assert.ok(Date.now() - t >= 90, 'latency delays');
      fake.setLatency(0);
      fake.inject({ kind: 'server_error', times: 2, path: '/images/edits' });
      await gen(); // generations are not hit
      const edit = async () => client.images.edit({ model: 'gpt-image-1.5', prompt: 'x', image: await toFile(rgba256, 'a.png', { type: 'image/png' }) });
      await rejects(edit, InternalServerError);
      await rejects(edit, InternalServerError);
      await edit();
      fake.inject({ kind: 'drop', times: -1 });
      await rejects(() => gen(), APIConnectionError);
      await rejects(() => gen(), APIConnectionError);
      fake.reset();
      await gen();
    });
  });

  suite('Azure OpenAI', () => {
    const azure = (deployment: string) =>
      new AzureOpenAI({ endpoint: fake.origin, apiKey: KEY, deployment, apiVersion: '2025-04-01-preview', maxRetries: 0 });

    test('deployment routes generations and edits; the key travels in api-key and is not recorded', async () => {
      const res = await azure('gpt-image').images.generate({ prompt: 'azure', model: 'ignored-by-azure', size: '1024x1024', quality: 'low' });
      assert.equal((await decoded(res.data![0]!.b64_json)).format, 'png');
      const rec = fake.requests[0]!;
      assert.equal(rec.path, '/openai/deployments/gpt-image/images/generations');
      assert.equal(rec.query['api-version'], '2025-04-01-preview');
      assert.equal(rec.hasApiKey, true);
      assert.equal(rec.headers['api-key'], undefined);
      const d3 = await azure('dalle3').images.generate({ prompt: 'azure fox' });
      assert.ok(d3.data![0]!.url && d3.data![0]!.revised_prompt);
      const edit = await azure('gpt-image').images.edit({ prompt: 'x', image: await toFile(rgba256, 'a.png', { type: 'image/png' }) });
      assert.ok(edit.data![0]!.b64_json);
      const noEdits = await rejects(
        async () => azure('dalle3').images.edit({ prompt: 'x', image: await toFile(rgba256, 'a.png', { type: 'image/png' }) }),
        BadRequestError,
      );
      assert.equal(noEdits.code, 'OperationNotSupported');
    });

    test('wrong deployment -> NotFoundError DeploymentNotFound; missing api-version -> Resource not found; bad key -> 401', async () => {
      const e = await rejects(() => azure('nope').images.generate({ prompt: 'x' }), NotFoundError);
      assert.equal(e.code, 'DeploymentNotFound');
      assert.match(e.message, /The API deployment for this resource does not exist/);
      const raw = await fetch(`${fake.origin}/openai/deployments/gpt-image/images/generations`, {
        method: 'POST',
        headers: { 'api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x' }),
      });
      assert.equal(raw.status, 404);
      assert.match(await raw.text(), /Resource not found/);
      const wrongKey = new AzureOpenAI({ endpoint: fake.origin, apiKey: 'nope', deployment: 'gpt-image', apiVersion: '2025-04-01-preview', maxRetries: 0 });
      await rejects(() => wrongKey.images.generate({ prompt: 'x' }), AuthenticationError);
      fake.inject({ kind: 'moderation' });
      const m = await rejects(() => azure('gpt-image').images.generate({ prompt: 'x' }), BadRequestError);
      assert.equal(m.code, 'contentFilter');
      const unknown = await fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '{}' });
      assert.equal(unknown.status, 404);
      assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /Invalid URL/);
    });
  });

  suite('control over HTTP', () => {
    const post = (p: string, body?: unknown) =>
      fetch(`${fake.origin}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    test('faults, latency, requests (file bytes as base64) and reset', async () => {
      assert.equal((await post('/_fake/faults', [{ kind: 'rate_limit', retryAfterSeconds: 3 }, { kind: 'overloaded', path: '/edits' }])).status, 200);
      assert.equal(((await (await fetch(`${fake.origin}/_fake/faults`)).json()) as unknown[]).length, 2);
      const e = await rejects(() => client.images.generate({ model: 'gpt-image-1.5', prompt: 'x', quality: 'low' }), RateLimitError);
      assert.equal(e.headers?.get('retry-after'), '3');
      assert.equal((await post('/_fake/faults', { kind: 'nonsense' })).status, 400);

      assert.equal((await post('/_fake/latency', { ms: 60 })).status, 200);
      const t = Date.now();
      await client.images.generate({ model: 'gpt-image-1.5', prompt: 'x', quality: 'low' });
      assert.ok(Date.now() - t >= 55);
      assert.equal((await post('/_fake/latency', { ms: 0 })).status, 200);

      await client.images.createVariation({ image: await toFile(rgba256, 'v.png', { type: 'image/png' }), size: '256x256', response_format: 'b64_json' });
      const list = (await (await fetch(`${fake.origin}/_fake/requests`)).json()) as {
        path: string;
        status: number;
        files?: { field: string; filename: string; contentType: string; size: number; base64: string }[];
      }[];
      assert.deepEqual(list.map((r) => [r.path, r.status]), [
        ['/v1/images/generations', 429],
        ['/v1/images/generations', 200],
        ['/v1/images/variations', 200],
      ]);
      const file = list[2]!.files![0]!;
      assert.deepEqual([file.field, file.filename, file.contentType, file.size], ['image', 'v.png', 'image/png', rgba256.length]);
      assert.ok(Buffer.from(file.base64, 'base64').equals(rgba256));

      assert.equal((await post('/_fake/reset')).status, 200);
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(fake.pendingFaults(), []);
    });

    test('cli.js prints its address as one JSON line and stops on SIGTERM', async () => {
      const cli = path.join(__dirname, '..', '..', 'fake-openai', 'cli.js');
      const child = spawn(process.execPath, [cli, '--port', '0', '--latency', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          readline.createInterface({ input: child.stdout! }).once('line', resolve);
          child.once('error', reject);
          child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
        });
        const info = JSON.parse(line) as { url: string; origin: string; apiKey: string };
        assert.equal(info.apiKey, 'sk-test-key');
        assert.equal(info.url, `${info.origin}/v1`);
        const c = new OpenAI({ apiKey: info.apiKey, baseURL: info.url, maxRetries: 0 });
        const res = await c.images.generate({ model: 'gpt-image-1-mini', prompt: 'cli', quality: 'low' });
        assert.ok(res.data![0]!.b64_json);
      } finally {
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      }
    });
  });
});
