import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { IncomingMessage } from "node:http";
import type { Answer } from "./http-answer.js";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly etag: string;
}

/** The console's static files: beside this module in the sources, copied beside the bundle in dist. */
export function staticFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "static"), join(here, "..", "runner", "console", "static")];
  const found = candidates.find((folder) => existsSync(join(folder, "index.html")));
  if (found === undefined) throw new Error(`the console's files are missing (looked in ${candidates.join(", ")}): reinstall Agora`);
  return found;
}

/**
 * The console's pages, scripts and stylesheet, read once at start: no build
 * step, no file served that is not in the folder, each with an ETag and
 * sent gzipped to a browser that takes it.
 */
export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(folder = staticFolder()) {
    for (const name of readdirSync(folder)) {
      const type = TYPES[extname(name)];
      if (type === undefined) continue;
      const body = readFileSync(join(folder, name));
      this.assets.set(`/${name}`, { type, body, gzipped: gzipSync(body, { level: 9 }), etag: `"${createHash("sha1").update(body).digest("base64url")}"` });
    }
  }

  has(path: string): boolean {
    return this.assets.has(path);
  }

  /** Bytes of every file as sent gzipped: the console's whole weight. */
  weight(): { plain: number; gzipped: number } {
    let plain = 0;
    let gzipped = 0;
    for (const asset of this.assets.values()) {
      plain += asset.body.length;
      gzipped += asset.gzipped.length;
    }
    return { plain, gzipped };
  }

  answer(path: string, request: IncomingMessage): Answer | undefined {
    const asset = this.assets.get(path);
    if (asset === undefined) return undefined;
    // Revalidated on each load (no-cache), so a new version is never stale; unchanged files cost a 304.
    const headers = { etag: asset.etag, "cache-control": "no-cache", vary: "accept-encoding" };
    if (request.headers["if-none-match"] === asset.etag) return { status: 304, type: asset.type, body: "", headers };
    const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
    return gzip
      ? { status: 200, type: asset.type, body: asset.gzipped, headers: { ...headers, "content-encoding": "gzip" } }
      : { status: 200, type: asset.type, body: asset.body, headers };
  }
}
