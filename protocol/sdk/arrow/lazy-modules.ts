/**
 * apache-arrow and parquet-wasm, each loaded by the first batch that needs
 * it: a run without Arrow or Parquet batches never pays for either. Every
 * module that works on batches asks here, so each is imported once.
 */
export type ArrowModule = typeof import("apache-arrow");
export type ParquetWasmModule = typeof import("parquet-wasm/node");

let arrow: Promise<ArrowModule> | undefined;
let parquetWasm: Promise<ParquetWasmModule> | undefined;

export function loadArrow(): Promise<ArrowModule> {
  arrow ??= import("apache-arrow");
  return arrow;
}

export function loadParquetWasm(): Promise<ParquetWasmModule> {
  parquetWasm ??= import("parquet-wasm/node");
  return parquetWasm;
}
