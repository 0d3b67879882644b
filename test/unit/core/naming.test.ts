import * as assert from 'assert';
import { imageFileName, slugify, tempName, uniqueName } from '../../../src/core/naming';

/** Nothing a file system or shell would trip on: no separators, reserved or control characters, no dots, no spaces. */
const SAFE = /^[^\s/\\:*?"<>|.\u0000-\u001f\u007f]+$/u;

/** No lone surrogate (String.prototype.isWellFormed is newer than the ES2022 lib). */
function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function assertSafe(slug: string, what: string): void {
  assert.match(slug, SAFE, `${what}: ${JSON.stringify(slug)}`);
  assert.ok(!slug.startsWith('-') && !slug.endsWith('-'), `${what}: no dash at the ends (${slug})`);
  assert.ok(!slug.includes('--'), `${what}: no double dash (${slug})`);
  assert.ok(wellFormed(slug), `${what}: no lone surrogate`);
}

suite('naming: slugify', () => {
  test('English prompts become lower-case words joined by dashes', () => {
    assert.strictEqual(slugify('A sea otter in a beret!'), 'a-sea-otter-in-a-beret');
    assert.strictEqual(slugify('  Pixel-art   CASTLE,  at night... (16x16)  '), 'pixel-art-castle-at-night-16x16');
    assert.strictEqual(slugify("The otter's hat, don’t lose it"), 'the-otters-hat-dont-lose-it');
  });

  test('Chinese and other scripts are kept as they are', () => {
    assert.strictEqual(slugify('一只戴贝雷帽的海獭，水彩风格'), '一只戴贝雷帽的海獭-水彩风格');
    assert.strictEqual(slugify('「赛博朋克」风格的城市夜景。'), '赛博朋克-风格的城市夜景');
    assert.strictEqual(slugify('Über café naïve'), 'über-café-naïve');
    assert.strictEqual(slugify('नमस्ते दुनिया'), 'नमस्ते-दुनिया');
    assert.strictEqual(slugify('ラーメン 🍜 の絵'), 'ラーメン-の絵');
  });

  test('mixed prompts, NFKC and emoji', () => {
    assert.strictEqual(slugify('A cat 在屋顶上 🐱 sleeping'), 'a-cat-在屋顶上-sleeping');
    assert.strictEqual(slugify('ＦＵＬＬ－ｗｉｄｔｈ ﬁsh'), 'full-width-fish');
    assert.strictEqual(slugify('rocket 🚀🚀 launch 👩🏽‍🚀 1️⃣ #2'), 'rocket-launch-1-2');
    assert.strictEqual(slugify('café'), slugify('cafe\u0301'), 'composed and decomposed accents agree');
  });

  test("nothing left: 'image'", () => {
    for (const p of ['', '   ', '...', '!!!???', '🎉🎉🎉', '👩‍👩‍👧‍👦', '\u0000\u0007\n\t', '\u0301\u0301', '—–-_', '<>:"/\\|?*']) {
      assert.strictEqual(slugify(p), 'image', JSON.stringify(p));
    }
  });

  test('unsafe characters never survive', () => {
    for (const p of ['../../etc/passwd', 'C:\\Windows\\System32', 'a/b\\c:d*e?f"g<h>i|j', '.hidden file.', 'tab\there\nnewline\u0000nul', 'trailing dots...', '-dash-', 'emoji🎉in🎉middle', 'zero\u200bwidth\u200djoiner', 'rtl\u202eoverride']) {
      assertSafe(slugify(p), p);
    }
    assert.strictEqual(slugify('../../etc/passwd'), 'etc-passwd');
    assert.strictEqual(slugify('.hidden file.'), 'hidden-file');
  });

  test('long prompts are cut within maxLength, at a word boundary when there is one', () => {
    const long = 'the quick brown fox jumps over the lazy dog and then some more words follow here';
    const s = slugify(long);
    assert.strictEqual(s, 'the-quick-brown-fox-jumps-over-the-lazy-dog-and');
    assert.ok(Array.from(s).length <= 48);
    assert.strictEqual(slugify(long, 20), 'the-quick-brown-fox');
    assert.strictEqual(slugify('x'.repeat(200)), 'x'.repeat(48), 'one long word: cut between characters');
    assert.strictEqual(slugify('a ' + 'y'.repeat(100)), 'a-' + 'y'.repeat(46), 'a first word too short to stop at');
    assert.strictEqual(slugify('一只戴贝雷帽的海獭'.repeat(10)), Array.from('一只戴贝雷帽的海獭'.repeat(10)).slice(0, 48).join(''));
    assertSafe(slugify(long, 3), 'tiny maxLength');
    assert.ok(Array.from(slugify(long, 3)).length <= 10, 'maxLength is at least 10');
  });

  test('the cut counts code points and never splits a surrogate pair or a base from its mark', () => {
    const astral = '𠀀𠀁𠀂'.repeat(40); // CJK Extension B: letters outside the BMP
    const s = slugify(astral);
    assert.strictEqual(Array.from(s).length, 48);
    assert.strictEqual(s.length, 96, 'UTF-16 length is twice');
    assertSafe(s, 'astral');
    for (let max = 10; max < 30; max++) {
      const t = slugify('नमस्ते'.repeat(20), max);
      assert.ok(Array.from(t).length <= max);
      assert.ok(!/\p{M}$/u.test(t) || /[\p{L}]\p{M}*$/u.test(t));
      assert.ok(!/^\p{M}/u.test(t), 'never starts with a mark');
    }
  });

  test('Windows reserved device names are avoided', () => {
    for (const name of ['CON', 'con', 'Prn', 'AUX', 'nul', 'COM1', 'com9', 'LPT1', 'lpt9', 'COM¹']) {
      const s = slugify(name);
      assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(s), `${name} -> ${s}`);
      assertSafe(s, name);
    }
    assert.strictEqual(slugify('CON'), 'con-image');
    assert.strictEqual(slugify('con.txt'), 'con-txt');
    assert.strictEqual(slugify('Console art'), 'console-art');
  });
});

