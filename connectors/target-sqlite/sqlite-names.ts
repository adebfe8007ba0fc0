/** A name as SQLite compares it: ASCII letters in lower case, every other character as it is. */
export function sqliteCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
