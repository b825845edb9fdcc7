import { TerraformStack, Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput, type RuntimeInputs } from '@estate/config';
import { REQUIRED_TAG_KEYS, isTaggable, missingRequiredTags, type RequiredTags } from '@estate/tagging';
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

/** A taggable resource as it appears in a stack's synthesized JSON. */
export interface TaggableResourceJson {
  /** Terraform address, `aws_s3_bucket.assets_bucket_1a2b3c4d`. */
  readonly address: string;
  /** The resource's `tags` argument as synthesized; undefined when it has none. */
  readonly tags: Record<string, unknown> | undefined;
}

/**
 * Every taggable resource of the stack (its provider class has a `tags` argument), looked up
 * in the synthesized JSON by resource type and logical id: the same key Terraform uses, so a
 * resource the JSON lacks or holds without tags is reported, never skipped.
 */
export function taggableResources({ stack, json }: SynthesizedStack): TaggableResourceJson[] {
  const resources = (json.resource ?? {}) as Record<string, Record<string, { tags?: Record<string, unknown> } | undefined>>;
  return stack.node
    .findAll()
    .filter(isTaggable)
    .map((node) => {
      const type = node.terraformResourceType;
      const id = node.friendlyUniqueId;
      const config = resources[type]?.[id];
      if (config === undefined) throw new Error(`${stack.node.id}: ${node.node.path} (${type}.${id}) is not in the synthesized JSON`);
      return { address: `${type}.${id}`, tags: config.tags };
    });
}

/**
 * `address: problem` for every taggable resource of the stack that lacks a required tag or,
 * when `expected` is given, carries a different value for one of its keys.
 */
export function untaggedResources(stack: SynthesizedStack, expected: Partial<RequiredTags> = {}): string[] {
  const problems: string[] = [];
  for (const { address, tags } of taggableResources(stack)) {
    const missing = missingRequiredTags(tags);
    if (missing.length > 0) problems.push(`${address}: missing ${missing.join(', ')} (needs ${REQUIRED_TAG_KEYS.join(', ')})`);
    for (const [key, value] of Object.entries(expected)) {
      const actual = tags?.[key];
      if (actual !== undefined && actual !== value) problems.push(`${address}: ${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
    }
  }
  return problems;
}
