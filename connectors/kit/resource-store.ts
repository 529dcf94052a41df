export type Resource = Record<string, unknown> & { id: string };

/**
 * A fake's in-memory table: resources by id, with a case-insensitive index on the key attribute (userName,
 * login, group email), kept in step on every set/delete — also when a test deletes a resource directly to
 * simulate drift.
 */
export class ResourceStore extends Map<string, Resource> {
  private readonly idsByKey = new Map<string, string>();

  constructor(readonly keyName: string) {
    super();
  }

  override set(id: string, resource: Resource): this {
    this.unindex(id);
    super.set(id, resource);
    this.idsByKey.set(normalise(resource[this.keyName]), id);
    return this;
  }

  override delete(id: string): boolean {
    this.unindex(id);
    return super.delete(id);
  }

  override clear(): void {
    this.idsByKey.clear();
    super.clear();
  }

  byKey(key: string): Resource | undefined {
    const id = this.idsByKey.get(normalise(key));
    return id === undefined ? undefined : this.get(id);
  }

  private unindex(id: string): void {
    const existing = this.get(id);
    if (existing) this.idsByKey.delete(normalise(existing[this.keyName]));
  }
}

function normalise(key: unknown): string {
  return String(key).toLowerCase();
}
