// Tiles the screens asked for lately, up to a budget of bytes: every wall and console of a centre
// asks for the same few dozen tiles, and the city's layers do not change while the server runs.

export class TileCache {
  private readonly kept = new Map<string, Uint8Array>();
  private readonly making = new Map<string, Promise<Uint8Array>>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The tile under `key`, made once however many ask for it at the same time; a failure is not kept. */
  async get(key: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const kept = this.kept.get(key);
    if (kept) {
      // Most recently used last: the first in the map is the first to go.
      this.kept.delete(key);
      this.kept.set(key, kept);
      return kept;
    }
    const pending = this.making.get(key) ?? make().finally(() => this.making.delete(key));
    this.making.set(key, pending);
    const tile = await pending;
    if (!this.kept.has(key)) this.keep(key, tile);
    return tile;
  }

  private keep(key: string, tile: Uint8Array): void {
    this.kept.set(key, tile);
    this.bytes += tile.byteLength;
    for (const [oldKey, old] of this.kept) {
      if (this.bytes <= this.budgetBytes) break;
      this.kept.delete(oldKey);
      this.bytes -= old.byteLength;
    }
  }
}
