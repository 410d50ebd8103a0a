/**
 * The VS Code extension's TextMate grammar (editors/vscode), tokenized with VS Code's own engine
 * (vscode-textmate on Oniguruma): blocks, attributes, strings with Octostache, heredocs, Rego embedded
 * in a policy's heredocs, and comments marked invalid (OCL has none).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { REPO_ROOT } from './client.js';

const GRAMMAR = path.join(REPO_ROOT, 'editors/vscode/syntaxes/ocl.tmLanguage.json');
let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (sources) => new oniguruma.OnigScanner(sources), createOnigString: (text) => new oniguruma.OnigString(text) }),
    loadGrammar: async (scope) => (scope === 'source.ocl' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  grammar = (await registry.loadGrammar('source.ocl'))!;
});

/** Each token's text with its innermost scope, line by line. */
function tokenize(text: string): { text: string; scopes: string[] }[] {
  const out: { text: string; scopes: string[] }[] = [];
  let state = vsctm.INITIAL;
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) out.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    state = result.ruleStack;
  }
  return out;
}

function scopesOf(tokens: { text: string; scopes: string[] }[], text: string): string[] {
  const token = tokens.find((t) => t.text === text);
  if (!token) throw new Error(`no token ${JSON.stringify(text)} in ${JSON.stringify(tokens.map((t) => t.text))}`);
  return token.scopes;
}

describe('the OCL TextMate grammar', () => {
  it('scopes blocks, labels, attributes, values and Octostache', () => {
    const tokens = tokenize('step "deploy" {\n    name = "Deploy #{Octopus.Environment.Name}"\n    is_disabled = false\n    environments = ["production"]\n}\n');
    expect(scopesOf(tokens, 'step')).toContain('entity.name.type.block.ocl');
    expect(scopesOf(tokens, 'deploy')).toContain('string.quoted.double.ocl');
    expect(scopesOf(tokens, 'name')).toContain('variable.other.property.ocl');
    expect(scopesOf(tokens, '#{Octopus.Environment.Name}')).toContain('variable.other.octostache.ocl');
    expect(scopesOf(tokens, 'false')).toContain('constant.language.boolean.ocl');
  });

  it('embeds Rego in a policy heredoc and ends it at the end tag', () => {
    const policy = readFileSync(path.join(REPO_ROOT, 'templates/demo/.octopus/policies/no_disabled_steps.ocl'), 'utf8');
    const tokens = tokenize(policy);
    const pkg = scopesOf(tokens, 'package');
    expect(pkg).toContain('meta.embedded.block.rego');
    expect(pkg).toContain('keyword.other.package.rego');
    expect(scopesOf(tokens, 'contains')).toContain('keyword.control.rego');
    expect(scopesOf(tokens, 'sprintf')).toContain('support.function.rego');
    // After the heredoc the OCL grammar is back.
    const scope = tokens.filter((t) => t.text === 'scope');
    expect(scope[0]?.scopes).toContain('entity.name.type.block.ocl');
    expect(scope[0]?.scopes).not.toContain('meta.embedded.block.rego');
  });

  it('marks comments invalid and keeps script heredocs as strings with Octostache', () => {
    const tokens = tokenize('# not allowed\nproperties = {\n    Octopus.Action.Script.ScriptBody = <<-EOT\n        echo "#{Template.Site.Url}"\n        EOT\n}\n');
    expect(scopesOf(tokens, '# not allowed')).toContain('invalid.illegal.comment.ocl');
    expect(scopesOf(tokens, 'Octopus.Action.Script.ScriptBody')).toContain('variable.other.property.ocl');
    expect(scopesOf(tokens, '#{Template.Site.Url}')).toContain('string.unquoted.heredoc.ocl');
  });
});
