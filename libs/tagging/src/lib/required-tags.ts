/** The tags every taggable resource must carry, in this order. */
export const REQUIRED_TAG_KEYS = ['Environment', 'Team', 'CostCenter'] as const;
export type RequiredTagKey = (typeof REQUIRED_TAG_KEYS)[number];
export type RequiredTags = Readonly<Record<RequiredTagKey, string>>;

/** Required keys that are missing or blank in `tags`. */
export function missingRequiredTags(tags: Readonly<Record<string, unknown>> | undefined): RequiredTagKey[] {
  return REQUIRED_TAG_KEYS.filter((key) => {
    const value = tags?.[key];
    return typeof value !== 'string' || value.trim() === '';
  });
}
