import { fileURLToPath } from "node:url";
import { ConfigError } from "../../errors.js";
import type { JsonSchema } from "../../messages/types.js";
import { ProtocolCodes } from "../../messages/codes.js";

/** How an SDK tap writes batch files (its `batch_config`, in either shape, made one). */
export interface BatchConfig {
  readonly format: "jsonl" | "arrow" | "parquet";
  readonly compression?: "none" | "gzip";
  /** The folder batch files are written in. */
  readonly root?: string;
  /** Put before every file's name (the Meltano SDK's storage.prefix). */
  readonly prefix?: string;
  readonly rows_per_file?: number;
}

const FORMATS = ["jsonl", "arrow", "parquet"];
const COMPRESSIONS = ["none", "gzip"];

/**
 * The `batch_config` setting of SDK taps, in Agora's shape (`format`,
 * `compression`, `root`, `rows_per_file`) or the Meltano SDK's
 * (`encoding.format`, `encoding.compression`, `storage.root` as a file://
 * URL or a path, `storage.prefix`, `batch_size`): a Meltano project's
 * setting works as it is.
 */
export const BATCH_CONFIG_SETTING: JsonSchema = {
  type: "object",
  additionalProperties: false,
  anyOf: [{ required: ["format"] }, { required: ["encoding"] }],
  description:
    "Write records to batch files announced by BATCH messages (Singer's batch extension) instead of one RECORD message each: format (jsonl; arrow: Arrow IPC stream files typed from the stream's schema; parquet: Parquet files with the same columns, snappy-compressed), compression (none, the default, or gzip, for jsonl), root (the folder, default the system temporary folder's agora-batches), rows_per_file (default 100000). The Meltano SDK's shape works too: encoding.format, encoding.compression, storage.root (file:// or a path), storage.prefix, batch_size. A STATE follows each BATCH.",
  properties: {
    format: { type: "string", enum: FORMATS },
    compression: { type: "string", enum: COMPRESSIONS },
    root: { type: "string", minLength: 1 },
    rows_per_file: { type: "integer", minimum: 1 },
    encoding: {
      type: "object",
      additionalProperties: false,
      required: ["format"],
      properties: { format: { type: "string", enum: FORMATS }, compression: { type: "string", enum: COMPRESSIONS } },
    },
    storage: { type: "object", additionalProperties: false, properties: { root: { type: "string", minLength: 1 }, prefix: { type: "string" } } },
    batch_size: { type: "integer", minimum: 1 },
  },
};

interface WrittenBatchConfig {
  readonly format?: BatchConfig["format"];
  readonly compression?: "none" | "gzip";
  readonly root?: string;
  readonly rows_per_file?: number;
  readonly encoding?: { readonly format: BatchConfig["format"]; readonly compression?: "none" | "gzip" };
  readonly storage?: { readonly root?: string; readonly prefix?: string };
  readonly batch_size?: number;
}

/** `batch_config` as written (checked by its schema) in one shape; a setting given in both shapes with two values is refused. */
export function batchConfigOf(written: WrittenBatchConfig): BatchConfig {
  const pick = <T>(agora: T | undefined, meltano: T | undefined, names: string): T | undefined => {
    if (agora !== undefined && meltano !== undefined && agora !== meltano)
      throw new ConfigError(ProtocolCodes.CONFIG_INVALID, `batch_config gives ${names} twice, with different values`, {
        where: { setting: "batch_config" },
        hint: "Give each once, in either shape: format/compression/root/rows_per_file, or encoding/storage/batch_size.",
      });
    return agora ?? meltano;
  };
  const storageRoot = written.storage?.root === undefined ? undefined : localPath(written.storage.root);
  const format = pick(written.format, written.encoding?.format, "format and encoding.format") as BatchConfig["format"];
  const compression = pick(written.compression, written.encoding?.compression, "compression and encoding.compression");
  const root = pick(written.root, storageRoot, "root and storage.root");
  const rows = pick(written.rows_per_file, written.batch_size, "rows_per_file and batch_size");
  return {
    format,
    ...(compression === undefined ? {} : { compression }),
    ...(root === undefined ? {} : { root }),
    ...(written.storage?.prefix === undefined ? {} : { prefix: written.storage.prefix.replace(/[^A-Za-z0-9_.-]/g, "_") }),
    ...(rows === undefined ? {} : { rows_per_file: rows }),
  };
}

/** A storage root as a local folder: a path, or a file:// URL; another scheme (s3://) is not a folder this tap can write. */
function localPath(root: string): string {
  if (root.startsWith("file://")) return fileURLToPath(root);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root))
    throw new ConfigError(ProtocolCodes.CONFIG_INVALID, `batch_config.storage.root is ${root}: batch files are written to a local folder only`, {
      where: { setting: "batch_config.storage.root" },
      hint: "Give a folder (file:///path or /path); a runner reads batch files from its own disk.",
    });
  return root;
}
