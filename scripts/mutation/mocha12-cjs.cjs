// Preloaded into Stryker's test-runner processes (testRunnerNodeArgs in stryker.config.mjs).
//
// @stryker-mutator/mocha-runner 10.0.0 loads mocha's CLI helpers with extensionless require()
// calls (`mocha/lib/cli/run-helpers`, `mocha/lib/cli/options`). Mocha 12 ships those files as
// `.cjs`, which Node's require() does not try on its own, so the runner fails to start. Teaching
// require() to try `.cjs` after `.js` makes those paths resolve to mocha's own files, unchanged.
// Remove this file (and its line in stryker.config.mjs) once the mocha runner looks for `.cjs`.
'use strict';
const Module = require('node:module');
if (!Module._extensions['.cjs']) Module._extensions['.cjs'] = Module._extensions['.js'];
