/**
 * One rule for a project's configured folder (`path` in oclhub.ocl): the table of spellings people write,
 * the folder Git names for each (or why there is none), properties over generated spellings, and SEM042
 * at the `path` attribute when oclhub.ocl is validated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePath } from '../../src/git/index.js';
import { folderPath, pathInFolder, projectFolderOf } from '../../src/model/folder-path.js';
import { validateFile } from '../../src/model/index.js';

const VALID: Array<[string | undefined, string]> = [
  [undefined, '.octopus'],
  ['.octopus', '.octopus'],
  ['./.octopus/', '.octopus'],
  ['.octopus\\', '.octopus'],
  ['services/api/.octopus', 'services/api/.octopus'],
  ['services\\api\\.octopus', 'services/api/.octopus'],
  ['.\\services\\api\\.octopus\\', 'services/api/.octopus'],
  ['./services//api/./.octopus/', 'services/api/.octopus'],
  ['services//api/', 'services/api'],
  ['a/./b', 'a/b'],
  ['.', ''],
  ['./', ''],
  ['.//./', ''],
  // Names Git allows stay as written: dots that are not `.`/`..` segments, spaces, case, Unicode (NFC and NFD alike).
  ['...', '...'],
  ['..octopus/x..', '..octopus/x..'],
  [' .octopus', ' .octopus'],
  ['Services/API/.octopus', 'Services/API/.octopus'],
  ['dienste/zahlung-ü/.octopus', 'dienste/zahlung-ü/.octopus'],
  ['サービス/.octopus', 'サービス/.octopus'],
  ['cafe\u0301/.octopus', 'cafe\u0301/.octopus'],
  ['c/x', 'c/x'],
];

const INVALID: Array<[string, RegExp]> = [
  ['', /empty/],
  ['../x', /'\.\.'/],
  ['a/../b', /'\.\.'/],
  ['a\\..\\..\\b', /'\.\.'/],
  ['..', /'\.\.'/],
  ['/abs', /absolute/],
  ['/', /absolute/],
  ['\\\\server\\share\\.octopus', /absolute/],
  ['C:\\x', /drive letter/],
  ['c:/x', /drive letter/],
  ['C:x', /drive letter/],
  ['./C:', /drive letter/],
  ['.\\C:\\x', /drive letter/],
  ['.git/hooks', /\.git/],
  ['a/.GIT', /\.git/],
  ['a\u0000b', /control character/],
  ['.octopus\n', /control character/],
];

describe('folderPath', () => {
  it.each(VALID)('reads %j as the folder %j', (written, folder) => {
    expect(folderPath(written)).toEqual({ valid: true, folder });
  });

  it.each(INVALID)('refuses %j, saying why', (written, reason) => {
    const checked = folderPath(written);
    expect(checked.valid).toBe(false);
    if (!checked.valid) expect(checked.reason).toMatch(reason);
  });

  it('gives every folder it accepts in a form the Git layer takes, and reads that form as itself', () => {
    const pieces = fc.constantFrom('a', 'b.ocl', '.octopus', '..', '.', '', '/', '//', '\\', '.git', 'C:', ' ', 'é', '\u0000', '~');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 8 }).map((p) => p.join('')), (written) => {
        const checked = folderPath(written);
        if (!checked.valid) return;
        expect(validatePath(checked.folder, { allowRoot: true })).toBe(checked.folder);
        // Written back (the root as ".", since an empty `path` is refused), the folder reads as itself.
        expect(folderPath(checked.folder === '' ? '.' : checked.folder)).toEqual(checked);
      }),
    );
  });

  it('reads the same folder however its slashes, `./` and `.` segments are spelled', () => {
    const name = fc.stringMatching(/^[a-z0-9_ü-]{1,6}$/).filter((s) => s !== '.git');
    const slash = fc.constantFrom('/', '\\', '//', '/./', '\\.\\', '/.\\');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, slash), { minLength: 1, maxLength: 4 }), fc.constantFrom('', './', '.\\'), fc.constantFrom('', '/', '\\', '//'), (parts, lead, trail) => {
        const canonical = parts.map(([n]) => n).join('/');
        const spelled = lead + parts.map(([n, s], i) => (i < parts.length - 1 ? n + s : n)).join('') + trail;
        expect(folderPath(spelled)).toEqual({ valid: true, folder: canonical });
      }),
    );
  });
});

describe('projectFolderOf and pathInFolder', () => {
  it('gives a registered project its folder, Octopus\'s default without `path`, nothing for a path that names none', () => {
    expect(projectFolderOf({ path: './services\\api/' })).toBe('services/api');
    expect(projectFolderOf({})).toBe('.octopus');
    expect(projectFolderOf({ path: '../elsewhere' })).toBeUndefined();
  });

  it('gives the same project the folder of its path as it is now, asked again after the path changed', () => {
    const project: { path?: string } = { path: 'a/.octopus' };
    expect(projectFolderOf(project)).toBe('a/.octopus');
    expect(projectFolderOf(project)).toBe('a/.octopus');
    project.path = '../outside';
    expect(projectFolderOf(project)).toBeUndefined();
    delete project.path;
    expect(projectFolderOf(project)).toBe('.octopus');
  });

  it('places a file inside a folder, the root holding every file', () => {
    expect(pathInFolder('services/api', 'services/api/deployment_process.ocl')).toBe('deployment_process.ocl');
    expect(pathInFolder('services/api', 'services/api-v2/deployment_process.ocl')).toBeUndefined();
    expect(pathInFolder('services/api', 'services/api')).toBeUndefined();
    expect(pathInFolder('', 'deployment_process.ocl')).toBe('deployment_process.ocl');
  });
});

describe('SEM042 in oclhub.ocl', () => {
  const config = (path: string) => `project "api" {\n    name = "API"\n    path = ${JSON.stringify(path)}\n}\n`;
  const check = (path: string) => validateFile({ path: 'oclhub.ocl', text: config(path), context: { kind: 'oclhub' } }).diagnostics;

  it.each(INVALID.filter(([written]) => written !== '' && !/[\u0000-\u001f]/.test(written)).map(([written]) => written))('is an error at the `path` attribute for %j', (written) => {
    const found = check(written).filter((d) => d.code === 'SEM042');
    expect(found).toEqual([
      expect.objectContaining({ severity: 'error', file: 'oclhub.ocl', summary: expect.stringContaining(`Project "api": path ${JSON.stringify(written)} is not a folder inside its repository: `) }),
    ]);
    expect(found[0]!.range).toMatchObject({ start: { line: 3, column: 5 }, end: { line: 3 } });
  });

  it('leaves an empty path to the schema (SCH006), once', () => {
    expect(check('').map((d) => d.code)).toEqual(['SCH006']);
  });

  it.each(VALID.filter(([written]) => written !== undefined).map(([written]) => written!))('is not reported for %j', (written) => {
    expect(check(written).filter((d) => d.code === 'SEM042')).toEqual([]);
  });
});
