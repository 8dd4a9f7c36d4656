// The telemetry timeline: nodetelemetry events and state changes, one row per node on a canvas
// (last 30 s), with a filter and a fixed-height log. Events go into a ring buffer and the page
// redraws at most once per frame, so hundreds of events per second cost one draw each frame.
import { esc, stateOf } from './api.js';

const WINDOW_MS = 30000, ROW = 22, MAX_EVENTS = 5000, LOG_ROWS = 200;
const colour = { nodetelemetry: '#4f8cff', nodestatechanged: '#2ecc71', nodeparamschanged: '#f1c40f', nodestatsupdated: '#7f8c8d' };

export class TelemetryView {
  constructor(root, app) {
    this.root = root; this.app = app;
    this.events = []; this.count = 0; this.paused = false;
    root.innerHTML = `
      <div class="toolbar"><h2>Telemetry</h2>
        <input id="t-filter" type="search" placeholder="Filter: node, event, type…" aria-label="Filter events" size="28">
        <label class="note"><input type="checkbox" id="t-stats"> include stats</label>
        <button type="button" id="t-pause" aria-pressed="false">Pause</button>
        <button type="button" id="t-clear">Clear</button>
        <span class="grow"></span><span class="note" id="t-count" aria-live="off">0 events</span>
      </div>
      <div class="panel timeline-wrap"><canvas id="t-canvas" aria-label="Per-node event timeline" role="img"></canvas></div>
      <div class="panel"><h3>Events (newest first)</h3><div id="t-log" class="event-log" role="log" aria-live="off"></div></div>`;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.$('t-filter').addEventListener('input', () => this.schedule());
    this.$('t-stats').addEventListener('change', () => this.schedule());
    this.$('t-pause').addEventListener('click', () => {
      this.paused = !this.paused;
      this.$('t-pause').setAttribute('aria-pressed', String(this.paused));
      this.$('t-pause').textContent = this.paused ? 'Resume' : 'Pause';
      this.schedule();
    });
    this.$('t-clear').addEventListener('click', () => { this.events = []; this.schedule(); });
    app.control.addEventListener('event', (e) => this.onEvent(e.detail));
    // The timeline scrolls with time even when nothing arrives.
    setInterval(() => { if (this.app.view === 'telemetry' && !this.paused) this.schedule(); }, 500);
  }

  show() { this.schedule(); }

  onEvent(event) {
    if (!['nodetelemetry', 'nodestatechanged', 'nodeparamschanged', 'nodestatsupdated'].includes(event.event)) return;
    let text;
    if (event.event === 'nodetelemetry') {
      const d = event.data ?? {};
      text = `${d.event_type ?? event.type_id ?? 'telemetry'} ${JSON.stringify(d).slice(0, 160)}`;
    } else if (event.event === 'nodestatechanged') {
      const s = stateOf(event.state); text = `state → ${s.name}${s.reason ? ` (${s.reason})` : ''}`;
    } else if (event.event === 'nodeparamschanged') text = `params ${JSON.stringify(event.params)}`;
    else text = `stats in ${event.stats?.received} out ${event.stats?.sent} err ${event.stats?.errored}`;
    this.events.push({ t: Date.now(), type: event.event, node: event.node_id, session: event.session_id, text });
    this.count++;
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (this.app.view === 'telemetry' && !this.paused) this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = null; this.draw(); });
  }

  filtered() {
    const q = this.$('t-filter').value.trim().toLowerCase();
    const stats = this.$('t-stats').checked;
    return this.events.filter((e) => (stats || e.type !== 'nodestatsupdated')
      && (!q || `${e.node} ${e.type} ${e.session} ${e.text}`.toLowerCase().includes(q)));
  }

  draw() {
    const events = this.filtered();
    this.$('t-count').textContent = `${this.count} events`;
    const canvas = this.$('t-canvas');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (canvas.width !== width * ratio) { canvas.width = width * ratio; canvas.height = height * ratio; }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const now = Date.now(), left = 120;
    const rows = [...new Set(events.map((e) => `${e.session.slice(0, 4)}/${e.node}`))].slice(0, Math.floor((height - 20) / ROW));
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#9aa4b5';
    for (let s = 0; s <= 30; s += 5) {
      const x = left + (width - left - 8) * (1 - s * 1000 / WINDOW_MS);
      g.fillText(s ? `-${s}s` : 'now', x - 10, height - 4);
      g.fillRect(x, 0, 1, height - 16);
    }
    rows.forEach((row, i) => { g.fillStyle = '#e6e9ef'; g.fillText(row.length > 18 ? row.slice(0, 17) + '…' : row, 4, 14 + i * ROW); });
    for (const e of events) {
      const age = now - e.t;
      if (age > WINDOW_MS) continue;
      const r = rows.indexOf(`${e.session.slice(0, 4)}/${e.node}`);
      if (r < 0) continue;
      g.fillStyle = colour[e.type] ?? '#e67e22';
      g.fillRect(left + (width - left - 8) * (1 - age / WINDOW_MS), 3 + r * ROW, 3, ROW - 8);
    }
    if (this.paused) return;
    const log = this.$('t-log');
    const recent = events.slice(-LOG_ROWS).reverse();
    log.innerHTML = recent.map((e) => `<div data-type="${e.type}"><span class="mark">●</span> ${new Date(e.t).toISOString().slice(11, 23)} <strong>${esc(e.node)}</strong> ${esc(e.text)}</div>`).join('');
  }
}
