/**
 * src/core/links.ts in plain Node: the link each syntax gets for every kind of path (plain name,
 * spaces, non-ASCII, parentheses and quotes, nested folders, a document in a subfolder, `../`,
 * TeX's and URLs' special characters), the alt text escaped for each, where the link goes in a
 * line, the language ids, and reading every form back (what the hover and code actions see).
 * Expected links are written out by hand, never computed with the code under test.
 */
import * as assert from 'assert';
import {
  altText,
  candidatePaths,
  encodeUrlPath,
  findImageReference,
  IMAGE_LINK_LANGUAGES,
  imageLink,
  isBlockSyntax,
  mayHoldImageReference,
  normalizePath,
  placeLinks,
  referenceFor,
  relativePath,
  syntaxFor,
  type LinkSyntax,
} from '../../../src/core/links';

const file = (path: string) => ({ scheme: 'file', authority: '', path });

/** The paths a user can reach, as referenceFor makes them from the document and the image. */
const CASES = {
  plain: { doc: '/ws/README.md', image: '/ws/images/generated/sea-otter-20260101-120000.png', ref: 'images/generated/sea-otter-20260101-120000.png' },
  spaces: { doc: '/ws/README.md', image: '/ws/my images/a b.png', ref: 'my images/a b.png' },
  nonAscii: { doc: '/ws/README.md', image: '/ws/images/雪山-日出.png', ref: 'images/雪山-日出.png' },
  parensQuotes: { doc: '/ws/README.md', image: `/ws/images/otter (1) "hat" it's.png`, ref: `images/otter (1) "hat" it's.png` },
  nested: { doc: '/ws/README.md', image: '/ws/a/b/c/d.png', ref: 'a/b/c/d.png' },
  docInSubfolder: { doc: '/ws/docs/guide/intro.md', image: '/ws/docs/guide/img/a.png', ref: 'img/a.png' },
  up: { doc: '/ws/docs/guide/intro.md', image: '/ws/images/a~2.png', ref: '../../images/a~2.png' },
  special: { doc: '/ws/README.md', image: '/ws/100% #1 {x}_a&b$^~2.webp', ref: '100% #1 {x}_a&b$^~2.webp' },
} as const;
type Case = keyof typeof CASES;

