/**
 * The demo cast of 전라남도 강진군: officials, inspectors, an auditor, suppliers and farmers.
 * Every key is derived from the seed (keccak256(`${seed}:${id}`)), so the same seed always gives
 * the same addresses. Names and personal records stay off-chain (DATA_DIR/demo-roster.json); the
 * chain only sees addresses and salted hashes of those records.
 */
import { type Address, type Hex, keccak256, stringToBytes } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { type ClaimField, claimsRoot, saltFields } from "../../sdk/claims.ts";
import { householdTagOf } from "../../sdk/households.ts";
import { REGION, type RoleName } from "./enums.ts";
import { SeedRandom } from "./random.ts";

export const DEFAULT_SEED = "jangbu-2026";

export interface PersonaSpec {
  /** Stable id; the key derives from it. */
  readonly id: string;
  readonly role: RoleName;
  readonly region: number;
  /** Korean name (off-chain only). */
  readonly name: string;
  readonly organisation: string;
  readonly title: string;
  /** Roles this persona may issue, and where (granted by the registry admin at deploy). */
  readonly issues?: { readonly roles: readonly RoleName[]; readonly region: number };
  /** The household (세대) it belongs to, when it shares one with another persona; else its own. */
  readonly household?: string;
}

export interface Persona extends PersonaSpec {
  readonly account: PrivateKeyAccount;
  readonly address: Address;
  readonly privateKey: Hex;
  /** The off-chain record the credential's claimsHash commits to, field by field. */
  readonly record: Readonly<Record<string, string>>;
  /** The record's fields, each with its own salt (sdk/claims.ts): the holder's to keep. */
  readonly claims: readonly ClaimField[];
  /** The root of the claims tree (docs/credential-claims.md). */
  readonly claimsHash: Hex;
  /** The household tag its credential carries (sdk `householdTagOf` of the household secret). */
  readonly householdTag: Hex;
}

export interface Farmer extends Persona {
  readonly village: string;
  /** Paddy area in m² (off-chain). */
  readonly paddyArea: number;
}

/** Officials, inspectors, the auditor and the suppliers, by id. */
export const STAFF: readonly PersonaSpec[] = [
  {
    id: "official-mafra",
    role: "Official",
    region: REGION.NATIONAL,
    name: "김정훈",
    organisation: "농림축산식품부 식량정책과",
    title: "사무관",
    issues: { roles: ["Official", "Inspector", "Auditor"], region: REGION.NATIONAL },
  },
  {
    // The second national official, of another household: confirms the final prices the first
    // proposes (neither can fix them alone).
    id: "official-mafra-2",
    role: "Official",
    region: REGION.NATIONAL,
    name: "송지현",
    organisation: "농림축산식품부 식량정책과",
    title: "서기관",
  },
  {
    id: "official-jeonnam",
    role: "Official",
    region: REGION.JEONNAM,
    name: "박미경",
    organisation: "전라남도 식량원예과",
    title: "주무관",
  },
  {
    id: "official-gangjin",
    role: "Official",
    region: REGION.GANGJIN,
    name: "이상철",
    organisation: "강진군 친환경농업과 (양곡 담당)",
    title: "주무관",
    issues: { roles: ["Farmer", "Supplier"], region: REGION.GANGJIN },
  },
  {
    id: "official-gangjin-pay",
    role: "Official",
    region: REGION.GANGJIN,
    name: "정은지",
    organisation: "강진군 친환경농업과 (정산 담당)",
    title: "주무관",
  },
  {
    id: "official-gangjin-contract",
    role: "Official",
    region: REGION.GANGJIN,
    name: "최동욱",
    organisation: "강진군 재무과 (계약 담당)",
    title: "주무관",
  },
  {
    id: "inspector-naqs-1",
    role: "Inspector",
    region: REGION.GANGJIN,
    name: "한승우",
    organisation: "국립농산물품질관리원 전남지원 강진사무소",
    title: "검사원",
  },
  {
    id: "inspector-naqs-2",
    role: "Inspector",
    region: REGION.GANGJIN,
    name: "오세영",
    organisation: "국립농산물품질관리원 전남지원 강진사무소",
    title: "검사원",
  },
  {
    id: "auditor",
    role: "Auditor",
    region: REGION.GANGJIN,
    name: "윤서연",
    organisation: "전라남도 감사위원회",
    title: "감사관",
  },
  ...(
    [
      ["supplier-namdo", "(주)남도농자재", "김태호"],
      ["supplier-tamjin", "탐진산업", "서지훈"],
      ["supplier-cheongja", "청자유통", "문경아"],
      ["supplier-dasan", "다산오피스", "장민수"],
      ["supplier-maryang", "마량종합상사", "홍수빈"],
      ["supplier-byeongyeong", "병영기계", "배성호"],
    ] as const
  ).map(
    ([id, organisation, name]): PersonaSpec => ({
      id,
      role: "Supplier",
      region: REGION.GANGJIN,
      name,
      organisation,
      title: "대표",
    }),
  ),
];

