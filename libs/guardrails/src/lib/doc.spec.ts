import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GUARDRAIL_DOC_COMMAND, GUARDRAIL_DOC_PATH, renderGuardrailDoc } from './doc';
import { GUARDRAIL_PACK } from './pack';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

describe('docs/guardrails.md', () => {
  it('has one table row per rule, with its severity and standard', () => {
    const doc = renderGuardrailDoc();
    for (const rule of GUARDRAIL_PACK) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${rule.id}\` |`));
      expect(row).toContain(rule.severity);
      expect(row).toContain(rule.standard.replace(/\|/g, '\\|'));
    }
    expect(doc).toContain('## Suppressions');
  });

  it('is in sync with the rule pack', () => {
    const path = resolve(WORKSPACE_ROOT, GUARDRAIL_DOC_PATH);
    let written = '';
    try {
      written = readFileSync(path, 'utf8');
    } catch {
      throw new Error(`${GUARDRAIL_DOC_PATH} is missing; generate it with: ${GUARDRAIL_DOC_COMMAND}`);
    }
    if (written !== renderGuardrailDoc()) {
      throw new Error(`${GUARDRAIL_DOC_PATH} is out of date with the rule pack; regenerate it with: ${GUARDRAIL_DOC_COMMAND}`);
    }
  });
});
