import type { Readable } from "node:stream";

/**
 * Reads an object-mode stream in batches: everything buffered at each turn,
 * as one array. An async iterator over the stream would cost a promise per
 * object; this costs one per batch.
 */
export async function* readBatches<T>(readable: Readable): AsyncGenerator<T[]> {
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const onReadable = (): void => wake?.();
  const onEnd = (): void => {
    ended = true;
    wake?.();
  };
  const onError = (error: unknown): void => {
    failure = error;
    wake?.();
  };
  readable.on("readable", onReadable);
  readable.on("end", onEnd);
  readable.on("error", onError);
  try {
    for (;;) {
      const batch: T[] = [];
      for (let item = readable.read() as T | null; item !== null; item = readable.read() as T | null) batch.push(item);
      if (batch.length > 0) yield batch;
      if (failure !== undefined) throw failure;
      if (ended || readable.readableEnded) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (readable.readableLength > 0 || ended || failure !== undefined) resolve();
      });
      wake = undefined;
    }
  } finally {
    readable.off("readable", onReadable);
    readable.off("end", onEnd);
    readable.off("error", onError);
  }
}