/** Every syntax × case: the link for alt "a sea otter", written out. */
const EXPECTED: Record<LinkSyntax, Record<Case, string>> = {
  markdown: {
    plain: '![a sea otter](images/generated/sea-otter-20260101-120000.png)',
    spaces: '![a sea otter](my%20images/a%20b.png)',
    nonAscii: '![a sea otter](images/雪山-日出.png)',
    parensQuotes: '![a sea otter](images/otter%20%281%29%20%22hat%22%20it%27s.png)',
    nested: '![a sea otter](a/b/c/d.png)',
    docInSubfolder: '![a sea otter](img/a.png)',
    up: '![a sea otter](../../images/a~2.png)',
    special: '![a sea otter](100%25%20%231%20%7Bx%7D_a&b$%5E~2.webp)',
  },
  html: {
    plain: '<img src="images/generated/sea-otter-20260101-120000.png" alt="a sea otter">',
    spaces: '<img src="my%20images/a%20b.png" alt="a sea otter">',
    nonAscii: '<img src="images/雪山-日出.png" alt="a sea otter">',
    parensQuotes: '<img src="images/otter%20%281%29%20%22hat%22%20it%27s.png" alt="a sea otter">',
    nested: '<img src="a/b/c/d.png" alt="a sea otter">',
    docInSubfolder: '<img src="img/a.png" alt="a sea otter">',
    up: '<img src="../../images/a~2.png" alt="a sea otter">',
    special: '<img src="100%25%20%231%20%7Bx%7D_a&amp;b$%5E~2.webp" alt="a sea otter">',
  },
  jsx: {
    plain: '<img src="images/generated/sea-otter-20260101-120000.png" alt="a sea otter" />',
    spaces: '<img src="my%20images/a%20b.png" alt="a sea otter" />',
    nonAscii: '<img src="images/雪山-日出.png" alt="a sea otter" />',
    parensQuotes: '<img src="images/otter%20%281%29%20%22hat%22%20it%27s.png" alt="a sea otter" />',
    nested: '<img src="a/b/c/d.png" alt="a sea otter" />',
    docInSubfolder: '<img src="img/a.png" alt="a sea otter" />',
    up: '<img src="../../images/a~2.png" alt="a sea otter" />',
    special: '<img src="100%25%20%231%20%7Bx%7D_a&amp;b$%5E~2.webp" alt="a sea otter" />',
  },
  css: {
    plain: 'url("images/generated/sea-otter-20260101-120000.png")',
    spaces: 'url("my%20images/a%20b.png")',
    nonAscii: 'url("images/雪山-日出.png")',
    parensQuotes: 'url("images/otter%20%281%29%20%22hat%22%20it%27s.png")',
    nested: 'url("a/b/c/d.png")',
    docInSubfolder: 'url("img/a.png")',
    up: 'url("../../images/a~2.png")',
    special: 'url("100%25%20%231%20%7Bx%7D_a&b$%5E~2.webp")',
  },
  rst: {
    plain: '.. image:: images/generated/sea-otter-20260101-120000.png\n   :alt: a sea otter',
    spaces: '.. image:: my\\ images/a\\ b.png\n   :alt: a sea otter',
    nonAscii: '.. image:: images/雪山-日出.png\n   :alt: a sea otter',
    parensQuotes: `.. image:: images/otter\\ (1)\\ "hat"\\ it's.png\n   :alt: a sea otter`,
    nested: '.. image:: a/b/c/d.png\n   :alt: a sea otter',
    docInSubfolder: '.. image:: img/a.png\n   :alt: a sea otter',
    up: '.. image:: ../../images/a~2.png\n   :alt: a sea otter',
    special: '.. image:: 100%\\ #1\\ {x}_a&b$^~2.webp\n   :alt: a sea otter',
  },
  asciidoc: {
    plain: 'image::images/generated/sea-otter-20260101-120000.png[a sea otter]',
    spaces: 'image::my images/a b.png[a sea otter]',
    nonAscii: 'image::images/雪山-日出.png[a sea otter]',
    parensQuotes: `image::images/otter (1) "hat" it's.png[a sea otter]`,
    nested: 'image::a/b/c/d.png[a sea otter]',
    docInSubfolder: 'image::img/a.png[a sea otter]',
    up: 'image::../../images/a~2.png[a sea otter]',
    special: 'image::100% #1 {x}_a&b$^~2.webp[a sea otter]',
  },
  latex: {
    plain: '\\includegraphics{images/generated/sea-otter-20260101-120000.png}',
    spaces: '\\includegraphics{my images/a b.png}',
    nonAscii: '\\includegraphics{images/雪山-日出.png}',
    parensQuotes: `\\includegraphics{images/otter (1) "hat" it's.png}`,
    nested: '\\includegraphics{a/b/c/d.png}',
    docInSubfolder: '\\includegraphics{img/a.png}',
    up: '\\includegraphics{../../images/a\\string~2.png}',
    special: '\\includegraphics{100\\string\\% \\string\\#1 \\string\\{x\\string\\}\\string\\_a\\string\\&b\\string\\$\\string\\^\\string~2.webp}',
  },
  path: {
    plain: 'images/generated/sea-otter-20260101-120000.png',
    spaces: 'my images/a b.png',
    nonAscii: 'images/雪山-日出.png',
    parensQuotes: `images/otter (1) "hat" it's.png`,
    nested: 'a/b/c/d.png',
    docInSubfolder: 'img/a.png',
    up: '../../images/a~2.png',
    special: '100% #1 {x}_a&b$^~2.webp',
  },
};

