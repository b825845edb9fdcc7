import { requiredTagsPresent } from './rules/tagging/required-tags-present';
import type { Rule } from './types';

/** Every rule, in id order. The pack test pins this list; docs/guardrails.md is generated from it. */
export const GUARDRAIL_PACK: readonly Rule[] = [requiredTagsPresent];
