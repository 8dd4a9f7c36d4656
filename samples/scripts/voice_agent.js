// The voice agent's brain, for a dynamic pipeline
//   media socket → resampler → speech-to-text → core::script (this) → core::text_chunker → text-to-speech → resampler → media socket
// samples/pipelines/dynamic/voice_agent.yml runs it (skit.toml: samples/pipelines/dynamic/voice_agent.toml).
// Node params: output_type: Text, timeout_ms: 30000, script_path: samples/scripts/voice_agent.js,
//   vars: {chat_url: "https://api.openai.com/v1/chat/completions", model: "gpt-4o-mini"},
//   headers: [{secret: openai, header: Authorization, template: "Bearer {}"}]
// skit.toml: allowlist POST on vars.chat_url; [script.secrets.openai] env = "OPENAI_API_KEY".
const history = [{ role: 'system', content: 'You are a helpful voice assistant. Answer in one or two short sentences.' }];
let turn = 0;

async function process(packet) {
  if (packet.type !== 'Transcription') return null;
  const question = packet.data.text.trim();
  if (question.length === 0) return null;
  turn += 1;
  const span = telemetry.startSpan('agent.turn', { turn, question });
  history.push({ role: 'user', content: question });
  const llm = telemetry.startSpan('agent.llm', { turn, model: vars.model });
  const response = await fetch(vars.chat_url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: { model: vars.model, messages: history.slice(-12) },
  });
  if (!response.ok) {
    telemetry.endSpan(llm, { status: response.status });
    throw new Error('chat completions answered ' + response.status);
  }
  const reply = (await response.json()).choices[0].message.content;
  telemetry.endSpan(llm, { status: response.status, chars: reply.length });
  history.push({ role: 'assistant', content: reply });
  telemetry.endSpan(span, { turn, reply });
  // core::text_chunker splits after ". " or ".\n": end the reply with a newline (and a full
  // stop if it has none) so its last sentence is spoken now, not when the session ends.
  const spoken = reply.trim();
  return { type: 'Text', data: (/[.!?]$/.test(spoken) ? spoken : spoken + '.') + '\n' };
}
