import { checkFilesReadable, defineTap } from "../../protocol/tap.js";
import { PARQUET_SETTINGS, resolveFiles, type ParquetConfig } from "./config.js";
import { parquetStream } from "./parquet-stream.js";

export const tapParquet = defineTap<ParquetConfig>({
  name: "tap-parquet",
  version: "0.1.0",
  description:
    "Reads Parquet files, one stream per file, a row group at a time and each of its columns a page at a time, with types from the file's schema. Resumable by row.",
  resumable: true,
  settings: PARQUET_SETTINGS,
  async discoverStreams({ config }) {
    const streams = [];
    for (const entry of resolveFiles(config)) streams.push(await parquetStream(entry));
    return streams;
  },
  testConnection: ({ config }) =>
    checkFilesReadable(
      resolveFiles(config).map((entry) => entry.path),
      "tap-parquet",
    ),
});
