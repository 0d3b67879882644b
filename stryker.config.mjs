// Mutation testing of src/core (StrykerJS). Not part of `npm test` or CI: a full run takes about
// an hour on 2 cores. Run it with `npm run mutation` (scripts/mutation.mjs: finds Node >= 22,
// which Stryker 10 needs). See docs/mutation.md.
// @ts-check
import { fileURLToPath } from 'node:url';

// Mocha 12 ships its CLI helpers as .cjs, which @stryker-mutator/mocha-runner 10.0.0 cannot find
// (see the file). The fix is needed wherever the runner plugin loads: here, in the main process,
// and in every worker Stryker forks (through NODE_OPTIONS, which forked processes inherit).
const mochaCjs = fileURLToPath(new URL('./scripts/mutation/mocha12-cjs.cjs', import.meta.url));
await import(mochaCjs);
if (!(process.env.NODE_OPTIONS ?? '').includes(mochaCjs)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(mochaCjs)}`.trim();
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  // src/core, and the rules it shares with the webviews (src/shared: bytes, image formats, the model rules).
  mutate: ['src/core/**/*.ts', 'src/shared/bytes.ts', 'src/shared/imageFormat.ts', 'src/shared/modelRules.ts'],
  testRunner: 'mocha',
  mochaOptions: {
    // the unit suite as `npm run test:unit` runs it (tdd ui, out/test/unit/**/*.test.js)
    config: '.mocharc.json',
    // The fake server's own tests: they import nothing from src/core, and one of them (a 50 ms URL
    // lifetime) fails on a loaded machine, which would abort the initial run.
    ignore: ['out/test/unit/fake-openai/server.test.js'],
    // Speed-only tests (a time bound and nothing else, "[speed]" in the title) are left out: the
    // instrumented code is slower, the machine is shared, and a mutant "killed" by a missed time
    // bound says nothing about the rules. Their behaviour has its own test beside them.
    grep: '^(?!.*\\[speed\\])',
  },
  // The tests run from out/ (tsc output), so the sandbox compiles the instrumented sources and
  // the tests before the first run.
  buildCommand: 'npm run compile-tests',
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: the capability table, price grid, file signatures)
  // take a fresh process and the whole suite each, 20 to 50 s here: hundreds of them would add
  // hours. They are left out of the score (shown as Ignored); `--ignoreStatic false` includes them.
  ignoreStatic: true,
  // No type checker by default: here it costs 2 to 3 s per mutant (4,000 mutants) against about
  // 0.1 s for the tests that cover one, so a run would take several hours instead of about one.
  // Mutants that would not compile therefore run as well (most are killed by the tests). For
  // exact scores (such mutants left out), add `--checkers typescript`: it checks src/core alone.
  checkers: [],
  tsconfigFile: 'tsconfig.mutation.json',
  // Other people share this 2-core machine: at most 2 test runners (override with --concurrency).
  concurrency: 2,
  timeoutMS: 10000,
  ignorePatterns: ['dist', 'out', '.vscode-test', 'bench/.tmp', 'reports', '*.vsix'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
export default config;
