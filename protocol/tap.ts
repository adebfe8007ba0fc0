/**
 * The SDK for taps: the Singer messages and exact values, framing, the tap
 * SDK and its file and Arrow helpers. It leaves out the target half and
 * record validation (ajv), which protocol/index.ts (the whole SDK, this
 * included) adds: a tap importing only this loads about half the code, and
 * each tap start is that much shorter (our taps run at least twice a run:
 * discovery, then the sync).
 */
export * from "./errors.js";
export * from "./messages/types.js";
export { ProtocolCodes, type ProtocolCode } from "./messages/codes.js";
export { exactRecord, excerpt, parseMessage, parseMessageLine } from "./messages/parse.js";
export { serializeMessage } from "./messages/serialize.js";
export { compareNumbers, decimalParts, ExactNumber, isExactNumber, numberFromDecimalText, numberFromText } from "./values/exact-number.js";
export { markExactRecord, mayHoldExactNumbers, parseJson, parseJsonExact, parseRecordJson, stringifyJson } from "./values/exact-json.js";
export { NumberPlaces } from "./values/number-places.js";
export { epochDaysOf, epochMicroseconds, isoFromEpoch, type Instant } from "./values/instants.js";

export { LineSplitter, DEFAULT_MAX_LINE_BYTES, type LineSplitterOptions, type LineHandler } from "./framing/line-splitter.js";
export { MessageWriter, type MessageWriterOptions } from "./framing/message-writer.js";

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
export type { Connector, ConnectorMainOptions } from "./sdk/connector.js";
export { renderAboutMarkdown, type AboutInfo, type ConnectorKind } from "./sdk/about.js";
export { ExitCodes, exitCodeFor, exitCodeForSignal } from "./sdk/exit-codes.js";
export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "./sdk/logger.js";
export type { ConnectorConfig } from "./sdk/config.js";
export { SDK_VERSION } from "./sdk/version.js";
export { checkFilesReadable, sourceFileError } from "./sdk/source-files.js";
export { byteOrderMark, skipByteOrderMark, type MarkedEncoding } from "./sdk/byte-order-mark.js";
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
export { commandLineSecrets, maskSecrets, maskStream, MASK, registerConfigSecrets, registerSecret } from "./secrets/secret-values.js";
