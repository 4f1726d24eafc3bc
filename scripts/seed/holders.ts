/**
 * The holders' credential files (docs/credential-claims.md): each demo persona's fields and salts,
 * with the id of the credential the chain holds for it, written to DATA_DIR/demo-credentials/<id>.json
 * (what an issuer hands the holder as a download or QR codes). Plus one ready presentation: farmer-01
 * showing her region and farm registration number, not her name or bank account, over a demo
 * challenge that the portal's verify page adopts in demo mode only (`#/verify?challenge=…`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, keccak256, type PublicClient, stringToBytes } from "viem";
import { CredentialRegistryAbi } from "../../sdk/generated/abis.ts";
import { type CredentialFile, credentialFile, makePresentation } from "../../sdk/presentation.ts";
import type { Cast, Persona } from "./actors.ts";
import { ISSUER_OF } from "./credentials.ts";
import { Role } from "./enums.ts";

export interface HolderFiles {
  /** DATA_DIR/demo-credentials */
  readonly dir: string;
  /** Persona id → its file's path. */
  readonly files: Readonly<Record<string, string>>;
  /** The ready presentation's path, and the challenge it answers. */
  readonly presentationFile: string;
  readonly challenge: Hex;
  readonly presenter: string;
}

/** The persona whose presentation `npm start` offers, and the fields it shows. */
export const DEMO_PRESENTER = "farmer-01";
export const DEMO_SHOWN = ["region", "farmRegistrationNo"] as const;

/** The demo's verifier challenge: from the seed, so it is the same at every start of one seed. */
export const demoChallenge = (seed: string): Hex =>
  keccak256(stringToBytes(`${seed}:demo-verifier-challenge`));

export async function writeHolderFiles(p: {
  dataDir: string;
  seed: string;
  chainId: number;
  registry: Address;
  cast: Cast;
  client: Pick<PublicClient, "readContract">;
}): Promise<HolderFiles> {
  const dir = join(p.dataDir, "demo-credentials");
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const byId = new Map<string, CredentialFile>();
  const people: Persona[] = [...Object.values(p.cast.staff), ...p.cast.farmers];
  for (const person of people) {
    const id = await p.client.readContract({
      address: p.registry,
      abi: CredentialRegistryAbi,
      functionName: "currentId",
      args: [person.address, Role[person.role], person.region],
    });
    if (id === 0n) continue;
    const file = credentialFile({
      chainId: p.chainId,
      registry: p.registry,
      credentialId: id.toString(),
      subject: person.address,
      role: person.role,
      region: person.region,
      issuer: p.cast.get(ISSUER_OF[person.role]).address,
      fields: person.claims,
    });
    const path = join(dir, `${person.id}.json`);
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
    files[person.id] = path;
    byId.set(person.id, file);
  }
  const holder = byId.get(DEMO_PRESENTER);
  if (holder === undefined) throw new Error(`${DEMO_PRESENTER} holds no credential`);
  const challenge = demoChallenge(p.seed);
  const presenter = p.cast.get(DEMO_PRESENTER);
  const vp = await makePresentation(holder, DEMO_SHOWN, challenge, (typed) =>
    presenter.account.signTypedData(typed),
  );
  const presentationFile = join(p.dataDir, "demo-presentation.json");
  writeFileSync(presentationFile, `${JSON.stringify(vp, null, 2)}\n`);
  return { dir, files, presentationFile, challenge, presenter: DEMO_PRESENTER };
}
