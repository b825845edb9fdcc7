/**
 * `nx run synth:check-organisation`: validates the organisation file once, before any app's
 * synth (every synth target depends on it), so a broken config is reported once under
 * `run-many`/`affected` instead of once per app. Cached on the file's content.
 *
 *   tsx tools/synth/src/check-organisation.ts [--help]
 */
import { loadOrganisation, OrganisationConfigError } from '@estate/config';

const HELP = `Validates the organisation config (ORG_CONFIG, default libs/config/organisation.example.json)
with TEAM, COST_CENTER and ENVIRONMENT_SUFFIX applied, and prints every problem with its line.

usage: npx nx run synth:check-organisation (directly: tsx tools/synth/src/check-organisation.ts [--help])

Exit codes: 0 valid (warnings are printed), 1 invalid, 2 bad arguments.`;

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  if (argv.length > 0) {
    const flags = argv.filter((a) => a.startsWith('-'));
    console.error(`check-organisation: ${flags.length > 0 ? `unknown option ${flags.join(', ')}` : `unexpected argument ${argv.join(' ')}`}\nusage: npx nx run synth:check-organisation (--help for more)`);
    return 2;
  }
  try {
    const organisation = loadOrganisation();
    for (const warning of organisation.warnings) console.warn(`warning: ${warning.path}: ${warning.message}`);
    console.log(`organisation config OK: ${organisation.source}${organisation.suffix ? ` (preview suffix ${organisation.suffix})` : ''}`);
    return 0;
  } catch (error) {
    if (error instanceof OrganisationConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
