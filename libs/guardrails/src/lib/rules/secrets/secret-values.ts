import { isLiteralString } from '../../inspect';

/**
 * Names that announce a secret: PASSWORD, PASSWD, SECRET, TOKEN, CREDENTIAL, or a
 * name ending in KEY (API_KEY, STRIPE_SECRET_KEY). Names that only point at a
 * secret (…_ARN, …_ID, …_NAME, …_PATH, …_REF, …_REGION) are not secrets themselves.
 */
export function looksLikeSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (/_(ARN|ID|NAME|PATH|REF|REGION)$/.test(upper)) return false;
  return /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL)/.test(upper) || /KEY$/.test(upper);
}

/** A literal value that would be a secret written into the configuration (ARNs only point at secrets). */
export function isLiteralSecret(value: unknown): value is string {
  return isLiteralString(value) && !value.startsWith('arn:');
}
