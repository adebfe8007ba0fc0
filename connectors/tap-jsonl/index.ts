import { checkFilesReadable, defineTap, isRequested } from "../../protocol/tap.js";
import { JSONL_SETTINGS, resolveFiles, type JsonlConfig } from "./config.js";
import { jsonlStream } from "./jsonl-stream.js";

export const tapJsonl = defineTap<JsonlConfig>({
  name: "tap-jsonl",
  version: "0.1.0",
  description:
    "Reads JSON Lines files, one stream per file, with a schema inferred from a sample. Resumable by line; malformed lines fail, are skipped, or go to the dead-letter queue.",
  resumable: true,
  settings: JSONL_SETTINGS,
  async discoverStreams({ config }, request) {
    const streams = [];
    for (const file of resolveFiles(config)) {
      if (isRequested(request, file.stream)) streams.push(await jsonlStream(file, config, request?.schemas.get(file.stream)));
    }
    return streams;
  },
  testConnection: ({ config }) =>
    checkFilesReadable(
      resolveFiles(config).map((file) => file.path),
      "tap-jsonl",
    ),
});
