// The designer: a palette from /api/v1/schema/nodes, nodes on a canvas, pins connected by
// dragging (or clicking out then in), param forms from each node's JSON Schema, and the YAML
// kept in sync both ways. Samples load and save; a session starts from what is on the canvas.
// Every edit (add, remove, move, connect, disconnect, params, YAML, name, mode) can be undone.
// YAML is read by the server (the engine's own parser), never here; it is only written here.
import { api, esc, parsePipeline, showError, showOk } from './api.js';
import { UndoHistory } from './history.js';
import { stringify } from './yaml.js';
import { GraphCanvas, inputPins, typeText, typesMatch } from './graph.js';
import { renderForm, validateParams } from './schemaform.js';

/**
 * Turns the server's `Pipeline` JSON (a parsed document, or a live session's pipeline) into
 * `{nodes, edges}`; positions from `previous`.
 */
export function graphFromPipeline(pipeline, previous = []) {
  const nodes = Object.entries(pipeline?.nodes ?? {})
    .map(([id, node]) => ({ id, kind: node?.kind ?? '', params: node?.params ?? undefined }));
  const edges = (pipeline?.connections ?? []).map((c) => {
    const edge = { from: c.from_node, fromPin: c.from_pin, to: c.to_node, toPin: c.to_pin };
    if (c.mode) edge.mode = c.mode;
    return edge;
  });
  layout(nodes, edges, previous);
  return { nodes, edges };
}

/** An empty box is an empty pipeline (the engine's parser refuses an empty document). */
const emptyPipeline = { mode: 'dynamic', nodes: {}, connections: [] };

