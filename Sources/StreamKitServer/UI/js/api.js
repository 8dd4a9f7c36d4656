// HTTP and WebSocket access to the skit server. Every URL is relative to the page, so the UI
// works the same at `/` and under `server.base_path`.

/** An error the server answered, with its own message (`{"error": {"message": …}}` or text). */
export class ApiError extends Error {
  constructor(status, message, body) { super(message); this.status = status; this.body = body; }
}

/** Reads the server's message out of a failed response. */
async function errorFrom(response) {
  const text = await response.text();
  let message = text || `${response.status} ${response.statusText}`;
  try {
    const json = JSON.parse(text);
    if (json?.error?.message) message = json.error.message;
    else if (typeof json?.message === 'string') message = json.message;
  } catch { /* plain text body */ }
  return new ApiError(response.status, message, text);
}

/** Calls the API and returns parsed JSON (or null for an empty body); throws ApiError. */
export async function api(path, { method = 'GET', json, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) { init.body = JSON.stringify(json); init.headers['Content-Type'] = 'application/json'; }
  else if (body !== undefined) init.body = body;
  const response = await fetch(path, init);
  if (!response.ok) throw await errorFrom(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * The server's reading of a pipeline document (`POST api/v1/pipelines/parse`, the engine's own
 * parser): its graph as `Pipeline` JSON (`name`, `description`, `mode`, `nodes` by id,
 * `connections`) plus `validated`, `issues` and `warnings`. Throws ApiError (400, naming the line)
 * when the text is not a pipeline.
 */
export function parsePipeline(text) {
  return api('api/v1/pipelines/parse', { method: 'POST', body: text, headers: { 'Content-Type': 'application/yaml' } });
}

/** Shows an error (or clears it with null) in the message element next to what the user did. */
export function showError(element, error) {
  if (!element) return;
  element.className = 'msg' + (error ? ' error' : '');
  element.textContent = error ? (error.message || String(error)) : '';
}

/** Shows a success line in a message element. */
export function showOk(element, text) {
  element.className = 'msg ok-msg';
  element.textContent = text;
}

/**
 * The control plane (`/api/v1/control`): requests with correlation ids answered by promises, and
 * events fanned out to listeners. Reconnects with a back-off when the socket drops.
 */
export class ControlClient extends EventTarget {
  constructor() {
    super();
    this.pending = new Map();
    this.nextId = 1;
    this.queue = [];
    this.retry = 500;
    this.connect();
  }

  get url() {
    const url = new URL('api/v1/control', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.hash = '';
    return url.href;
  }

  connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 500;
      this.dispatchEvent(new CustomEvent('status', { detail: 'open' }));
      for (const text of this.queue.splice(0)) socket.send(text);
    };
    socket.onclose = () => {
      this.dispatchEvent(new CustomEvent('status', { detail: 'closed' }));
      for (const [, p] of this.pending) p.reject(new Error('control connection closed'));
      this.pending.clear();
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 8000);
    };
    socket.onmessage = (message) => this.receive(message.data);
  }

  receive(text) {
    let envelope;
    try { envelope = JSON.parse(text); } catch { return; }
    if (envelope.type === 'response') {
      const waiter = this.pending.get(envelope.correlation_id);
      if (!waiter) return;
      this.pending.delete(envelope.correlation_id);
      if (envelope.payload?.action === 'error') waiter.reject(new ApiError(0, envelope.payload.message));
      else waiter.resolve(envelope.payload);
    } else if (envelope.type === 'event' && envelope.payload) {
      this.dispatchEvent(new CustomEvent('event', { detail: envelope.payload }));
    }
  }

  /** Sends a request (`action` plus its fields); resolves with the response payload. */
  request(action, fields = {}) {
    const id = `ui-${this.nextId++}`;
    const text = JSON.stringify({ type: 'request', correlation_id: id, payload: { action, ...fields } });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text); else this.queue.push(text);
    });
  }
}

/** Escapes text for HTML. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** A node state (externally tagged JSON) as `{name, reason}`. */
export function stateOf(state) {
  if (!state) return { name: 'unknown', reason: '' };
  if (typeof state === 'string') return { name: state.toLowerCase(), reason: '' };
  const [name, body] = Object.entries(state)[0] || ['unknown', {}];
  const reason = typeof body?.reason === 'string' ? body.reason : (body?.reason ? JSON.stringify(body.reason) : '');
  return { name: name.toLowerCase(), reason };
}
