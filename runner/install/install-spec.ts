import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { LockEntry } from "./install-lock.js";

/**
 * How a connector of the project is installed, when its table says: a pip
 * package (`pip_url`, into a virtualenv of its own) or an npm package
 * (`npm`, into a prefix of its own), each under
 * .agora/connectors/NAME/ beside the project. Without either, the
 * connector is found on PATH, as before.
 */
export type InstallSpec = { readonly kind: "pip"; readonly spec: string } | { readonly kind: "npm"; readonly spec: string };

/** The install settings of a connector table, if it has any. */
export function installSpecOf(entry: { readonly pip_url?: string | undefined; readonly npm?: string | undefined }): InstallSpec | undefined {
  if (entry.pip_url !== undefined) return { kind: "pip", spec: entry.pip_url };
  if (entry.npm !== undefined) return { kind: "npm", spec: entry.npm };
  return undefined;
}

/** The folder a connector is installed into. */
export function installDir(projectDir: string, connector: string): string {
  return join(projectDir, ".agora", "connectors", connector.replace(/[^\w.-]/g, "_"));
}

/** Where an installed connector's executables are: the virtualenv's bin, or the prefix's node_modules/.bin. */
export function installedBinDir(projectDir: string, connector: string, kind: InstallSpec["kind"]): string {
  const dir = installDir(projectDir, connector);
  return kind === "pip" ? join(dir, "venv", "bin") : join(dir, "node_modules", ".bin");
}

/** The record `agora install` leaves in the install folder: what was installed, from what. */
export function installedMarker(projectDir: string, connector: string): string {
  return join(installDir(projectDir, connector), "installed.json");
}

export function isInstalled(projectDir: string, connector: string): boolean {
  return existsSync(installedMarker(projectDir, connector));
}

/** An environment whose PATH finds the installed connector's executables first. */
export function withInstalledPath(env: Readonly<Record<string, string>>, binDir: string): Record<string, string> {
  const rest = env["PATH"] ?? process.env["PATH"] ?? "";
  return { ...env, PATH: rest === "" ? binDir : `${binDir}${delimiter}${rest}` };
}

/** The install recorded in the connector's folder, if any. */
export function installedEntry(projectDir: string, connector: string): LockEntry | undefined {
  try {
    return JSON.parse(readFileSync(installedMarker(projectDir, connector), "utf8")) as LockEntry;
  } catch {
    return undefined;
  }
}
