// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Identity credentials of jangbu's actors
/// @notice A credential says "this address may act as this role in this region until then". It
/// carries no personal data: `claimsHash` is a salted hash of the holder's off-chain record (name,
/// 농업경영체 등록번호, bank account, …), so the holder can later prove one field to an auditor
/// without publishing it. Trusted issuers are named per role and region by the registry admin.
interface ICredentialRegistry {
    /// @notice The roles a credential can grant.
    enum Role {
        Farmer,
        Supplier,
        Official,
        Inspector,
        Auditor
    }

    /// @notice What the registry knows of one credential.
    struct Credential {
        address subject;
        Role role;
        uint32 region;
        uint64 serial;
        uint64 issuedAt;
        uint64 expiresAt;
        bool revoked;
        bytes16 householdTag;
    }

    /// @notice Emitted when the admin grants or withdraws an issuer's right to issue `role` in `region`.
    event IssuerSet(address indexed issuer, Role indexed role, uint32 indexed region, bool allowed, address admin);

    /// @notice Emitted when a credential is issued. `id` encodes subject, role, region and serial.
    /// @dev `householdTag` is the credential's household (zero: none); see {issue}.
    event CredentialIssued(
        uint256 indexed id,
        address indexed subject,
        address indexed issuer,
        Role role,
        uint32 region,
        bytes32 claimsHash,
        uint64 expiresAt,
        bytes16 householdTag
    );

    /// @notice Emitted when a credential is revoked; it stops counting in the same transaction.
    event CredentialRevoked(uint256 indexed id, address indexed subject, address indexed revoker, bytes32 reasonHash);

    /// @notice Emitted when an issuer names `successorId` (a live credential of the same role and
    /// region, another address) to continue the work of the no longer valid `previousId`: a farm
    /// whose phone was lost completes its old sales from its new address.
    /// @param origin The first address of the line `previousId` belongs to (its own subject when
    /// it succeeded nobody): what `successorOf` resolves from.
    event SuccessorNamed(
        uint256 indexed previousId, uint256 indexed successorId, address indexed issuer, address origin
    );

    /// @notice Thrown when the caller is not a trusted issuer of `role` in `region`.
    error NotIssuer(address account, Role role, uint32 region);

    /// @notice Thrown when an action needs a valid credential that `account` does not hold.
    error CredentialRequired(address account, Role role, uint32 region);

    /// @notice Thrown when `subject` already holds a valid credential for the same role and region.
    error CredentialAlreadyActive(uint256 id);

    /// @notice Thrown when `id` names no credential ever issued.
    error CredentialNotFound(uint256 id);

    /// @notice Thrown when revoking a credential that is already revoked.
    error CredentialAlreadyRevoked(uint256 id);

    /// @notice Thrown when an expiry is not in the future or beyond `maxExpiry`.
    error InvalidExpiry(uint64 expiresAt, uint64 maxExpiry);

    /// @notice Thrown when the subject or issuer is the zero address.
    error ZeroAddress();

    /// @notice Thrown when an action that compares households needs `account`'s live `role`
    /// credential in `region` to carry a household tag, and it carries none.
    error HouseholdTagMissing(address account, Role role, uint32 region);

    /// @notice Thrown when naming a successor for a credential that is still valid (revoke it first).
    error CredentialStillValid(uint256 id);

    /// @notice Thrown when `successorId` cannot continue `previousId`: not valid, another role or
    /// region, or the same address.
    error InvalidSuccessor(uint256 previousId, uint256 successorId);

    /// @notice Names or withdraws a trusted issuer of `role` credentials in `region`.
    /// @dev Requirements: the caller holds the registry's admin role. An issuer of region 0 may
    /// issue `role` in every region.
    /// @param issuer The address allowed to issue.
    /// @param role The role it may issue.
    /// @param region The region it may issue in (0: all regions).
    /// @param allowed True to grant, false to withdraw.
    function setIssuer(address issuer, Role role, uint32 region, bool allowed) external;

