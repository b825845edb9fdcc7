import type { z } from 'zod';
import type { organisationSchema } from './schema';

/** The environments this product builds, in deploy order. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Every account the product knows about. `legacy` is read from (and lightly written to) during the transition. */
export const ACCOUNT_ROLES = ['legacy', 'ops', ...ENVIRONMENT_NAMES] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Peers a peering entry may name: an environment or the legacy VPC. */
export type PeerName = EnvironmentName | 'legacy';

/** Makes every field, list and tuple of `T` read-only. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The organisation as written in the config file (see `organisation.example.json`),
 * inferred from the schema in `schema.ts`: field documentation lives there and in the
 * generated `organisation.schema.json`.
 */
export type OrganisationInput = DeepReadonly<z.output<typeof organisationSchema>>;
export type AccountConfig = OrganisationInput['accounts']['ops'];
export type IamConfig = OrganisationInput['iam'];
export type GithubConfig = OrganisationInput['github'];
export type ServiceConfig = OrganisationInput['services'][number];
export type DatabaseConfig = OrganisationInput['databases'][number];
export type LegacyDatabaseConfig = OrganisationInput['legacy']['databases'][number];
export type LegacyConfig = OrganisationInput['legacy'];
export type PeeringConfig = OrganisationInput['peering'][number];
export type EnvironmentConfig = OrganisationInput['environments']['dev'];

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}
