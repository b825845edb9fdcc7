import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { Organisation } from '@estate/config';
import { ContainerRepository } from '@estate/compute';
import { BaseStack } from '@estate/platform';

export interface RegistryStackProps {
  readonly organisation: Organisation;
}

/**
 * The shared image registry in the ops account: one repository per service of the
 * organisation model, pulled by the environment accounts' task execution roles only.
 * CI pushes an image once and promotes the same digest dev → staging → prod.
 */
export class RegistryStack extends BaseStack {
  public readonly repositories: readonly ContainerRepository[];

  constructor(scope: Construct, props: RegistryStackProps) {
    const { organisation } = props;
    super(scope, 'registry', { target: organisation.account('ops'), organisation, tier: 'production' });
    this.repositories = organisation.services.map((service) => {
      const repository = new ContainerRepository(this, service.name, { service, organisation });
      new TerraformOutput(this, `${service.name}_repository_url`, { value: repository.repositoryUrl });
      new TerraformOutput(this, `${service.name}_repository_arn`, { value: repository.repositoryArn });
      return repository;
    });
  }
}
