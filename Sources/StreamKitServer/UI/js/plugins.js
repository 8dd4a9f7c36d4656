// Plugins: list, upload (drag and drop, or a file picker), reload and delete. Reloading is
// uploading a new build of a loaded plugin: the server swaps it in place (new sessions get the
// new version, running ones keep theirs) and the list shows the new version and checksum. When
// uploads are disabled on the server the page names the setting that enables them.
import { api, esc, showError, showOk } from './api.js';

export class PluginsView {
  constructor(root, app) {
    this.root = root; this.app = app;
    // The last answer per plugin row, kept here because a plugin event may redraw the list any time.
    this.notes = new Map();
    root.innerHTML = `
      <div class="toolbar"><h2>Plugins</h2><span class="grow"></span><button type="button" id="p-refresh">Refresh</button></div>
      <div id="p-disabled" class="msg" role="status"></div>
      <div id="p-drop" class="dropzone">
        Drop a plugin (.so / .wasm) here, or
        <input type="file" id="p-file" class="file-input" accept=".so,.dylib,.wasm">
        <label for="p-file" class="button">choose a file…</label>
        <p class="note">Uploading a plugin that is already loaded replaces it (a reload).</p>
      </div>
      <div id="p-msg" class="msg" role="alert"></div>
      <div class="panel table-scroll"><table><thead><tr><th>Kind</th><th>Type</th><th>File</th><th>Version</th><th>Loaded</th><th>Actions</th></tr></thead><tbody id="p-list"></tbody></table></div>`;
    this.$ = (id) => root.querySelector(`#${id}`);
    const drop = this.$('p-drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); const f = e.dataTransfer.files[0]; if (f) this.uploadNew(f); });
    this.$('p-file').addEventListener('change', () => { const f = this.$('p-file').files[0]; if (f) this.uploadNew(f); this.$('p-file').value = ''; });
    this.$('p-refresh').addEventListener('click', () => this.refresh());
    app.control.addEventListener('event', (e) => { if (e.detail.event?.startsWith('plugin') && this.app.view === 'plugins') this.refresh(); });
  }

  async show() {
    try {
      const config = await api('api/v1/config');
      const box = this.$('p-disabled');
      if (config?.allow_http_management === false) {
        box.className = 'msg error';
        box.textContent = 'Uploading and deleting plugins over HTTP is disabled. Enable it with allow_http_management = true under [plugins] in skit.toml (or SK_PLUGINS__ALLOW_HTTP_MANAGEMENT=true), then restart skit.';
      } else { box.className = 'msg'; box.textContent = ''; }
    } catch { /* the list still works */ }
    this.refresh();
  }

  async refresh() {
    try {
      const plugins = await api('api/v1/plugins');
      plugins.sort((a, b) => a.kind.localeCompare(b.kind));
      const list = this.$('p-list');
      list.innerHTML = plugins.length ? plugins.map((p, i) => `<tr data-kind="${esc(p.kind)}"><td class="mono">${esc(p.kind)}</td><td>${esc(p.plugin_type)}</td><td class="mono">${esc(p.file_name)}</td>
        <td class="mono version" title="SHA-256 ${esc(p.sha256 ?? '')}">v${esc(p.version ?? 1)} · ${esc((p.sha256 ?? '').slice(0, 8))}</td>
        <td>${esc(new Date(p.loaded_at_ms).toLocaleTimeString())}</td>
        <td><span class="actions"><input type="file" id="p-reload-${i}" class="file-input" data-reload="${esc(p.kind)}" accept=".so,.dylib,.wasm">
          <label for="p-reload-${i}" class="button" title="Upload a new build of ${esc(p.kind)}">Reload…</label>
          <button type="button" class="danger" data-delete="${esc(p.kind)}">Delete</button></span>${this.note(p.kind)}</td></tr>`).join('')
        : '<tr><td colspan="6" class="note">No plugins loaded.</td></tr>';
      for (const b of list.querySelectorAll('[data-delete]')) b.addEventListener('click', () => this.remove(b.dataset.delete, b.closest('td').querySelector('.msg')));
      for (const input of list.querySelectorAll('[data-reload]')) {
        input.addEventListener('change', () => {
          const file = input.files[0];
          if (file) this.reload(input.dataset.reload, file);
        });
      }
    } catch (error) { showError(this.$('p-msg'), error); }
  }

  note(kind) {
    const note = this.notes.get(kind);
    return `<div class="msg${note ? (note.ok ? ' ok-msg' : ' error') : ''}" role="alert">${esc(note?.text ?? '')}</div>`;
  }

  async upload(file) {
    const form = new FormData();
    form.append('plugin', file, file.name);
    const summary = await api('api/v1/plugins', { method: 'POST', body: form });
    await this.app.reloadDefinitions();
    return summary;
  }

  /** Uploads from the drop zone or the picker above the list. */
  async uploadNew(file) {
    try {
      const summary = await this.upload(file);
      showOk(this.$('p-msg'), summary.version > 1
        ? `Reloaded ${summary.kind} from ${summary.file_name}: now version ${summary.version}`
        : `Loaded ${summary.kind} from ${summary.file_name}`);
    } catch (error) { showError(this.$('p-msg'), error); }
    await this.refresh();
  }

  /** A row's Reload: the new build must provide the same kind; the answer goes next to the row. */
  async reload(kind, file) {
    const before = this.$('p-list').querySelector(`tr[data-kind="${CSS.escape(kind)}"] .version`)?.textContent;
    this.notes.delete(kind);
    showError(this.$('p-msg'), null);
    try {
      const summary = await this.upload(file);
      if (summary.kind === kind) {
        this.notes.set(kind, { ok: true, text: `Reloaded from ${summary.file_name}: v${summary.version} · ${(summary.sha256 ?? '').slice(0, 8)} (was ${before ?? '?'})` });
      } else {
        showError(this.$('p-msg'), new Error(`${file.name} provides ${summary.kind}, not ${kind}: it was loaded beside it.`));
      }
    } catch (error) {
      this.notes.set(kind, { ok: false, text: error.message || String(error) });
    }
    await this.refresh();
  }

  async remove(kind, msg) {
    try {
      await api(`api/v1/plugins/${encodeURIComponent(kind)}`, { method: 'DELETE' });
      this.notes.delete(kind);
      showOk(this.$('p-msg'), `Deleted ${kind}`);
      await this.app.reloadDefinitions();
      this.refresh();
    } catch (error) {
      this.notes.set(kind, { ok: false, text: error.message || String(error) });
      showError(msg, error);
    }
  }
}