const SYNTAXES = Object.keys(EXPECTED) as LinkSyntax[];

suite('links: paths relative to the document', () => {
  test('relativePath: same folder, below, above, and a folder named like a prefix', () => {
    assert.strictEqual(relativePath('/ws/docs', '/ws/images/generated/a.png'), '../images/generated/a.png');
    assert.strictEqual(relativePath('/ws', '/ws/images/a.png'), 'images/a.png');
    assert.strictEqual(relativePath('/ws/images/generated', '/ws/images/generated/a.png'), 'a.png');
    assert.strictEqual(relativePath('/ws/a/b/c', '/ws/x.png'), '../../../x.png');
    assert.strictEqual(relativePath('/', '/x.png'), 'x.png');
    assert.strictEqual(relativePath('/ws/img', '/ws/images/a.png'), '../images/a.png');
    assert.strictEqual(relativePath('/ws/Docs', '/ws/docs/a.png'), '../docs/a.png', 'segments compare case-sensitively');
  });

  test('every case: referenceFor gives the path the table expects', () => {
    for (const [name, c] of Object.entries(CASES)) {
      assert.strictEqual(referenceFor(file(c.image), file(c.doc), 'unused'), c.ref, name);
    }
  });

  test('a document outside the workspace on the same file system still gets a path from its folder', () => {
    assert.strictEqual(referenceFor(file('/home/me/ws/images/a.png'), file('/tmp/notes/todo.md'), 'images/a.png'), '../../home/me/ws/images/a.png');
  });

  test('untitled documents, other file systems and no document get the workspace-relative path', () => {
    const img = file('/ws/images/a.png');
    assert.strictEqual(referenceFor(img, { scheme: 'untitled', authority: '', path: 'Untitled-1' }, 'images/a.png'), 'images/a.png');
    assert.strictEqual(referenceFor(img, { scheme: 'vscode-remote', authority: 'ssh-remote+x', path: '/ws/docs/a.md' }, 'images/a.png'), 'images/a.png');
    assert.strictEqual(referenceFor(img, { scheme: 'file', authority: 'server', path: '/ws/docs/a.md' }, 'images/a.png'), 'images/a.png');
    assert.strictEqual(referenceFor(img, undefined, 'images/a.png'), 'images/a.png');
  });

  test('normalizePath folds . and .., keeps a leading /', () => {
    assert.strictEqual(normalizePath('/ws/docs/../images/./a.png'), '/ws/images/a.png');
    assert.strictEqual(normalizePath('/../a.png'), '/a.png');
    assert.strictEqual(normalizePath('a/../../b.png'), '../b.png');
    assert.strictEqual(normalizePath('/ws//a.png'), '/ws/a.png');
  });
});

