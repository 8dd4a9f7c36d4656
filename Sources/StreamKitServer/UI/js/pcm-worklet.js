// Audio worklet processors for live audio: `pcm-capture` hands the microphone's samples to the
// page in 20 ms blocks; `pcm-player` plays interleaved samples the page queues, one output
// channel per input channel, from a bounded buffer that drops its oldest audio rather than let
// latency grow. The player reports the RMS it put on each channel, so the page can show (and the
// tests can check) that every channel is really played.

class PCMCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 50);
    this.block = new Float32Array(this.size);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    let offset = 0;
    while (offset < channel.length) {
      const n = Math.min(channel.length - offset, this.block.length - this.filled);
      this.block.set(channel.subarray(offset, offset + n), this.filled);
      this.filled += n; offset += n;
      if (this.filled === this.block.length) {
        // Transferring the buffer detaches it (length 0), so the next block takes its size from `size`.
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(this.size);
        this.filled = 0;
      }
    }
    return true;
  }
}

class PCMPlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.channels = options?.processorOptions?.channels || 1;
    this.queue = []; // {data: interleaved samples, frames}
    this.queued = 0; // frames
    this.offset = 0; // frames into the head block
    this.limit = sampleRate / 2; // at most 0.5 s waiting
    this.sums = new Float64Array(this.channels);
    this.count = 0;
    this.port.onmessage = (event) => {
      const frames = Math.floor(event.data.length / this.channels);
      if (!frames) return;
      this.queue.push({ data: event.data, frames });
      this.queued += frames;
      while (this.queued > this.limit && this.queue.length > 1) { this.queued -= this.queue.shift().frames; this.offset = 0; }
    };
  }

  process(_, outputs) {
    const out = outputs[0];
    const c = Math.min(this.channels, out.length);
    const length = out[0].length;
    let i = 0;
    while (i < length && this.queue.length) {
      const { data: head, frames: headFrames } = this.queue[0];
      const n = Math.min(length - i, headFrames - this.offset);
      for (let ch = 0; ch < c; ch++) {
        const dest = out[ch];
        let sum = 0;
        for (let k = 0; k < n; k++) { const v = head[(this.offset + k) * this.channels + ch]; dest[i + k] = v; sum += v * v; }
        this.sums[ch] += sum;
      }
      this.count += n;
      i += n; this.offset += n;
      if (this.offset === headFrames) { this.queue.shift(); this.queued -= headFrames; this.offset = 0; }
    }
    for (let ch = 0; ch < out.length; ch++) out[ch].fill(0, ch < c ? i : 0);
    // About four reports a second: per-channel RMS of everything played so far.
    if (this.count && (currentFrame % 12288) < length) this.port.postMessage(Array.from(this.sums, (s) => Math.sqrt(s / this.count)));
    return true;
  }
}

registerProcessor('pcm-capture', PCMCapture);
registerProcessor('pcm-player', PCMPlayer);
