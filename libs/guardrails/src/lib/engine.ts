import type { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { suppressionsFor } from './suppressions';
import type {
  Finding,
  GuardrailContext,
  GuardrailReport,
  ResourceView,
  Rule,
  StackView,
  SuppressedFinding,
} from './types';

const REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.|\})/;

/** Reads the stack's synthesized Terraform JSON into resource views. */
export function stackView(stack: TerraformStack): StackView {
  const json = stack.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const constructs = new Map<string, IConstruct>(stack.node.findAll().map((c) => [c.node.path, c]));
  const resources: ResourceView[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) {
      const meta = config['//'] as { metadata?: { path?: string } } | undefined;
      const path = meta?.metadata?.path ?? `${stack.node.id}/${name}`;
      resources.push({ type, name, address: `${type}.${name}`, path, config, construct: constructs.get(path) });
    }
  }
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  return {
    stackName: stack.node.id,
    resources,
    resolveReference(value: unknown) {
      if (typeof value !== 'string') return undefined;
      const match = REFERENCE.exec(value);
      return match ? byAddress.get(`${match[1]}.${match[2]}`) : undefined;
    },
    referencing(type: string, attribute: string, target: ResourceView) {
      return resources.filter((r) => {
        if (r.type !== type) return false;
        const value = r.config[attribute];
        const values = Array.isArray(value) ? value : [value];
        return values.some((v) => typeof v === 'string' && v.includes(`\${${target.address}.`));
      });
    },
  };
}

/** Runs `rules` over the stack and splits non-compliant results into findings and suppressed findings. */
export function evaluate(stack: TerraformStack, context: GuardrailContext, rules: readonly Rule[]): GuardrailReport {
  const view = stackView(stack);
  const knownIds = new Set(rules.map((r) => r.id));
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];

  for (const resource of view.resources) {
    const suppressions = resource.construct ? suppressionsFor(resource.construct) : [];
    for (const s of suppressions) {
      if (typeof s.reason !== 'string' || s.reason.trim().length < 10) {
        findings.push({
          ruleId: 'MIG-GR-1',
          severity: 'error',
          stack: view.stackName,
          path: resource.path,
          address: resource.address,
          message: `suppression of ${s.id} has no real reason (got '${s.reason ?? ''}'); write why this resource may break the rule (10+ characters)`,
        });
      }
      if (!knownIds.has(s.id)) {
        findings.push({
          ruleId: 'MIG-GR-2',
          severity: 'error',
          stack: view.stackName,
          path: resource.path,
          address: resource.address,
          message: `suppression names unknown rule '${s.id}'; known ids are listed in docs/guardrails.md`,
        });
      }
    }
    for (const rule of rules) {
      if (rule.productionOnly && context.tier !== 'production') continue;
      if (rule.resourceTypes.length > 0 && !rule.resourceTypes.includes(resource.type)) continue;
      const result = rule.check(resource, view, context);
      if (result.status !== 'non-compliant') continue;
      const finding: Finding = {
        ruleId: rule.id,
        severity: rule.severity,
        stack: view.stackName,
        path: resource.path,
        address: resource.address,
        message: `${result.detail}. Fix: ${rule.fix}`,
      };
      const suppression = suppressions.find((s) => s.id === rule.id && typeof s.reason === 'string' && s.reason.trim().length >= 10);
      if (suppression) suppressed.push({ ...finding, reason: suppression.reason });
      else findings.push(finding);
    }
  }
  return { findings, suppressed };
}

export function formatFinding(f: Finding): string {
  return `[${f.ruleId}] ${f.severity.toUpperCase()} ${f.stack} ${f.path} (${f.address}): ${f.message}`;
}
