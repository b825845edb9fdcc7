import { Testing, type TerraformStack } from 'cdktf';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { EnvironmentStacks } from '../lib/environment-stacks';

/** Test-only: builds the environment's stacks and synthesizes `pick` with the guardrails on (they throw on error findings). */
export function synthEnvironment(name: 'dev' | 'staging' | 'prod', suffix?: string) {
  const organisation = Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: suffix });
  const stacks = new EnvironmentStacks(Testing.app(), { environment: organisation.environment(name), organisation });
  const synth = (stack: TerraformStack) => JSON.parse(Testing.synth(stack, true));
  return { stacks, synth };
}

