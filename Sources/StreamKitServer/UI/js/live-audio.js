// The monitor's microphone: streams the browser's microphone into a session's
// transport::websocket::input node and plays its transport::websocket::output node, both as raw
// f32le PCM over /api/v1/sessions/{session}/media/{node}. Keeps running levels of what went out
// and what came back, so the page (and the tests) can see the pipeline's effect. The output is
// played with as many channels as it announces (its format message), each to its own speaker.

const MAX_BUFFERED = 256 * 1024; // bytes waiting in the socket before capture blocks are skipped

function mediaURL(session, node) {
  const url = new URL(`api/v1/sessions/${encodeURIComponent(session)}/media/${encodeURIComponent(node)}`, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url.href;
}

export class LiveAudio {
  constructor(session, inputNode, outputNode, onUpdate) {
    Object.assign(this, { session, inputNode, outputNode, onUpdate });
    this.sent = { sum: 0, count: 0 };
    this.received = { sum: 0, count: 0 };
    this.skipped = 0;
    // Running totals after each sent block, to measure the sent audio that has come back so far
    // (the pipeline keeps every sample, so received sample k is sent sample k, delayed).
    this.marks = [];
  }

  async start() {
    this.context = new AudioContext({ sampleRate: 48000 });
    await this.context.audioWorklet.addModule('js/pcm-worklet.js');
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const source = this.context.createMediaStreamSource(this.stream);
    this.capture = new AudioWorkletNode(this.context, 'pcm-capture', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
    source.connect(this.capture);
    this.played = [];

    if (this.inputNode) {
      this.up = new WebSocket(mediaURL(this.session, this.inputNode));
      this.up.binaryType = 'arraybuffer';
      this.up.onopen = () => this.up.send(JSON.stringify({ sample_rate: this.context.sampleRate, channels: 1, sample_format: 'f32le' }));
      this.up.onclose = (e) => this.closed('input', e);
      this.capture.port.onmessage = (event) => {
        const block = event.data;
        if (this.up.readyState !== WebSocket.OPEN) return;
        // Backpressure: a socket that cannot keep up loses blocks here instead of queueing forever.
        if (this.up.bufferedAmount > MAX_BUFFERED) { this.skipped++; return; }
        for (const x of block) this.sent.sum += x * x;
        this.sent.count += block.length;
        this.marks.push([this.sent.count, this.sent.sum]);
        if (this.marks.length > 30000) this.marks.splice(0, 15000);
        this.up.send(block.buffer);
      };
    }
    if (this.outputNode) {
      this.down = new WebSocket(mediaURL(this.session, this.outputNode));
      this.down.binaryType = 'arraybuffer';
      this.channels = 1;
      this.frames = 0;
      this.down.onmessage = (event) => {
        if (typeof event.data === 'string') {
          try { this.channels = Math.max(1, Math.min(8, JSON.parse(event.data).channels || 1)); } catch { /* ignore */ }
          return;
        }
        const interleaved = new Float32Array(event.data);
        for (const x of interleaved) this.received.sum += x * x;
        this.received.count += interleaved.length;
        this.frames += Math.floor(interleaved.length / this.channels);
        this.playerFor(this.channels).port.postMessage(interleaved, [interleaved.buffer]);
      };
      this.down.onclose = (e) => this.closed('output', e);
    }
    this.timer = setInterval(() => this.onUpdate?.(this.levels()), 250);
  }

  /** The player for `channels` interleaved channels; a changed format gets a new one. */
  playerFor(channels) {
    if (this.player?.channels === channels) return this.player.node;
    this.player?.node.disconnect();
    const node = new AudioWorkletNode(this.context, 'pcm-player', {
      numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [channels], processorOptions: { channels },
    });
    // Speakers with fewer channels get a proper down-mix, not just the first channels.
    try { this.context.destination.channelCount = Math.min(channels, this.context.destination.maxChannelCount || 2); } catch { /* keep the default */ }
    node.connect(this.context.destination);
    node.port.onmessage = (event) => { this.played = event.data; };
    this.player = { channels, node };
    return node;
  }

  closed(which, event) {
    if (this.stopping) return;
    this.onUpdate?.({ ...this.levels(), error: `${which} socket closed${event.reason ? `: ${event.reason}` : ''}` });
  }

  levels() {
    const rms = (s) => (s.count ? Math.sqrt(s.sum / s.count) : 0);
    let matched = { sum: 0, count: 0 };
    for (const [count, sum] of this.marks) { if (count > this.frames) break; matched = { sum, count }; }
    // receivedSamples counts frames (per channel), so it reads as time whatever the channel count.
    return {
      sentRms: rms(this.sent), matchedSentRms: rms(matched), receivedRms: rms(this.received), sentSamples: this.sent.count,
      receivedSamples: this.frames ?? 0, channels: this.channels ?? 0, playedRms: this.played, skipped: this.skipped,
    };
  }

  stop() {
    this.stopping = true;
    clearInterval(this.timer);
    this.up?.close(); this.down?.close();
    this.stream?.getTracks().forEach((t) => t.stop());
    this.context?.close();
  }
}
