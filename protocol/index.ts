/**
 * Agora's public API for connector authors and tools: the Singer messages,
 * framing, validation, and the connector SDK: the taps' part (tap.ts) and
 * the rest, targets and record validation.
 */
export * from "./tap.js";
export { MESSAGE_SCHEMAS } from "./messages/schemas.js";
export { recordText } from "./messages/record-text.js";

export { MessageParser, type MessageParserOptions, type RecordForwarding } from "./framing/message-parser.js";
export { ForwardedRecord, recordStreamAtHead } from "./framing/record-head.js";
export { readMessageBatches, readMessages, type ByteSource } from "./framing/read-messages.js";
export { TextChunks } from "./framing/text-chunks.js";

export { createAjv } from "./validation/ajv-instance.js";
export { RecordValidator } from "./validation/record-validator.js";
export { createMessageSchemaValidator } from "./validation/message-validator.js";

export { defineTarget, TARGET_SDK_SETTINGS } from "./sdk/targets/define-target.js";
export { DestinationNames, numberedPath, streamFilePath } from "./sdk/targets/destination-names.js";
export { MAX_OPEN_FILES_SETTING, OpenFiles, STREAMS_AT_ONCE, writeStreamsAtOnce } from "./sdk/targets/stream-writes.js";
export type {
  EncodingWriter,
  ObjectWriter,
  StreamInfo,
  StreamRecords,
  TargetContext,
  TargetDefinition,
  TargetWriter,
  TextWriter,
} from "./sdk/targets/types.js";
export { readBatches } from "./sdk/read-batches.js";
export { checkBatchPath, manifestPath, readBatchFiles, SUPPORTED_BATCH_FORMATS } from "./sdk/targets/read-batch-files.js";
export { encodeStreamRecords } from "./sdk/arrow/encode-stream-records.js";
export {
  checkDirectoryWritable,
  cutIncompleteTail,
  ensurePrivateFile,
  fileError,
  openMakingDirectory,
  syncDirectory,
  syncNewEntry,
  DirectorySyncs,
} from "./sdk/durable-files.js";
export { AppendFile } from "./sdk/append-file.js";
export { isPostgresUrl, readPostgresUrl, withPasswordMasked, type PostgresUrl } from "./sdk/postgres-url.js";
export { quoteIdentifier, quoteLiteral, RECORD_COLUMN, VERSION_COLUMN } from "./sdk/sql/sql-names.js";
export { diffColumns, type ColumnChanges, type ColumnTypes, type RetypedColumn } from "./sdk/sql/column-diff.js";
export { keyedProperties, refuseChangedKeys, SqlTableCodes } from "./sdk/sql/stream-table-shape.js";
export { postgresProblem, type PostgresProblem, type PostgresProblemKind } from "./sdk/sql/postgres-problem.js";
export { sqliteProblem, type SqliteProblem, type SqliteProblemKind } from "./sdk/sql/sqlite-problem.js";
export { openSqlite } from "./sdk/sql/open-sqlite.js";