    /// @notice Issues a credential to `subject`, with its household tag.
    /// @dev Requirements: the caller is a trusted issuer of `role` in `region` (or in region 0);
    /// `subject` holds no valid credential for the same role and region; `expiresAt` is in the
    /// future and at most `MAX_VALIDITY` away; `claimsHash` is not zero.
    ///
    /// The household tag belongs to this credential: only its issuer sets it, here, and only a
    /// re-issue (after revocation or expiry) changes it, so no issuer of another role or region
    /// can touch the household a conflict-of-interest check reads. It is the first 16 bytes of
    /// keccak256 of a random 32-byte household secret that the county keeps off-chain, one per
    /// 세대 — never derived from a resident number, address or other guessable value. Public tags
    /// still reveal which credentials share a household; nothing about who they are.
    /// Zero means "no household": refused by the actions that compare households (RicePurchase
    /// for Farmer, Inspector and Official credentials).
    /// @param subject The holder's address.
    /// @param role The role granted.
    /// @param region The region the role is valid in.
    /// @param claimsHash Salted hash of the holder's off-chain record.
    /// @param expiresAt Unix time after which the credential no longer counts.
    /// @param householdTag The holder's household tag (zero: none).
    /// @return id The credential's id.
    function issue(
        address subject,
        Role role,
        uint32 region,
        bytes32 claimsHash,
        uint64 expiresAt,
        bytes16 householdTag
    ) external returns (uint256 id);

    /// @notice Revokes credential `id` at once.
    /// @dev Requirements: the caller is the admin or a trusted issuer of the credential's role and
    /// region; the credential exists, is the subject's current one and is not already revoked.
    /// @param id The credential to revoke.
    /// @param reasonHash Hash of the off-chain revocation record (the reason is kept off-chain).
    function revoke(uint256 id, bytes32 reasonHash) external;

    /// @notice Names `successorId` as the continuation of `previousId`, after the holder's key was
    /// lost: actions that accept a successor (a farm's cancel and dispute of its old sales) then
    /// accept the successor's address for everything the line's earlier addresses started.
    /// @dev Requirements: the caller is the admin or a trusted issuer of the credential's role and
    /// region; `previousId` is its subject's current credential and no longer valid (revoked or
    /// expired); `successorId` is valid, of the same role and region, for another address. A line
    /// may be continued again (A → B → C): every earlier address then resolves to the newest.
    /// @param previousId The credential that can no longer act.
    /// @param successorId The credential that continues its work.
    function nameSuccessor(uint256 previousId, uint256 successorId) external;

    /// @notice The newest address named to continue `subject`'s `role` line in `region` (zero when
    /// none was named). Resolves through every earlier address of the line in one step.
    function successorOf(address subject, Role role, uint32 region) external view returns (address);

    /// @notice The household tag of `subject`'s live `role` credential in `region`; zero when that
    /// credential is missing, revoked or expired, or carries no tag.
    /// @dev The one household read the business contracts use for conflict-of-interest checks:
    /// it also proves the credential live, so one call replaces {hasRole}. The 16-byte tag given
    /// at {issue} is returned left-aligned (the low 16 bytes are zero).
    function householdTag(address subject, Role role, uint32 region) external view returns (bytes32);

    /// @notice {householdTag} of two credentials of one region at once: `a`'s `roleA` one and
    /// `b`'s `roleB` one.
    /// @dev For a step between an actor and the party it acts on (an official paying a farm): one
    /// call instead of two.
    function householdTags(address a, Role roleA, address b, Role roleB, uint32 region)
        external
        view
        returns (bytes32 tagA, bytes32 tagB);

    /// @notice True when `id` is the subject's current credential, not revoked and not expired.
    function isValid(uint256 id) external view returns (bool);

    /// @notice True when `subject` holds a valid `role` credential for exactly `region`.
    /// @dev One storage read: the role check every jangbu action makes.
    function hasRole(address subject, Role role, uint32 region) external view returns (bool);

    /// @notice True when `account` may issue `role` credentials in `region`.
    function isIssuer(address account, Role role, uint32 region) external view returns (bool);

    /// @notice The credential `id` decodes to and its current state.
    function credential(uint256 id) external view returns (Credential memory);

    /// @notice The id of the current (or last) credential of `subject` for `role` in `region`; 0 if none.
    function currentId(address subject, Role role, uint32 region) external view returns (uint256);
}
