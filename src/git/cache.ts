/**
 * A bounded LRU of immutable Git objects keyed by object id. Git objects never change for a given oid,
 * so entries never go stale and one cache may be shared by several stores (even over different
 * repositories: equal oids mean equal content). Concurrent reads of one oid share a single load.
 */

export interface CacheStats {
  hits: number;
  misses: number;
  /** Loads that joined a load already in flight for the same key (counted as hits too). */
  joined: number;
  evictions: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

interface Entry {
  value: unknown;
  bytes: number;
}

import { LruMap } from './lru.js';

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class ObjectCache {
  readonly maxBytes: number;
  private readonly entries = new LruMap<string, Entry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private totalBytes = 0;
  private counters = { hits: 0, misses: 0, joined: 0, evictions: 0 };

  constructor(options: { maxBytes?: number } = {}) {
    this.maxBytes = Math.max(0, options.maxBytes ?? DEFAULT_CACHE_BYTES);
  }

  /**
   * Returns the cached value for `key` or loads it once. `sizeOf` estimates the retained bytes; values
   * larger than the whole budget are returned but not kept.
   */
  async getOrLoad<T>(key: string, load: () => Promise<T>, sizeOf: (value: T) => number): Promise<T> {
    const entry = this.entries.get(key);
    if (entry) {
      this.counters.hits++;
      return entry.value as T;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.counters.hits++;
      this.counters.joined++;
      return pending as Promise<T>;
    }
    this.counters.misses++;
    const promise = load().then(
      (value) => {
        this.inFlight.delete(key);
        this.store(key, value, sizeOf(value));
        return value;
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  /** Stores a value loaded without getOrLoad (counted as a miss, as getOrLoad would count it). */
  add(key: string, value: unknown, bytes: number): void {
    this.counters.misses++;
    this.store(key, value, bytes);
  }

  /** The cached value without loading (counts a hit when present; a miss is not counted). */
  peek<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.counters.hits++;
    return entry.value as T;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  stats(): CacheStats {
    return { ...this.counters, entries: this.entries.size, bytes: this.totalBytes, maxBytes: this.maxBytes };
  }

  resetStats(): void {
    this.counters = { hits: 0, misses: 0, joined: 0, evictions: 0 };
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private store(key: string, value: unknown, bytes: number): void {
    if (bytes > this.maxBytes) return;
    const previous = this.entries.set(key, { value, bytes });
    this.totalBytes += bytes - (previous?.bytes ?? 0);
    while (this.totalBytes > this.maxBytes) {
      const [oldest, entry] = this.entries.oldest()!;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
      this.counters.evictions++;
    }
  }
}
