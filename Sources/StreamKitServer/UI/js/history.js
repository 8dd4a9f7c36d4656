// Undo and redo for the designer: a list of whole-graph snapshots (meta, nodes with their
// positions and params, edges) and a cursor into it. Snapshots are plain JSON text, so an entry
// can never share objects with the live graph, and an edit that changed nothing records nothing.

export class UndoHistory {
  constructor(limit = 200) {
    this.limit = limit;
    this.entries = [];
    this.at = -1;
  }

  /** Forgets everything and starts from `state`. */
  reset(state) {
    this.entries = [{ text: JSON.stringify(state), key: null }];
    this.at = 0;
  }

  /**
   * Records `state` after an edit. Consecutive edits with the same `key` (one node dragged by
   * arrow keys, one slider moved) fold into one step, so undo goes back to before the gesture.
   */
  record(state, key = null) {
    const text = JSON.stringify(state);
    if (this.entries[this.at]?.text === text) return false;
    this.entries.splice(this.at + 1);
    if (key && this.at > 0 && this.entries[this.at].key === key) this.entries[this.at] = { text, key };
    else this.entries.push({ text, key });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.at = this.entries.length - 1;
    return true;
  }

  get canUndo() { return this.at > 0; }
  get canRedo() { return this.at < this.entries.length - 1; }

  /** The state before the current one, or null. */
  undo() {
    if (!this.canUndo) return null;
    this.at--;
    return JSON.parse(this.entries[this.at].text);
  }

  /** The state undone last, or null. */
  redo() {
    if (!this.canRedo) return null;
    this.at++;
    return JSON.parse(this.entries[this.at].text);
  }
}
