#!/usr/bin/env node
'use strict';
// Entry point of the `voice-emotion` command; the implementation is the bundled dist/cli.js.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`error: ${cli}: not built yet; run "npm run build" first\n`);
  process.exitCode = 1;
} else {
  const { main, ignoreBrokenPipes } = require(cli);
  ignoreBrokenPipes();
  main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
}
