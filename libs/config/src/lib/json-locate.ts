/**
 * Maps dotted JSON paths (`environments.prod.vpcCidr`, `peering.2.ports`) to the line
 * they are written on, so configuration errors can point at the line to fix.
 * A small scanner over valid JSON; it never throws (an unknown path has no line).
 */
export function locateJsonPaths(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let index = 0;
  let line = 1;

  const skipWhitespace = () => {
    while (index < text.length && /\s/.test(text[index])) {
      if (text[index] === '\n') line++;
      index++;
    }
  };
  const readString = (): string => {
    let result = '';
    index++; // opening quote
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\') {
        result += text[index + 1];
        index += 2;
      } else {
        result += text[index++];
      }
    }
    index++; // closing quote
    return result;
  };
  const readValue = (path: string): void => {
    skipWhitespace();
    if (path) lines.set(path, line);
    const ch = text[index];
    if (ch === '{') {
      index++;
      skipWhitespace();
      while (index < text.length && text[index] !== '}') {
        skipWhitespace();
        const key = readString();
        skipWhitespace();
        index++; // colon
        readValue(path ? `${path}.${key}` : key);
        skipWhitespace();
        if (text[index] === ',') index++;
        skipWhitespace();
      }
      index++;
    } else if (ch === '[') {
      index++;
      let position = 0;
      skipWhitespace();
      while (index < text.length && text[index] !== ']') {
        readValue(path ? `${path}.${position}` : String(position));
        position++;
        skipWhitespace();
        if (text[index] === ',') index++;
        skipWhitespace();
      }
      index++;
    } else if (ch === '"') {
      readString();
    } else {
      while (index < text.length && !/[\s,\]}]/.test(text[index])) index++;
    }
  };

  readValue('');
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
