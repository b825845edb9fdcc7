/**
 * Writes libs/config/organisation.schema.json from the zod schema (`nx run config:schema`),
 * or with `--check` exits 1 when the file is missing or stale (a spec runs the same check).
 *
 *   tsx libs/config/src/write-schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ORGANISATION_SCHEMA_COMMAND, ORGANISATION_SCHEMA_PATH, renderOrganisationSchema } from './lib/schema-file';

/** Undefined when `file` holds the current schema, else what is wrong and how to fix it. */
export function schemaFileProblem(file: string): string | undefined {
  let written: string;
  try {
    written = readFileSync(file, 'utf8');
  } catch {
    return `${file} is missing; generate it with: ${ORGANISATION_SCHEMA_COMMAND}`;
  }
  return written === renderOrganisationSchema() ? undefined : `${file} is out of date with libs/config/src/lib/schema.ts; regenerate it with: ${ORGANISATION_SCHEMA_COMMAND}`;
}

function main(args: readonly string[]): number {
  const unknown = args.filter((a) => a !== '--check');
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: nx run config:schema [-- --check]\n  writes libs/config/organisation.schema.json; --check only verifies it is current (exit 1 if not)');
    return 0;
  }
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.map((a) => `'${a}'`).join(', ')}\nusage: nx run config:schema [-- --check]`);
    return 2;
  }
  const file = resolve(__dirname, '..', '..', '..', ORGANISATION_SCHEMA_PATH);
  if (args.includes('--check')) {
    const problem = schemaFileProblem(file);
    console.log(problem ?? `${ORGANISATION_SCHEMA_PATH} is current`);
    return problem ? 1 : 0;
  }
  writeFileSync(file, renderOrganisationSchema());
  console.log(`wrote ${ORGANISATION_SCHEMA_PATH}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
