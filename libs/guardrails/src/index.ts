export { applyGuardrails, guardrailReport } from './lib/apply';
export { GUARDRAIL_DOC_COMMAND, GUARDRAIL_DOC_PATH, renderGuardrailDoc } from './lib/doc';
export { evaluate, formatFinding, stackView } from './lib/engine';
export { GUARDRAIL_PACK } from './lib/pack';
export { parsePolicy, type ParsedPolicy, type PolicyKind, type Statement as PolicyStatementView } from './lib/policy';
export { suppressRules, suppressionsFor } from './lib/suppressions';
export * from './lib/types';
