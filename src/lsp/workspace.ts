/**
 * The workspace index: every `*.ocl` file under the root (read from disk lazily and cached) overlaid
 * with the editor's open documents, which win over the disk. Files deleted or unreadable under it
 * simply leave the index; nothing here throws on a missing file.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { absolutePath, fsPathToUri, workspacePath } from './paths.js';

const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);
/** A runaway root (a home folder) must not make the server read forever. */
const MAX_FILES = 20_000;

export interface Overlay {
  text: string;
  version: number;
}

export class Workspace {
  private readonly disk = new Map<string, string>();
  private readonly onDisk = new Set<string>();
  private readonly overlays = new Map<string, Overlay>();
  /** Disk changes seen per file: a read that started before a change must not cache what it read. */
  private readonly changes = new Map<string, number>();

  constructor(readonly root: string | undefined) {}

  /** Finds every OCL file under the root (again). */
  async scan(): Promise<void> {
    if (this.root === undefined) return;
    const found: string[] = [];
    await walk(this.root, found);
    this.onDisk.clear();
    this.disk.clear();
    for (const file of found) this.onDisk.add(workspacePath(this.root, file));
  }

  pathOf(fsPath: string): string {
    return workspacePath(this.root, fsPath);
  }

  uriOf(file: string): string {
    return fsPathToUri(absolutePath(this.root, file));
  }

  fsPathOf(file: string): string {
    return absolutePath(this.root, file);
  }

  open(file: string, overlay: Overlay): void {
    this.overlays.set(file, overlay);
  }

  close(file: string): void {
    this.overlays.delete(file);
  }

  overlay(file: string): Overlay | undefined {
    return this.overlays.get(file);
  }

  isOpen(file: string): boolean {
    return this.overlays.has(file);
  }

  /** A file changed, appeared or went away on disk. */
  diskChanged(file: string, deleted: boolean): void {
    this.changes.set(file, (this.changes.get(file) ?? 0) + 1);
    this.disk.delete(file);
    if (deleted) this.onDisk.delete(file);
    else if (file.toLowerCase().endsWith('.ocl')) this.onDisk.add(file);
  }

  /** Every OCL file: on disk under the root, and open in the editor. */
  files(): string[] {
    return [...new Set([...this.onDisk, ...this.overlays.keys()])].filter((f) => f.toLowerCase().endsWith('.ocl')).sort();
  }

  /** The text of a file (the editor's, else the disk's), or undefined when it cannot be read. */
  async text(file: string): Promise<string | undefined> {
    const open = this.overlays.get(file);
    if (open) return open.text;
    const cached = this.disk.get(file);
    if (cached !== undefined) return cached;
    // Only indexed files are read: lookups of absent neighbours (schema_version.ocl, oclhub.ocl) cost no I/O.
    if (!this.onDisk.has(file)) return undefined;
    const seen = this.changes.get(file) ?? 0;
    const current = () => (this.changes.get(file) ?? 0) === seen;
    try {
      const text = await readFile(absolutePath(this.root, file), 'utf8');
      if (!current()) return this.text(file);
      this.disk.set(file, text);
      return text;
    } catch {
      if (!current()) return this.text(file);
      this.onDisk.delete(file);
      return undefined;
    }
  }

  /** Texts of every file that can be read, by path. */
  async texts(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const file of this.files()) {
      const text = await this.text(file);
      if (text !== undefined) out.set(file, text);
    }
    return out;
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (out.length >= MAX_FILES) return;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) await walk(full, out);
    } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.ocl')) {
      out.push(full);
    }
  }
}
