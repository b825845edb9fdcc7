import type { TerraformStack } from 'cdktf';
import { evaluate, formatFinding } from './engine';
import { GUARDRAIL_PACK } from './pack';
import type { GuardrailContext, GuardrailReport, Rule } from './types';

const reports = new WeakMap<TerraformStack, GuardrailReport>();

/**
 * Checks the stack against the rule pack when it is synthesized. Error findings fail
 * synthesis (nothing is written); warnings and suppressions are kept for the synth
 * summary ({@link guardrailReport}).
 */
export function applyGuardrails(stack: TerraformStack, context: GuardrailContext, rules: readonly Rule[] = GUARDRAIL_PACK): void {
  stack.node.addValidation({
    validate: () => {
      const report = evaluate(stack, context, rules);
      reports.set(stack, report);
      return report.findings.filter((f) => f.severity === 'error').map(formatFinding);
    },
  });
}

/** The report of the last synthesis of `stack`, if it has been checked. */
export function guardrailReport(stack: TerraformStack): GuardrailReport | undefined {
  return reports.get(stack);
}
