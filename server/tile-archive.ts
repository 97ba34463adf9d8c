// A city's own base map from a tile archive on disk (PMTiles or MBTiles), served by this server so
// the screens still load nothing from outside it.
import { open, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import Sqlite from 'better-sqlite3';
import { PMTiles, TileType, type Source } from 'pmtiles';
import type { BaseMapSource } from '../geo/index.ts';

/** What the screens need to draw an archive: its kind of tiles, zooms, extent and vector layers. */
export type TileArchiveInfo = Extract<BaseMapSource, { kind: 'tiles' }>;
type TileFormat = TileArchiveInfo['format'];

export interface TileArchive {
  info: TileArchiveInfo;
  /** A tile's bytes (vector tiles unzipped), or undefined where the archive has none. */
  tile(z: number, x: number, y: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export const tileContentTypes: Record<TileFormat, string> = {
  pbf: 'application/vnd.mapbox-vector-tile',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
};

/** A problem with the archive BASE_MAP names; the message says what to do. */
export class TileArchiveError extends Error {
  override name = 'TileArchiveError';
}

/** Opens a .pmtiles or .mbtiles file and reads what the screens need to draw it. */
export async function openTileArchive(path: string): Promise<TileArchive> {
  if (path.endsWith('.pmtiles')) return openPmtiles(path);
  if (path.endsWith('.mbtiles')) return openMbtiles(path);
  throw new TileArchiveError(`BASE_MAP=${path}: expected a .pmtiles or .mbtiles file, or the http(s) URL of a map style`);
}

const vectorLayerNames = (metadata: unknown): string[] => {
  const layers = (metadata as { vector_layers?: { id?: unknown }[] } | undefined)?.vector_layers;
  return Array.isArray(layers) ? layers.map((layer) => String(layer.id ?? '')).filter(Boolean) : [];
};

// Reads the archive through a file handle, range by range (an archive may hold gigabytes).
class FileHandleSource implements Source {
  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}
  getKey() {
    return this.path;
  }
  async getBytes(offset: number, length: number) {
    const data = new Uint8Array(length);
    const { bytesRead } = await this.handle.read(data, 0, length, offset);
    return { data: data.buffer.slice(0, bytesRead) };
  }
}

const pmtilesFormats: Partial<Record<TileType, TileFormat>> = { [TileType.Mvt]: 'pbf', [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp' };

async function openPmtiles(path: string): Promise<TileArchive> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new TileArchiveError(`BASE_MAP=${path}: cannot open it (${error.code ?? error.message}); give the path of a readable PMTiles file`);
  });
  try {
    const archive = new PMTiles(new FileHandleSource(handle, path));
    const header = await archive.getHeader();
    const format = pmtilesFormats[header.tileType];
    if (!format) throw new TileArchiveError(`BASE_MAP=${path}: its tiles are of type ${TileType[header.tileType] ?? header.tileType}; use vector (MVT) tiles or PNG, JPEG or WebP images`);
    const metadata = await archive.getMetadata();
    return {
      info: {
        kind: 'tiles',
        format,
        minzoom: header.minZoom,
        maxzoom: header.maxZoom,
        bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
        vectorLayers: vectorLayerNames(metadata),
        attribution: (metadata as { attribution?: string } | undefined)?.attribution,
      },
      tile: async (z, x, y) => {
        const found = await archive.getZxy(z, x, y);
        return found && new Uint8Array(found.data);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    if (error instanceof TileArchiveError) throw error;
    throw new TileArchiveError(`BASE_MAP=${path}: not a PMTiles archive this server can read (${(error as Error).message}); export it again as PMTiles version 3`);
  }
}

const mbtilesFormats: Record<string, TileFormat> = { pbf: 'pbf', mvt: 'pbf', png: 'png', jpg: 'jpg', jpeg: 'jpg', webp: 'webp' };

function openMbtiles(path: string): TileArchive {
  let database: Sqlite.Database;
  try {
    database = new Sqlite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new TileArchiveError(`BASE_MAP=${path}: cannot open it (${(error as Error).message}); give the path of a readable MBTiles file`);
  }
  try {
    const metadata = Object.fromEntries((database.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((row) => [row.name, row.value]));
    const format = mbtilesFormats[metadata.format ?? ''];
    if (!format) throw new TileArchiveError(`BASE_MAP=${path}: its metadata gives the format "${metadata.format ?? ''}"; use pbf, png, jpg or webp tiles`);
    const zooms = database.prepare('SELECT min(zoom_level) AS lo, max(zoom_level) AS hi FROM tiles').get() as { lo: number | null; hi: number | null };
    const bounds = (metadata.bounds ?? '-180,-85.0511,180,85.0511').split(',').map(Number) as [number, number, number, number];
    const readTile = database.prepare<[number, number, number], { tile_data: Buffer }>('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?');
    return {
      info: {
        kind: 'tiles',
        format,
        minzoom: Number(metadata.minzoom ?? zooms.lo ?? 0),
        maxzoom: Number(metadata.maxzoom ?? zooms.hi ?? 14),
        bounds,
        vectorLayers: vectorLayerNames(metadata.json ? JSON.parse(metadata.json) : undefined),
        attribution: metadata.attribution,
      },
      tile: async (z, x, y) => {
        // MBTiles counts rows from the south (TMS); the screens ask from the north.
        const data = readTile.get(z, x, 2 ** z - 1 - y)?.tile_data;
        if (!data) return undefined;
        // Vector tiles are stored gzipped by most tools (tippecanoe, GDAL, planetiler).
        return format === 'pbf' && data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
      },
      close: async () => void database.close(),
    };
  } catch (error) {
    database.close();
    if (error instanceof TileArchiveError) throw error;
    throw new TileArchiveError(`BASE_MAP=${path}: not an MBTiles file this server can read (${(error as Error).message}); it needs the metadata and tiles tables of the MBTiles spec`);
  }
}