suite('links: one link per syntax', () => {
  for (const syntax of SYNTAXES) {
    test(`${syntax}: every kind of path`, () => {
      for (const [name, c] of Object.entries(CASES) as [Case, (typeof CASES)[Case]][]) {
        assert.strictEqual(imageLink(syntax, c.ref, 'a sea otter'), EXPECTED[syntax][name], `${syntax} × ${name}`);
      }
    });
  }

  test('the URL encoding: what would end, query or escape a URL is encoded; letters of any script are not', () => {
    assert.strictEqual(encodeUrlPath('a b(c)"d\'e`f<g>h#i?j%k[l]m{n}o|p^q\\r.png'), 'a%20b%28c%29%22d%27e%60f%3Cg%3Eh%23i%3Fj%25k%5Bl%5Dm%7Bn%7Do%7Cp%5Eq%5Cr.png');
    assert.strictEqual(encodeUrlPath('фото/照片 1.png'), 'фото/照片%201.png');
    assert.strictEqual(encodeUrlPath('tab\there\nnew.png'), 'tab%09here%0Anew.png');
    assert.strictEqual(encodeUrlPath('../a-b_c.~d!$&+,;=@.png'), '../a-b_c.~d!$&+,;=@.png');
  });

  const ALT = 'a "sea" otter & <friend> [draft] {x}, size=big \\ end';
  test('the alt text is escaped for each syntax', () => {
    const alt: Record<LinkSyntax, string> = {
      markdown: '![a "sea" otter & \\<friend> \\[draft\\] {x}, size=big \\\\ end](a.png)',
      html: '<img src="a.png" alt="a &quot;sea&quot; otter &amp; &lt;friend&gt; [draft] {x}, size=big \\ end">',
      jsx: '<img src="a.png" alt="a &quot;sea&quot; otter &amp; &lt;friend&gt; [draft] &#123;x&#125;, size=big \\ end" />',
      css: 'url("a.png")',
      rst: '.. image:: a.png\n   :alt: a "sea" otter & <friend> [draft] {x}, size=big \\ end',
      asciidoc: 'image::a.png["a \\"sea\\" otter & <friend> [draft] {x}, size=big \\ end"]',
      latex: '\\includegraphics{a.png}',
      path: 'a.png',
    };
    for (const s of SYNTAXES) assert.strictEqual(imageLink(s, 'a.png', ALT), alt[s], s);
  });

  test('Markdown: backticks and backslashes in the alt cannot open code or escape the bracket', () => {
    assert.strictEqual(imageLink('markdown', 'a.png', 'x `y` z\\'), '![x \\`y\\` z\\\\](a.png)');
  });

  test('AsciiDoc: an alt without commas, quotes, = or ] stays unquoted; a [ in the path is encoded', () => {
    assert.strictEqual(imageLink('asciidoc', 'a.png', "it's a [draft]"), `image::a.png["it's a [draft]"]`);
    assert.strictEqual(imageLink('asciidoc', 'a.png', 'plain words. and more!'), 'image::a.png[plain words. and more!]');
    assert.strictEqual(imageLink('asciidoc', 'img/[old] a.png', 'x'), 'image::img/%5Bold] a.png[x]');
  });

  test('an empty alt: rST leaves the :alt: option out, the others write an empty one', () => {
    assert.strictEqual(imageLink('rst', 'a.png', ''), '.. image:: a.png');
    assert.strictEqual(imageLink('markdown', 'a.png', ''), '![](a.png)');
    assert.strictEqual(imageLink('asciidoc', 'a.png', ''), 'image::a.png[]');
    assert.strictEqual(imageLink('html', 'a.png', ''), '<img src="a.png" alt="">');
  });
});

suite('links: language ids', () => {
  test('each VS Code language id maps to its syntax; any other gets a plain path', () => {
    const want: [string, LinkSyntax][] = [
      ['markdown', 'markdown'], ['mdx', 'markdown'], ['quarto', 'markdown'], ['prompt', 'markdown'],
      ['html', 'html'], ['vue', 'html'], ['svelte', 'html'], ['astro', 'html'], ['php', 'html'], ['razor', 'html'],
      ['javascriptreact', 'jsx'], ['typescriptreact', 'jsx'],
      ['css', 'css'], ['scss', 'css'], ['sass', 'css'], ['less', 'css'], ['stylus', 'css'],
      ['restructuredtext', 'rst'], ['asciidoc', 'asciidoc'],
      ['latex', 'latex'], ['tex', 'latex'], ['doctex', 'latex'],
      ['plaintext', 'path'], ['python', 'path'], ['json', 'path'], ['typescript', 'path'], ['javascript', 'path'], ['', 'path'],
    ];
    for (const [id, syntax] of want) assert.strictEqual(syntaxFor(id), syntax, id);
  });

  test('only rST and AsciiDoc links are blocks', () => {
    assert.deepStrictEqual(SYNTAXES.filter(isBlockSyntax), ['rst', 'asciidoc']);
  });
});

