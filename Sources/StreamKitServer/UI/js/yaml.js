// A small YAML reader and writer for pipeline documents: block maps and lists, flow `{}`/`[]`,
// plain and quoted scalars, comments. Enough for what the designer reads and writes; anything
// outside it is reported with a line number rather than guessed.

export class YamlError extends Error {}

function stripComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function scalar(text) {
  const t = text.trim();
  if (t === '' || t === '~' || t === 'null') return null;
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t.startsWith('"')) {
    try { return JSON.parse(t); } catch { throw new YamlError(`bad quoted string ${t}`); }
  }
  if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  return t;
}

/** Parses a flow value (`{a: 1, b: [x, y]}`, `[1, 2]` or a scalar). */
function flow(text) {
  let i = 0;
  const s = text.trim();
  const ws = () => { while (i < s.length && /\s/.test(s[i])) i++; };
  function value() {
    ws();
    if (s[i] === '{') {
      i++; const out = {};
      ws(); if (s[i] === '}') { i++; return out; }
      for (;;) {
        ws(); const key = token(':'); i++;
        out[String(scalar(key))] = value(); ws();
        if (s[i] === ',') { i++; continue; }
        if (s[i] === '}') { i++; return out; }
        throw new YamlError(`expected , or } in ${s}`);
      }
    }
    if (s[i] === '[') {
      i++; const out = [];
      ws(); if (s[i] === ']') { i++; return out; }
      for (;;) {
        out.push(value()); ws();
        if (s[i] === ',') { i++; continue; }
        if (s[i] === ']') { i++; return out; }
        throw new YamlError(`expected , or ] in ${s}`);
      }
    }
    return scalar(token(',}]'));
  }
  function token(stops) {
    const start = i; let quote = null;
    while (i < s.length) {
      const c = s[i];
      if (quote) { if (c === quote) quote = null; }
      else if (c === '"' || c === "'") quote = c;
      else if (stops.includes(c) && (c !== ':' || /\s|$/.test(s[i + 1] ?? ''))) break;
      i++;
    }
    return s.slice(start, i);
  }
  const result = value(); ws();
  if (i < s.length) throw new YamlError(`unexpected text after value: ${s.slice(i)}`);
  return result;
}

/** Splits `key: rest` (the colon must be followed by a space or end the line). */
function keyValue(text) {
  const m = /^("[^"]*"|'[^']*'|[^:#{}\[\]][^:]*?)\s*:(\s+(.*))?$/.exec(text);
  if (!m) return null;
  return { key: String(scalar(m[1])), rest: (m[3] ?? '').trim() };
}

/** Parses YAML text into plain objects. Throws YamlError with a line number. */
export function parse(text) {
  const lines = [];
  text.split('\n').forEach((raw, index) => {
    const line = stripComment(raw.replace(/\t/g, '  ')).replace(/\s+$/, '');
    if (line.trim() && line.trim() !== '---') lines.push({ indent: line.length - line.trimStart().length, text: line.trim(), number: index + 1 });
  });
  let pos = 0;
  const fail = (line, why) => { throw new YamlError(`line ${line.number}: ${why}`); };

  function block(indent) {
    const first = lines[pos];
    if (!first || first.indent < indent) return null;
    return first.text.startsWith('- ') || first.text === '-' ? list(first.indent) : map(first.indent);
  }
  function valueAfter(line, rest, indent) {
    if (rest === '' ) {
      const next = lines[pos];
      if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith('-') && line.isKey))) return block(next.indent);
      return null;
    }
    if (rest === '|' || rest === '>') fail(line, 'block scalars are not supported');
    try { return rest.startsWith('{') || rest.startsWith('[') ? flow(rest) : scalar(rest); } catch (e) { fail(line, e.message); }
  }
  function map(indent) {
    const out = {};
    while (pos < lines.length && lines[pos].indent === indent) {
      const line = lines[pos];
      if (line.text.startsWith('- ')) break;
      const kv = keyValue(line.text);
      if (!kv) fail(line, `expected "key: value", got "${line.text}"`);
      pos++;
      out[kv.key] = valueAfter({ ...line, isKey: true }, kv.rest, indent);
    }
    if (pos < lines.length && lines[pos].indent > indent) fail(lines[pos], 'unexpected indentation');
    return out;
  }
  function list(indent) {
    const out = [];
    while (pos < lines.length && lines[pos].indent === indent && (lines[pos].text.startsWith('- ') || lines[pos].text === '-')) {
      const line = lines[pos];
      const rest = line.text.slice(1).trim();
      const itemIndent = indent + (line.text.length - line.text.slice(1).trimStart().length);
      const kv = rest && !rest.startsWith('{') && !rest.startsWith('[') && !rest.startsWith('"') ? keyValue(rest) : null;
      if (kv) {
        // `- key: value` starts a map whose other keys sit at the item's indentation.
        lines[pos] = { indent: itemIndent, text: rest, number: line.number };
        out.push(map(itemIndent));
      } else {
        pos++;
        out.push(valueAfter(line, rest, indent));
      }
    }
    return out;
  }
  if (!lines.length) return {};
  const result = block(0);
  if (pos < lines.length) fail(lines[pos], 'could not read this line');
  return result;
}

const plain = /^[A-Za-z_/.][A-Za-z0-9_:/.\- ]*$/;
function quote(s) {
  if (plain.test(s) && !/^(true|false|null|~)$/.test(s) && !s.endsWith(' ') && !s.includes(': ') && !s.includes(' #')) return s;
  return JSON.stringify(s);
}
function inline(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${quote(k)}: ${inline(x)}`).join(', ')}}`;
}

/** Writes plain objects as YAML: block maps at the top, flow style for small values. */
export function stringify(value, indent = 0) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) return value.map((v) => `${pad}- ${inline(v)}\n`).join('');
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const small = v === null || typeof v !== 'object' || inline(v).length <= 60;
    out += small ? `${pad}${quote(key)}: ${inline(v)}\n` : `${pad}${quote(key)}:\n${stringify(v, indent + 2)}`;
  }
  return out;
}
