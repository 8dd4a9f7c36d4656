// Writes pipeline documents as YAML: block maps at the top, flow `{}`/`[]` for small values, and
// strings quoted whenever a YAML reader could take them for something else. Reading YAML is the
// server's job (`POST api/v1/pipelines/parse`, the engine's own parser).

const plain = /^[A-Za-z_/.][A-Za-z0-9_:/.\- ]*$/;
// Words the server's YAML reader (YAML 1.1 rules) takes for a boolean, null or special float.
const reserved = /^(true|false|yes|no|on|off|null|~|\.inf|\.nan)$/i;
function quote(s) {
  if (plain.test(s) && !reserved.test(s) && !s.endsWith(' ') && !s.includes(': ') && !s.includes(' #')) return s;
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
