import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { LoadBalancerSettings, Naming } from '@estate/config';
import { awsPrincipal, PolicyStatement, servicePrincipal } from '@estate/iam';
import type { SecureBucket } from '@estate/data';

/** Where an internet-facing load balancer lives. `VpcNetwork` satisfies it. */
export interface LoadBalancerNetwork {
  readonly vpcId: string;
  /** Public subnets (routed through the internet gateway), at least two AZs. */
  readonly publicSubnetIds: readonly string[];
}

/** What the load balancer sends traffic to: the service's containers, by IP. */
export interface LoadBalancerTargetSpec {
  readonly port: number;
  /** Path the target group health check requests (`/health`); any 2xx/3xx is healthy. */
  readonly healthCheckPath: string;
  /** @default '200-399' */
  readonly healthyHttpCodes?: string;
}

export interface PublicLoadBalancerProps {
  readonly naming: Naming;
  /** Name inside the environment (the service name): `<prefix><name>` names the ALB, its target group and security group. */
  readonly name: string;
  readonly network: LoadBalancerNetwork;
  /** Deletion protection, access logs and idle timeout of the environment (`settings.loadBalancer`). */
  readonly settings: LoadBalancerSettings;
  /** ARN of the certificate the HTTPS listener serves (a {@link DnsValidatedCertificate} or an existing one). */
  readonly certificateArn: string;
  readonly target: LoadBalancerTargetSpec;
  /**
   * SSE-S3 bucket for access logs; required when `settings.accessLogs` is on. ALB log
   * delivery writes only to SSE-S3 buckets (a SecureBucket with `kmsKeyArn: undefined`).
   * @default - no access logs
   */
  readonly accessLogsBucket?: SecureBucket;
  /** Region of the load balancer: picks the Elastic Load Balancing log-delivery principal. @default 'us-east-1' */
  readonly region?: string;
  /** @default 'ELBSecurityPolicy-TLS13-1-2-2021-06' (TLS 1.3 and 1.2 with forward secrecy only) */
  readonly sslPolicy?: string;
}

export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * Regional Elastic Load Balancing accounts that deliver ALB access logs in regions opened
 * before August 2022; newer regions use the `logdelivery.elasticloadbalancing.amazonaws.com` principal.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'eu-west-1': '156460612806',
  'eu-central-1': '054676820928',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'ap-northeast-1': '582318560864',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-south-1': '718504428378',
  'ca-central-1': '985666609251',
  'sa-east-1': '507241528517',
};

/**
 * An internet-facing Application Load Balancer in front of one service: HTTPS on 443 with
 * a TLS 1.2+/1.3 policy forwarding to an IP target group, HTTP on 80 that only redirects
 * to HTTPS, invalid header fields dropped, deletion protection and access logs as the
 * environment's settings say. Its security group admits 80 and 443 from anywhere and
 * sends only to the targets it is given ({@link PublicLoadBalancer.allowTo}).
 */
