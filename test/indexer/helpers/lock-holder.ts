/**
 * A process that takes the data-folder lock of `process.argv[2]`, prints `locked <pid>` and holds
 * it until killed: the other owner in test/indexer/lock.test.ts.
 */
import { lockFolder } from "../../../indexer/src/internal/lock.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: lock-holder.ts <folder>");
lockFolder(dir);
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => {}, 60_000);
