// Prints what the quick start loaded into SQLite: row counts and a query joining the two streams.
import Database from "better-sqlite3";

const db = new Database(process.argv[2], { readonly: true });
for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
  const { rows } = db.prepare(`SELECT count(*) AS rows FROM "${name}"`).get();
  console.log(`table ${name}: ${rows} rows`);
}
console.log("\nTop 3 customers by order total:");
console.table(
  db
    .prepare(
      `SELECT u.name, u.city, count(*) AS orders, round(sum(o.total), 2) AS total
       FROM orders o JOIN users u ON u.id = o.user_id
       GROUP BY u.id ORDER BY total DESC LIMIT 3`,
    )
    .all(),
);
db.close();
