/**
 * What the portal needs from the service beyond the records: where the chain is (so the browser
 * can verify receipts itself) and, in `npm start`'s demo only, the demo personas to sign in as.
 *
 * The personas come from the seed's off-chain roster (DATA_DIR/demo-roster.json). Their keys are
 * derived from the public demo seed, so serving them is harmless — but their Korean names are
 * personal data of the demo and are not served: a persona is labelled by its office and title.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../internal/errors.ts";
import { passkeyDeploymentOf } from "../../relay/module.ts";
import { notFoundResponse } from "../common.ts";
import type { App, AppDeps, RouteModule } from "../deps.ts";

const ConfigSchema = z
  .object({
    chainId: z.number().int(),
    rpcUrl: z.string(),
    contracts: z.record(z.string(), z.string()),
    demo: z.boolean(),
    passkey: z
      .object({ factory: z.string(), implementation: z.string(), rpId: z.string() })
      .optional()
      .openapi({
        description: "Passkey accounts: their factory, account code and relying-party id",
      }),
  })
  .openapi("PortalConfig");

const PersonaSchema = z
  .object({
    id: z.string(),
    role: z.string(),
    region: z.number().int(),
    name: z.string(),
    organisation: z.string().optional(),
    title: z.string().optional(),
    address: z.string(),
    privateKey: z.string(),
  })
  .openapi("DemoPersona");

const config = createRoute({
  method: "get",
  path: "/api/v1/config",
  tags: ["system"],
  summary: "Chain id, the RPC node the browser verifies against, contract addresses",
  responses: {
    200: { description: "Config", content: { "application/json": { schema: ConfigSchema } } },
  },
});

const personas = createRoute({
  method: "get",
  path: "/api/v1/demo/personas",
  tags: ["system"],
  summary: "Demo sign-ins (only when the service runs the local demo)",
  responses: {
    200: {
      description: "Demo personas",
      content: { "application/json": { schema: z.object({ items: z.array(PersonaSchema) }) } },
    },
    ...notFoundResponse,
  },
});

type RosterPerson = {
  id: string;
  role: string;
  region: number;
  organisation?: string;
  title?: string;
  address: string;
  privateKey: string;
};

export type CreatePortalModuleParameters = {
  /** The JSON-RPC URL a browser can reach (PUBLIC_RPC_URL, else the indexer's RPC_URL). */
  publicRpcUrl: string;
  /** The demo roster (DEMO_ROSTER); unset outside the local demo. */
  demoRosterFile?: string | undefined;
  /** PASSKEY_* variables (relay/module.ts); else the SDK's deployment names the passkey factory. */
  passkeyEnv?: NodeJS.ProcessEnv;
};

export const createPortalModule = ({
  publicRpcUrl,
  demoRosterFile,
  passkeyEnv = {},
}: CreatePortalModuleParameters): RouteModule => ({
  name: "portal",
  register(app: App, deps: AppDeps) {
    const demo = demoRosterFile !== undefined && existsSync(demoRosterFile);

    app.openapi(config, (c) =>
      c.json({
        chainId: deps.chainId,
        rpcUrl: publicRpcUrl,
        contracts: Object.fromEntries(
          Object.entries(deps.addresses).filter(([, a]) => a !== undefined),
        ) as Record<string, string>,
        demo,
        ...passkeyDeploymentOf(passkeyEnv, deps.chainId),
      }),
    );

    app.openapi(personas, (c) => {
      if (!demo || demoRosterFile === undefined) {
        throw new ApiError(404, "not_found", "demo sign-in is only served by npm start's demo");
      }
      const roster = JSON.parse(readFileSync(demoRosterFile, "utf8")) as {
        staff?: RosterPerson[];
        farmers?: RosterPerson[];
      };
      const items = [...(roster.staff ?? []), ...(roster.farmers ?? [])].map((p) => ({
        id: p.id,
        role: p.role,
        region: p.region,
        name: `DEMO ${[p.organisation, p.title].filter(Boolean).join(" ")}`.trim(),
        ...(p.organisation ? { organisation: p.organisation } : {}),
        ...(p.title ? { title: p.title } : {}),
        address: p.address,
        privateKey: p.privateKey,
      }));
      return c.json({ items }, 200);
    });
  },
});
