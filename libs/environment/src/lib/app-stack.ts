import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { ServiceConfig } from '@estate/config';
import {
  DnsValidatedCertificate,
  EcsCluster,
  FargateService,
  imageTagVariable,
  isInZone,
  PublicLoadBalancer,
  publicHostname,
  sharedImageUri,
  sharedRepository,
  type ContainerSecret,
  type LoadBalancerNetwork,
  type ServiceNetwork,
} from '@estate/compute';
import { SecureBucket } from '@estate/data';
import { BaseStack } from '@estate/platform';
import type { DataStack } from './data-stack';
import type { NetworkStack } from './network-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface AppStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
}

/** One service of the environment with everything in front of it. */
export interface AppService {
  readonly config: ServiceConfig;
  /** `api.dev.fintech.example.com` (`api-pr42.dev...` in a preview copy). */
  readonly publicName: string;
  readonly certificate: DnsValidatedCertificate;
  readonly loadBalancer: PublicLoadBalancer;
  readonly service: FargateService;
}

/**
 * The environment's ECS cluster and, for every service of the organisation model, its own
 * internet-facing ALB (HTTPS with an ACM certificate validated in the legacy zone, which
 * serves the public names) and its Fargate service running the image selected by the
 * `image_tag` variable from the shared ops repository. One ALB per service keeps the
 * services' blast radius apart and lets Route 53 health-check each one by its DNS name.
 */
export class AppStack extends BaseStack {
  public readonly cluster: EcsCluster;
  public readonly services: ReadonlyMap<string, AppService>;
  /** Receives the ALBs' access logs (when `settings.loadBalancer.accessLogs`). */
  public readonly accessLogsBucket?: SecureBucket;

  constructor(scope: Construct, unit: string, props: AppStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    const { environment, organisation, data } = props;
    const { naming, settings } = environment;
    const network = networkHandles(props.network);
    const zoneName = organisation.legacy.hostedZoneName;
    if (!isInZone(environment.domainName, zoneName)) {
      throw new Error(`${this.node.id}: domainName '${environment.domainName}' is not inside the legacy hosted zone '${zoneName}', which must serve it`);
    }

    const imageTag = imageTagVariable(this);
    // Roles the deploy role creates must carry the account's deploy boundary (made by backend-bootstrap).
    const boundaryArn = organisation.deployBoundaryArn(environment.name);
    const zone = new DataAwsRoute53Zone(this, 'legacy-zone', { provider: this.legacyProvider, name: zoneName, privateZone: false });

    this.cluster = new EcsCluster(this, 'cluster', { naming });

    if (settings.loadBalancer.accessLogs) {
      this.accessLogsBucket = new SecureBucket(this, 'alb-logs', {
        bucketName: naming.resource('s3-bucket', `alb-logs-${environment.accountId}`),
        // ALB access log delivery writes only to SSE-S3 buckets.
        kmsKeyArn: undefined,
        expirationDays: settings.logs.retentionDays,
        noncurrentVersionExpirationDays: settings.storage.noncurrentVersionExpirationDays,
        forceDestroy: settings.storage.forceDestroy,
      });
    }

    const services = new Map<string, AppService>();
    for (const config of organisation.services) {
      const publicName = publicHostname(environment, config);
      const certificate = new DnsValidatedCertificate(this, `${config.name}-certificate`, {
        name: naming.resource('alb', config.name),
        domainName: publicName,
        hostedZoneId: zone.zoneId,
        zoneProvider: this.legacyProvider,
      });
      const loadBalancer = new PublicLoadBalancer(this, `${config.name}-alb`, {
        naming,
        name: config.name,
        network,
        settings: settings.loadBalancer,
        certificateArn: certificate.certificateArn,
        target: { port: config.containerPort, healthCheckPath: config.healthCheckPath },
        accessLogsBucket: this.accessLogsBucket,
        region: environment.region,
      });

      const database = config.database ? data.database(config.database) : undefined;
      const connection = database?.appConnectionSecret;
      const secrets: ContainerSecret[] = !database
        ? []
        : connection
          ? // Migrating: the whole connection (its own role, legacy until the switch) from the runner's secret.
            (['host', 'port', 'dbname', 'username', 'password'] as const).map((key) => ({
              name: key === 'dbname' ? 'DB_NAME' : `DB_${key.toUpperCase()}`,
              secretArn: connection.arn,
              jsonKey: key,
              kmsKeyArn: data.encryptionKey.keyArn,
            }))
          : (['username', 'password'] as const).map((key) => ({
              name: `DB_${key.toUpperCase()}`,
              secretArn: database.secretArn,
              jsonKey: key,
              kmsKeyArn: database.database.secretKmsKeyArn,
            }));
      const variables: Record<string, string> = { ASSETS_BUCKET: data.assetsBucket.bucketName };
      if (database && !connection) {
        Object.assign(variables, { DB_HOST: database.database.address, DB_PORT: String(database.config.port), DB_NAME: database.config.databaseName });
      }

      const service = new FargateService(this, config.name, {
        naming,
        service: config,
        settings: settings.service,
        region: environment.region,
        logRetentionDays: settings.logs.retentionDays,
        logKeyArn: data.encryptionKey.keyArn,
        cluster: this.cluster,
        network,
        image: { uri: sharedImageUri(organisation, config, imageTag.stringValue), repositoryArn: sharedRepository(organisation, config).repositoryArn },
        loadBalancer,
        secrets,
        environment: variables,
        securityGroupIds: database ? [database.clientSecurityGroupId] : [],
        permissionsBoundaryArn: boundaryArn,
      });
      // What the application itself uses: its assets, and its database (IAM auth, or the
      // rotating master secret read at run time rather than only the copy injected at start).
      data.assetsBucket.grantReadWrite(service.taskRole);
      if (database) {
        database.database.grantConnect(service.taskRole);
        database.database.grantSecretRead(service.taskRole);
      }
      services.set(config.name, { config, publicName, certificate, loadBalancer, service });

      const out = (name: string, value: string, description: string) =>
        new TerraformOutput(this, `${outputName(config.name)}_${name}`, { value, description });
      out('service_name', service.serviceName, `ECS service of ${config.name}`);
      out('alb_dns_name', loadBalancer.dnsName, `DNS name of the load balancer of ${config.name} (what the migrated record points at)`);
      out('alb_zone_id', loadBalancer.zoneId, `Route 53 zone of the load balancer of ${config.name}`);
      out('url', `https://${publicName}`, `Public URL of ${config.name}`);
      out('target_group_arn', loadBalancer.targetGroupArn, `Target group of ${config.name}`);
      out('execution_role_arn', service.executionRole.roleArn, `Task execution role of ${config.name} (the ops repository admits it)`);
    }
    this.services = services;
    new TerraformOutput(this, 'cluster_name', { value: this.cluster.clusterName, description: 'ECS cluster of the environment' });
    new TerraformOutput(this, 'running_image_tag', { value: imageTag.stringValue, description: 'Tag or digest the services run' });
  }

  /** The service `name` of the organisation model, with its load balancer. */
  service(name: string): AppService {
    const found = this.services.get(name);
    if (!found) throw new Error(`${this.node.id}: no service '${name}'; the organisation model has ${[...this.services.keys()].join(', ') || 'none'}`);
    return found;
  }
}

/** `api-v2` → `api_v2`: Terraform output names. */
export function outputName(name: string): string {
  return name.replace(/-/g, '_');
}

/** The VPC handles the app stack builds on, from whatever the network stack exposes. */
function networkHandles(stack: NetworkStack): ServiceNetwork & LoadBalancerNetwork {
  return stack.network;
}
