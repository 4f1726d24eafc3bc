/** CSV exports and OCDS release packages (filled in below). */
import type { App, AppDeps } from "../deps.ts";

export const exportRoutes = {
  name: "exports",
  register(_app: App, _deps: AppDeps) {},
};