suite('naming: imageFileName', () => {
  const time = new Date(2026, 10, 23, 14, 25, 1); // local time

  test('slug, local time, extension', () => {
    assert.strictEqual(imageFileName({ prompt: 'Sea otter in a beret', time, format: 'png' }), 'sea-otter-in-a-beret-20261123-142501.png');
    assert.strictEqual(imageFileName({ prompt: '一只戴贝雷帽的海獭，水彩风格', time, format: 'webp' }), '一只戴贝雷帽的海獭-水彩风格-20261123-142501.webp');
    assert.strictEqual(imageFileName({ prompt: 'x', time, format: 'jpeg' }), 'x-20261123-142501.jpg');
    assert.strictEqual(imageFileName({ prompt: '🎉', time: new Date(2027, 0, 2, 3, 4, 5), format: 'gif' }), 'image-20270102-030405.gif');
  });

  test('batch index: 1-based, padded to the width of the count, only when count > 1', () => {
    const name = (index: number, count: number) => imageFileName({ prompt: 'otter', time, index, count, format: 'png' });
    assert.strictEqual(name(0, 1), 'otter-20261123-142501.png');
    assert.strictEqual(name(0, 2), 'otter-20261123-142501-1.png');
    assert.strictEqual(name(1, 2), 'otter-20261123-142501-2.png');
    assert.strictEqual(name(0, 10), 'otter-20261123-142501-01.png');
    assert.strictEqual(name(9, 10), 'otter-20261123-142501-10.png');
    assert.strictEqual(name(6, 100), 'otter-20261123-142501-007.png');
    assert.strictEqual(imageFileName({ prompt: 'otter', time, count: 3, format: 'png' }), 'otter-20261123-142501.png');
    const batch = Array.from({ length: 10 }, (_, i) => name(i, 10));
    assert.strictEqual(new Set(batch).size, 10);
    assert.deepStrictEqual([...batch].sort(), batch, 'names sort in batch order');
  });

  test('an invalid time is refused', () => {
    assert.throws(() => imageFileName({ prompt: 'x', time: new Date('nope'), format: 'png' }), RangeError);
  });
});

suite('naming: uniqueName and tempName', () => {
  test('a free name is kept', async () => {
    assert.strictEqual(await uniqueName('otter.png', () => false), 'otter.png');
  });

  test('collisions get ~2, ~3..., sync or async, distinct from the batch index', async () => {
    const taken = new Set(['otter-20261123-142501-2.png', 'otter-20261123-142501-2~2.png']);
    assert.strictEqual(await uniqueName('otter-20261123-142501-2.png', (c) => taken.has(c)), 'otter-20261123-142501-2~3.png');
    const asked: string[] = [];
    const got = await uniqueName('海獭.webp', async (c) => {
      asked.push(c);
      await new Promise((r) => setTimeout(r, 1));
      return asked.length < 4;
    });
    assert.strictEqual(got, '海獭~4.webp');
    assert.deepStrictEqual(asked, ['海獭.webp', '海獭~2.webp', '海獭~3.webp', '海獭~4.webp']);
    assert.strictEqual(await uniqueName('a.b.png', (c) => c === 'a.b.png'), 'a.b~2.png');
    assert.strictEqual(await uniqueName('README', (c) => c === 'README'), 'README~2');
    assert.strictEqual(await uniqueName('.env', (c) => c === '.env'), '.env~2');
  });

  test('gives up after 100 names; errors of exists are passed on', async () => {
    let calls = 0;
    await assert.rejects(
      uniqueName('otter.png', () => {
        calls++;
        return true;
      }),
      /No free file name for "otter.png"/,
    );
    assert.strictEqual(calls, 100);
    await assert.rejects(uniqueName('otter.png', () => Promise.reject(new Error('EACCES'))), /EACCES/);
    await assert.rejects(uniqueName('', () => false), RangeError);
  });

  test('tempName: hidden, in the same folder, random, .tmp, not too long', () => {
    const a = tempName('otter-20261123-142501.png');
    const b = tempName('otter-20261123-142501.png');
    assert.match(a, /^\.otter-20261123-142501\.png\.[0-9a-f]{12}\.tmp$/);
    assert.notStrictEqual(a, b);
    assert.ok(!a.includes('/') && !a.includes('\\'));
    const long = tempName('海'.repeat(80) + '.png');
    assert.ok(Buffer.byteLength(long) <= 255, `${Buffer.byteLength(long)} bytes`);
    assert.ok(wellFormed(long));
    assert.match(long, /^\.海+\.[0-9a-f]{12}\.tmp$/);
  });
});
