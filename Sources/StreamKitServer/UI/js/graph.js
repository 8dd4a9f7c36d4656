// The node graph drawn on a canvas: node cards (HTML) with pins, edges as SVG curves. Used by
// the designer (editable: drag nodes, drag or click pins to connect) and the session monitor
// (read-only, with each node's state and stats updated in place so nothing moves).
import { esc } from './api.js';

/** A packet type (the API's JSON form) as short text: `RawAudio(48000 Hz, 1 ch, F32)`. */
export function typeText(type) {
  if (typeof type === 'string') return type;
  const [name, body] = Object.entries(type ?? {})[0] ?? ['?', {}];
  if (name === 'RawAudio') {
    const f = (v) => (v ? v : '*');
    return `RawAudio(${f(body.sample_rate)} Hz, ${f(body.channels)} ch, ${body.sample_format})`;
  }
  if (name === 'Custom') return `Custom(${body.type_id})`;
  return name;
}

/** The engine's rule for one output type into one accepted input type. */
export function typesMatch(out, input) {
  if (out === 'Any' || input === 'Any' || out === 'Passthrough' || input === 'Passthrough') return true;
  const o = typeof out === 'string' ? [out, null] : Object.entries(out)[0];
  const i = typeof input === 'string' ? [input, null] : Object.entries(input)[0];
  if (o[0] !== i[0]) return false;
  if (o[0] === 'RawAudio') {
    const a = o[1], b = i[1];
    return (!a.sample_rate || !b.sample_rate || a.sample_rate === b.sample_rate)
      && (!a.channels || !b.channels || a.channels === b.channels) && a.sample_format === b.sample_format;
  }
  if (o[0] === 'Custom') return o[1].type_id === i[1].type_id;
  return true;
}

// Pin colours come from app.css by type name (the page's CSP allows no inline styles).
const variantOf = (type) => (typeof type === 'string' ? type : Object.keys(type ?? {})[0] ?? 'Any');

/** The input pins a node shows: its declared pins, and for a dynamic family the used ones plus a free one. */
export function inputPins(definition, usedPins) {
  const pins = [];
  for (const pin of definition?.inputs ?? []) {
    const dynamic = pin.cardinality?.Dynamic;
    if (dynamic) {
      const used = usedPins.filter((p) => p === dynamic.prefix || p.startsWith(dynamic.prefix + '_'));
      for (const name of used) pins.push({ ...pin, name });
      let n = 0; while (used.includes(`${dynamic.prefix}_${n}`)) n++;
      pins.push({ ...pin, name: `${dynamic.prefix}_${n}` });
    } else pins.push(pin);
  }
  // Pins the graph uses that the definition does not list (unknown kinds) still get drawn.
  for (const name of usedPins) if (!pins.some((p) => p.name === name)) pins.push({ name, accepts_types: ['Any'] });
  return pins;
}

export class GraphCanvas {
  /**
   * @param container the element to draw in
   * @param options `{editable, definitions: Map kind→definition, onSelect(id), onConnect(edge), onMove(id, viaKeyboard), onDelete(id)}`
   */
  constructor(container, options) {
    this.container = container;
    this.options = options;
    this.nodes = []; this.edges = [];
    this.cards = new Map();
    this.armed = null;
    container.classList.add('canvas');
    // Focus lands here when the focused node goes away, so the keyboard user is not thrown to the top.
    container.tabIndex = -1;
    container.addEventListener('pointermove', (e) => this.pointerMove(e));
    container.addEventListener('pointerup', (e) => this.pointerUp(e));
    container.addEventListener('click', (e) => { if (e.target === container) this.select(null); });
  }

  definition(kind) { return this.options.definitions().get(kind); }

  /** Redraws everything for a new graph. */
  setGraph(nodes, edges, selected = this.selected) {
    // Redrawing replaces every card: remember what had focus and put it back on the new element.
    const focused = this.focusTarget();
    this.nodes = nodes; this.edges = edges;
    this.container.innerHTML = '<svg class="edges" width="10" height="10" aria-hidden="true"></svg>';
    this.svg = this.container.firstChild;
    this.cards.clear();
    for (const node of nodes) this.container.appendChild(this.card(node));
    this.selected = nodes.some((n) => n.id === selected) ? selected : null;
    this.markSelected();
    this.drawEdges();
    if (focused) this.restoreFocus(focused);
  }

