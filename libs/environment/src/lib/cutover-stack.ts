import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { SET_IDENTIFIERS, WeightedCutoverRecords } from '@estate/compute';
import { BaseStack } from '@estate/platform';
import { outputName, type AppStack } from './app-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface CutoverStackProps extends EnvironmentStackProps {
  readonly app: AppStack;
}

/**
 * The public names of the environment's services, in the legacy hosted zone (it serves
 * them today). A service with a `legacyEndpoint` gets a weighted pair — `legacy` (100) and
 * `migrated` (0), each with a health check — whose weights the migration runner then
 * shifts 0 → 25 → 50 → 75 → 100 (and back) through the Route 53 API; Terraform creates
 * the pair and ignores the weights afterwards. A service without a legacy endpoint gets a
 * plain record to its load balancer.
 *
 * Preview copies have no legacy traffic to move: each service gets only a plain record of
 * its own preview name (`api-pr42.dev.fintech.example.com`) to the preview's load balancer.
 */
export class CutoverStack extends BaseStack {
  public readonly cutovers: ReadonlyMap<string, WeightedCutoverRecords>;
  public readonly plainRecords: ReadonlyMap<string, Route53Record>;

  constructor(scope: Construct, unit: string, props: CutoverStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    const { environment, organisation, app } = props;
    const zone = new DataAwsRoute53Zone(this, 'legacy-zone', {
      provider: this.legacyProvider,
      name: organisation.legacy.hostedZoneName,
      privateZone: false,
    });

    const cutovers = new Map<string, WeightedCutoverRecords>();
    const plain = new Map<string, Route53Record>();
    for (const [name, { config, publicName, loadBalancer }] of app.services) {
      const key = outputName(name);
      if (!environment.isPreview && config.legacyEndpoint) {
        const records = new WeightedCutoverRecords(this, `${name}-cutover`, {
          naming: environment.naming,
          name,
          recordName: publicName,
          zoneId: zone.zoneId,
          zoneProvider: this.legacyProvider,
          legacy: { dnsName: config.legacyEndpoint },
          migrated: { dnsName: loadBalancer.dnsName },
          healthCheckPath: config.healthCheckPath,
        });
        cutovers.set(name, records);
        new TerraformOutput(this, `${key}_set_identifiers`, {
          value: { legacy: SET_IDENTIFIERS.legacy, migrated: SET_IDENTIFIERS.migrated },
          description: `Set identifiers of the weighted records of ${publicName}`,
        });
        // The runner attaches these while both sides carry weight (WeightedCutoverRecords).
        for (const side of ['legacy', 'migrated'] as const) {
          new TerraformOutput(this, `${key}_${side}_health_check_id`, {
            value: records.healthChecks[side].id,
            description: `Route 53 health check of the ${side} side of ${publicName}`,
          });
        }
        new TerraformOutput(this, `${key}_cutover`, {
          description: `Everything an UPSERT of the weighted records of ${publicName} needs`,
          value: {
            record_name: publicName,
            record_type: records.recordType,
            ttl: records.ttl,
            legacy: { set_identifier: SET_IDENTIFIERS.legacy, value: config.legacyEndpoint, health_check_id: records.healthChecks.legacy.id },
            migrated: { set_identifier: SET_IDENTIFIERS.migrated, value: loadBalancer.dnsName, health_check_id: records.healthChecks.migrated.id },
          },
        });
      } else {
        plain.set(
          name,
          new Route53Record(this, `${name}-record`, {
            provider: this.legacyProvider,
            zoneId: zone.zoneId,
            name: publicName,
            type: 'CNAME',
            ttl: 60,
            records: [loadBalancer.dnsName],
          }),
        );
      }
      new TerraformOutput(this, `${key}_record_name`, { value: publicName, description: `Public name of ${name}` });
    }
    this.cutovers = cutovers;
    this.plainRecords = plain;
    new TerraformOutput(this, 'hosted_zone_id', { value: zone.zoneId, description: `The legacy hosted zone ${organisation.legacy.hostedZoneName} that holds the records` });
  }
}
