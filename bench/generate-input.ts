/** A worker thread of BenchInputs: writes one generated input and posts its size in bytes. */
import { parentPort, workerData } from "node:worker_threads";
import { WRITERS, type InputKind } from "./files.js";

const { kind, path, rows } = workerData as { kind: InputKind; path: string; rows: number };
const bytes = await WRITERS[kind].write(path, rows);
parentPort?.postMessage(bytes);
