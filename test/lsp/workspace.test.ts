/**
 * `oclhub lsp` on a plain folder (no Git, so no published versions): usages are checked against the
 * working tree's templates, cross-file findings refresh when another file changes, rule settings of
 * oclhub.ocl apply, and files deleted under the server are dropped without a crash.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeActionRequest, DocumentSymbolRequest, FileChangeType, HoverRequest } from 'vscode-languageserver-protocol';
import { startClient, type LspClient } from './client.js';
import { applyEdits, editsFor, positionOf } from './helpers.js';

const CONFIG = `base_path = ".octopus"

environment "development" {
    name = "Development"
}

environment "production" {
    name = "Production"
}
`;

const TEMPLATE = `name = "Greeter"

parameter "Template.Greeting" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    label = "Greeting"
}

parameter "Template.WorkerPool" {
    display_settings = {
        Octopus.ControlType = "WorkerPool"
    }
    label = "Worker pool"

    value "hosted-ubuntu" {}
}

step "greet" {
    name = "Greet"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = "echo #{Template.Greeting}"
        }
        worker_pool_variable = "#{Template.WorkerPool}"
    }
}
`;

const PROCESS = `process_template "greet-everyone" {
    name = "Greet everyone"
    process_template_slug = "greeter"
    version_mask = "1.X"

    parameter "Template.Greeting" {
        value = "Hello"
    }

    parameter "Template.WorkerPool" {
        value = "hosted-ubuntu"
    }
}

step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.Script"
        environments = ["production"]
        properties = {
            Octopus.Action.Script.ScriptBody = "echo deploy"
        }
    }
}
`;

const TEMPLATE_FILE = '.octopus/process-templates/greeter.ocl';
const PROCESS_FILE = 'projects/app/.octopus/deployment_process.ocl';

let root: string;
let client: LspClient;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'oclhub-lsp-'));
  write('oclhub.ocl', CONFIG);
  write(TEMPLATE_FILE, TEMPLATE);
  write(PROCESS_FILE, PROCESS);
  client = await startClient(root, { debounceMs: 20 });
}, 120_000);

afterAll(async () => {
  expect(await client?.stop()).toBe(0);
  if (root) rmSync(root, { recursive: true, force: true });
});


describe('oclhub lsp on a working tree', () => {
  it('checks usages against the working tree and refreshes them when the template changes', async () => {
    client.open(PROCESS_FILE, PROCESS, 1);
    // TPL001: a WorkerPool parameter may not have a default — found in the template without opening it.
    await client.waitFor(TEMPLATE_FILE, (p) => p.diagnostics.some((d) => d.code === 'TPL001'));
    // The usage finds its template in the working tree (published after the template, in path order).
    await client.waitFor(PROCESS_FILE, (p) => p.diagnostics.length === 0);
    // The template renames its parameter: the usage, in another file, now sets an unknown parameter and misses a required one.
    const renamed = TEMPLATE.replaceAll('Template.Greeting', 'Template.Salutation');
    client.open(TEMPLATE_FILE, renamed, 1);
    const usage = await client.waitFor(PROCESS_FILE, (p) => p.diagnostics.some((d) => d.code === 'TPL014'));
    const unknown = usage.diagnostics.find((d) => d.code === 'TPL014')!;
    expect(unknown.range.start).toEqual(positionOf(PROCESS, '"Template.Greeting"'));
    expect(usage.diagnostics.some((d) => d.code === 'TPL015')).toBe(true);
    // The quick fix adds the missing parameter to the usage.
    const missing = usage.diagnostics.find((d) => d.code === 'TPL015')!;
    const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: client.uri(PROCESS_FILE) }, range: missing.range, context: { diagnostics: [missing] } });
    const add = actions?.find((a) => a.title === 'Set parameter "Template.Salutation"');
    expect(add).toBeDefined();
    const withParameter = applyEdits(PROCESS, editsFor('edit' in add! ? add.edit : undefined, client.uri(PROCESS_FILE)));
    expect(withParameter).toContain('    parameter "Template.Salutation" {\n        value = ""\n    }\n}');
    // Undoing the rename clears the usage's findings.
    client.change(TEMPLATE_FILE, 2, [{ text: TEMPLATE }]);
    await client.waitFor(PROCESS_FILE, (p) => !p.diagnostics.some((d) => d.code === 'TPL014' || d.code === 'TPL015'));
  });

  it('removes a forbidden default with its quick fix', async () => {
    const published = await client.waitFor(TEMPLATE_FILE, (p) => p.diagnostics.some((d) => d.code === 'TPL001'));
    const finding = published.diagnostics.find((d) => d.code === 'TPL001')!;
    const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: client.uri(TEMPLATE_FILE) }, range: finding.range, context: { diagnostics: [finding] } });
    const remove = actions?.find((a) => a.title.startsWith('Remove the default value'));
    const fixed = applyEdits(TEMPLATE, editsFor(remove && 'edit' in remove ? remove.edit : undefined, client.uri(TEMPLATE_FILE)));
    expect(fixed).toBe(TEMPLATE.replace('    label = "Worker pool"\n\n    value "hosted-ubuntu" {}\n', '    label = "Worker pool"\n'));
    client.change(TEMPLATE_FILE, 3, [{ text: fixed }]);
    await client.waitFor(TEMPLATE_FILE, (p) => p.version === 3 && !p.diagnostics.some((d) => d.code === 'TPL001'));
  });

  it('warns about undeclared environments and honours rule settings in oclhub.ocl', async () => {
    const staging = PROCESS.replace('environments = ["production"]', 'environments = ["prodution"]');
    client.change(PROCESS_FILE, 2, [{ text: staging }]);
    const found = await client.waitFor(PROCESS_FILE, (p) => p.diagnostics.some((d) => d.code === 'SEM039'));
    expect(found.diagnostics.find((d) => d.code === 'SEM039')?.severity).toBe(2);
    client.open('oclhub.ocl', `${CONFIG}\nrule "SEM039" {\n    severity = "off"\n    reason = "environments come from another space"\n}\n`, 1);
    const silenced = await client.waitFor(PROCESS_FILE, (p) => p.diagnostics.some((d) => d.code === 'SEM039' && d.severity === 4));
    expect(silenced.diagnostics.find((d) => d.code === 'SEM039')?.message).toContain('environments come from another space');
    client.close('oclhub.ocl');
    await client.waitFor(PROCESS_FILE, (p) => p.diagnostics.some((d) => d.code === 'SEM039' && d.severity === 2));
    client.change(PROCESS_FILE, 3, [{ text: PROCESS }]);
    await client.waitFor(PROCESS_FILE, (p) => p.version === 3 && p.diagnostics.length === 0);
  });

  it('survives files deleted under it', async () => {
    const doomed = 'projects/app/.octopus/runbooks/restart.ocl';
    write(doomed, 'name = "Restart"\n\nprocess {\n    step "restart" {\n        action {\n            action_type = "Octopus.Script"\n        }\n    }\n}\n');
    client.watched([{ uri: client.uri(doomed), type: FileChangeType.Created }]);
    const symbols = await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: client.uri(doomed) } });
    expect(symbols?.length).toBeGreaterThan(0);
    unlinkSync(path.join(root, doomed));
    unlinkSync(path.join(root, TEMPLATE_FILE));
    client.watched([
      { uri: client.uri(doomed), type: FileChangeType.Deleted },
      { uri: client.uri(TEMPLATE_FILE), type: FileChangeType.Deleted },
    ]);
    // Not open and gone from disk: nothing to answer, no error.
    expect(await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: client.uri(doomed) } })).toBeNull();
    expect(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: client.uri(doomed) }, position: { line: 0, character: 0 } })).toBeNull();
    // The template is still open in the editor: its text is the editor's. Closing it removes it: the usage loses its template.
    client.close(TEMPLATE_FILE);
    await client.waitFor(PROCESS_FILE, (p) => p.diagnostics.some((d) => d.code === 'TPL013'));
    expect(client.stderr()).toBe('');
    expect(client.logs()).toEqual([]);
  });
});
