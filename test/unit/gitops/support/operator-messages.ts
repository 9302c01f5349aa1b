// Which texts the operator can write into a condition message, recognised from its source: every
// message is built in src/ from string and template literals (`copied ${n} component(s)`), with
// values and other messages in the holes. A text is producible when some literal of src/ matches
// it whole, each hole filled by
//   - another producible text (an error's message inside a condition's message, recursively),
//   - a value: a name, id, number or address (no spaces), or a list of them ("web-copy, api-copy"),
//   - or, where the operator quotes someone else's words, one of EXTERNAL_WORDS.
// This over-approximates (a log line's literal counts too, and a value may be any token), but a
// text whose fixed words appear in no literal of src/, or whose quoted error is one src/ never
// writes, is refused: fixtures cannot keep a message after the code stopped writing it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A literal of the source: fixed text parts, with a hole between each two (parts.length - 1 holes). */
export type Template = readonly string[];

/**
 * Words the operator passes through from elsewhere, which appear in no literal of src/: what the
 * console answers an unknown token with (a 401's `msg`, as test/support/simulator/resolve-scope.ts
 * answers it too), and what zod says of a spec the CRD let through (InvalidSpec,
 * src/api/appcopy.ts describeSpecError). Fixtures may quote these and nothing else.
 */
export const EXTERNAL_WORDS: readonly string[] = ['No such user', 'Too small: expected number to be >=1'];

/** Every string and template literal of the TypeScript files under `dir`, `a` + `b` joined. */
export function templatesUnder(dir: string): Template[] {
  const found: Template[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      found.push(...templatesOf(readFileSync(join(entry.parentPath, entry.name), 'utf8')));
    }
  }
  return found;
}

/** The literals of one TypeScript source, in order; nested templates (inside a hole) count on their own. */
export function templatesOf(source: string): Template[] {
  const out: Template[] = [];
  const scanner = { source, at: 0 };
  scanCode(scanner, out, false);
  return out;
}

interface Scanner {
  source: string;
  at: number;
}

const REGEX_MAY_FOLLOW = new Set([...'(,=:[!&|?{};+-*%<>~^', '']);
const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'of', 'in']);

/**
 * Reads code until the end of the source, or (inHole) until the `}` that closes a template hole.
 * Literals go to `out`; a literal that follows another with only `+` between them is joined to it.
 */
function scanCode(s: Scanner, out: Template[], inHole: boolean): void {
  let depth = 0;
  let sinceLiteral: string | undefined; // significant code since the last literal, if one was seen
  let previous = ''; // the last significant character ('a' for an identifier), to tell a regex from a division
  let lastWord = ''; // the identifier just read, to tell `return /x/` from `a / b`
  const push = (template: string[]) => {
    const last = out.at(-1);
    if (sinceLiteral === '+' && last !== undefined) {
      // `a` + `b`: one text.
      out[out.length - 1] = [...last.slice(0, -1), `${last.at(-1)}${template[0]}`, ...template.slice(1)];
    } else {
      out.push(template);
    }
    sinceLiteral = '';
    previous = '"';
    lastWord = '';
  };
  while (s.at < s.source.length) {
    const c = s.source[s.at] as string;
    const next = s.source[s.at + 1];
    if (c === '/' && next === '/') {
      const end = s.source.indexOf('\n', s.at);
      s.at = end < 0 ? s.source.length : end;
    } else if (c === '/' && next === '*') {
      const end = s.source.indexOf('*/', s.at + 2);
      s.at = end < 0 ? s.source.length : end + 2;
    } else if (c === "'" || c === '"') {
      push([readQuoted(s, c)]);
    } else if (c === '`') {
      push(readTemplate(s, out));
    } else if (c === '/' && (REGEX_MAY_FOLLOW.has(previous) || KEYWORDS_BEFORE_REGEX.has(lastWord))) {
      skipRegex(s);
      previous = '/';
      lastWord = '';
    } else if (/[A-Za-z0-9_$]/.test(c)) {
      const word = /^[A-Za-z0-9_$]+/.exec(s.source.slice(s.at, s.at + 100))?.[0] ?? c;
      s.at += word.length;
      previous = 'a';
      lastWord = word;
      if (sinceLiteral !== undefined) sinceLiteral += word;
    } else {
      s.at += 1;
      if (inHole && c === '{') depth += 1;
      if (inHole && c === '}') {
        if (depth === 0) return;
        depth -= 1;
      }
      if (!/\s/.test(c)) {
        previous = c;
        lastWord = '';
        if (sinceLiteral !== undefined) sinceLiteral += c;
      }
    }
  }
}

