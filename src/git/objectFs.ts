import { loadedFileSystem } from './isomorphic.js';
import { checkLooseObject, LOOSE_OBJECT_PATH, writeLooseObjectFile } from './loose-objects.js';
import type { FsLike, FsPromisesLike } from './repo.js';

const LOOSE_OBJECT = LOOSE_OBJECT_PATH;

/**
 * The fs handed to isomorphic-git for one repository. isomorphic-git looks for every object as a loose
 * file first and lists objects/pack on every read; in a packed repository that is one failing open()
 * and one readdir() per object, which dominate cold reads. This wrapper answers both from cached folder
 * listings. Listings can go stale when another process writes objects, so a "not found" is never final:
 * the caller calls `invalidate()` and retries once (objects are only ever added, never changed).
 *
 * Writes go through it too. isomorphic-git writes a loose object only when `exists()` (a stat) says
 * there is no file, and then with a plain writeFile; here the stat of a loose object checks the file
 * (a corrupt one reads as absent, so it is rewritten) and the write is durable (loose-objects.ts).
 */
export interface ObjectReadFs {
  /**
   * An isomorphic-git FileSystem built once: isomorphic-git passes an already wrapped fs through
   * unchanged, instead of re-wrapping (and probing with two failing readFile calls) on every command.
   * Built on first use, by a command that has loaded isomorphic-git (isomorphic.ts).
   */
  fs: unknown;
  invalidate(): void;
}

function notFound(path: string): Error {
  const error = new Error(`ENOENT: no such file or directory, open '${path}'`) as Error & { code: string };
  error.code = 'ENOENT';
  return error;
}

export function createObjectReadFs(base: FsLike, gitdir: string): ObjectReadFs {
  const listings = new Map<string, Promise<Set<string>>>();
  let gitdirStat: Promise<unknown> | undefined;
  const objectsDir = `${gitdir}/objects`;
  const packDir = `${objectsDir}/pack`;
  const target = base.promises as unknown as Record<string, unknown>;

  const listing = (folder: string): Promise<Set<string>> => {
    let cached = listings.get(folder);
    if (!cached) {
      cached = base.promises.readdir(folder).then(
        (names: unknown[]) => new Set(names.map(String)),
        () => new Set<string>(),
      );
      listings.set(folder, cached);
    }
    return cached;
  };

  const isLooseObject = (path: string): RegExpExecArray | null =>
    path.startsWith(objectsDir) ? LOOSE_OBJECT.exec(path.slice(gitdir.length)) : null;

  const overrides: Partial<FsPromisesLike> = {
    async readFile(path: string, options?: any) {
      const loose = isLooseObject(String(path));
      if (loose && !(await listing(`${objectsDir}/${loose[1]}`)).has(loose[2]!)) throw notFound(String(path));
      return base.promises.readFile(path, options);
    },
    async stat(path: string, options?: any) {
      // isomorphic-git stats the gitdir on every command to detect `.git` files; it is a folder for our lifetime.
      if (String(path) === gitdir) return (gitdirStat ??= base.promises.stat(path, options));
      const loose = isLooseObject(String(path));
      // Only the object writer asks whether a loose object exists: an empty or damaged file must be rewritten.
      if (loose) {
        const found = await checkLooseObject(base, String(path), loose[1]! + loose[2]!);
        if (found.state !== 'valid') throw notFound(String(path));
      }
      return base.promises.stat(path, options);
    },
    async readdir(path: string, options?: any) {
      if (String(path) === packDir && options === undefined) return [...(await listing(packDir))];
      return base.promises.readdir(path, options);
    },
    async writeFile(path: string, data: any, options?: any) {
      const loose = isLooseObject(String(path));
      if (!loose) return base.promises.writeFile(path, data, options);
      await writeLooseObjectFile(base, String(path), data);
      const folder = `${objectsDir}/${loose[1]}`;
      const cached = listings.get(folder);
      if (cached) listings.set(folder, cached.then((names) => names.add(loose[2]!)));
      return undefined;
    },
  };

  const promises = new Proxy(target, {
    get(object, property) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof FsPromisesLike];
      const value = object[property as string];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
  let fs: unknown;
  return {
    get fs() {
      const FileSystem = loadedFileSystem();
      return (fs ??= new FileSystem({ promises } as any));
    },
    invalidate: () => {
      listings.clear();
      gitdirStat = undefined;
    },
  };
}
