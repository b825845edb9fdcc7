/**
 * Reads the organisation config's text (JSON, or YAML for `.yaml`/`.yml` files) into a
 * value plus a map from dotted paths (`environments.prod.vpcCidr`, `peering.2.ports`) to
 * where they are written, so every later error can say `file:line:column`.
 *
 * Parsing is done by maintained parsers (`jsonc-parser`, VS Code's own, in strict JSON
 * mode; `yaml` for YAML 1.2), never by `JSON.parse`, because only a syntax tree gives
 * positions and shows duplicate keys, which `JSON.parse` silently collapses to the last.
 */
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

/** 1-based line and column, as editors show them. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export type ConfigFormat = 'json' | 'yaml';

/** A problem found while reading the text (syntax, duplicate keys), with its position. */
export interface SourceProblem {
  readonly path: string;
  readonly message: string;
  readonly position: Position;
}

export interface ParsedSource {
  readonly format: ConfigFormat;
  /** The parsed value; undefined when the text could not be parsed at all. */
  readonly value: unknown;
  /** Syntax errors and duplicate keys. Any of them means `value` must not be used. */
  readonly problems: readonly SourceProblem[];
  /** Where `path` (or its nearest written ancestor) is, if anywhere. */
  locate(path: string): Position | undefined;
  /** Every path written in the file and its position (keys: the key's position). */
  readonly positions: ReadonlyMap<string, Position>;
}

/** `.yaml` and `.yml` are YAML; everything else is JSON. */
export function formatOf(file: string): ConfigFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

const BOM = '\uFEFF';

/** Parses `text` as `format`. Never throws: problems are returned with their positions. */
export function parseSource(text: string, format: ConfigFormat = 'json'): ParsedSource {
  // Editors on Windows save UTF-8 with a byte-order mark; it is not part of the document.
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  return format === 'yaml' ? parseYaml(body) : parseJson(body);
}

function withLocator(format: ConfigFormat, value: unknown, problems: SourceProblem[], positions: Map<string, Position>): ParsedSource {
  return {
    format,
    value,
    problems,
    positions,
    locate: (path) => {
      for (let candidate = path; ; candidate = parentOf(candidate)) {
        const found = positions.get(candidate);
        if (found) return found;
        if (candidate === '') return undefined;
      }
    },
  };
}

function parentOf(path: string): string {
  return path.includes('.') ? path.replace(/\.[^.]*$/, '') : '';
}

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/** Offsets to line and column in `text`. */
function lineIndex(text: string): (offset: number) => Position {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  };
}

const JSON_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'not a valid number (JSON numbers have no leading zeros, no hex, no trailing dot)',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':' after the key",
  CommaExpected: "expected ',' between items",
  CloseBraceExpected: "expected '}' to close the object",
  CloseBracketExpected: "expected ']' to close the list",
  EndOfFileExpected: 'unexpected text after the end of the document',
  InvalidCommentToken: 'comments are not allowed in JSON (use a .yaml file if you want comments)',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string (strings end on the same line, with a double quote)',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control character inside a string (write \\n, \\t)',
};

function describeJsonError(text: string, error: ParseError): string {
  const code = printParseErrorCode(error.error);
  const before = text.slice(0, error.offset).trimEnd();
  if ((code === 'PropertyNameExpected' || code === 'ValueExpected') && before.endsWith(',') && /^\s*[}\]]/.test(text.slice(error.offset))) {
    return `trailing comma: JSON allows no ',' before '${text.slice(error.offset).trim()[0]}'`;
  }
  if (text[error.offset] === "'") return 'keys and strings take double quotes in JSON';
  return JSON_ERRORS[code] ?? code;
}

function parseJson(text: string): ParsedSource {
  const at = lineIndex(text);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const positions = new Map<string, Position>();
  const problems: SourceProblem[] = [];
  if (text.trim() === '') {
    problems.push({ path: '', position: { line: 1, column: 1 }, message: 'not valid JSON: the file is empty' });
    return withLocator('json', undefined, problems, positions);
  }
  if (errors.length > 0 || !tree) {
    // Later errors are usually echoes of the first; the first is the one to fix.
    const first = errors[0];
    const position = first ? at(first.offset) : { line: 1, column: 1 };
    problems.push({ path: '', position, message: `not valid JSON: ${first ? describeJsonError(text, first) : 'no value'}` });
    return withLocator('json', undefined, problems, positions);
  }

  const valueOf = (node: JsonNode, path: string): unknown => {
    if (node.type === 'object') {
      const result: Record<string, unknown> = {};
      const seen = new Map<string, Position>();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        const key = String(keyNode.value);
        const here = join(path, key);
        const position = at(keyNode.offset);
        const first = seen.get(key);
        if (first) {
          problems.push({
            path: here,
            position,
            message: `duplicate key '${key}' (first at line ${first.line}); JSON would keep only this one and silently drop the other: remove one`,
          });
        } else {
          seen.set(key, position);
        }
        // The value used is the last one written, so that is where later messages point.
        positions.set(here, position);
        result[key] = valueNode ? valueOf(valueNode, here) : undefined;
      }
      return result;
    }
    if (node.type === 'array') {
      return (node.children ?? []).map((child, i) => {
        positions.set(join(path, i), at(child.offset));
        return valueOf(child, join(path, i));
      });
    }
    return node.value;
  };
  positions.set('', at(tree.offset));
  const value = valueOf(tree, '');
  return withLocator('json', value, problems, positions);
}

function parseYaml(text: string): ParsedSource {
  const counter = new LineCounter();
  // YAML 1.2 core schema: `no` stays a string, no timestamps, no merge keys; keys must be unique.
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false, version: '1.2', merge: false });
  const positions = new Map<string, Position>();
  const at = (offset: number): Position => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  const problems: SourceProblem[] = doc.errors.map((error) => ({
    path: '',
    position: at(error.pos[0]),
    message: `not valid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '')}`,
  }));
  if (problems.length > 0) return withLocator('yaml', undefined, problems.slice(0, 1), positions);
  if (doc.contents === null) {
    return withLocator('yaml', undefined, [{ path: '', position: { line: 1, column: 1 }, message: 'not valid YAML: the file is empty' }], positions);
  }

  const walk = (node: YamlNode | null | undefined, path: string): void => {
    if (!node || isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const here = join(path, key);
        const range = isScalar(pair.key) ? pair.key.range : undefined;
        if (range) positions.set(here, at(range[0]));
        walk(pair.value as YamlNode | null, here);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const range = (item as YamlNode | null)?.range;
        if (range) positions.set(join(path, i), at(range[0]));
        walk(item as YamlNode | null, join(path, i));
      });
    }
  };
  if (doc.contents?.range) positions.set('', at(doc.contents.range[0]));
  walk(doc.contents as YamlNode | null, '');
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return withLocator('yaml', value, problems, positions);
}
