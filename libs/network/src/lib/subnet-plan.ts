/**
 * The subnet plan lives in `@estate/config`, so that validating the organisation config
 * runs the same planner the VPC uses and reports a VPC range it cannot carve against the
 * config file's line (`environments.dev.vpcCidr`), before any stack is built.
 */
export {
  AZ_SLOTS,
  MAX_AZS,
  MIN_AZS,
  SMALLEST_PUBLIC_SUBNET_PREFIX,
  SMALLEST_SUBNET_PREFIX,
  SUBNET_TIERS,
  defaultSubnetPrefixes,
  planSubnets,
  subnetPlanProblems,
  type SubnetPlan,
  type SubnetPrefixes,
  type SubnetTier,
} from '@estate/config';