function readQuoted(s: Scanner, quote: string): string {
  let text = '';
  s.at += 1;
  while (s.at < s.source.length && s.source[s.at] !== quote) {
    if (s.source[s.at] === '\\') {
      text += escaped(s.source[s.at + 1] as string);
      s.at += 2;
    } else {
      text += s.source[s.at];
      s.at += 1;
    }
  }
  s.at += 1;
  return text;
}

/** A template literal's fixed parts; the code of each hole is scanned for literals of its own. */
function readTemplate(s: Scanner, out: Template[]): string[] {
  const parts = [''];
  s.at += 1;
  while (s.at < s.source.length && s.source[s.at] !== '`') {
    const c = s.source[s.at] as string;
    if (c === '\\') {
      parts[parts.length - 1] += escaped(s.source[s.at + 1] as string);
      s.at += 2;
    } else if (c === '$' && s.source[s.at + 1] === '{') {
      s.at += 2;
      scanCode(s, out, true);
      parts.push('');
    } else {
      parts[parts.length - 1] += c;
      s.at += 1;
    }
  }
  s.at += 1;
  return parts;
}

function skipRegex(s: Scanner): void {
  let inClass = false;
  s.at += 1;
  while (s.at < s.source.length) {
    const c = s.source[s.at];
    if (c === '\\') s.at += 1;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
    else if (c === '\n') return; // not a regex after all
    s.at += 1;
  }
  s.at += 1;
  while (/[a-z]/.test(s.source[s.at] ?? '')) s.at += 1;
}

function escaped(c: string): string {
  return c === 'n' ? '\n' : c === 't' ? '\t' : c;
}

/** Recognises the texts the templates can produce (see the top of this file). */
export function createMessageRecognizer(templates: readonly Template[], external = EXTERNAL_WORDS) {
  // A template without any fixed text would accept any producible text as itself.
  const usable = templates.filter((t) => t.join('').trim() !== '');
  const known = new Map<string, boolean>();

  function producible(text: string): boolean {
    const cached = known.get(text);
    if (cached !== undefined) return cached;
    known.set(text, false); // a text cannot be made of itself
    const result = usable.some((t) => fits(t, text));
    known.set(text, result);
    return result;
  }

  function isValue(text: string): boolean {
    return (
      /^(\S+(, \S+)*)?$/.test(text) ||
      external.includes(text) ||
      text.split(/, |; /).every((item) => /^\S+$/.test(item) || producible(item)) ||
      producible(text)
    );
  }

  /** Whether `text` is the template with its holes filled by values. */
  function fits(template: Template, text: string): boolean {
    // Quick refusal: the fixed parts must appear in order.
    let from = 0;
    for (const part of template) {
      const at = text.indexOf(part, from);
      if (at < 0) return false;
      from = at + part.length;
    }
    const first = template[0] as string;
    if (!text.startsWith(first)) return false;
    // Parts up to `part` matched, ending at `at`: the next hole runs to where part + 1 begins.
    const match = (part: number, at: number): boolean => {
      if (part === template.length - 1) return at === text.length;
      const following = template[part + 1] as string;
      for (let end = at; end + following.length <= text.length; end += 1) {
        if (!text.startsWith(following, end)) continue;
        if (isValue(text.slice(at, end)) && match(part + 1, end + following.length)) return true;
      }
      return false;
    };
    return match(0, first.length);
  }

  return { producible };
}
