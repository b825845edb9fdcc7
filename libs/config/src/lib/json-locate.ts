import { parseSource } from './source';

/**
 * Maps dotted JSON paths (`environments.prod.vpcCidr`, `peering.2.ports`) to the line
 * they are written on. Kept for callers that want lines only; {@link parseSource} gives
 * lines and columns, for YAML too. Never throws (an unknown path has no line).
 */
export function locateJsonPaths(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  for (const [path, position] of parseSource(text, 'json').positions) if (path) lines.set(path, position.line);
  return lines;
}

/** The line of `path`, or of its nearest ancestor that is written in the file. */
export function lineOf(lines: Map<string, number>, path: string): number | undefined {
  for (let candidate = path; candidate; candidate = candidate.includes('.') ? candidate.replace(/\.[^.]*$/, '') : '') {
    const found = lines.get(candidate);
    if (found !== undefined) return found;
  }
  return undefined;
}
