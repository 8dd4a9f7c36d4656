// Plugins: list, upload (drag and drop or pick), replace (hot reload) and delete. When uploads
// are disabled on the server the page names the setting that enables them.
import { api, esc, showError, showOk } from './api.js';

export class PluginsView {
  constructor(root, app) {
    this.root = root; this.app = app;
    root.innerHTML = `
      <div class="toolbar"><h2>Plugins</h2><span class="grow"></span><button type="button" id="p-refresh">Refresh</button></div>
      <div id="p-disabled" class="msg" role="status"></div>
      <div id="p-drop" class="dropzone" tabindex="0" role="button" aria-label="Upload a plugin: drop a file or press Enter to pick one">
        Drop a plugin (.so / .wasm) here, or <button type="button" id="p-pick">choose a file</button>
        <input type="file" id="p-file" hidden accept=".so,.dylib,.wasm">
      </div>
      <div id="p-msg" class="msg" role="alert"></div>
      <div class="panel"><table><thead><tr><th>Kind</th><th>Type</th><th>File</th><th>Loaded</th><th></th></tr></thead><tbody id="p-list"></tbody></table></div>`;
    this.$ = (id) => root.querySelector(`#${id}`);
    const drop = this.$('p-drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); const f = e.dataTransfer.files[0]; if (f) this.upload(f); });
    drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.$('p-file').click(); } });
    this.$('p-pick').addEventListener('click', () => this.$('p-file').click());
    this.$('p-file').addEventListener('change', () => { const f = this.$('p-file').files[0]; if (f) this.upload(f); this.$('p-file').value = ''; });
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
      this.$('p-list').innerHTML = plugins.length ? plugins.map((p) => `<tr><td class="mono">${esc(p.kind)}</td><td>${esc(p.plugin_type)}</td><td class="mono">${esc(p.file_name)}</td>
        <td>${esc(new Date(p.loaded_at_ms).toLocaleTimeString())}</td>
        <td><button type="button" data-reload="${esc(p.kind)}">Reload…</button> <button type="button" class="danger" data-delete="${esc(p.kind)}">Delete</button><div class="msg" role="alert"></div></td></tr>`).join('')
        : '<tr><td colspan="5" class="note">No plugins loaded.</td></tr>';
      for (const b of this.$('p-list').querySelectorAll('[data-delete]')) b.addEventListener('click', () => this.remove(b.dataset.delete, b.parentElement.querySelector('.msg')));
      // Reloading is uploading a new build of the same plugin: the server swaps it in place.
      for (const b of this.$('p-list').querySelectorAll('[data-reload]')) b.addEventListener('click', () => this.$('p-file').click());
    } catch (error) { showError(this.$('p-msg'), error); }
  }

  async upload(file) {
    const form = new FormData();
    form.append('plugin', file, file.name);
    try {
      const summary = await api('api/v1/plugins', { method: 'POST', body: form });
      showOk(this.$('p-msg'), `Loaded ${summary.kind} from ${summary.file_name}`);
      await this.app.reloadDefinitions();
      this.refresh();
    } catch (error) { showError(this.$('p-msg'), error); }
  }

  async remove(kind, msg) {
    try {
      await api(`api/v1/plugins/${encodeURIComponent(kind)}`, { method: 'DELETE' });
      showOk(this.$('p-msg'), `Deleted ${kind}`);
      await this.app.reloadDefinitions();
      this.refresh();
    } catch (error) { showError(msg, error); }
  }
}
