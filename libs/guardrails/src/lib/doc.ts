import { GUARDRAIL_PACK } from './pack';
import type { Rule } from './types';

/** Where the generated table lives, relative to the workspace root. */
export const GUARDRAIL_DOC_PATH = 'docs/guardrails.md';
/** The command that regenerates it. */
export const GUARDRAIL_DOC_COMMAND = 'npx tsx --tsconfig libs/guardrails/tsconfig.json libs/guardrails/src/write-doc.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/guardrails.md: how the guardrails run, how to suppress, and one row per rule. */
export function renderGuardrailDoc(rules: readonly Rule[] = GUARDRAIL_PACK): string {
  const rows = rules.map((r) =>
    [
      `\`${r.id}\``,
      `${r.severity}${r.productionOnly ? ' (production only)' : ''}`,
      cell(r.title),
      cell(r.rationale),
      cell(r.standard),
      cell(r.fix),
    ].join(' | '),
  );
  return [
    '# Guardrails',
    '',
    `<!-- Generated from libs/guardrails (GUARDRAIL_PACK). Do not edit by hand: run \`${GUARDRAIL_DOC_COMMAND}\`. -->`,
    '',
    'Every stack built on `BaseStack` is checked against this rule pack when it is synthesized',
    '(`nx run <app>:synth`, `Testing.synth(stack, true)`, CI). The rules read the stack\'s resolved',
    'Terraform JSON, so they see exactly what Terraform will apply, including resources written',
    'without the estate constructs.',
    '',
    '- **error** findings fail synthesis: nothing is written to `cdktf.out`, and the message names the',
    '  rule, the stack, the construct path, the Terraform address, what is wrong and how to fix it, e.g.',
    '  `[MIG-VPC-1] ERROR dev-app dev-app/alb/sg (aws_security_group.alb_sg_1234): ingress #2 of security group \'dev-alb\' allows tcp port 22 from 0.0.0.0/0. Fix: ...`',
    '- **warning** findings are printed in the synth summary and do not fail it.',
    '- **production only** rules run only in stacks whose tier is `production` (prod).',
    '',
    '## Suppressions',
    '',
    'A justified exception is declared on the construct (it covers the construct and everything',
    'below it), never by weakening a rule:',
    '',
    '```ts',
    "import { suppressRules } from '@estate/guardrails';",
    '',
    "suppressRules(logsBucket, [{ id: 'MIG-S3-2', reason: 'ALB access logs can only be delivered to SSE-S3 buckets' }]);",
    '```',
    '',
    '- Every suppression needs a written reason of at least 10 characters; one without is itself an',
    '  error (`MIG-GR-1`), and a suppression naming an unknown rule id is an error (`MIG-GR-2`).',
    '- Suppressed findings are listed in the synth summary (`suppressed [id] path: reason`), so every',
    '  exception stays visible in review and in CI logs.',
    '',
    '## Policy documents',
    '',
    'IAM, bucket, repository and key policies are read with `JSON.parse` (references stay `${...}` inside',
    'string values, as `@estate/iam` PolicyDocument renders them). A policy that is only known at apply',
    'time (`${jsonencode(...)}`, a data source, a variable) cannot be judged: `MIG-IAM-1` reports it once',
    'and the other IAM rules skip it, so it can neither pass unseen nor drown the summary. Key policies',
    "follow AWS's default key policy: `kms:*` on `Resource: \"*\"` (this key) for the account root is",
    'allowed; the same grant to anyone else is not. Principals given as references (for example a role',
    'ARN from this configuration) are treated as this account; literal account ids are compared with the',
    "stack's account when the guardrail context carries it, and are otherwise treated as another account.",
    '',
    '## Rules',
    '',
    '| Id | Severity | What it checks | Why | Standard | Fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}
