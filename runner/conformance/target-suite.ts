import type { CheckResult } from "./check-result.js";

export interface TargetSuiteOptions {
  readonly configFiles: readonly string[];
  readonly timeoutSeconds: number;
  readonly cwd: string;
  readonly read: string | undefined;
  readonly reader: string | undefined;
}

export async function runTargetSuite(_command: string, _options: TargetSuiteOptions): Promise<CheckResult[]> {
  return [];
}
