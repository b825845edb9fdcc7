import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Role, servicePrincipal } from '@estate/iam';

export interface DmsServiceRolesProps {
  /** Create `dms-cloudwatch-logs-role` too (task logging). @default true */
  readonly cloudWatchLogs?: boolean;
}

/**
 * The account-level roles DMS itself looks up by fixed name: `dms-vpc-role` (ENIs for
 * replication instances and subnet groups) and `dms-cloudwatch-logs-role` (task logs).
 * They cannot carry the environment prefix, exist once per account, and must exist
 * with their managed policies attached before the first subnet group or replication
 * instance (DMS checks the policy, not just the role): pass {@link DmsServiceRoles.dependables}
 * as `dependsOn`. Create them in exactly one stack per account — here, the environment's
 * data stack, and only when it migrates (preview copies never do).
 */
export class DmsServiceRoles extends Construct {
  public readonly vpcRole: Role;
  public readonly cloudWatchLogsRole?: Role;
  /** What DMS resources must depend on: the roles and their policy attachments. */
  public readonly dependables: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: DmsServiceRolesProps = {}) {
    super(scope, id);
    this.vpcRole = new Role(this, 'vpc', {
      roleName: 'dms-vpc-role',
      description: 'DMS service role (fixed name): network interfaces of replication instances',
      assumedBy: servicePrincipal('dms.amazonaws.com'),
    });
    this.attach('vpc', this.vpcRole, 'arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole');
    if (props.cloudWatchLogs ?? true) {
      this.cloudWatchLogsRole = new Role(this, 'cloudwatch-logs', {
        roleName: 'dms-cloudwatch-logs-role',
        description: 'DMS service role (fixed name): replication task logs in CloudWatch',
        assumedBy: servicePrincipal('dms.amazonaws.com'),
      });
      this.attach('cloudwatch-logs', this.cloudWatchLogsRole, 'arn:aws:iam::aws:policy/service-role/AmazonDMSCloudWatchLogsRole');
    }
  }

  /**
   * An explicit attachment resource, so dependents can wait for it: a role's own
   * `managed_policy_arns` gives Terraform nothing to order a subnet group after.
   */
  private attach(id: string, role: Role, policyArn: string): void {
    const attachment = new IamRolePolicyAttachment(this, `${id}-policy`, { role: role.resource.name, policyArn });
    this.dependables.push(role.resource, attachment);
  }
}
