import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Construct } from 'constructs';

export interface DnsValidatedCertificateProps {
  /** Name tag, environment-prefixed (`dev-api`). */
  readonly name: string;
  /** The name the certificate is for (`api.dev.fintech.example.com`). */
  readonly domainName: string;
  /** Further names on the same certificate. @default - none */
  readonly subjectAlternativeNames?: readonly string[];
  /** Public hosted zone the validation records go in (the legacy zone: it serves these names). */
  readonly hostedZoneId: string;
  /** Provider of the account that owns the zone (`stack.legacyProvider`). @default - the stack's default provider */
  readonly zoneProvider?: AwsProvider;
}

const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * An ACM certificate in this account, validated by DNS: one CNAME per name in the zone
 * that serves it (reached through `zoneProvider`, the legacy account's), and a validation
 * resource that waits until ACM has issued it. {@link certificateArn} is the validation's
 * ARN, so a listener that uses it is created only once the certificate is usable.
 * ACM renews DNS-validated certificates by itself as long as the records stay.
 */
export class DnsValidatedCertificate extends Construct {
  public readonly certificate: AcmCertificate;
  public readonly validation: AcmCertificateValidation;
  /** ARN of the issued certificate. */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    const names = [props.domainName, ...(props.subjectAlternativeNames ?? [])];
    const bad = names.filter((n) => !DOMAIN.test(n));
    if (bad.length > 0) throw new Error(`DnsValidatedCertificate ${id}: ${bad.map((n) => `'${n}'`).join(', ')} not a lowercase DNS name`);
    if (new Set(names).size !== names.length) throw new Error(`DnsValidatedCertificate ${id}: names [${names.join(', ')}] repeat`);

    this.certificate = new AcmCertificate(this, 'certificate', {
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames?.length ? [...props.subjectAlternativeNames] : undefined,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
      tags: { Name: props.name },
    });
    // One record per name; a wildcard and its apex share a record, hence allow_overwrite.
    const records = names.map((_, i) => {
      const option = this.certificate.domainValidationOptions.get(i);
      return new Route53Record(this, `validation-${i}`, {
        provider: props.zoneProvider,
        zoneId: props.hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      });
    });
    this.validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: records.map((r) => r.fqdn),
    });
    this.certificateArn = this.validation.certificateArn;
  }
}
