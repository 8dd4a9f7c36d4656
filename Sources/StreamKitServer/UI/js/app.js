// The app shell: one control connection, the node definitions, and hash routes
// (`#/designer`, `#/monitor/<session>`, …) that show one view at a time. The sample lists are
// shared too: saving a sample anywhere refreshes every view's picker (the `samples` event).
import { api, ControlClient } from './api.js';
import { DesignerView } from './designer.js';
import { MonitorView } from './monitor.js';
import { TelemetryView } from './telemetry.js';
import { OneshotView } from './oneshot.js';
import { PluginsView } from './plugins.js';

class App extends EventTarget {
  constructor() {
    super();
    this.definitions = new Map();
    this.control = new ControlClient();
    const conn = document.getElementById('conn');
    this.control.addEventListener('status', (e) => {
      conn.textContent = e.detail === 'open' ? 'live' : 'reconnecting…';
      conn.className = `conn ${e.detail === 'open' ? 'ok' : 'bad'}`;
    });
  }

  async reloadDefinitions() {
    const list = await api('api/v1/schema/nodes');
    this.definitions = new Map(list.map((d) => [d.kind, d]));
    this.views?.designer.renderPalette();
  }

  /** Re-reads both sample lists (`{oneshot, dynamic}`) and tells the views. */
  async loadSamples() {
    const [oneshot, dynamic] = await Promise.all([api('api/v1/samples/oneshot'), api('api/v1/samples/dynamic')]);
    this.samples = { oneshot, dynamic };
    this.dispatchEvent(new Event('samples'));
    return this.samples;
  }

  async start() {
    try { await this.reloadDefinitions(); } catch (error) { console.warn('node schemas unavailable:', error.message); }
    const section = (name) => document.getElementById(`view-${name}`);
    this.views = {
      designer: new DesignerView(section('designer'), this),
      monitor: new MonitorView(section('monitor'), this),
      telemetry: new TelemetryView(section('telemetry'), this),
      oneshot: new OneshotView(section('oneshot'), this),
      plugins: new PluginsView(section('plugins'), this),
    };
    window.addEventListener('hashchange', () => this.route());
    this.route();
  }

  route() {
    const [name, arg] = location.hash.replace(/^#\/?/, '').split('/');
    const view = this.views[name] ? name : 'designer';
    this.view = view;
    for (const key of Object.keys(this.views)) document.getElementById(`view-${key}`).hidden = key !== view;
    for (const link of document.querySelectorAll('nav a')) {
      if (link.dataset.view === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    this.views[view].show(arg ? decodeURIComponent(arg) : undefined);
  }
}

const app = new App();
window.streamkit = app; // for the browser tests and the console
app.start();
