import { organisationJsonSchema } from './schema';

/** Where the published JSON Schema lives, relative to the workspace root. */
export const ORGANISATION_SCHEMA_PATH = 'libs/config/organisation.schema.json';
/** How to regenerate it. */
export const ORGANISATION_SCHEMA_COMMAND = 'npx nx run config:schema';

/** The file's exact content: the schema, two-space indented, newline-terminated. */
export function renderOrganisationSchema(): string {
  return `${JSON.stringify(organisationJsonSchema(), null, 2)}\n`;
}
