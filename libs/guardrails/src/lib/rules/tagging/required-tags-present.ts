import { isTaggable } from '@estate/tagging';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Every taggable resource carries Environment, Team and CostCenter with non-empty values. */
export const requiredTagsPresent: Rule = {
  id: 'MIG-TAG-1',
  title: 'Taggable resources carry Environment, Team and CostCenter',
  severity: 'error',
  rationale: 'Cost allocation, ownership and access policies (aws:ResourceTag) depend on these tags being on every resource.',
  fix: 'let the base stack tag the resource (do not replace `tags` with a computed value), or set the missing tags explicitly',
  standard: 'AWS Tagging Best Practices; cdk-nag-style tag policy',
  resourceTypes: [],
  check(resource, _stack, context) {
    if (!resource.construct || !isTaggable(resource.construct)) return notApplicable;
    const tags = resource.config['tags'] as Record<string, unknown> | undefined;
    const missing = context.requiredTagKeys.filter((key) => typeof tags?.[key] !== 'string' || String(tags[key]).trim() === '');
    return missing.length === 0 ? compliant : nonCompliant(`missing required tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  },
};
