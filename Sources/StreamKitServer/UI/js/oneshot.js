// The oneshot runner: pick a sample, give it a file (uploaded, or the bundled test tone made in
// the page), run it through POST /api/v1/process with upload and download progress, then play
// and download the result.
import { api, esc, showError, showOk } from './api.js';
import { toneWav, analyseWav } from './wav.js';

export class OneshotView {
  constructor(root, app) {
    this.root = root; this.app = app;
    root.innerHTML = `
      <div class="toolbar"><h2>Oneshot runner</h2></div>
      <div class="twocol">
        <div class="panel">
          <div class="form-row"><label for="o-sample">Sample pipeline</label><select id="o-sample"></select></div>
          <div class="form-row"><label for="o-yaml">Pipeline YAML</label><textarea id="o-yaml" rows="12" spellcheck="false"></textarea></div>
        </div>
        <div class="panel">
          <div class="form-row"><label>Input</label>
            <label><input type="radio" name="o-input" value="tone" checked> Bundled test tone (1 s, 440 Hz WAV)</label>
            <label><input type="radio" name="o-input" value="file"> A file: <input type="file" id="o-file" aria-label="Input file"></label>
            <label><input type="radio" name="o-input" value="text"> Text: <input type="text" id="o-text" aria-label="Input text" value="Hello from StreamKit. This sentence was spoken by Piper."></label>
            <label><input type="radio" name="o-input" value="none"> No input (pipelines that generate audio)</label>
          </div>
          <div class="toolbar"><button type="button" id="o-run" class="primary">Run</button>
            <progress id="o-progress" max="1" value="0" aria-label="Progress"></progress><span id="o-phase" class="note" aria-live="polite"></span></div>
          <div id="o-msg" class="msg" role="alert"></div>
          <div id="o-result" hidden>
            <h3>Result</h3>
            <audio id="o-audio" controls></audio>
            <pre id="o-text-result" class="mono" aria-label="Text result" hidden></pre>
            <p><a id="o-download" class="button" download="result">Download</a> <span id="o-info" class="note mono"></span></p>
            <p id="o-playback" class="note"></p>
          </div>
        </div>
      </div>`;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.$('o-sample').addEventListener('change', () => this.pick());
    this.$('o-run').addEventListener('click', () => this.run());
    // Choosing a file means using it.
    this.$('o-file').addEventListener('change', () => { if (this.$('o-file').files.length) this.root.querySelector('input[name=o-input][value=file]').checked = true; });
  }

  async show() {
    if (!this.listening) {
      this.listening = true;
      this.app.addEventListener('samples', () => this.renderSamples());
    }
    try { await this.app.loadSamples(); } catch (error) { showError(this.$('o-msg'), error); }
  }

