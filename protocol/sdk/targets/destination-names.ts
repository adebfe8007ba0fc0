import { join, resolve } from "node:path";
import { ConfigError } from "../../errors.js";
import { ProtocolCodes } from "../../messages/codes.js";

/**
 * Which stream writes to which destination (a file, a table), so two
 * distinct streams never share one silently: `Upper` and `upper` in a
 * database whose names ignore case, `a b` and `a/b` once both are made safe
 * for a file name. The second stream to claim a taken destination is a
 * config error naming both.
 */
export class DestinationNames {
  private readonly owners = new Map<string, { stream: string; destination: string }>();

  /**
   * @param what "file" or "table", for the message.
   * @param key How the destination compares (lower case where names ignore case).
   */
  constructor(
    private readonly what: string,
    private readonly key: (destination: string) => string = (destination) => destination,
  ) {}

  /** Records that `stream` writes to `destination`; throws if another stream already does. */
  claim(stream: string, destination: string): void {
    const key = this.key(destination);
    const owner = this.owners.get(key);
    if (owner === undefined) {
      this.owners.set(key, { stream, destination });
      return;
    }
    if (owner.stream === stream) return;
    throw new ConfigError(
      ProtocolCodes.DESTINATION_TAKEN,
      `streams ${JSON.stringify(owner.stream)} and ${JSON.stringify(stream)} would both be written to the ${this.what} ${JSON.stringify(owner.destination)}`,
      {
        where: { stream },
        hint: "Give one of them another name with the rename_stream middleware (or change the naming setting), so each stream keeps its own rows.",
      },
    );
  }
}

/**
 * A file target's file for a stream: `naming` (its `file_naming` setting)
 * with `{stream}` replaced by the stream's name made safe for a file name
 * (anything but letters, digits, `_`, `.` and `-` as `_`), in `folder`.
 */
export function streamFilePath(folder: string, naming: string, stream: string): string {
  return resolve(join(folder, naming.replaceAll("{stream}", stream.replace(/[^\w.-]/g, "_"))));
}

/** The `number`th file of a name, for a stream that continues in another file: `users.csv` → `users-2.csv`. */
export function numberedPath(path: string, number: number): string {
  return path.replace(/(\.[^./]*)?$/, (extension) => `-${number}${extension}`);
}
