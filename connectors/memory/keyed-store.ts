/**
 * Records by id with a case-insensitive index on their key, so lookups by user name stay O(1) when engine
 * benchmarks push tens of thousands of accounts through the memory connector.
 */
export class KeyedStore<T extends { id: string; key: string }> {
  private readonly byId = new Map<string, T>();
  private readonly idByKey = new Map<string, string>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  byKey(key: string): T | undefined {
    const id = this.idByKey.get(normalise(key));
    return id === undefined ? undefined : this.byId.get(id);
  }

  add(record: T): void {
    this.byId.set(record.id, record);
    this.idByKey.set(normalise(record.key), record.id);
  }

  rekey(record: T, key: string): void {
    this.idByKey.delete(normalise(record.key));
    record.key = key;
    this.idByKey.set(normalise(key), record.id);
  }

  delete(id: string): boolean {
    const record = this.byId.get(id);
    if (!record) return false;
    this.byId.delete(id);
    this.idByKey.delete(normalise(record.key));
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.idByKey.clear();
  }

  /** Insertion order, which is also the listing order. */
  values(): T[] {
    return [...this.byId.values()];
  }
}

/** Keys compare case-insensitively, as user names and emails do on most targets. */
function normalise(key: string): string {
  return key.toLowerCase();
}
