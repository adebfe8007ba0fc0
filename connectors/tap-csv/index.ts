import { checkFilesReadable, defineTap, isRequested } from "../../protocol/tap.js";
import { CSV_SETTINGS, resolveFiles, type CsvConfig } from "./config.js";
import { csvStream } from "./csv-stream.js";

export const tapCsv = defineTap<CsvConfig>({
  name: "tap-csv",
  version: "0.1.0",
  description:
    "Reads CSV and TSV files, one stream per file, with column types inferred from a sample. Resumable by row; malformed rows fail, are skipped, or go to the dead-letter queue.",
  resumable: true,
  settings: CSV_SETTINGS,
  async discoverStreams({ config }, request) {
    const streams = [];
    for (const file of resolveFiles(config)) {
      if (isRequested(request, file.stream)) streams.push(await csvStream(file, config, request?.schemas.get(file.stream)));
    }
    return streams;
  },
  testConnection: ({ config }) =>
    checkFilesReadable(
      resolveFiles(config).map((file) => file.path),
      "tap-csv",
    ),
});