  /** The focused node header or pin as `{node, pin, dir}`, or null when focus is elsewhere. */
  focusTarget() {
    const active = document.activeElement;
    if (!active || !this.container.contains(active)) return null;
    const card = active.closest('.gnode');
    if (!card) return { node: null };
    return { node: card.dataset.node, pin: active.dataset?.pin, dir: active.dataset?.dir };
  }

  restoreFocus({ node, pin, dir }) {
    const card = node && this.cards.get(node);
    let target = null;
    if (card && pin) target = [...card.querySelectorAll(`.pin.${dir}`)].find((p) => p.dataset.pin === pin) ?? null;
    if (card && !target) target = card.querySelector('header');
    (target ?? this.container).focus({ preventScroll: !target });
  }

  card(node) {
    const def = this.definition(node.kind);
    const used = this.edges.filter((e) => e.to === node.id).map((e) => e.toPin);
    const el = document.createElement('div');
    el.className = 'gnode';
    el.dataset.node = node.id;
    el.style.left = `${node.x}px`; el.style.top = `${node.y}px`;
    const ins = inputPins(def, used).map((p) => `<button type="button" class="pin in" data-pin="${esc(p.name)}" data-dir="in" title="${esc(p.name)} accepts ${esc((p.accepts_types ?? []).map(typeText).join(' | '))}"><span class="dot" data-t="${esc(variantOf(p.accepts_types?.[0]))}"></span>${esc(p.name)}</button>`).join('');
    const outs = (def?.outputs ?? [{ name: 'out', produces_type: 'Any' }]).map((p) => `<button type="button" class="pin out" data-pin="${esc(p.name)}" data-dir="out" title="${esc(p.name)} produces ${esc(typeText(p.produces_type))}"><span class="dot" data-t="${esc(variantOf(p.produces_type))}"></span>${esc(p.name)}</button>`).join('');
    el.innerHTML = `<header tabindex="0" aria-label="node ${esc(node.id)}"><span class="id">${esc(node.id)}</span></header>
      <div class="kind">${esc(node.kind)}</div>
      <div class="state" data-state="${esc(node.state ?? '')}">${esc(node.stateText ?? '')}</div>
      <div class="stats">${esc(node.statsText ?? '')}</div>
      <div class="pins"><div>${ins}</div><div>${outs}</div></div>`;
    const header = el.querySelector('header');
    header.addEventListener('pointerdown', (e) => this.startDrag(e, node, el));
    header.addEventListener('click', () => this.select(node.id));
    header.addEventListener('keydown', (e) => this.headerKey(e, node, el));
    if (this.options.editable) {
      for (const pin of el.querySelectorAll('.pin')) {
        pin.addEventListener('pointerdown', (e) => { if (pin.dataset.dir === 'out') this.startLink(e, node.id, pin); });
        pin.addEventListener('click', () => this.pinClicked(node.id, pin));
        pin.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.disarm(); });
      }
    }
    this.cards.set(node.id, el);
    return el;
  }

  /** A node header's keys: Enter/Space select, arrows move (Shift: further), Delete removes. */
  headerKey(event, node, el) {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); this.select(node.id); return; }
    if (!this.options.editable) return;
    if (event.key === 'Delete' || event.key === 'Backspace') { event.preventDefault(); this.options.onDelete?.(node.id); return; }
    const step = event.shiftKey ? 50 : 10;
    const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key];
    if (!move) return;
    event.preventDefault();
    node.x = Math.max(0, node.x + move[0]); node.y = Math.max(0, node.y + move[1]);
    el.style.left = `${node.x}px`; el.style.top = `${node.y}px`;
    this.drawEdges();
    this.options.onMove?.(node.id, true);
  }

  select(id) {
    this.selected = id;
    this.markSelected();
    this.options.onSelect?.(id);
  }

  markSelected() {
    for (const [id, el] of this.cards) el.classList.toggle('selected', id === this.selected);
  }

  /** Updates one node's state and stats text in place (no re-layout). */
  updateNode(id, { state, stateText, statsText }) {
    const el = this.cards.get(id);
    if (!el) return;
    const s = el.querySelector('.state');
    if (state !== undefined && s.dataset.state !== state) s.dataset.state = state;
    if (stateText !== undefined && s.textContent !== stateText) s.textContent = stateText;
    const t = el.querySelector('.stats');
    if (statsText !== undefined && t.textContent !== statsText) t.textContent = statsText;
  }

  pinCentre(nodeId, dir, pinName) {
    const el = this.cards.get(nodeId);
    const pin = el && [...el.querySelectorAll(`.pin.${dir}`)].find((p) => p.dataset.pin === pinName);
    if (!pin) return null;
    const dot = pin.querySelector('.dot').getBoundingClientRect();
    const box = this.container.getBoundingClientRect();
    return { x: dot.left + dot.width / 2 - box.left + this.container.scrollLeft, y: dot.top + dot.height / 2 - box.top + this.container.scrollTop };
  }

  drawEdges(pending) {
    if (!this.svg) return;
    // Only as large as the nodes need: sizing it to the container would add scrollbars of its own.
    let w = 0, h = 0;
    for (const el of this.cards.values()) { w = Math.max(w, el.offsetLeft + el.offsetWidth + 40); h = Math.max(h, el.offsetTop + el.offsetHeight + 40); }
    this.svg.setAttribute('width', w); this.svg.setAttribute('height', h);
    const curve = (a, b) => { const dx = Math.max(40, Math.abs(b.x - a.x) / 2); return `M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}`; };
    let html = '';
    for (const e of this.edges) {
      const a = this.pinCentre(e.from, 'out', e.fromPin), b = this.pinCentre(e.to, 'in', e.toPin);
      if (a && b) html += `<path d="${curve(a, b)}" data-edge="${esc(`${e.from}.${e.fromPin}->${e.to}.${e.toPin}`)}"/>`;
    }
    if (pending) html += `<path class="pending" d="${curve(pending.a, pending.b)}"/>`;
    this.svg.innerHTML = html;
  }

  startDrag(event, node, el) {
    if (event.button !== 0) return;
    const box = this.container.getBoundingClientRect();
    this.drag = { node, el, dx: event.clientX - box.left + this.container.scrollLeft - node.x, dy: event.clientY - box.top + this.container.scrollTop - node.y };
  }

  startLink(event, nodeId, pin) {
    event.preventDefault();
    this.link = { from: nodeId, fromPin: pin.dataset.pin, a: this.pinCentre(nodeId, 'out', pin.dataset.pin) };
  }

  pointerMove(event) {
    const box = this.container.getBoundingClientRect();
    const x = event.clientX - box.left + this.container.scrollLeft, y = event.clientY - box.top + this.container.scrollTop;
    if (this.drag) {
      const { node, el } = this.drag;
      node.x = Math.max(0, Math.round(x - this.drag.dx)); node.y = Math.max(0, Math.round(y - this.drag.dy));
      el.style.left = `${node.x}px`; el.style.top = `${node.y}px`;
      this.drawEdges();
    } else if (this.link?.a) {
      this.link.moved = true;
      this.drawEdges({ a: this.link.a, b: { x, y } });
    }
  }

  pointerUp(event) {
    if (this.drag) { const { node } = this.drag; this.drag = null; this.options.onMove?.(node.id, false); return; }
    if (!this.link) return;
    const link = this.link; this.link = null;
    const target = document.elementFromPoint(event.clientX, event.clientY)?.closest('.pin.in');
    this.drawEdges();
    if (target && link.moved) this.tryConnect(link.from, link.fromPin, target.closest('.gnode').dataset.node, target.dataset.pin);
  }

  /**
   * Click (or Enter/Space) on an output pin arms it; then on an input pin connects, so pins work
   * from the keyboard too. Escape (or clicking the armed pin again) disarms.
   */
  pinClicked(nodeId, pin) {
    if (pin.dataset.dir === 'out') {
      const again = this.armed?.from === nodeId && this.armed?.fromPin === pin.dataset.pin;
      this.disarm();
      if (again) return;
      this.armed = { from: nodeId, fromPin: pin.dataset.pin };
      pin.classList.add('armed');
      pin.setAttribute('aria-pressed', 'true');
    } else if (this.armed) {
      const armed = this.armed;
      this.disarm();
      this.tryConnect(armed.from, armed.fromPin, nodeId, pin.dataset.pin);
    }
  }

  disarm() {
    this.armed = null;
    for (const p of this.container.querySelectorAll('.pin.armed')) { p.classList.remove('armed'); p.removeAttribute('aria-pressed'); }
  }

  tryConnect(from, fromPin, to, toPin) {
    this.options.onConnect?.({ from, fromPin, to, toPin });
  }
}
