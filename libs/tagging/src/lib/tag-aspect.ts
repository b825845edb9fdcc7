import { Annotations, TerraformResource, Token, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { REQUIRED_TAG_KEYS, missingRequiredTags, type RequiredTags } from './required-tags';

/** A provider resource class that exposes a `tags` map argument. */
interface TaggableResource extends TerraformResource {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

/**
 * True for resources whose Terraform schema has a `tags` map. Every generated
 * provider class with that argument has a `tagsInput` accessor on its prototype.
 */
export function isTaggable(node: IConstruct): node is TaggableResource {
  return TerraformResource.isTerraformResource(node) && 'tagsInput' in node;
}

/**
 * Writes the required tags onto every taggable resource, under the resource's own
 * tags (a resource may add `Name`, never change Environment/Team/CostCenter).
 * The provider's `default_tags` carries the same values; writing them on the
 * resource as well makes them visible in the synthesized JSON, where the tests and
 * the guardrails check them, and covers resources that ignore `default_tags`.
 */
export class RequiredTagsAspect implements IAspect {
  constructor(private readonly tags: RequiredTags & Record<string, string>) {
    const missing = missingRequiredTags(tags);
    if (missing.length > 0) {
      throw new Error(`RequiredTagsAspect: tag value missing for ${missing.join(', ')}; every resource needs ${REQUIRED_TAG_KEYS.join(', ')}`);
    }
  }

  visit(node: IConstruct): void {
    if (!isTaggable(node)) return;
    const existing = node.tagsInput;
    if (existing !== undefined && Token.isUnresolved(existing)) {
      Annotations.of(node).addWarning('tags are computed at apply time; required tags cannot be merged here (default_tags still applies)');
      return;
    }
    node.tags = { ...(existing ?? {}), ...this.tags };
  }
}
