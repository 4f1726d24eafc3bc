/** Server-sent events of new records (filled in below). */
import type { App, AppDeps } from "../deps.ts";

export const streamRoutes = {
  name: "stream",
  register(_app: App, _deps: AppDeps) {},
};
