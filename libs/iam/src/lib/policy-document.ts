import { Token } from 'cdktf';

export interface Principal {
  readonly type: 'AWS' | 'Service' | 'Federated';
  readonly identifiers: readonly string[];
}

export interface Condition {
  /** Condition operator, e.g. `StringEquals`, `Bool`, `ArnLike`. */
  readonly test: string;
  /** Context key, e.g. `aws:SecureTransport`, `sts:ExternalId`. */
  readonly variable: string;
  readonly values: readonly string[];
}

export interface PolicyStatementProps {
  /** Statement id (letters and digits). @default - none */
  readonly sid?: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  /** Actions, `service:Action` (wildcards only within an action name, e.g. `s3:Get*`). */
  readonly actions: readonly string[];
  /** Resource ARNs. String tokens (`bucket.arn`) are fine; list tokens are not. @default - none (trust policies) */
  readonly resources?: readonly string[];
  /** Who the statement is about (trust and resource policies only). @default - none */
  readonly principals?: readonly Principal[];
  /** @default - none */
  readonly conditions?: readonly Condition[];
}

/** One IAM statement, typed. */
export class PolicyStatement {
  constructor(public readonly props: PolicyStatementProps) {
    if (props.actions.length === 0) throw new Error(`PolicyStatement${props.sid ? ` ${props.sid}` : ''}: at least one action is required`);
    for (const action of props.actions) {
      if (!Token.isUnresolved(action) && !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action)) {
        throw new Error(`PolicyStatement${props.sid ? ` ${props.sid}` : ''}: '${action}' is not an IAM action (expected service:Action)`);
      }
    }
  }

  get effect(): 'Allow' | 'Deny' {
    return this.props.effect ?? 'Allow';
  }

  /** The statement as the IAM policy grammar wants it. */
  toJSON(): Record<string, unknown> {
    const statement: Record<string, unknown> = {};
    if (this.props.sid) statement['Sid'] = this.props.sid;
    statement['Effect'] = this.effect;
    if (this.props.principals?.length) {
      const principal: Record<string, string | string[]> = {};
      for (const p of this.props.principals) {
        const ids = [...((principal[p.type] as string[] | undefined) ?? []), ...p.identifiers];
        principal[p.type] = ids.length === 1 ? ids[0] : ids;
      }
      statement['Principal'] = principal;
    }
    statement['Action'] = this.props.actions.length === 1 ? this.props.actions[0] : [...this.props.actions];
    if (this.props.resources?.length) {
      statement['Resource'] = this.props.resources.length === 1 ? this.props.resources[0] : [...this.props.resources];
    }
    if (this.props.conditions?.length) {
      const condition: Record<string, Record<string, string | string[]>> = {};
      for (const c of this.props.conditions) {
        condition[c.test] = { ...(condition[c.test] ?? {}), [c.variable]: c.values.length === 1 ? c.values[0] : [...c.values] };
      }
      statement['Condition'] = condition;
    }
    return statement;
  }
}

/**
 * A policy document built from typed statements and rendered once, to a JSON string
 * (references inside stay `${...}` expressions that Terraform interpolates). Apps never
 * write policy JSON by hand.
 */
export class PolicyDocument {
  private readonly statements: PolicyStatement[] = [];

  constructor(statements: readonly PolicyStatement[] = []) {
    this.statements.push(...statements);
  }

  addStatements(...statements: PolicyStatement[]): this {
    this.statements.push(...statements);
    return this;
  }

  get isEmpty(): boolean {
    return this.statements.length === 0;
  }

  get statementList(): readonly PolicyStatement[] {
    return this.statements;
  }

  toJSON(): Record<string, unknown> {
    return { Version: '2012-10-17', Statement: this.statements.map((s) => s.toJSON()) };
  }

  /** The JSON string for `policy` / `assume_role_policy` arguments. */
  render(): string {
    return JSON.stringify(this.toJSON());
  }
}
