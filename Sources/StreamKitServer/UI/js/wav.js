// WAV in the browser: a generated test tone (the oneshot runner's bundled input, so the page
// needs no file and no network) and a reader that measures what came back.

/** A 16-bit PCM WAV of a sine tone. */
export function toneWav({ seconds = 1, frequency = 440, sampleRate = 48000, channels = 1, amplitude = 0.25 } = {}) {
  const frames = Math.round(seconds * sampleRate);
  const data = frames * channels * 2;
  const bytes = new DataView(new ArrayBuffer(44 + data));
  const text = (offset, s) => [...s].forEach((c, i) => bytes.setUint8(offset + i, c.charCodeAt(0)));
  text(0, 'RIFF'); bytes.setUint32(4, 36 + data, true); text(8, 'WAVE');
  text(12, 'fmt '); bytes.setUint32(16, 16, true); bytes.setUint16(20, 1, true); bytes.setUint16(22, channels, true);
  bytes.setUint32(24, sampleRate, true); bytes.setUint32(28, sampleRate * channels * 2, true);
  bytes.setUint16(32, channels * 2, true); bytes.setUint16(34, 16, true);
  text(36, 'data'); bytes.setUint32(40, data, true);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin(2 * Math.PI * frequency * i / sampleRate) * amplitude * 32767);
    for (let c = 0; c < channels; c++) bytes.setInt16(44 + (i * channels + c) * 2, v, true);
  }
  return new Uint8Array(bytes.buffer);
}

/** Reads a PCM WAV (16-bit or float 32) and measures it: `{sampleRate, channels, frames, rms}`. */
export function analyseWav(buffer) {
  const view = new DataView(buffer);
  const tag = (o) => String.fromCharCode(...new Uint8Array(buffer, o, 4));
  if (buffer.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  let offset = 12, format = null;
  while (offset + 8 <= buffer.byteLength) {
    const id = tag(offset); let size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') format = { code: view.getUint16(offset + 8, true), channels: view.getUint16(offset + 10, true), sampleRate: view.getUint32(offset + 12, true), bits: view.getUint16(offset + 22, true) };
    if (id === 'data' && format) {
      // Streamed WAVs may carry a placeholder size: read to the end of what arrived.
      size = Math.min(size, buffer.byteLength - offset - 8);
      const width = format.bits / 8, count = Math.floor(size / width);
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const p = offset + 8 + i * width;
        const v = format.bits === 32 && format.code === 3 ? view.getFloat32(p, true) : format.bits === 16 ? view.getInt16(p, true) / 32768 : 0;
        sum += v * v;
      }
      return { sampleRate: format.sampleRate, channels: format.channels, bits: format.bits, frames: Math.floor(count / format.channels), rms: count ? Math.sqrt(sum / count) : 0 };
    }
    offset += 8 + size + (size & 1);
  }
  return null;
}
