// Audio worklet processors for live audio: `pcm-capture` hands the microphone's samples to the
// page in 20 ms blocks; `pcm-player` plays samples the page queues, from a bounded buffer that
// drops its oldest audio rather than let latency grow.

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
  constructor() {
    super();
    this.queue = [];
    this.queued = 0;
    this.offset = 0;
    this.limit = sampleRate / 2; // at most 0.5 s waiting
    this.port.onmessage = (event) => {
      this.queue.push(event.data);
      this.queued += event.data.length;
      while (this.queued > this.limit && this.queue.length > 1) { this.queued -= this.queue.shift().length; this.offset = 0; }
    };
  }

  process(_, outputs) {
    const out = outputs[0][0];
    let i = 0;
    while (i < out.length && this.queue.length) {
      const head = this.queue[0];
      const n = Math.min(out.length - i, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + n), i);
      i += n; this.offset += n;
      if (this.offset === head.length) { this.queue.shift(); this.queued -= head.length; this.offset = 0; }
    }
    out.fill(0, i);
    return true;
  }
}

registerProcessor('pcm-capture', PCMCapture);
registerProcessor('pcm-player', PCMPlayer);