suite('links: alt text from the prompt', () => {
  test('one line, at most 100 characters, cut at a word', () => {
    assert.strictEqual(altText('  a sea otter\n\nin a   beret '), 'a sea otter in a beret');
    const long = altText('word '.repeat(60));
    assert.ok(long.length <= 101 && long.endsWith('…') && !long.includes('  '), long);
    assert.strictEqual(long.slice(0, -1).trim().split(' ').every((w) => w === 'word'), true);
    assert.strictEqual(altText('a'.repeat(150)), `${'a'.repeat(100)}…`, 'one long word is cut where it must be');
    assert.strictEqual(altText('一只戴贝雷帽的海獭', '', 5), '一只戴贝雷…');
  });

  test('an image without a prompt (a variation) takes its file name, never nothing', () => {
    assert.strictEqual(altText('', 'photo-variation-20261202-101500.png'), 'photo variation 20261202 101500');
    assert.strictEqual(altText('  \n', 'photo_variation.webp'), 'photo variation');
    assert.strictEqual(imageLink('markdown', 'images/v.png', altText('', 'v-1.png')), '![v 1](images/v.png)');
  });
});

suite('links: where the link goes in the line', () => {
  /** placeLinks over a document given as text, for the span [from, to) given as "line:col". */
  const place = (syntax: LinkSyntax, links: string[], text: string, from: string, to = from) => {
    const lines = text.split('\n');
    const pos = (s: string) => ({ line: Number(s.split(':')[0]), character: Number(s.split(':')[1]) });
    return placeLinks(syntax, links, { start: pos(from), end: pos(to) }, (n) => lines[n]);
  };

  test('a selection replaced by one inline link: as it is, between spaces', () => {
    assert.strictEqual(place('markdown', ['![x](a.png)'], 'Intro: a fox here.', '0:7', '0:12'), '![x](a.png)');
    assert.strictEqual(place('html', ['<img>'], '<p>a fox</p>', '0:3', '0:8'), '<img>');
  });

  test('an inline link touching a word gets a space on that side', () => {
    assert.strictEqual(place('markdown', ['L'], 'a fox', '0:5'), ' L');
    assert.strictEqual(place('markdown', ['L'], 'a fox.', '0:6'), ' L');
    assert.strictEqual(place('markdown', ['L'], 'foxbar', '0:3'), ' L ');
    assert.strictEqual(place('css', ['url("a.png")'], 'background:', '0:11'), ' url("a.png")');
    assert.strictEqual(place('path', ['a.png'], 'const p = "";', '0:11'), 'a.png', 'inside quotes, no space');
    assert.strictEqual(place('markdown', ['L'], '(x)', '0:1'), 'L ', 'an opening bracket needs no space, a word after it does');
  });

  test('several inline links: one per line, indented like the line; CSS layers comma-separated', () => {
    assert.strictEqual(place('markdown', ['A', 'B', 'C'], '', '0:0'), 'A\nB\nC');
    assert.strictEqual(place('html', ['<img a>', '<img b>'], '    <div>', '0:9'), '<img a>\n    <img b>');
    assert.strictEqual(place('css', ['url("a.png")', 'url("b.png")'], '  background-image: ', '0:20'), 'url("a.png"), url("b.png")');
  });

  test('a block (rST, AsciiDoc) stands alone: blank lines around it where it would touch text', () => {
    const rst = '.. image:: a.png\n   :alt: x';
    assert.strictEqual(place('rst', [rst], 'A paragraph.', '0:12'), `\n\n${rst}`);
    assert.strictEqual(place('rst', [rst], 'A fox. Then more.', '0:2', '0:5'), `\n\n${rst}\n\n`);
    assert.strictEqual(place('rst', [rst], 'Title\n\n\n\nNext', '2:0'), rst, 'blank lines around already');
    assert.strictEqual(place('rst', [rst], 'Para\n\nNext', '1:0'), `\n${rst}\n`, 'text right above and below');
    assert.strictEqual(place('asciidoc', ['image::a.png[x]', 'image::b.png[y]'], '', '0:0'), 'image::a.png[x]\n\nimage::b.png[y]');
  });

  test('an indented block keeps the indentation on every line (the rST :alt: under its directive)', () => {
    assert.strictEqual(place('rst', ['.. image:: a.png\n   :alt: x', '.. image:: b.png'], '   ', '0:3'), '.. image:: a.png\n      :alt: x\n\n   .. image:: b.png');
  });
});

