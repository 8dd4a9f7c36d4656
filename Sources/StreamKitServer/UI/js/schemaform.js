// Param forms generated from a node's JSON Schema (`param_schema`): numbers get a slider and a
// box, enums a select, booleans a checkbox, anything structured a JSON box. Values are checked
// against the schema as they are typed; only valid params are handed to `onChange`.
import { esc } from './api.js';

/** Checks one value against a (sub)schema; returns an error message or ''. */
export function validateValue(schema, value) {
  if (value === undefined) return '';
  const types = [].concat(schema?.type ?? []);
  if (types.length) {
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return `expected ${types.join(' or ')}, got ${actual}`;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return `must be ≥ ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `must be ≤ ${schema.maximum}`;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `must be > ${schema.exclusiveMinimum}`;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return `must be < ${schema.exclusiveMaximum}`;
  }
  if (schema?.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return `must be one of ${schema.enum.join(', ')}`;
  return '';
}

/** Every problem of a params object against the node's schema, by property. */
export function validateParams(schema, params) {
  const problems = {};
  const props = schema?.properties ?? {};
  for (const name of schema?.required ?? []) if (params?.[name] === undefined) problems[name] = 'required';
  for (const [name, sub] of Object.entries(props)) {
    const why = validateValue(sub, params?.[name]);
    if (why) problems[name] = why;
  }
  return problems;
}

/** The slider range for a number property: the schema's bounds, else one around the default. */
function range(schema, value) {
  const base = Math.abs(Number(schema.default ?? value ?? 1)) || 1;
  const min = schema.minimum ?? schema.exclusiveMinimum ?? 0;
  const max = schema.maximum ?? schema.exclusiveMaximum ?? Math.max(base * 4, min + 1);
  const step = schema.type === 'integer' ? 1 : (max - min) / 200;
  return { min, max, step };
}

/**
 * Renders the form into `container` and calls `onChange(params)` with a fresh object whenever a
 * field changes to a valid value. `live` makes sliders report while dragging (for tuning).
 */
export function renderForm(container, schema, params, onChange, { live = false, idPrefix = 'p' } = {}) {
  const current = { ...(params ?? {}) };
  const props = schema?.properties ?? {};
  container.innerHTML = '';
  if (!Object.keys(props).length) {
    container.innerHTML = '<p class="note">This node has no parameters.</p>';
    return;
  }
  for (const [name, sub] of Object.entries(props)) {
    const row = document.createElement('div');
    row.className = 'form-row';
    const id = `${idPrefix}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const value = current[name] ?? sub.default;
    const types = [].concat(sub.type ?? []);
    const title = `${esc(name)}${(schema.required ?? []).includes(name) ? ' *' : ''}`;
    const help = sub.description ? ` title="${esc(sub.description)}"` : '';
    let html;
    if (sub.enum) {
      html = `<select id="${id}">${sub.enum.map((e) => `<option ${e === value ? 'selected' : ''}>${esc(e)}</option>`).join('')}</select>`;
    } else if (types.includes('boolean')) {
      html = `<input type="checkbox" id="${id}" ${value ? 'checked' : ''}>`;
    } else if (types.includes('number') || types.includes('integer')) {
      const r = range(sub, value);
      html = `<div class="slider"><input type="range" aria-label="${esc(name)} slider" min="${r.min}" max="${r.max}" step="${r.step}" value="${value ?? r.min}" data-for="${id}"><input type="number" id="${id}" step="any" value="${value ?? ''}"></div>`;
    } else if (types.includes('string')) {
      html = `<input type="text" id="${id}" value="${esc(value ?? '')}">`;
    } else {
      html = `<textarea id="${id}" rows="2">${esc(value === undefined ? '' : JSON.stringify(value))}</textarea>`;
    }
    row.innerHTML = `<label for="${id}"${help}>${title}</label>${html}<span class="field-error" aria-live="polite"></span>`;
    container.appendChild(row);

    const input = row.querySelector(`#${id}`);
    const slider = row.querySelector('input[type=range]');
    const errorSpan = row.querySelector('.field-error');
    const read = () => {
      if (input.type === 'checkbox') return input.checked;
      if (input.tagName === 'TEXTAREA') {
        if (!input.value.trim()) return undefined;
        try { return JSON.parse(input.value); } catch { return Symbol.for('bad-json'); }
      }
      if (input.type === 'number') return input.value === '' ? undefined : Number(input.value);
      return input.value === '' && !sub.enum ? undefined : input.value;
    };
    const commit = () => {
      const v = read();
      let why = v === Symbol.for('bad-json') ? 'not valid JSON' : validateValue(sub, v);
      if (!why && v === undefined && (schema.required ?? []).includes(name)) why = 'required';
      errorSpan.textContent = why;
      input.classList.toggle('invalid', !!why);
      input.setAttribute('aria-invalid', why ? 'true' : 'false');
      if (why) return;
      if (v === undefined) delete current[name]; else current[name] = v;
      onChange({ ...current });
    };
    if (slider) {
      slider.addEventListener(live ? 'input' : 'change', () => { input.value = slider.value; commit(); });
      input.addEventListener('change', () => { if (input.value !== '') slider.value = input.value; commit(); });
    } else {
      input.addEventListener('change', commit);
    }
  }
}
