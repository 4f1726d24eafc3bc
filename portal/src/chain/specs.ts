/** Per record kind: which chain event (and argument) sets each field (no crypto: the record page stays light). */
/** Which event sets each record field: `[event names (latest wins), argument name]`. */
export type RecordSpec = Record<string, [string[], string?]>;

const SUBMIT = ["SaleSubmitted"];
const INSPECT = ["SaleInspected"];
const TERMS = ["TenderCreated", "TenderAmended"];
export const RECORD_SPECS: Record<string, RecordSpec> = {
  sale: {
    id: [SUBMIT, "saleId"],
    programId: [SUBMIT],
    farmer: [SUBMIT],
    region: [SUBMIT],
    units: [SUBMIT],
    packaging: [SUBMIT],
    variety: [SUBMIT],
    collectionPoint: [SUBMIT],
    gradeUnits: [INSPECT],
    rejectedUnits: [INSPECT],
    moisturePermille: [INSPECT],
    certificateHash: [INSPECT],
    inspector: [INSPECT],
    acceptedUnits: [["PurchaseApproved"]],
    interimAmount: [["PurchaseApproved"]],
    approver: [["PurchaseApproved"], "official"],
  },
  programme: {
    id: [["ProgramCreated"], "programId"],
    official: [["ProgramCreated"]],
    cropYear: [["ProgramCreated"]],
    nationalQuota: [["ProgramCreated"]],
    interimPerUnit: [["ProgramCreated"]],
    bulkDeduction: [["ProgramCreated"]],
    deliveryStart: [["ProgramCreated"]],
    deliveryEnd: [["ProgramCreated"]],
  },
  tender: {
    id: [["TenderCreated"], "tenderId"],
    region: [["TenderCreated"]],
    bond: [["TenderCreated"]],
    seedCommitment: [["TenderCreated"]],
    title: [TERMS],
    specHash: [TERMS],
    quantity: [TERMS],
    unit: [TERMS],
    basePrice: [TERMS],
    floorRate: [TERMS],
    bidDeadline: [TERMS],
    revealDeadline: [TERMS],
    reserve: [["ReserveDrawn"]],
    floor: [["ReserveDrawn"]],
    winner: [["TenderAwarded"]],
    contractAmount: [["TenderAwarded"], "price"],
    deliveryDocHash: [["DeliveryRecorded"]],
    inspectionDocHash: [["DeliveryAccepted"]],
    transferRefHash: [["TenderPaid"]],
  },
  credential: {
    id: [["CredentialIssued"]],
    subject: [["CredentialIssued"]],
    issuer: [["CredentialIssued"]],
    role: [["CredentialIssued"]],
    region: [["CredentialIssued"]],
    claimsHash: [["CredentialIssued"]],
    expiresAt: [["CredentialIssued"]],
  },
};
