import { TerraformStack, Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput, type RuntimeInputs } from '@estate/config';
import { REQUIRED_TAG_KEYS, isTaggable, missingRequiredTags } from '@estate/tagging';
import { ROLE_MODE_CONTEXT, type RoleMode } from './base-stack';
import type { AppBuilder } from './synth-app';

export interface SynthesizedStack {
  readonly name: string;
  readonly stack: TerraformStack;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

/**
 * Builds an app from the example organisation (with `runtime` as TEAM/COST_CENTER/
 * ENVIRONMENT_SUFFIX would give) and synthesizes every stack with validations on,
 * so guardrail errors throw exactly as in `nx run <app>:synth`. For app specs.
 */
export function synthesizeAll(build: AppBuilder, runtime: RuntimeInputs = {}, roleMode: RoleMode = 'deploy'): SynthesizedStack[] {
  const organisation = Organisation.fromInput(exampleOrganisationInput(), runtime);
  const app = Testing.app({ context: { [ROLE_MODE_CONTEXT]: roleMode } });
  build(app, organisation);
  return app.node
    .findAll()
    .filter(TerraformStack.isStack)
    .map((stack) => ({ name: stack.node.id, stack, json: JSON.parse(Testing.synth(stack, true)) }));
}

/** `address: missing keys` for every taggable resource of the stack that lacks a required tag. */
export function untaggedResources({ stack, json }: SynthesizedStack): string[] {
  const byPath = new Map<string, { address: string; tags?: Record<string, unknown> }>();
  for (const [type, resources] of Object.entries<Record<string, { '//'?: { metadata?: { path?: string } }; tags?: Record<string, unknown> }>>(json.resource ?? {})) {
    for (const [name, config] of Object.entries(resources)) {
      byPath.set(config['//']?.metadata?.path ?? '', { address: `${type}.${name}`, tags: config.tags });
    }
  }
  const problems: string[] = [];
  for (const node of stack.node.findAll()) {
    if (!isTaggable(node)) continue;
    const found = byPath.get(node.node.path);
    if (!found) continue;
    const missing = missingRequiredTags(found.tags);
    if (missing.length > 0) problems.push(`${found.address}: missing ${missing.join(', ')} (needs ${REQUIRED_TAG_KEYS.join(', ')})`);
  }
  return problems;
}
