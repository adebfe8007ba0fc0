import { constants } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import type { FileMetaData, RowGroup } from "hyparquet";
import { type DirectorySyncs, FatalError, fileError, openMakingDirectory, syncNewEntry, type Logger } from "../../protocol/index.js";
import { footerAt, footerBytes, PARQUET_MAGIC, schemaKey, shiftRowGroups, type EncodedRowGroups } from "./parquet-footer.js";
import { TargetParquetCodes } from "./codes.js";

/** How far back from the end a crashed file is searched for its last complete footer, a window at a time. */
const SCAN_WINDOW = 1 << 20;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function arrayBufferOf(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

/** The metadata of the footer ending at `end`, if a complete one does. */
async function footerEndingAt(handle: FileHandle, end: number): Promise<FileMetaData | undefined> {
  if (end < 12) return undefined;
  const length = (await readAt(handle, end - 8, 4)).readUInt32LE(0);
  if (length > end - 12) return undefined;
  return footerAt(arrayBufferOf(await readAt(handle, end - 8 - length, length + 8)));
}

/**
 * The end of the last complete footer of a file whose tail is not one (a
 * write that failed half-way), searching back from `size`; 4 when the file
 * has none yet (only its leading magic).
 */
async function lastFooterEnd(handle: FileHandle, size: number): Promise<{ end: number; metadata: FileMetaData | undefined }> {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(PARQUET_MAGIC);
  for (let windowEnd = size; windowEnd > 4; windowEnd -= SCAN_WINDOW - 4) {
    const windowStart = Math.max(0, windowEnd - SCAN_WINDOW);
    const window = await readAt(handle, windowStart, windowEnd - windowStart);
    for (let at = window.lastIndexOf(magic); at !== -1; at = at === 0 ? -1 : window.lastIndexOf(magic, at - 1)) {
      const end = windowStart + at + 4;
      if (end <= 4) continue;
      const metadata = await footerEndingAt(handle, end);
      if (metadata !== undefined) return { end, metadata };
    }
  }
  return { end: 4, metadata: undefined };
}

/**
 * One stream's Parquet file, appended to a row group (or a few) per batch
 * and a valid Parquet file after every append: each batch's column chunks
 * are written after the previous footer, then a new footer listing every
 * row group so far, then the file is fsynced. Readers follow the offsets
 * of the last footer, so the earlier ones are never read. A write that
 * failed half-way (a kill, a full disk) is cut back to the last complete
 * footer when the file is opened again; its records were not confirmed.
 * Appends go in place rather than into a copy renamed over the file: a
 * copy per batch wrote a 41 MB file of 100 batches 2 GB over (twice the
 * system time for 1M rows), and grows with the square of the file.
 */
export class ParquetFile {
  private constructor(
    readonly path: string,
    /** The Parquet schema of its row groups (schemaKey): a batch of another schema goes to another file. */
    readonly schema: string | undefined,
    /** Undefined until the first batch of a new file, which is written aside and renamed into place whole. */
    private handle: FileHandle | undefined,
    /** A new file's aside copy (`<path>.partial`), open from the start so running out of descriptors shows at the open; gone once renamed. */
    private aside: FileHandle | undefined,
    /** Where the next row group is written: the end of the last footer (0 for a new, empty file). */
    private end: number,
    private metadata: FileMetaData | undefined,
  ) {}

  /**
   * Opens `path` for appending batches of Parquet schema `schema`: a new
   * file, or an existing one (repaired if a write failed half-way). Returns
   * undefined when the existing file holds another schema.
   */
  static async open(path: string, schema: string, logger: Logger): Promise<ParquetFile | undefined> {
    let handle: FileHandle;
    try {
      // Read-write without O_APPEND: each batch is written at the end of the last footer, after a repair cut the file there.
      handle = await open(path, constants.O_RDWR);
    } catch (error) {
      // A new file appears with its first batch, whole: a reader never finds it empty or without a footer.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return ParquetFile.fresh(path, schema);
      throw fileError(error, path, "open the file for writing");
    }
    try {
      const size = (await handle.stat()).size;
      // An empty file (left by a crash before its first batch): written as new.
      if (size === 0) {
        await handle.close();
        return ParquetFile.fresh(path, schema);
      }
      if (size < 4 || (await readAt(handle, 0, 4)).readUInt32LE(0) !== PARQUET_MAGIC) {
        throw new FatalError(TargetParquetCodes.FILE_NOT_PARQUET, "the file exists and is not a Parquet file; it is left as it is", {
          where: { file: path },
          hint: "Move it away, or set destination_path (or file_naming) to write elsewhere.",
        });
      }
      let metadata = await footerEndingAt(handle, size);
      let end = size;
      if (metadata === undefined) {
        ({ end, metadata } = await lastFooterEnd(handle, size));
        await handle.truncate(end);
        await handle.sync();
        if (size > end) logger.warn(`${path}: cut ${size - end} bytes of a batch whose write failed half-way; its records were not confirmed and come again`);
      }
      if (metadata !== undefined && schemaKey(metadata) !== schema) {
        await handle.close();
        return undefined;
      }
      return new ParquetFile(path, schema, handle, undefined, end, metadata);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error instanceof FatalError ? error : fileError(error, path, "read the existing file");
    }
  }

  /** A file to be made by its first batch: its aside copy opened now (its folder made if need be). */
  private static async fresh(path: string, schema: string): Promise<ParquetFile> {
    const asidePath = `${path}.partial`;
    try {
      const aside = await openMakingDirectory(asidePath, "w+");
      return new ParquetFile(path, schema, undefined, aside, 0, undefined);
    } catch (error) {
      throw fileError(error, path, "open the file for writing");
    }
  }

  /** Rows in the file. */
  get rows(): bigint {
    return this.metadata?.num_rows ?? 0n;
  }

  /**
   * Appends a batch's row groups and a footer listing all of them; durable
   * on return, but for a new file's entry in its folder when `directories`
   * is given (then durable with its next syncAll).
   */
  async append(encoded: EncodedRowGroups, directories?: DirectorySyncs): Promise<void> {
    const start = Math.max(this.end, 4);
    const groups: RowGroup[] = [...(this.metadata?.row_groups ?? []), ...shiftRowGroups(encoded.metadata.row_groups, BigInt(start - 4))];
    const metadata: FileMetaData = {
      ...(this.metadata ?? encoded.metadata),
      created_by: "agora target-parquet",
      num_rows: (this.metadata?.num_rows ?? 0n) + encoded.metadata.num_rows,
      row_groups: groups,
    };
    const footer = footerBytes(metadata);
    try {
      if (this.handle === undefined) await this.create(encoded.body, footer, directories);
      else {
        await this.handle.write(encoded.body, 0, encoded.body.byteLength, start);
        await this.handle.write(footer, 0, footer.byteLength, start + encoded.body.byteLength);
        await this.handle.sync();
      }
    } catch (error) {
      // Cut back to the last footer at once (a full disk, a size limit): the file stays readable, with every confirmed row.
      await this.handle?.truncate(this.end).catch(() => undefined);
      await this.handle?.sync().catch(() => undefined);
      throw fileError(error, this.path, "write a batch");
    }
    this.end = start + encoded.body.byteLength + footer.byteLength;
    this.metadata = metadata;
  }

  /** The first batch of a new file: magic, body and footer written to its file aside, fsynced, renamed into place, its folder fsynced (now, or with `directories`). */
  private async create(body: Uint8Array, footer: Uint8Array, directories: DirectorySyncs | undefined): Promise<void> {
    const asidePath = `${this.path}.partial`;
    const handle = this.aside ?? (await open(asidePath, "w+"));
    this.aside = undefined;
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(PARQUET_MAGIC);
    try {
      await handle.write(magic, 0, 4, 0);
      await handle.write(body, 0, body.byteLength, 4);
      await handle.write(footer, 0, footer.byteLength, 4 + body.byteLength);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      // Nothing of it was in place: the partial file aside goes.
      await unlink(asidePath).catch(() => undefined);
      throw error;
    }
    // The descriptor stays the file's across the rename: no close and open again, which a file made at the same time could
    // take the freed descriptor from under when the process is at its limit.
    try {
      await rename(asidePath, this.path);
      await syncNewEntry(this.path, directories);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
  }

  /** Closes the file; a new one that got no batch leaves nothing behind. */
  async close(): Promise<void> {
    if (this.aside !== undefined) {
      await this.aside.close();
      this.aside = undefined;
      await unlink(`${this.path}.partial`).catch(() => undefined);
    }
    await this.handle?.close();
    this.handle = undefined;
  }
}