  /**
   * The sample picker. A changed list keeps the chosen sample, and the YAML box, unless the chosen
   * sample itself was saved again (then its new YAML is shown).
   */
  renderSamples() {
    const select = this.$('o-sample'), chosen = select.value;
    const before = this.samples?.find((s) => s.id === chosen);
    this.samples = this.app.samples?.oneshot ?? [];
    select.innerHTML = this.samples.map((s) => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join('')
      || '<option value="">No oneshot samples (the server reads them from server.samples_dir)</option>';
    const now = this.samples.find((s) => s.id === chosen);
    if (now) {
      select.value = chosen;
      if (before?.yaml !== now.yaml) this.pick();
      return;
    }
    // The bundled test tone is a WAV file: start on a volume boost that reads WAV.
    const preferred = this.samples.find((s) => /double/i.test(s.name) && (s.yaml || '').includes('containers::wav::demuxer'))
      ?? this.samples.find((s) => /double/i.test(s.name));
    if (preferred) select.value = preferred.id;
    this.pick();
  }

  pick() {
    const sample = this.samples?.find((s) => s.id === this.$('o-sample').value);
    if (!sample) return;
    this.$('o-yaml').value = sample.yaml;
    const needsInput = sample.yaml.includes('streamkit::http_input');
    // Text pipelines (text_chunker → TTS) take the text field.
    const takesText = sample.yaml.includes('core::text_chunker');
    this.root.querySelector(`input[name=o-input][value=${needsInput ? (takesText ? 'text' : 'tone') : 'none'}]`).checked = true;
  }

  async input() {
    const choice = this.root.querySelector('input[name=o-input]:checked').value;
    if (choice === 'tone') return new Blob([toneWav()], { type: 'audio/wav' });
    if (choice === 'text') return new File([this.$('o-text').value], 'input.txt', { type: 'text/plain' });
    if (choice === 'file') {
      const file = this.$('o-file').files[0];
      if (!file) throw new Error('Choose a file, or use the bundled test tone.');
      return file;
    }
    return null;
  }

  /**
   * Decodes the result the way the page's player will and says how many channels it plays, with
   * each one's level: every channel the pipeline returned is played, not just the first.
   */
  async describePlayback(bytes, type) {
    const playback = this.$('o-playback');
    try {
      const buffer = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(bytes);
      const levels = [];
      for (let c = 0; c < buffer.numberOfChannels; c++) {
        const data = buffer.getChannelData(c);
        let sum = 0; for (const x of data) sum += x * x;
        levels.push(data.length ? Math.sqrt(sum / data.length) : 0);
      }
      playback.dataset.channels = String(buffer.numberOfChannels);
      playback.dataset.channelRms = JSON.stringify(levels);
      playback.textContent = `Plays ${buffer.numberOfChannels} channel${buffer.numberOfChannels === 1 ? '' : 's'} (RMS ${levels.map((l) => l.toFixed(4)).join(' / ')}), ${buffer.duration.toFixed(2)} s`;
    } catch (error) {
      playback.textContent = `The browser cannot play this result (${type}); download it instead.`;
    }
  }

  async run() {
    const msg = this.$('o-msg'), progress = this.$('o-progress'), phase = this.$('o-phase');
    showError(msg, null);
    let media;
    try { media = await this.input(); } catch (error) { return showError(msg, error); }
    const form = new FormData();
    form.append('config', new Blob([this.$('o-yaml').value], { type: 'application/yaml' }), 'pipeline.yml');
    if (media) form.append('media', media, media.name ?? 'input.wav');
    this.$('o-run').disabled = true;
    this.$('o-result').hidden = true;
    const playback = this.$('o-playback');
    playback.textContent = ''; delete playback.dataset.channels; delete playback.dataset.channelRms;
    // XMLHttpRequest, because fetch reports no upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open('POST', 'api/v1/process');
    xhr.responseType = 'arraybuffer';
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) { progress.value = e.loaded / e.total / 2; phase.textContent = 'uploading'; } };
    xhr.onprogress = (e) => { progress.value = 0.5 + (e.lengthComputable ? e.loaded / e.total / 2 : 0.25); phase.textContent = `receiving ${(e.loaded / 1024).toFixed(0)} KiB`; };
    xhr.onerror = () => { this.$('o-run').disabled = false; phase.textContent = ''; showError(msg, new Error('The request failed (is the server running?)')); };
    xhr.onload = () => {
      this.$('o-run').disabled = false;
      progress.value = 1;
      if (xhr.status < 200 || xhr.status >= 300) {
        phase.textContent = 'failed';
        const text = new TextDecoder().decode(xhr.response);
        let message = text || `HTTP ${xhr.status}`;
        try { message = JSON.parse(text).error?.message ?? message; } catch { /* text */ }
        return showError(msg, new Error(message));
      }
      const type = xhr.getResponseHeader('Content-Type') ?? 'application/octet-stream';
      const blob = new Blob([xhr.response], { type });
      if (this.url) URL.revokeObjectURL(this.url);
      this.url = URL.createObjectURL(blob);
      // JSON results (NDJSON transcripts, VAD events) are shown as text; anything else plays.
      const isText = type.includes('json') || type.startsWith('text/');
      const textResult = this.$('o-text-result');
      textResult.hidden = !isText;
      this.$('o-audio').hidden = isText;
      textResult.textContent = isText ? new TextDecoder().decode(xhr.response) : '';
      if (isText) this.$('o-audio').removeAttribute('src'); else this.$('o-audio').src = this.url;
      this.$('o-download').href = this.url;
      this.$('o-download').download = type.includes('wav') ? 'result.wav' : type.includes('webm') ? 'result.webm' : type.includes('json') ? 'result.ndjson' : 'result.bin';
      const wav = analyseWav(xhr.response);
      const info = this.$('o-info');
      info.textContent = `${type}, ${xhr.response.byteLength} bytes` + (wav ? `, ${wav.sampleRate} Hz, ${wav.channels} ch, ${wav.frames} frames, RMS ${wav.rms.toFixed(4)}` : '');
      info.dataset.rms = wav ? String(wav.rms) : '';
      info.dataset.bytes = String(xhr.response.byteLength);
      this.$('o-result').hidden = false;
      phase.textContent = 'done';
      showOk(msg, 'Finished.');
      if (!isText) this.describePlayback(xhr.response.slice(0), type);
    };
    phase.textContent = 'starting';
    xhr.send(form);
  }
}
