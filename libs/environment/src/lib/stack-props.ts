import type { EnvironmentContext, Organisation } from '@estate/config';

/** What every environment stack is given. */
export interface EnvironmentStackProps {
  readonly environment: EnvironmentContext;
  readonly organisation: Organisation;
}
