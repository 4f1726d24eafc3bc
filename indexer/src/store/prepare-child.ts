/**
 * The child process of prepare.ts: makes a migrated PGlite folder at `argv[2]`, as a copy of the
 * schema's template when there is one (template.ts), else by creating it in this process (it exits
 * right after, so initdb's memory growth is given back) and applying the store's migrations; a
 * folder made from scratch becomes the template for the next fresh store.
 */
import { createPgliteDatabase } from "./db.ts";
import { migrate } from "./migrations.ts";
import { copyTemplate, saveTemplate, templateFolder } from "./template.ts";

const folder = process.argv[2];
if (folder === undefined) {
  console.error("usage: prepare-child.ts <folder>");
  process.exit(2);
}
const template = templateFolder();
if (template === undefined || !copyTemplate(template, folder)) {
  const db = await createPgliteDatabase({ dataDir: folder, createHere: true });
  await migrate(db);
  await db.close();
  if (template !== undefined) saveTemplate(folder, template);
}
