export { PolicyDocument, PolicyStatement, type Condition, type PolicyStatementProps, type Principal } from './lib/policy-document';
export { awsPrincipal, condition, federatedPrincipal, servicePrincipal } from './lib/principals';
export { Role, type Grantable, type RoleProps } from './lib/role';
