import { compliant, nonCompliant, type Rule } from '../../types';

/** Every VPC has a flow log. */
export const vpcFlowLogsEnabled: Rule = {
  id: 'MIG-VPC-4',
  title: 'VPCs have flow logs',
  severity: 'error',
  rationale: 'Flow logs are the only record of which addresses talked to which; incident response and the cutover checks depend on them.',
  fix: "add an aws_flow_log with vpc_id set to the VPC, traffic_type 'ALL', delivering to an encrypted log group or bucket",
  standard: 'AWS FSBP EC2.6; cdk-nag AwsSolutions-VPC7',
  resourceTypes: ['aws_vpc'],
  check(vpc, stack) {
    return stack.referencing('aws_flow_log', 'vpc_id', vpc).length > 0 ? compliant : nonCompliant('VPC has no aws_flow_log');
  },
};
