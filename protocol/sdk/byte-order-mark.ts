import { ConfigError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";

/** The encodings a byte-order mark names. */
export type MarkedEncoding = "utf-8" | "utf-16le" | "utf-16be";

/** The byte-order mark a file starts with, if any, and its length in bytes. */
export function byteOrderMark(bytes: Uint8Array): { readonly encoding: MarkedEncoding; readonly length: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8", length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return undefined;
}

/**
 * How many bytes of a file's start are its byte-order mark, to skip: 0
 * without one. A mark of another encoding than the one the file is read
 * as (a UTF-16 file read as UTF-8, a big-endian one as little-endian) is a
 * ConfigError naming the file: read on, every row would be garbage.
 * `encoding` is how the file is read; `setting` tells the user where to
 * change it (undefined when the connector reads one encoding only).
 */
export function skipByteOrderMark(firstBytes: Uint8Array, encoding: string, file: string, setting?: string): number {
  const mark = byteOrderMark(firstBytes);
  if (mark === undefined) return 0;
  if (mark.encoding === encoding) return mark.length;
  throw new ConfigError(
    ProtocolCodes.BOM_CONTRADICTS_ENCODING,
    `the file starts with a ${mark.encoding.toUpperCase()} byte-order mark, but it is read as ${encoding}`,
    {
      where: { file },
      hint: setting === undefined ? `Convert the file to ${encoding}.` : `Set ${setting} to "${mark.encoding}", or convert the file to ${encoding}.`,
    },
  );
}
