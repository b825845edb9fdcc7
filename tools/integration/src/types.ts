/** One line of the verification table. */
export interface CheckRow {
  /** What was checked (`alb-https`, `ecs-service`, `rds`, ...). */
  readonly check: string;
  /** The thing it was checked on (service, instance, connection id, ARN). */
  readonly target: string;
  readonly status: 'pass' | 'fail';
  /** The evidence: what was seen, and for a failure what was expected. */
  readonly detail: string;
}

export const pass = (check: string, target: string, detail: string): CheckRow => ({ check, target, status: 'pass', detail });
export const fail = (check: string, target: string, detail: string): CheckRow => ({ check, target, status: 'fail', detail });

/** The message of anything thrown, for a failed row. */
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e?.name && e.message && !e.message.startsWith(e.name)) return `${e.name}: ${e.message}`;
  return e?.message ?? String(error);
}