/** Places nodes in columns by depth, keeping the positions of nodes that already had one. */
function layout(nodes, edges, previous) {
  const known = new Map(previous.map((n) => [n.id, n]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const ups = edges.filter((e) => e.to === id).map((e) => depthOf(e.from, seen) + 1);
    const d = ups.length ? Math.max(...ups) : 0;
    depth.set(id, d);
    return d;
  };
  const rows = new Map();
  for (const node of nodes) {
    const old = known.get(node.id);
    if (old) { node.x = old.x; node.y = old.y; continue; }
    const d = depthOf(node.id);
    const r = rows.get(d) ?? 0; rows.set(d, r + 1);
    node.x = 20 + d * 210; node.y = 20 + r * 150;
  }
}

/** The pipeline document for a graph: `nodes` with `needs` (the YAML form can only say `out` → `in`/`in_N`). */
export function documentFromGraph(meta, nodes, edges) {
  const doc = {};
  if (meta.name) doc.name = meta.name;
  if (meta.description) doc.description = meta.description;
  doc.mode = meta.mode;
  doc.nodes = {};
  for (const node of nodes) {
    const spec = { kind: node.kind };
    if (node.params && Object.keys(node.params).length) spec.params = node.params;
    const incoming = edges.filter((e) => e.to === node.id)
      .sort((a, b) => (a.toPin === 'in' ? -1 : Number(a.toPin.split('_').pop())) - (b.toPin === 'in' ? -1 : Number(b.toPin.split('_').pop())));
    const needs = incoming.map((e) => (e.mode && e.mode !== 'reliable' ? { node: e.from, mode: e.mode } : e.from));
    if (needs.length === 1) spec.needs = needs[0]; else if (needs.length) spec.needs = needs;
    doc.nodes[node.id] = spec;
  }
  return doc;
}

export class DesignerView {
  constructor(root, app) {
    this.root = root; this.app = app;
    this.meta = { name: 'My pipeline', description: '', mode: 'dynamic' };
    this.nodes = []; this.edges = [];
    root.innerHTML = `
      <div class="toolbar">
        <h2>Designer</h2>
        <label for="d-sample" class="note">Sample</label>
        <select id="d-sample" aria-label="Sample pipeline"><option value="">—</option></select>
        <button id="d-load" type="button">Load</button>
        <button id="d-new" type="button">New</button>
        <button id="d-undo" type="button" title="Undo (Ctrl+Z)" aria-keyshortcuts="Control+Z Meta+Z" disabled>Undo</button>
        <button id="d-redo" type="button" title="Redo (Ctrl+Shift+Z)" aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z Control+Y" disabled>Redo</button>
        <label class="note" for="d-name">Name</label><input id="d-name" size="16">
        <select id="d-mode" aria-label="Mode"><option>dynamic</option><option>oneshot</option></select>
        <button id="d-save" type="button">Save as sample</button>
        <span class="grow"></span>
        <button id="d-start" type="button" class="primary">Start session</button>
      </div>
      <div id="d-msg" class="msg" role="alert"></div>
      <div class="designer">
        <div class="panel palette" aria-label="Node palette">
          <input id="d-search" type="search" placeholder="Search nodes…" aria-label="Search nodes">
          <div id="d-palette"></div>
        </div>
        <div id="d-canvas" class="panel" aria-label="Pipeline canvas"></div>
        <div class="panel" id="d-inspector" aria-label="Inspector"><p class="note">Select a node to edit its parameters.</p></div>
      </div>
      <div class="panel yaml-area">
        <h3><label for="d-yaml">YAML</label></h3>
        <textarea id="d-yaml" spellcheck="false"></textarea>
        <div id="d-yaml-msg" class="msg" role="alert"></div>
      </div>`;
    this.$ = (id) => root.querySelector(`#${id}`);
    // Edits go through `inOrder`: one made while the server reads a pipeline (a sample being
    // loaded, the YAML box) applies after that reading, in the order the edits were made.
    this.canvas = new GraphCanvas(this.$('d-canvas'), {
      editable: true,
      definitions: () => this.app.definitions,
      onSelect: (id) => this.inOrder(() => this.inspect(id)),
      onConnect: (edge) => this.inOrder(() => this.connect(edge)),
      // Arrow-key moves of one node fold into one undo step; a drag is one step anyway.
      onMove: (id, viaKeyboard) => this.inOrder(() => this.record(viaKeyboard ? `move:${id}` : null)),
      onDelete: (id) => this.inOrder(() => this.removeNode(id)),
    });
    this.history = new UndoHistory();
    this.history.reset(this.snapshot());
    this.$('d-search').addEventListener('input', () => this.renderPalette());
    this.$('d-load').addEventListener('click', () => this.loadSample());
    this.$('d-new').addEventListener('click', () => this.inOrder(() => { this.meta = { name: 'My pipeline', description: '', mode: 'dynamic' }; this.setGraph([], []); this.inspect(null); this.record(); }));
    this.$('d-undo').addEventListener('click', () => this.inOrder(() => this.undo()));
    this.$('d-redo').addEventListener('click', () => this.inOrder(() => this.redo()));
    document.addEventListener('keydown', (e) => this.shortcut(e));
    this.$('d-save').addEventListener('click', () => this.inOrder(() => this.saveSample()));
    this.$('d-start').addEventListener('click', () => this.inOrder(() => this.start()));
    this.$('d-name').addEventListener('change', () => this.inOrder(() => { this.meta.name = this.$('d-name').value; this.syncYaml(); this.record(); }));
    this.$('d-mode').addEventListener('change', () => this.inOrder(() => { this.meta.mode = this.$('d-mode').value; this.syncYaml(); this.record(); }));
    let timer;
    this.$('d-yaml').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => this.yamlEdited(), 300); });
    window.addEventListener('resize', () => this.canvas.drawEdges());
  }

  async show() {
    if (!this.loaded) {
      this.loaded = true;
      this.renderPalette();
      this.syncYaml();
      this.app.addEventListener('samples', () => this.renderSamples());
    }
    // Samples may have changed elsewhere (another tab, skit-cli): the list is re-read on every visit.
    try { await this.app.loadSamples(); } catch (error) { showError(this.$('d-msg'), error); }
    this.canvas.drawEdges();
  }

  /** The sample picker from the app's sample lists, keeping the current choice (by id). */
  renderSamples(selectID = this.$('d-sample').value) {
    const { oneshot = [], dynamic = [] } = this.app.samples ?? {};
    this.samples = [...dynamic, ...oneshot];
    this.$('d-sample').innerHTML = '<option value="">—</option>' + this.samples.map((s) => `<option value="${esc(s.id)}">${esc(s.mode)}: ${esc(s.name)}</option>`).join('');
    if (this.samples.some((s) => s.id === selectID)) this.$('d-sample').value = selectID;
  }

  renderPalette() {
    const query = this.$('d-search').value.trim().toLowerCase();
    const groups = new Map();
    for (const def of this.app.definitions.values()) {
      if (query && !(`${def.kind} ${def.description ?? ''} ${(def.categories ?? []).join(' ')}`.toLowerCase().includes(query))) continue;
      const category = def.categories?.[0] ?? 'other';
      if (!groups.has(category)) groups.set(category, []);
      groups.get(category).push(def);
    }
    const html = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([category, defs]) =>
      `<details open><summary>${esc(category)} (${defs.length})</summary>${defs.map((d) => `<button type="button" data-kind="${esc(d.kind)}" title="${esc(d.description ?? d.kind)}">${esc(d.kind)}</button>`).join('')}</details>`).join('');
    const palette = this.$('d-palette');
    palette.innerHTML = html || '<p class="note">No node matches.</p>';
    for (const b of palette.querySelectorAll('button')) b.addEventListener('click', () => this.inOrder(() => this.addNode(b.dataset.kind)));
  }

  /** Default params from the schema's `default`s, so the form and the YAML start complete. */
  defaults(kind) {
    const props = this.app.definitions.get(kind)?.param_schema?.properties ?? {};
    const params = {};
    for (const [name, sub] of Object.entries(props)) if (sub.default !== undefined) params[name] = sub.default;
    return params;
  }

  addNode(kind) {
    const base = kind.split('::').pop().replace(/[^A-Za-z0-9_]/g, '_');
    let id = base, n = 2;
    while (this.nodes.some((x) => x.id === id)) id = `${base}_${n++}`;
    const last = this.nodes[this.nodes.length - 1];
    const node = { id, kind, params: this.defaults(kind), x: last ? last.x + 210 : 20, y: last ? last.y : 20 };
    this.nodes.push(node);
    this.setGraph(this.nodes, this.edges, id);
    this.inspect(id);
    this.record();
  }

  removeNode(id) {
    this.nodes = this.nodes.filter((n) => n.id !== id);
    this.edges = this.edges.filter((e) => e.from !== id && e.to !== id);
    this.setGraph(this.nodes, this.edges);
    this.inspect(null);
    this.record();
  }

  /** The concrete type an output pin produces, following passthrough nodes upstream. */
  producedType(nodeId, pinName, seen = new Set()) {
    const node = this.nodes.find((n) => n.id === nodeId);
    const pin = this.app.definitions.get(node?.kind)?.outputs?.find((p) => p.name === pinName);
    const type = pin?.produces_type ?? 'Any';
    if (type !== 'Passthrough' || seen.has(nodeId)) return type;
    seen.add(nodeId);
    const up = this.edges.find((e) => e.to === nodeId);
    return up ? this.producedType(up.from, up.fromPin, seen) : 'Passthrough';
  }

  /** Connects two pins, or refuses on the spot and says why (both types). */
  connect(edge) {
    const msg = this.$('d-msg');
    if (edge.from === edge.to) return showError(msg, new Error('A node cannot be connected to itself.'));
    const toNode = this.nodes.find((n) => n.id === edge.to);
    const used = this.edges.filter((e) => e.to === edge.to).map((e) => e.toPin);
    const pin = inputPins(this.app.definitions.get(toNode?.kind), used).find((p) => p.name === edge.toPin);
    const produced = this.producedType(edge.from, edge.fromPin);
    const accepts = pin?.accepts_types ?? ['Any'];
    if (!accepts.some((t) => typesMatch(produced, t))) {
      return showError(msg, new Error(`Incompatible connection: ${edge.from}.${edge.fromPin} produces ${typeText(produced)}, but ${edge.to}.${edge.toPin} accepts ${accepts.map(typeText).join(' | ')}.`));
    }
    if (this.edges.some((e) => e.to === edge.to && e.toPin === edge.toPin)) {
      return showError(msg, new Error(`${edge.to}.${edge.toPin} is already connected; remove that connection first.`));
    }
    showError(msg, null);
    this.edges.push({ ...edge });
    this.setGraph(this.nodes, this.edges);
    this.inspect(this.canvas.selected);
    this.record();
  }

  /** The graph as plain data, for the undo history. */
  snapshot() {
    return {
      meta: { ...this.meta },
      nodes: this.nodes.map(({ id, kind, params, x, y }) => ({ id, kind, params, x, y })),
      edges: this.edges.map((e) => ({ ...e })),
    };
  }

  /** Records the graph after an edit (nothing happens if the edit changed nothing). */
  record(key = null) {
    this.history.record(this.snapshot(), key);
    this.updateUndoButtons();
  }

  updateUndoButtons() {
    this.$('d-undo').disabled = !this.history.canUndo;
    this.$('d-redo').disabled = !this.history.canRedo;
  }

  restore(state) {
    if (!state) return;
    this.meta = state.meta;
    const selected = this.canvas.selected;
    this.setGraph(state.nodes, state.edges, selected);
    this.inspect(this.canvas.selected);
    this.updateUndoButtons();
    showError(this.$('d-msg'), null);
  }

  undo() { this.restore(this.history.undo()); }
  redo() { this.restore(this.history.redo()); }

  /**
   * Ctrl/Cmd+Z undoes and Ctrl/Cmd+Shift+Z (or Ctrl+Y) redoes while the designer is shown. In a
   * text field the browser's own undo for that field applies instead.
   */
  shortcut(event) {
    if (this.app.view !== 'designer' || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key !== 'z' && key !== 'y') return;
    const target = event.target;
    const textual = target instanceof HTMLTextAreaElement || target?.isContentEditable
      || (target instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button', 'submit', 'file'].includes(target.type));
    if (textual) return;
    event.preventDefault();
    const redo = key === 'y' || event.shiftKey;
    this.inOrder(() => (redo ? this.redo() : this.undo()));
  }

  setGraph(nodes, edges, selected) {
    this.nodes = nodes; this.edges = edges;
    this.canvas.setGraph(nodes, edges, selected);
    this.syncYaml();
  }

  /** Writes the YAML box from the graph (unless the user is typing in it). */
  syncYaml() {
    this.$('d-name').value = this.meta.name ?? '';
    this.$('d-mode').value = this.meta.mode ?? 'dynamic';
    if (this.fromYaml) return;
    this.$('d-yaml').value = stringify(documentFromGraph(this.meta, this.nodes, this.edges));
    this.$('d-yaml').classList.remove('invalid');
    showError(this.$('d-yaml-msg'), null);
  }

  /**
   * Runs `step` now, or, while the server is reading a pipeline, right after that reading has been
   * applied (and after the steps queued before it).
   */
  inOrder(step) {
    if (!this.reading) return step();
    this.reading.then(step).catch((error) => showError(this.$('d-msg'), error));
  }

  /**
   * Has the server read `text` (see `parsePipeline`), then calls `apply` with its graph, or `fail`
   * with the error. The request leaves at once; edits made meanwhile wait for it (`inOrder`).
   */
  read(text, apply, fail) {
    const reply = text.trim() ? parsePipeline(text) : Promise.resolve(emptyPipeline);
    const done = this.reading = (this.reading ?? Promise.resolve())
      .then(() => reply).then(apply).catch(fail)
      .finally(() => { if (this.reading === done) this.reading = null; });
    return done;
  }

  /** The YAML box changed: rebuild the graph from the server's reading of it, or say where it is wrong. */
  yamlEdited() {
    const box = this.$('d-yaml'), text = box.value;
    // Once the box has changed again (typing on, or an edit of the graph), this reading is stale.
    const current = () => box.value === text;
    return this.read(text, (pipeline) => {
      if (!current()) return;
      const { nodes, edges } = graphFromPipeline(pipeline, this.nodes);
      this.meta = { name: pipeline.name ?? '', description: pipeline.description ?? '', mode: pipeline.mode ?? 'dynamic' };
      this.fromYaml = true;
      this.setGraph(nodes, edges, this.canvas.selected);
      this.fromYaml = false;
      this.inspect(this.canvas.selected);
      this.record();
      box.classList.remove('invalid');
      showError(this.$('d-yaml-msg'), null);
    }, (error) => {
      if (!current()) return;
      box.classList.add('invalid');
      showError(this.$('d-yaml-msg'), error);
    });
  }

  /** Shows a pipeline read by the server (`Pipeline` JSON) as the designer's graph, laid out afresh. */
  loadPipeline(pipeline) {
    const { nodes, edges } = graphFromPipeline(pipeline, []);
    this.meta = { name: pipeline.name ?? '', description: pipeline.description ?? '', mode: pipeline.mode ?? 'dynamic' };
    this.setGraph(nodes, edges);
    this.inspect(null);
  }

  loadSample() {
    const sample = this.samples?.find((s) => s.id === this.$('d-sample').value);
    if (!sample) return this.inOrder(() => showError(this.$('d-msg'), new Error('Pick a sample first.')));
    return this.read(sample.yaml, (pipeline) => { this.loadPipeline(pipeline); showError(this.$('d-msg'), null); this.record(); }, (error) => showError(this.$('d-msg'), error));
  }

  /** Saves the YAML as a user sample (replacing one of the same name) and shows it in every sample list. */
  async saveSample() {
    const msg = this.$('d-msg');
    try {
      const yaml = this.$('d-yaml').value;
      const saved = await api('api/v1/samples/oneshot', { method: 'POST', json: { name: this.meta.name || 'Untitled', description: this.meta.description || '', yaml, overwrite: true } });
      const replaced = this.samples?.some((s) => s.id === saved?.id);
      await this.app.loadSamples(); // its `samples` event has redrawn the picker
      if (this.samples?.some((s) => s.id === saved?.id)) this.$('d-sample').value = saved.id;
      showOk(msg, `${replaced ? 'Replaced' : 'Saved as'} sample ${saved?.id ?? ''} (${saved?.mode ?? ''})`);
    } catch (error) { showError(msg, error); }
  }

  inspect(id) {
    const panel = this.$('d-inspector');
    const node = this.nodes.find((n) => n.id === id);
    if (!node) { panel.innerHTML = '<p class="note">Select a node to edit its parameters.</p>'; return; }
    const def = this.app.definitions.get(node.kind);
    const links = this.edges.map((e, i) => ({ e, i })).filter(({ e }) => e.from === id || e.to === id);
    panel.innerHTML = `<h3>${esc(node.id)}</h3><p class="note mono">${esc(node.kind)}</p>
      <p class="note">${esc(def?.description ?? (def ? '' : 'Unknown node kind'))}</p>
      <div class="params"></div><div class="msg" role="alert"></div>
      <h3>Connections</h3>
      ${links.length ? links.map(({ e, i }) => `<div class="toolbar"><span class="mono grow">${esc(`${e.from}.${e.fromPin} → ${e.to}.${e.toPin}`)}</span><button type="button" data-edge="${i}" aria-label="Remove connection">✕</button></div>`).join('') : '<p class="note">None. Drag from an output pin (right) to an input pin (left), or click one then the other.</p>'}
      <button type="button" class="danger remove-node">Remove node</button>`;
    const problems = validateParams(def?.param_schema, node.params);
    renderForm(panel.querySelector('.params'), def?.param_schema, node.params, (params) => {
      node.params = params;
      this.syncYaml();
      this.record();
    }, { idPrefix: `d-${node.id}` });
    if (Object.keys(problems).length) showError(panel.querySelector('.msg'), new Error(Object.entries(problems).map(([k, v]) => `${k}: ${v}`).join('\n')));
    for (const b of panel.querySelectorAll('[data-edge]')) b.addEventListener('click', () => {
      this.edges.splice(Number(b.dataset.edge), 1);
      this.setGraph(this.nodes, this.edges, id);
      this.inspect(id);
      this.record();
      // The button went with the old inspector: keep keyboard focus in the panel.
      (panel.querySelector('[data-edge]') ?? panel.querySelector('.remove-node'))?.focus();
    });
    panel.querySelector('.remove-node').addEventListener('click', () => this.removeNode(id));
  }

  async start() {
    const msg = this.$('d-msg');
    for (const node of this.nodes) {
      const problems = validateParams(this.app.definitions.get(node.kind)?.param_schema, node.params);
      const first = Object.entries(problems)[0];
      if (first) return showError(msg, new Error(`Node ${node.id}: ${first[0]} ${first[1]}`));
    }
    try {
      const created = await api('api/v1/sessions', { method: 'POST', json: { yaml: this.$('d-yaml').value } });
      showOk(msg, `Session ${created.name} started`);
      location.hash = `#/monitor/${encodeURIComponent(created.session_id)}`;
    } catch (error) { showError(msg, error); }
  }
}
