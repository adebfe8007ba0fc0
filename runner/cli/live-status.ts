/**
 * A status line at the bottom of a terminal (the live progress of a run)
 * that log lines never glue onto: while it is shown, every other write to
 * stderr first clears it, then it is drawn again below what was written.
 * Everything that writes to stderr (the runner's logger, the connectors'
 * forwarded lines) goes through process.stderr.write, so that is where it
 * hooks in, for the length of the run only.
 */
export class LiveStatus {
  private text = "";
  private readonly originalWrite: typeof process.stderr.write;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.originalWrite = stream.write.bind(stream) as typeof process.stderr.write;
    const write = this.originalWrite;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      if (this.text === "") return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
      write("\r\x1b[2K");
      const written = (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
      write(this.text);
      return written;
    }) as typeof process.stderr.write;
  }

  /** Shows (or replaces) the status line. */
  show(text: string): void {
    this.text = text;
    this.originalWrite(`\r\x1b[2K${text}`);
  }

  /** Clears the status line and gives stderr back. */
  close(): void {
    if (this.text !== "") this.originalWrite("\r\x1b[2K");
    this.text = "";
    this.stream.write = this.originalWrite;
  }
}
