// Sessions and the live monitor: list sessions, start one from a dynamic sample, watch each
// node's state and stats on the graph, tune params live, destroy. Events are folded into a
// per-node "latest" table and drawn once per animation frame, so bursts never freeze the page.
import { api, esc, showError, showOk, stateOf } from './api.js';
import { GraphCanvas } from './graph.js';
import { graphFromPipeline } from './designer.js';
import { renderForm } from './schemaform.js';
import { LiveAudio } from './live-audio.js';

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n ?? 0));

export class MonitorView {
  constructor(root, app) {
    this.root = root; this.app = app;
    this.dirty = new Map();
    root.innerHTML = `
      <div class="toolbar"><h2>Sessions</h2>
        <select id="m-sample" aria-label="Dynamic sample"></select>
        <button id="m-start" type="button" class="primary">Start from sample</button>
        <button id="m-refresh" type="button">Refresh</button>
      </div>
      <div id="m-msg" class="msg" role="alert"></div>
      <div class="monitor">
        <div class="panel"><h3>Live sessions</h3><ul id="m-list" class="session-list"></ul></div>
        <div class="panel" id="m-detail"><p class="note">Select a session.</p></div>
      </div>`;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.$('m-refresh').addEventListener('click', () => this.refresh());
    this.$('m-start').addEventListener('click', () => this.startSample());
    app.control.addEventListener('event', (e) => this.onEvent(e.detail));
  }

  async show(sessionID) {
    if (!this.listening) {
      this.listening = true;
      this.app.addEventListener('samples', () => this.renderSamples());
    }
    // A later navigation (or a destroy) while this one waits for the lists supersedes it: a stale
    // one must not open a session that is gone.
    const navigation = this.navigation = (this.navigation ?? 0) + 1;
    try { await this.app.loadSamples(); } catch (error) { showError(this.$('m-msg'), error); }
    await this.refresh();
    if (navigation !== this.navigation) return;
    if (sessionID && sessionID !== this.current) await this.open(sessionID);
    else this.canvas?.drawEdges();
  }

  async refresh() {
    try {
      const sessions = await api('api/v1/sessions');
      this.sessions = sessions;
      this.$('m-list').innerHTML = sessions.length
        ? sessions.map((s) => `<li><button type="button" data-id="${esc(s.id)}" aria-pressed="${s.id === this.current}"><strong>${esc(s.name ?? s.id)}</strong><br><span class="note mono">${esc(s.id.slice(0, 8))} · ${esc((s.created_at ?? '').slice(11, 19))}</span></button></li>`).join('')
        : '<li class="note">No live sessions.</li>';
      for (const b of this.$('m-list').querySelectorAll('button')) b.addEventListener('click', () => { location.hash = `#/monitor/${encodeURIComponent(b.dataset.id)}`; });
      showError(this.$('m-msg'), null);
    } catch (error) { showError(this.$('m-msg'), error); }
  }

