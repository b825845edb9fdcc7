export { applyGuardrails, guardrailReport } from './lib/apply';
export { evaluate, formatFinding, stackView } from './lib/engine';
export { GUARDRAIL_PACK } from './lib/pack';
export { suppressRules, suppressionsFor } from './lib/suppressions';
export * from './lib/types';
