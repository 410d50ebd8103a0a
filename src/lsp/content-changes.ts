/**
 * Requests that outlive an edit. Analyses are not immutable — incremental parsing moves the positions
 * of the blocks one version shares with the next in place — so a handler that paused (a hub read, the
 * compliance matrix) while an edit arrived could answer with positions of a text the client no longer
 * has. Such an answer is replaced by LSP's `ContentModified` error, which clients treat as "ask again"
 * without showing anything: the answer the user sees is always computed from one version of the text.
 */
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';

/** Counts the edits the server has taken in: open, change, close and watched-file changes. */
export class ContentChanges {
  private count = 0;

  /** Called for every change to what the server's analyses read. */
  changed(): void {
    this.count++;
  }

  get current(): number {
    return this.count;
  }

  /**
   * Runs a request handler; if any content changed while it ran, its answer is thrown away and the
   * request fails with `ContentModified`. A handler that never paused cannot see a change: edits are
   * taken in between messages.
   */
  async answer<R>(handler: () => Promise<R> | R): Promise<R> {
    const before = this.count;
    const result = await handler();
    if (this.count !== before) throw new ResponseError(LSPErrorCodes.ContentModified, 'The text changed while the request ran; ask again.');
    return result;
  }
}
