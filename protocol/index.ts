/**
 * Agora's public API for connector authors and tools: the Singer messages,
 * framing, validation, and the connector SDK.
 */
export * from "./errors.js";
export * from "./messages/types.js";
export { MESSAGE_SCHEMAS } from "./messages/schemas.js";
export { ProtocolCodes, type ProtocolCode } from "./messages/codes.js";
export { exactRecord, excerpt, parseMessage, parseMessageLine } from "./messages/parse.js";
export { recordText } from "./messages/record-text.js";
export { serializeMessage } from "./messages/serialize.js";
export { compareNumbers, decimalParts, ExactNumber, isExactNumber, numberFromDecimalText, numberFromText } from "./values/exact-number.js";
export { markExactRecord, mayHoldExactNumbers, parseJson, parseJsonExact, parseRecordJson, stringifyJson } from "./values/exact-json.js";
export { NumberPlaces } from "./values/number-places.js";
export { epochDaysOf, epochMicroseconds, isoFromEpoch, type Instant } from "./values/instants.js";

export { LineSplitter, DEFAULT_MAX_LINE_BYTES, type LineSplitterOptions, type LineHandler } from "./framing/line-splitter.js";
export { MessageParser, type MessageParserOptions, type RecordForwarding } from "./framing/message-parser.js";
export { ForwardedRecord, recordStreamAtHead } from "./framing/record-head.js";
export { readMessageBatches, readMessages, type ByteSource } from "./framing/read-messages.js";
export { MessageWriter, type MessageWriterOptions } from "./framing/message-writer.js";
export { TextChunks } from "./framing/text-chunks.js";

export { createAjv } from "./validation/ajv-instance.js";
export { RecordValidator } from "./validation/record-validator.js";
export { createMessageSchemaValidator } from "./validation/message-validator.js";

export { defineTap, TAP_SDK_SETTINGS } from "./sdk/tap/define-tap.js";
export { withNewProperties } from "./sdk/tap/stream-plan.js";
export { BadRowHandler, BAD_ROW_POLICIES, BAD_ROW_SETTING, type BadRowPolicy } from "./sdk/tap/bad-rows.js";
export {
  ArrowBatch,
  bookmarked,
  Bookmarked,
  isRequested,
  RejectedRow,
  RowBatch,
  type StreamItem,
  type StreamContext,
  type StreamRequest,
  type TapContext,
  type TapDefinition,
  type TapRecord,
  type TapStream,
} from "./sdk/tap/types.js";
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
export type { Connector, ConnectorMainOptions } from "./sdk/connector.js";
export { renderAboutMarkdown, type AboutInfo, type ConnectorKind } from "./sdk/about.js";
export { ExitCodes, exitCodeFor, exitCodeForSignal } from "./sdk/exit-codes.js";
export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "./sdk/logger.js";
export type { ConnectorConfig } from "./sdk/config.js";
export { SDK_VERSION } from "./sdk/version.js";
export { checkFilesReadable, sourceFileError } from "./sdk/source-files.js";
export { byteOrderMark, skipByteOrderMark, type MarkedEncoding } from "./sdk/byte-order-mark.js";
export { readBatches } from "./sdk/read-batches.js";
export { checkBatchPath, manifestPath, readBatchFiles, SUPPORTED_BATCH_FORMATS } from "./sdk/targets/read-batch-files.js";
export { decimalShape, MAX_DECIMAL_PRECISION, valueKind, type DecimalShape, type ValueKind } from "./sdk/value-kind.js";
export {
  arrowColumns,
  arrowKind,
  columnFitsProperty,
  describeProperty,
  JSON_COLUMN_KEY,
  unfitColumn,
  type UnfitColumn,
  type ArrowColumn,
  type ArrowKind,
  type ReadKind,
} from "./sdk/arrow/arrow-columns.js";
export { arrowRowProblem, encodeArrowBatch, encodeArrowColumns } from "./sdk/arrow/arrow-codec.js";
export { cellReader, decodeArrowBatch, kindOfField, type DecodedBatch } from "./sdk/arrow/arrow-decode.js";
export { encodeStreamRecords } from "./sdk/arrow/encode-stream-records.js";
export { ArrowLayoutError, readArrowLayout, type ArrowLayout } from "./sdk/arrow/arrow-layout.js";
export { readParquetLayout } from "./sdk/arrow/parquet-layout.js";
export { loadArrow, loadParquetWasm, type ArrowModule, type ParquetWasmModule } from "./sdk/arrow/lazy-modules.js";
export { arrowToParquet, type EncodeOptions, type ParquetCompression } from "./sdk/arrow/arrow-to-parquet.js";
export {
  checkKeysAreColumns,
  fileIdentity,
  filesSetting,
  mapRows,
  ON_FILE_CHANGE_SETTING,
  resolveFileStreams,
  savedPosition,
  type FileChangePolicy,
  type FileEntry,
  type FileIdentity,
} from "./sdk/file-streams.js";
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
export { commandLineSecrets, maskSecrets, maskStream, MASK, registerConfigSecrets, registerSecret } from "./secrets/secret-values.js";
export { isPostgresUrl, readPostgresUrl, withPasswordMasked, type PostgresUrl } from "./sdk/postgres-url.js";
export { quoteIdentifier, quoteLiteral, RECORD_COLUMN, VERSION_COLUMN } from "./sdk/sql/sql-names.js";
export { diffColumns, type ColumnChanges, type ColumnTypes, type RetypedColumn } from "./sdk/sql/column-diff.js";
export { keyedProperties, refuseChangedKeys, SqlTableCodes } from "./sdk/sql/stream-table-shape.js";
export { postgresProblem, type PostgresProblem, type PostgresProblemKind } from "./sdk/sql/postgres-problem.js";
export { sqliteProblem, type SqliteProblem, type SqliteProblemKind } from "./sdk/sql/sqlite-problem.js";