suite('links: reading a link back (hover, code actions)', () => {
  const at = (line: string, column: number) => findImageReference(line, column);
  const target = (line: string, column = line.indexOf('.png') >= 0 ? line.indexOf('.png') : line.length - 1) => at(line, column)?.target;

  test('every syntax × every case: the link written is read back as the same path', () => {
    for (const syntax of SYNTAXES) {
      for (const [name, c] of Object.entries(CASES)) {
        const line = imageLink(syntax, c.ref, 'a sea otter').split('\n')[0];
        // a plain path with spaces or quotes is found when quoted, as code has it
        const text = syntax === 'path' && /[\s"'()]/.test(c.ref) ? `"${c.ref.replace(/"/g, '\\"')}"` : line;
        if (syntax === 'path' && /"/.test(c.ref)) continue; // a bare path with a quote in it cannot be told apart
        const found = at(text, 1);
        assert.strictEqual(found?.target, c.ref, `${syntax} × ${name}: ${text}`);
      }
    }
  });

  test('the whole link is the range, and a column just after it still counts', () => {
    const line = 'See ![otter](images/a.png) here';
    const found = at(line, 10)!;
    assert.deepStrictEqual([found.start, found.end, found.syntax], [4, 26, 'markdown']);
    assert.strictEqual(at(line, 26)?.target, 'images/a.png');
    assert.strictEqual(at(line, 3), undefined);
    assert.strictEqual(at(line, 28), undefined);
  });

  test('hand-written Markdown: <...> destinations, titles, plain links, escapes', () => {
    assert.strictEqual(target('![a](<my images/a b.png>)', 5), 'my images/a b.png');
    assert.strictEqual(target('![a](images/a.png "A title")', 5), 'images/a.png');
    assert.strictEqual(target('[the picture](images/a.png)', 3), 'images/a.png');
    assert.strictEqual(target('![a \\] b](x\\(1\\).png)', 2), 'x(1).png');
    assert.strictEqual(target('![a](a%20b.png?raw=true#frag)', 2), 'a b.png');
    assert.strictEqual(target('![a](images/(1).png)', 2), 'images/(1).png', 'balanced parentheses');
  });

  test('hand-written HTML, JSX and CSS', () => {
    assert.strictEqual(target(`<img alt="x" src='images/a b.png'>`), 'images/a b.png');
    assert.strictEqual(target('<img src="a&amp;b&#32;c&#x21;.png">'), 'a&b c!.png');
    assert.strictEqual(target('<a href="big.png">'), 'big.png');
    assert.strictEqual(target('.hero { background: url(img/a.png) no-repeat; }'), 'img/a.png');
    assert.strictEqual(target(`.hero { background: url( 'img/a\\ b.png' ); }`), 'img/a b.png');
    assert.strictEqual(target('.x { background: url("a\\22 b.png"); }'), 'a"b.png');
  });

  test('hand-written rST, AsciiDoc and LaTeX', () => {
    assert.strictEqual(target('.. figure:: img/a.png', 3), 'img/a.png');
    assert.strictEqual(target('   .. image:: img/a.png  ', 5), 'img/a.png');
    assert.strictEqual(target('Inline image:icons/a.png[icon] in text'), 'icons/a.png');
    assert.strictEqual(target('image::a%20b.png[]', 3), 'a b.png');
    assert.strictEqual(target('\\includegraphics[width=0.5\\linewidth]{fig/a.png}', 3), 'fig/a.png');
    assert.strictEqual(target('\\includegraphics*{"fig/a b.png"}', 3), 'fig/a b.png');
  });

  test('plain paths: quoted in code, bare in text', () => {
    assert.strictEqual(target(`const hero = require('./assets/hero.png');`), './assets/hero.png');
    assert.strictEqual(target('"icon": "media\\\\icon.png",'), 'media\\icon.png');
    assert.strictEqual(target('See images/a.png.'), 'images/a.png');
    assert.strictEqual(target('logo: assets/雪山.webp'), 'assets/雪山.webp');
  });

  test('no image there: other files, other words, near misses', () => {
    assert.strictEqual(at('![a](diagram.svg)', 3), undefined);
    assert.strictEqual(at('see a.pngx', 6), undefined);
    assert.strictEqual(at('no images on this line', 3), undefined);
    assert.strictEqual(at('', 0), undefined);
  });

  test('the cheap first look agrees', () => {
    assert.strictEqual(mayHoldImageReference('![a](b.PNG)'), true);
    assert.strictEqual(mayHoldImageReference('x.jpeg'), true);
    assert.strictEqual(mayHoldImageReference('just text'), false);
  });
});

suite('links: which files a path found may name', () => {
  const ctx = { docDir: '/ws/docs', roots: ['/ws'] };

  test('relative to the document first, then to each workspace folder', () => {
    assert.deepStrictEqual(candidatePaths('img/a.png', ctx), ['/ws/docs/img/a.png', '/ws/img/a.png']);
    assert.deepStrictEqual(candidatePaths('../images/a.png', ctx), ['/ws/images/a.png', '/images/a.png']);
    assert.deepStrictEqual(candidatePaths('./a.png', { docDir: '/ws', roots: ['/ws', '/other'] }), ['/ws/a.png', '/other/a.png']);
  });

  test('an untitled document: the workspace folders only', () => {
    assert.deepStrictEqual(candidatePaths('images/a.png', { roots: ['/ws'] }), ['/ws/images/a.png']);
  });

  test('a leading / is the workspace root, then the absolute path', () => {
    assert.deepStrictEqual(candidatePaths('/images/a.png', ctx), ['/ws/images/a.png', '/images/a.png']);
  });

  test('file: URLs and Windows paths name files; other URLs name none', () => {
    assert.deepStrictEqual(candidatePaths('file:///ws/a%20b.png', ctx), ['/ws/a b.png']);
    assert.deepStrictEqual(candidatePaths('C:\\work\\a.png', { roots: [] }), ['/C:/work/a.png']);
    assert.deepStrictEqual(candidatePaths('images\\a.png', ctx), ['/ws/docs/images/a.png', '/ws/images/a.png']);
    assert.deepStrictEqual(candidatePaths('https://example.com/a.png', ctx), []);
    assert.deepStrictEqual(candidatePaths('//cdn/a.png', ctx), []);
    assert.deepStrictEqual(candidatePaths('data:image/png;base64,xx.png', ctx), []);
  });
});

suite('links: the languages that get the hover and code actions activate the extension', () => {
  test('package.json lists onLanguage for exactly IMAGE_LINK_LANGUAGES, and each has a link syntax or is plain text', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../../../../package.json') as { activationEvents: string[] };
    // jsonc: the asset manifest (pixelwright.assets.json) gets its CodeLens and diagnostics, not link features.
    const onLanguage = pkg.activationEvents.filter((e) => e.startsWith('onLanguage:') && e !== 'onLanguage:jsonc').map((e) => e.slice('onLanguage:'.length));
    assert.deepStrictEqual([...onLanguage].sort(), [...IMAGE_LINK_LANGUAGES].sort());
    for (const id of IMAGE_LINK_LANGUAGES) assert.ok(id === 'plaintext' || syntaxFor(id) !== 'path', id);
  });
});
