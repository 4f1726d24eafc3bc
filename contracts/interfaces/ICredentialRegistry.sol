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
    }

    /// @notice Emitted when the admin grants or withdraws an issuer's right to issue `role` in `region`.
    event IssuerSet(address indexed issuer, Role indexed role, uint32 indexed region, bool allowed, address admin);

    /// @notice Emitted when a credential is issued. `id` encodes subject, role, region and serial.
    event CredentialIssued(
        uint256 indexed id,
        address indexed subject,
        address indexed issuer,
        Role role,
        uint32 region,
        bytes32 claimsHash,
        uint64 expiresAt
    );

    /// @notice Emitted when a credential is revoked; it stops counting in the same transaction.
    event CredentialRevoked(uint256 indexed id, address indexed subject, address indexed revoker, bytes32 reasonHash);

    /// @notice Emitted when an issuer links a credential holder to a household tag.
    /// @dev `householdTag` is a salted hash derived off-chain from the household's registration
    /// (세대) record, the same for every member; it reveals nothing and only ever compares equal.
    event HouseholdLinked(uint256 indexed credentialId, address indexed subject, bytes32 householdTag, address issuer);

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

    /// @notice Names or withdraws a trusted issuer of `role` credentials in `region`.
    /// @dev Requirements: the caller holds the registry's admin role. An issuer of region 0 may
    /// issue `role` in every region.
    /// @param issuer The address allowed to issue.
    /// @param role The role it may issue.
    /// @param region The region it may issue in (0: all regions).
    /// @param allowed True to grant, false to withdraw.
    function setIssuer(address issuer, Role role, uint32 region, bool allowed) external;

    /// @notice Issues a credential to `subject`.
    /// @dev Requirements: the caller is a trusted issuer of `role` in `region` (or in region 0);
    /// `subject` holds no valid credential for the same role and region; `expiresAt` is in the
    /// future and at most `MAX_VALIDITY` away; `claimsHash` is not zero.
    /// @param subject The holder's address.
    /// @param role The role granted.
    /// @param region The region the role is valid in.
    /// @param claimsHash Salted hash of the holder's off-chain record.
    /// @param expiresAt Unix time after which the credential no longer counts.
    /// @return id The credential's id.
    function issue(address subject, Role role, uint32 region, bytes32 claimsHash, uint64 expiresAt)
        external
        returns (uint256 id);

    /// @notice Revokes credential `id` at once.
    /// @dev Requirements: the caller is the admin or a trusted issuer of the credential's role and
    /// region; the credential exists, is the subject's current one and is not already revoked.
    /// @param id The credential to revoke.
    /// @param reasonHash Hash of the off-chain revocation record (the reason is kept off-chain).
    function revoke(uint256 id, bytes32 reasonHash) external;

    /// @notice Records the household of credential `credentialId`'s holder, so that conflicts of
    /// interest between household members (an inspector grading a relative's rice) are refused
    /// by the contracts before anything is graded.
    /// @dev Requirements: the caller is the admin or a trusted issuer of the credential's role and
    /// region; the credential is valid; `householdTag` is not zero. A later link replaces it.
    /// @param credentialId A valid credential of the subject.
    /// @param householdTag Salted hash of the household record.
    function linkHousehold(uint256 credentialId, bytes32 householdTag) external;

    /// @notice The household tag of `subject` (zero when none was linked).
    function householdOf(address subject) external view returns (bytes32);

    /// @notice True when `a` and `b` are the same address or were linked to the same household.
    function sharesHousehold(address a, address b) external view returns (bool);

    /// @notice The household tag of `subject`'s live `role` credential in `region`; zero when that
    /// credential is missing, revoked or expired, or carries no tag.
    /// @dev The one household read the business contracts use for conflict-of-interest checks.
    function householdTag(address subject, Role role, uint32 region) external view returns (bytes32);

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
