import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { staticImports } from "../../../helpers/build-imports.js";
import { connectorBin, ROOT, run } from "../../../helpers/processes.js";

/*
 * Node 22.1+ caches compiled code on disk for the modules loaded after `module.enableCompileCache()`.
 * Every executable of the build turns it on before it loads the rest of itself; this machine's Node 20
 * has no such cache, so a stand-in for it (set by --import) records the call.
 */

const connectors = readdirSync(join(ROOT, "dist", "connectors"));
const executables = [join(ROOT, "dist", "runner", "cli", "bin.js"), ...connectors.map((name) => connectorBin(name))];

/** Sets module.enableCompileCache to a stand-in that says on stderr it was called. */
const STAND_IN = `data:text/javascript,${encodeURIComponent(
  'import module from "node:module"; import { writeSync } from "node:fs"; module.enableCompileCache = () => writeSync(2, "compile cache on\\n");',
)}`;

describe("the compile cache", () => {
  it("is turned on by every executable before the rest of it loads: its static imports are only the switch", () => {
    expect(connectors.length).toBeGreaterThanOrEqual(11);
    for (const bin of executables) {
      const loaded = [...staticImports(bin)];
      const bytes = loaded.reduce((sum, file) => sum + statSync(file).size, 0);
      // tap-csv's whole start is about 215 KB; the bin and the switch are a few hundred bytes each.
      expect({ bin, bytes: bytes < 4096 }).toEqual({ bin, bytes: true });
    }
  });

  it("is asked for where Node has one, and the connector and the runner then work as before", async () => {
    const about = await run(process.execPath, ["--import", STAND_IN, connectorBin("tap-csv"), "--about", "--format", "json"]);
    expect(about.exitCode, about.stderr).toBe(0);
    expect(about.stderr).toBe("compile cache on\n");
    expect((JSON.parse(about.stdout) as { name: string }).name).toBe("tap-csv");
    const version = await run(process.execPath, ["--import", STAND_IN, join(ROOT, "dist", "runner", "cli", "bin.js"), "--version"]);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stderr).toBe("compile cache on\n");
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
