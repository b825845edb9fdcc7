import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GUARDRAIL_DOC_PATH, renderGuardrailDoc } from './lib/doc';

/** Writes docs/guardrails.md from the rule pack. Run from the workspace root. */
const target = resolve(process.cwd(), GUARDRAIL_DOC_PATH);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderGuardrailDoc());
console.log(`wrote ${GUARDRAIL_DOC_PATH}`);
