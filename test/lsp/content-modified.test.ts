/**
 * A request an edit overtakes is answered with LSP's ContentModified error, never with positions of a
 * text the client no longer has (analyses are updated in place by incremental parsing).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoverRequest, LSPErrorCodes, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { ContentChanges } from '../../src/lsp/content-changes.js';
import { serverOnDemoHub } from './client.js';
import { positionOf } from './helpers.js';

describe('ContentChanges', () => {
  it('passes an answer through when nothing changed while the handler ran', async () => {
    const changes = new ContentChanges();
    changes.changed();
    await expect(changes.answer(async () => 'answer')).resolves.toBe('answer');
  });

  it('fails with ContentModified when an edit arrives while the handler is paused', async () => {
    const changes = new ContentChanges();
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const request = changes.answer(async () => {
      await paused;
      return 'stale answer';
    });
    changes.changed();
    resume();
    await expect(request).rejects.toMatchObject({ code: LSPErrorCodes.ContentModified });
    // The next request, started after the edit, answers normally.
    await expect(changes.answer(() => 'fresh answer')).resolves.toBe('fresh answer');
  });
});

describe('oclhub lsp: a hover overtaken by an edit', () => {
  const CONFIG = 'oclhub.ocl';
  const server = serverOnDemoHub();

  it('answers ContentModified instead of a hover computed across the edit, then answers the new text', async () => {
    const { client, dir } = server;
    const config = readFileSync(path.join(dir, CONFIG), 'utf8');
    client.open(CONFIG, config, 1);
    const needle = 'policy "require_manual_approval_in_production"';
    // The first hover on an active policy waits for the hub's compliance matrix (Git reads, evaluation):
    // the edit sent right behind it is taken in during that wait.
    const overtaken = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: client.uri(CONFIG) }, position: positionOf(config, needle, 10) });
    const edited = `\n\n${config}`;
    client.change(CONFIG, 2, [{ text: edited }]);
    await expect(overtaken).rejects.toMatchObject({ code: LSPErrorCodes.ContentModified });

    const again = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: client.uri(CONFIG) }, position: positionOf(edited, needle, 10) })) as Hover | null;
    expect((again?.contents as MarkupContent | undefined)?.value).toContain('Active version: **1.0.0**');
    client.close(CONFIG);
  });
});
