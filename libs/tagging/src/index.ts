export { REQUIRED_TAG_KEYS, missingRequiredTags, type RequiredTagKey, type RequiredTags } from './lib/required-tags';
export { RequiredTagsAspect, isTaggable } from './lib/tag-aspect';