const SURNAMES = [
  "김",
  "이",
  "박",
  "최",
  "정",
  "강",
  "조",
  "윤",
  "장",
  "임",
  "한",
  "오",
  "서",
  "신",
  "황",
];
const GIVEN = [
  "영수",
  "순자",
  "정숙",
  "영철",
  "말순",
  "상훈",
  "옥자",
  "재호",
  "복순",
  "기철",
  "금순",
  "동수",
  "춘자",
  "병철",
  "명희",
  "성호",
  "정애",
  "용수",
  "순덕",
  "광수",
  "미자",
  "종철",
  "영자",
  "태식",
];
/** The 읍면 of 강진군. */
export const VILLAGES = [
  "강진읍",
  "군동면",
  "칠량면",
  "대구면",
  "마량면",
  "도암면",
  "신전면",
  "성전면",
  "작천면",
  "병영면",
  "옴천면",
] as const;

export const FARMER_COUNT = 64;

export function farmerId(index: number): string {
  return `farmer-${String(index + 1).padStart(2, "0")}`;
}

/** A 사업자등록번호 (###-##-#####) drawn from the seed; fictitious, like every demo record. */
function businessRegistrationNo(random: SeedRandom, id: string): string {
  const n = String(random.int(`${id}:brn`, 1_000_000_000)).padStart(9, "0");
  return `415-${n.slice(0, 2)}-${n.slice(2, 7)}`;
}

/** The private key of persona `id` under `seed`. */
export function personaKey(seed: string, id: string): Hex {
  return keccak256(stringToBytes(`${seed}:${id}`));
}

/**
 * The record's salted fields. A real issuer draws every salt at random (sdk `newClaimSalt`); the
 * demo derives them from the seed so that a re-seed gives the same roots.
 */
export function demoClaims(
  seed: string,
  id: string,
  record: Readonly<Record<string, string>>,
): ClaimField[] {
  return saltFields(record, (name) => keccak256(stringToBytes(`${seed}:salt:${id}:${name}`)));
}

/**
 * The secret of household `household` under `seed`. A real county draws it at random once per
 * 세대 and keeps it off-chain; the demo derives it from the seed so that a re-seed gives the same
 * tags (it is never written to the roster).
 */
export function householdSecretOf(seed: string, household: string): Hex {
  return keccak256(stringToBytes(`${seed}:household-secret:${household}`));
}

function persona(seed: string, spec: PersonaSpec, record: Record<string, string>): Persona {
  const privateKey = personaKey(seed, spec.id);
  const account = privateKeyToAccount(privateKey);
  const claims = demoClaims(seed, spec.id, record);
  return {
    ...spec,
    account,
    address: account.address,
    privateKey,
    record,
    claims,
    claimsHash: claimsRoot(claims),
    householdTag: householdTagOf(householdSecretOf(seed, spec.household ?? spec.id)),
  };
}

export interface Cast {
  readonly seed: string;
  readonly staff: Readonly<Record<string, Persona>>;
  readonly farmers: readonly Farmer[];
  /** A persona by id (staff or farmer); throws when unknown. */
  get(id: string): Persona;
}

export function createCast(seed = DEFAULT_SEED): Cast {
  const random = new SeedRandom(seed);
  const staff = Object.fromEntries(
    STAFF.map((spec) => [
      spec.id,
      persona(seed, spec, {
        name: spec.name,
        organisation: spec.organisation,
        title: spec.title,
        ...(spec.role === "Supplier"
          ? {
              companyName: spec.organisation,
              businessRegistrationNo: businessRegistrationNo(random, spec.id),
            }
          : {}),
      }),
    ]),
  );
  const farmers = Array.from({ length: FARMER_COUNT }, (_, i): Farmer => {
    const id = farmerId(i);
    const name = random.pick(`${id}:surname`, SURNAMES) + random.pick(`${id}:given`, GIVEN);
    const village = VILLAGES[i % VILLAGES.length] as string;
    const paddyArea = random.range(`${id}:area`, 3_000, 60_000, 100);
    const spec: PersonaSpec = {
      id,
      role: "Farmer",
      region: REGION.GANGJIN,
      name,
      organisation: `강진군 ${village}`,
      title: "농업인",
      // The last two farms are a married couple's: one household.
      ...(i === FARMER_COUNT - 1 ? { household: farmerId(FARMER_COUNT - 2) } : {}),
    };
    const record = {
      name,
      farmRegistrationNo: `4681${String(random.int(`${id}:reg`, 1_000_000)).padStart(6, "0")}`,
      region: `전라남도 강진군 ${village}`,
      bankAccount: `강진농협 351-${String(random.int(`${id}:bank`, 10_000)).padStart(4, "0")}-****-**`,
      paddyAreaM2: String(paddyArea),
    };
    return { ...persona(seed, spec, record), village, paddyArea };
  });
  const byId = new Map<string, Persona>([
    ...Object.entries(staff),
    ...farmers.map((f) => [f.id, f] as const),
  ]);
  return {
    seed,
    staff,
    farmers,
    get(id) {
      const found = byId.get(id);
      if (found === undefined) throw new Error(`no demo persona ${id}`);
      return found;
    },
  };
}

/** Issuer grants of the demo cast, for the deploy script on a local chain. */
export function demoIssuerGrants(
  seed = DEFAULT_SEED,
): { issuer: Address; roles: RoleName[]; region: number }[] {
  const cast = createCast(seed);
  return Object.values(cast.staff).flatMap((p) =>
    p.issues ? [{ issuer: p.address, roles: [...p.issues.roles], region: p.issues.region }] : [],
  );
}
