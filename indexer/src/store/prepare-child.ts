/**
 * The child process of prepare.ts: creates a PGlite folder at `argv[2]` in this process (it exits
 * right after, so initdb's memory growth is given back) and applies the store's migrations.
 */
import { createPgliteDatabase } from "./db.ts";
import { migrate } from "./migrations.ts";

const folder = process.argv[2];
if (folder === undefined) {
  console.error("usage: prepare-child.ts <folder>");
  process.exit(2);
}
const db = await createPgliteDatabase({ dataDir: folder, createHere: true });
await migrate(db);
await db.close();