  /** The dynamic sample picker, keeping the current choice (by id) when the list changes. */
  renderSamples() {
    const select = this.$('m-sample'), chosen = select.value;
    this.samples = this.app.samples?.dynamic ?? [];
    select.innerHTML = this.samples.map((s) => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join('')
      || '<option value="">No dynamic samples (see server.samples_dir)</option>';
    if (this.samples.some((s) => s.id === chosen)) select.value = chosen;
  }

  async startSample() {
    const sample = this.samples?.find((s) => s.id === this.$('m-sample').value);
    if (!sample) return showError(this.$('m-msg'), new Error('No dynamic sample to start.'));
    try {
      const created = await api('api/v1/sessions', { method: 'POST', json: { yaml: sample.yaml } });
      location.hash = `#/monitor/${encodeURIComponent(created.session_id)}`;
    } catch (error) { showError(this.$('m-msg'), error); }
  }

  async open(sessionID) {
    this.live?.stop(); this.live = null;
    this.current = sessionID;
    const detail = this.$('m-detail');
    detail.innerHTML = '<p class="note">Loading…</p>';
    let pipeline;
    try { pipeline = await api(`api/v1/sessions/${encodeURIComponent(sessionID)}/pipeline`); } catch (error) {
      detail.innerHTML = '<div class="msg" role="alert"></div>';
      return showError(detail.firstChild, error);
    }
    const info = this.sessions?.find((s) => s.id === sessionID || s.name === sessionID);
    this.sessionID = info?.id ?? sessionID;
    const { nodes, edges } = graphFromPipeline(pipeline);
    for (const n of nodes) {
      const s = stateOf(pipeline.nodes[n.id].state);
      n.state = s.name; n.stateText = s.name + (s.reason ? `: ${s.reason}` : '');
      n.statsText = 'in 0 · out 0 · err 0';
    }
    this.nodes = nodes;
    detail.innerHTML = `
      <div class="toolbar"><h2 class="grow">${esc(info?.name ?? sessionID)}</h2>
        <span class="note mono">${esc(this.sessionID)}</span>
        <button type="button" id="m-mic" aria-pressed="false" hidden>Microphone</button>
        <button type="button" class="danger" id="m-destroy">Destroy</button></div>
      <p id="m-live" class="note mono" aria-live="off" hidden></p>
      <div id="m-detail-msg" class="msg" role="alert"></div>
      <div id="m-graph" class="live-graph" aria-label="Live pipeline graph"></div>
      <section id="m-transcripts-box" hidden><h3>Transcripts</h3>
        <ol id="m-transcripts" class="transcripts" aria-live="polite" aria-label="Live transcripts"></ol></section>
      <h3>Tune</h3>
      <div id="m-tune" class="tune"></div>
      <p class="note" aria-live="polite">Last params change: <span id="m-params-log" class="mono">—</span></p>`;
    this.$('m-destroy').addEventListener('click', () => this.destroy());
    const kinds = Object.entries(pipeline.nodes ?? {});
    this.mediaIn = kinds.find(([, n]) => n.kind === 'transport::websocket::input')?.[0];
    this.mediaOut = kinds.find(([, n]) => n.kind === 'transport::websocket::output')?.[0];
    this.$('m-mic').hidden = !(this.mediaIn || this.mediaOut);
    this.$('m-mic').addEventListener('click', () => this.toggleMicrophone());
    this.canvas = new GraphCanvas(this.$('m-graph'), { editable: false, definitions: () => this.app.definitions });
    this.canvas.setGraph(nodes, edges);
    this.renderTune(pipeline);
    this.refresh();
  }

  renderTune(pipeline) {
    const tune = this.$('m-tune');
    tune.innerHTML = '';
    for (const [id, node] of Object.entries(pipeline.nodes ?? {})) {
      const schema = this.app.definitions.get(node.kind)?.param_schema;
      if (!Object.keys(schema?.properties ?? {}).length) continue;
      const box = document.createElement('div');
      box.className = 'panel';
      box.dataset.node = id;
      box.innerHTML = `<h3>${esc(id)} <span class="note mono">${esc(node.kind)}</span></h3><div class="form"></div><div class="msg" role="alert"></div>`;
      tune.appendChild(box);
      let inFlight = null, queued = null;
      const send = async (params) => {
        // One request per node at a time; a slider drag sends only the newest value after it.
        if (inFlight) { queued = params; return; }
        inFlight = params;
        try {
          await this.app.control.request('tunenode', { session_id: this.sessionID, node_id: id, message: { UpdateParams: params } });
          showError(box.querySelector('.msg'), null);
        } catch (error) { showError(box.querySelector('.msg'), error); }
        inFlight = null;
        if (queued) { const next = queued; queued = null; send(next); }
      };
      renderForm(box.querySelector('.form'), schema, node.params ?? {}, send, { live: true, idPrefix: `m-${id}` });
    }
    if (!tune.children.length) tune.innerHTML = '<p class="note">No tunable params.</p>';
  }

  /** Streams the microphone into the session's websocket input and plays its websocket output. */
  async toggleMicrophone() {
    const button = this.$('m-mic'), line = this.$('m-live');
    if (this.live) {
      this.live.stop(); this.live = null;
      button.setAttribute('aria-pressed', 'false');
      return;
    }
    line.hidden = false;
    line.textContent = 'starting microphone…';
    const live = new LiveAudio(this.sessionID, this.mediaIn, this.mediaOut, (levels) => {
      line.dataset.sentRms = String(levels.matchedSentRms);
      line.dataset.receivedRms = String(levels.receivedRms);
      line.dataset.receivedSamples = String(levels.receivedSamples);
      line.dataset.channels = String(levels.channels);
      line.dataset.playedRms = JSON.stringify(levels.playedRms);
      const played = levels.playedRms.length ? `, playing ${levels.playedRms.length} ch at ${levels.playedRms.map((r) => r.toFixed(4)).join(' / ')}` : '';
      line.textContent = `mic RMS ${levels.matchedSentRms.toFixed(4)} → session → back RMS ${levels.receivedRms.toFixed(4)}`
        + ` (${(levels.receivedSamples / 48000).toFixed(1)} s received, ${levels.channels} ch${played}${levels.skipped ? `, ${levels.skipped} blocks skipped` : ''})${levels.error ? ` — ${levels.error}` : ''}`;
    });
    try {
      await live.start();
      this.live = live;
      button.setAttribute('aria-pressed', 'true');
    } catch (error) {
      live.stop();
      showError(this.$('m-detail-msg'), new Error(`Microphone: ${error.message}`));
      line.hidden = true;
    }
  }

  async destroy() {
    // Bumped before the request goes out, so a navigation still waiting for its lists cannot reopen it.
    this.navigation = (this.navigation ?? 0) + 1;
    this.live?.stop(); this.live = null;
    try {
      await api(`api/v1/sessions/${encodeURIComponent(this.sessionID)}`, { method: 'DELETE' });
      this.navigation = (this.navigation ?? 0) + 1;
      this.current = null;
      this.$('m-detail').innerHTML = '<p class="note">Session destroyed.</p>';
      location.hash = '#/monitor';
      this.refresh();
    } catch (error) { showError(this.$('m-detail-msg'), error); }
  }

  onEvent(event) {
    if (event.event === 'sessioncreated' || event.event === 'sessiondestroyed') {
      if (this.app.view === 'monitor') this.refresh();
      if (event.event === 'sessiondestroyed' && event.session_id === this.sessionID && this.app.view === 'monitor') {
        this.navigation = (this.navigation ?? 0) + 1;
        this.$('m-detail').innerHTML = '<p class="note">Session destroyed.</p>';
        this.current = null;
      }
      return;
    }
    if (event.session_id !== this.sessionID || !event.node_id) return;
    if (event.event === 'nodetelemetry' && event.data?.event_type === 'stt.result') {
      this.addTranscript(event.node_id, event.data);
      return;
    }
    const entry = this.dirty.get(event.node_id) ?? {};
    if (event.event === 'nodestatechanged') {
      const s = stateOf(event.state);
      entry.state = s.name; entry.stateText = s.name + (s.reason ? `: ${s.reason}` : '');
    } else if (event.event === 'nodestatsupdated') {
      const st = event.stats ?? {};
      entry.statsText = `in ${fmt(st.received)} · out ${fmt(st.sent)} · err ${fmt(st.errored)}`;
    } else if (event.event === 'nodeparamschanged') {
      entry.params = `${event.node_id} ${JSON.stringify(event.params)}`;
    } else return;
    this.dirty.set(event.node_id, entry);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** A speech-to-text result (`stt.result` telemetry, e.g. from core::telemetry_out) as a new line. */
  addTranscript(nodeID, data) {
    const list = this.$('m-transcripts');
    if (!list) return;
    this.$('m-transcripts-box').hidden = false;
    const item = document.createElement('li');
    const first = data.segments?.[0];
    const at = first?.start_time_ms != null ? `${(first.start_time_ms / 1000).toFixed(1)} s ` : '';
    item.innerHTML = `<span class="note mono">${esc(at)}${esc(nodeID)}</span> `;
    item.append(document.createTextNode(data.text_preview ?? data.text ?? ''));
    list.appendChild(item);
    while (list.children.length > 200) list.firstElementChild.remove();
    item.scrollIntoView?.({ block: 'nearest' });
  }

  flush() {
    this.frame = null;
    for (const [id, entry] of this.dirty) {
      this.canvas?.updateNode(id, entry);
      if (entry.params) { const log = this.$('m-params-log'); if (log) log.textContent = entry.params; }
    }
    this.dirty.clear();
  }
}
