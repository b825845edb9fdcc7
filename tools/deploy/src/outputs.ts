import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `terraform output -json` shape: name → { value, type, sensitive }. */
export type TerraformOutputs = Record<string, { value: unknown; sensitive?: boolean }>;

/**
 * Flattens per-stack outputs into one object keyed `<stack>_<output>` (stack names
 * contain no underscore, so the first underscore splits them). Sensitive outputs are
 * left out: the outputs file is read by tools and people and must never hold secrets.
 */
export function flattenOutputs(byStack: Readonly<Record<string, TerraformOutputs>>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const stack of Object.keys(byStack).sort()) {
    for (const [name, output] of Object.entries(byStack[stack]).sort(([a], [b]) => a.localeCompare(b))) {
      if (output.sensitive) continue;
      flat[`${stack}_${name}`] = output.value;
    }
  }
  return flat;
}

/**
 * The outputs with every sensitive value removed (`{ sensitive: true }` stays, so readers see
 * the output exists). `terraform output -json` prints sensitive values in clear.
 */
export function redactSensitive(outputs: TerraformOutputs): TerraformOutputs {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, output]) => {
      if (!output.sensitive) return [name, output];
      const { value: _value, ...rest } = output;
      return [name, { ...rest, sensitive: true }];
    }),
  );
}

/**
 * Writes `cfn-outputs/flat-outputs.json` and the per-stack `cfn-outputs/<stack>.json` files
 * under `dir`, never a sensitive value: CI uploads this folder as an artifact.
 */
export function writeOutputs(dir: string, byStack: Readonly<Record<string, TerraformOutputs>>): string {
  mkdirSync(dir, { recursive: true });
  for (const [stack, outputs] of Object.entries(byStack)) {
    writeFileSync(join(dir, `${stack}.json`), `${JSON.stringify(redactSensitive(outputs), null, 2)}\n`);
  }
  const flatPath = join(dir, 'flat-outputs.json');
  writeFileSync(flatPath, `${JSON.stringify(flattenOutputs(byStack), null, 2)}\n`);
  return flatPath;
}
