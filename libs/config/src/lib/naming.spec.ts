import { Naming } from './naming';

describe('Naming', () => {
  it('prefixes names with the environment', () => {
    expect(new Naming('dev').resource('alb', 'api-alb')).toBe('dev-api-alb');
    expect(new Naming('dev').stack('network')).toBe('dev-network');
    expect(new Naming('dev').qualifier).toBe('dev');
  });

  it('adds the preview suffix after the environment', () => {
    const naming = new Naming('staging', 'pr42');
    expect(naming.resource('s3-bucket', 'assets')).toBe('staging-pr42-assets');
    expect(naming.stack('data')).toBe('staging-pr42-data');
    expect(naming.qualifier).toBe('staging-pr42');
  });

  it('rejects a name over the AWS limit of its kind, naming the suffix', () => {
    expect(new Naming('staging', 'pr4242xx').resource('alb', 'payments-alb')).toBe('staging-pr4242xx-payments-alb');
    expect(() => new Naming('staging', 'abcdefgh').resource('alb', 'reconciliation-alb')).toThrow(
      /is 35 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name 'reconciliation-alb'/,
    );
  });
});
