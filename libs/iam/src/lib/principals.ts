import type { Condition, Principal } from './policy-document';

export function servicePrincipal(...services: string[]): Principal {
  return { type: 'Service', identifiers: services };
}

export function awsPrincipal(...arns: string[]): Principal {
  return { type: 'AWS', identifiers: arns };
}

export function federatedPrincipal(...providers: string[]): Principal {
  return { type: 'Federated', identifiers: providers };
}

export function condition(test: string, variable: string, ...values: string[]): Condition {
  return { test, variable, values };
}
