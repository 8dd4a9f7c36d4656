// core::script example: upper-cases text, drops empty words, and counts what it saw.
// Used by shout.yml (script_path is checked against security.allowed_file_paths, default samples/**).
let seen = 0;

function process(packet) {
  if (packet.type !== 'Text') return packet;
  const word = packet.data.trim();
  if (word.length === 0) return null;
  seen += 1;
  if (seen % 100 === 0) telemetry.emit('shout.progress', { seen });
  return { type: 'Text', data: word.toUpperCase() };
}