export class PublicLoadBalancer extends Construct {
  public readonly loadBalancer: Lb;
  public readonly securityGroup: SecurityGroup;
  public readonly securityGroupId: string;
  public readonly targetGroup: LbTargetGroup;
  public readonly httpsListener: LbListener;
  public readonly httpListener: LbListener;
  public readonly loadBalancerArn: string;
  /** `app/<name>/<id>`: the LoadBalancer dimension of its CloudWatch metrics. */
  public readonly arnSuffix: string;
  public readonly dnsName: string;
  /** Route 53 zone id of the load balancer (for alias records). */
  public readonly zoneId: string;
  public readonly targetGroupArn: string;
  /** `targetgroup/<name>/<id>`: the TargetGroup dimension of its CloudWatch metrics. */
  public readonly targetGroupArnSuffix: string;
  private readonly egressPorts = new Set<string>();

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    validate(id, props);
    const { naming, settings } = props;
    const name = naming.resource('alb', props.name);
    const sgName = naming.resource('security-group', `${props.name}-alb`);

    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: sgName,
      description: `Internet-facing ALB ${name}: 80/443 from anywhere, to its targets only`,
      vpcId: props.network.vpcId,
      tags: { Name: sgName },
    });
    this.securityGroupId = this.securityGroup.id;
    for (const [port, what] of [
      [443, 'HTTPS from the internet'],
      [80, 'HTTP from the internet (redirected to HTTPS)'],
    ] as const) {
      new VpcSecurityGroupIngressRule(this, `ingress-${port}`, {
        securityGroupId: this.securityGroup.id,
        cidrIpv4: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: what,
      });
    }

    const logs = settings.accessLogs ? props.accessLogsBucket : undefined;
    const logPrefix = name;
    let logPolicy: TerraformResource | undefined;
    if (logs) {
      const region = props.region ?? 'us-east-1';
      const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
      logs.addToResourcePolicy(
        new PolicyStatement({
          sid: `AlbLogDelivery${id.replace(/[^A-Za-z0-9]/g, '')}`,
          actions: ['s3:PutObject'],
          resources: [`${logs.bucketArn}/${logPrefix}/AWSLogs/*`],
          principals: [account ? awsPrincipal(`arn:aws:iam::${account}:root`) : servicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
        }),
      );
      // The ALB checks on creation that it may write: create it after the bucket policy.
      logPolicy = logs.policyResource;
    }

    this.loadBalancer = new Lb(this, 'load-balancer', {
      name,
      internal: false,
      loadBalancerType: 'application',
      ipAddressType: 'ipv4',
      subnets: [...props.network.publicSubnetIds],
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'defensive',
      enableDeletionProtection: settings.deletionProtection,
      idleTimeout: settings.idleTimeoutSeconds,
      accessLogs: logs ? { bucket: logs.bucketName, prefix: logPrefix, enabled: true } : undefined,
      dependsOn: logPolicy ? [logPolicy] : undefined,
      tags: { Name: name },
    });
    this.loadBalancerArn = this.loadBalancer.arn;
    this.arnSuffix = this.loadBalancer.arnSuffix;
    this.dnsName = this.loadBalancer.dnsName;
    this.zoneId = this.loadBalancer.zoneId;

    const tgName = naming.resource('target-group', props.name);
    this.targetGroup = new LbTargetGroup(this, 'target-group', {
      name: tgName,
      targetType: 'ip',
      protocol: 'HTTP',
      port: props.target.port,
      vpcId: props.network.vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        enabled: true,
        protocol: 'HTTP',
        path: props.target.healthCheckPath,
        port: 'traffic-port',
        matcher: props.target.healthyHttpCodes ?? '200-399',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags: { Name: tgName },
    });
    this.targetGroupArn = this.targetGroup.arn;
    this.targetGroupArnSuffix = this.targetGroup.arnSuffix;

    this.httpsListener = new LbListener(this, 'https', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
      tags: { Name: `${name}-https` },
    });
    this.httpListener = new LbListener(this, 'http', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      tags: { Name: `${name}-http` },
    });
  }

  /** Lets the load balancer send to `securityGroupId` on `port` (its only egress). */
  allowTo(securityGroupId: string, port: number, description: string): VpcSecurityGroupEgressRule {
    const key = `${port}-${this.egressPorts.size}`;
    this.egressPorts.add(key);
    return new VpcSecurityGroupEgressRule(this, `egress-${key}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: securityGroupId,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description,
    });
  }
}

function validate(id: string, props: PublicLoadBalancerProps): void {
  const { settings, target } = props;
  const policy = props.sslPolicy ?? DEFAULT_SSL_POLICY;
  const subnets = props.network.publicSubnetIds;
  const rules = [
    { ok: /^\/[\x21-\x7e]*$/.test(target.healthCheckPath) && target.healthCheckPath.length <= 1024, message: `healthCheckPath '${target.healthCheckPath}' must start with '/' and contain no spaces` },
    { ok: Number.isInteger(target.port) && target.port >= 1 && target.port <= 65535, message: `target port ${target.port} must be 1..65535` },
    { ok: Token.isUnresolved(subnets) || subnets.length >= 2, message: `an ALB needs public subnets in at least two AZs; got ${subnets.length}` },
    { ok: Number.isInteger(settings.idleTimeoutSeconds) && settings.idleTimeoutSeconds >= 1 && settings.idleTimeoutSeconds <= 4000, message: `idleTimeoutSeconds ${settings.idleTimeoutSeconds} must be 1..4000` },
    { ok: /^ELBSecurityPolicy-TLS13-1-[23]-/.test(policy), message: `sslPolicy '${policy}' is not a TLS 1.2+ ELBSecurityPolicy-TLS13-1-2-*/1-3-* policy` },
    {
      ok: Token.isUnresolved(props.certificateArn) || /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/.test(props.certificateArn),
      message: `certificateArn '${props.certificateArn}' is not an ACM certificate ARN`,
    },
    { ok: !settings.accessLogs || props.accessLogsBucket !== undefined, message: 'settings.accessLogs is on but no accessLogsBucket was given' },
    { ok: !props.accessLogsBucket?.kmsKeyArn, message: `access logs bucket '${props.accessLogsBucket?.node.id}' is SSE-KMS; ALB log delivery writes only to SSE-S3 buckets` },
  ];
  const failed = rules.filter((r) => !r.ok).map((r) => r.message);
  if (failed.length > 0) throw new Error(`PublicLoadBalancer ${id} (${props.name}): ${failed.join('; ')}`);
}
