#!/usr/bin/env node
/**
 * Nx runtime input of every synth and test target: prints a SHA-256 of the organisation
 * file's content (ORG_CONFIG, else the example), so editing the file, not only pointing
 * ORG_CONFIG elsewhere, invalidates the cache. A missing file prints its path: the task
 * then runs (and fails with the config error) instead of replaying a cached success.
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { isAbsolute, join, resolve } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const configured = process.env.ORG_CONFIG;
const path = configured
  ? isAbsolute(configured)
    ? configured
    : resolve(process.env.INIT_CWD || process.cwd(), configured)
  : join(root, 'libs', 'config', 'organisation.example.json');
process.stdout.write(existsSync(path) ? `${path} sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}` : `${path} missing`);
