import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { FatalError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { splitCommand } from "../process/split-command.js";
import type { LockEntry } from "./install-lock.js";
import { installDir, installedMarker, type InstallSpec } from "./install-spec.js";

/** Longest an install step may take (a large package over a slow network). */
const STEP_TIMEOUT_MS = 15 * 60 * 1000;

/** What an install did: the lock entry it leaves, and whether it followed a lock. */
export interface Installed {
  readonly entry: LockEntry;
  readonly fromLock: boolean;
}

/**
 * Installs one connector afresh into .agora/connectors/NAME/: a pip
 * package into a virtualenv of its own (Python's `-m venv`), or an npm
 * package into a prefix of its own. A lock entry made from the same spec
 * pins what is installed (pip: its versions as constraints; npm: its
 * package-lock.json, with `npm ci`). The folder is replaced whole; its
 * installed.json is written last, so a failed install leaves none.
 */
export async function installConnector(projectDir: string, connector: string, spec: InstallSpec, locked: LockEntry | undefined): Promise<Installed> {
  const dir = installDir(projectDir, connector);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const fromLock = locked !== undefined && locked.kind === spec.kind && locked.spec === spec.spec;
  const entry =
    spec.kind === "pip"
      ? await installPip(projectDir, dir, connector, spec.spec, fromLock ? locked : undefined)
      : await installNpm(projectDir, dir, connector, spec.spec, fromLock ? locked : undefined);
  writeFileSync(installedMarker(projectDir, connector), `${JSON.stringify(entry, null, 2)}\n`);
  return { entry, fromLock };
}

async function installPip(projectDir: string, dir: string, connector: string, spec: string, locked: LockEntry | undefined): Promise<LockEntry> {
  const venv = join(dir, "venv");
  await step(connector, "python3", ["-m", "venv", venv], projectDir, "create its virtualenv");
  const python = join(venv, "bin", "python");
  const constraints: string[] = [];
  if (locked !== undefined) {
    // Only name==version lines can be constraints: a package from a folder, a file or a URL is pinned by the spec itself.
    const pinned = locked.resolved.split("\n").filter((line) => /^[A-Za-z0-9][\w.-]*==\S+$/.test(line.trim()));
    const file = join(dir, "constraints.txt");
    writeFileSync(file, `${pinned.join("\n")}\n`);
    constraints.push("-c", file);
  }
  await step(
    connector,
    python,
    ["-m", "pip", "install", "--disable-pip-version-check", ...splitCommand(spec), ...constraints],
    projectDir,
    `pip install ${spec}`,
  );
  const frozen = await step(connector, python, ["-m", "pip", "freeze", "--disable-pip-version-check"], projectDir, "list what pip installed");
  return { kind: "pip", spec, resolved: frozen.trim() === "" ? "" : `${frozen.trim()}\n` };
}

async function installNpm(projectDir: string, dir: string, connector: string, spec: string, locked: LockEntry | undefined): Promise<LockEntry> {
  if (locked !== undefined) {
    const { packageJson, packageLock } = JSON.parse(locked.resolved) as { packageJson: string; packageLock: string };
    writeFileSync(join(dir, "package.json"), packageJson);
    writeFileSync(join(dir, "package-lock.json"), packageLock);
    await step(connector, "npm", ["ci", "--prefix", dir, "--no-audit", "--no-fund"], projectDir, "npm ci from the lock");
  } else {
    writeFileSync(
      join(dir, "package.json"),
      `${JSON.stringify({ name: `agora-connector-${connector.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`, private: true }, null, 2)}\n`,
    );
    await step(connector, "npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", ...splitCommand(spec)], projectDir, `npm install ${spec}`);
  }
  const packageLock = join(dir, "package-lock.json");
  return {
    kind: "npm",
    spec,
    resolved: JSON.stringify({
      packageJson: readFileSync(join(dir, "package.json"), "utf8"),
      packageLock: existsSync(packageLock) ? readFileSync(packageLock, "utf8") : "",
    }),
  };
}

/** Runs one install step to its end; a failure names the connector, the step and what the tool said last. */
async function step(connector: string, file: string, args: readonly string[], cwd: string, what: string): Promise<string> {
  const result = await execa(file, [...args], { cwd, reject: false, timeout: STEP_TIMEOUT_MS, all: true, stdin: "ignore" });
  if (result.exitCode === 0) return String(result.stdout);
  const said = String(result.all ?? "")
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-3)
    .join(" | ");
  throw new FatalError(
    RunnerCodes.INSTALL_FAILED,
    `could not ${what}${result.timedOut ? " (timed out)" : ""}: ${said || `${file} exited ${String(result.exitCode)}`}`,
    {
      where: { connector },
      hint: "Fix what it says (the package name, a network or index setting in pip_url or npm), then run `agora install` again.",
    },
  );
}
