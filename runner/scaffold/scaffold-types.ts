/** What `agora new` makes a connector from. */
export interface ScaffoldInput {
  readonly kind: "tap" | "target";
  /** Its name (`tap-widgets`), also its command and folder. */
  readonly name: string;
  readonly description: string;
  /** Its settings as a JSON Schema. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Files by their path in the connector's folder. */
export type ScaffoldFiles = Record<string, { readonly text: string; readonly executable?: boolean }>;
