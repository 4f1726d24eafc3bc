// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ICommonErrors} from "./interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {Regions} from "./lib/Regions.sol";

/// @title CredentialRegistry
/// @notice Who may act as what, where. See {ICredentialRegistry}.
/// @dev The admin is governed by OpenZeppelin's `AccessControlDefaultAdminRules` rather than
/// `AccessManager`: the registry has exactly one privileged power (naming issuers), so one admin
/// role is enough, and the default-admin rules make handing that power over a two-step, delayed
/// act visible on chain — an auditor sees a pending admin change days before it takes effect.
/// `AccessManager` would add an external call to every restricted function for no gain here.
///
/// Storage: one slot per (subject, role, region) holds the current credential's serial, times,
/// revoked flag and household tag, so `hasRole` and `householdTag` are each a single cold read
/// and `issue` writes one slot. The credential id is not a counter but an
/// encoding of subject, role, region and serial (`subject << 96 | role << 88 | region << 64 |
/// serial`), which keeps `issue` to one new storage slot and lets anyone decode an id.
contract CredentialRegistry is ICredentialRegistry, ICommonErrors, AccessControlDefaultAdminRules, ERC2771Context {
    /// @notice The longest a credential may be valid for: five years.
    uint64 public constant MAX_VALIDITY = 5 * 365 days;

    /// @dev 32 + 40 + 40 + 8 + 128 bits: one slot. A uint32 of re-issues per (subject, role,
    /// region) and uint40 times (year 36812) cannot be reached.
    struct Slot {
        uint32 serial;
        uint40 issuedAt;
        uint40 expiresAt;
        bool revoked;
        bytes16 household;
    }

    /// @dev Keyed by `_key(subject, role, region)`: one mapping hash instead of three nested ones.
    mapping(bytes32 key => Slot) private _slots;
    mapping(address issuer => mapping(Role role => mapping(uint32 region => bool))) private _issuers;
    /// @dev Succession lines: every successor points to its line's first address (`_origin`), and
    /// the first address to the newest successor (`_successor`), so resolving is two reads.
    mapping(bytes32 key => address) private _origin;
    mapping(bytes32 key => address) private _successor;

    /// @param trustedForwarder_ The jangbu ERC-2771 forwarder.
    /// @param admin The initial registry admin.
    /// @param adminTransferDelay Seconds a new admin must wait before taking over.
    constructor(address trustedForwarder_, address admin, uint48 adminTransferDelay)
        AccessControlDefaultAdminRules(adminTransferDelay, admin)
        ERC2771Context(trustedForwarder_)
    {}

    /// @inheritdoc ICredentialRegistry
    function setIssuer(address issuer, Role role, uint32 region, bool allowed)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (issuer == address(0)) revert ZeroAddress();
        if (!Regions.isValid(region)) revert InvalidRegion(region);
        _issuers[issuer][role][region] = allowed;
        emit IssuerSet(issuer, role, region, allowed, _msgSender());
    }

    /// @inheritdoc ICredentialRegistry
    function issue(
        address subject,
        Role role,
        uint32 region,
        bytes32 claimsHash,
        uint64 expiresAt,
        bytes16 householdTag_
    ) external returns (uint256 id) {
        address issuer = _msgSender();
        if (!_isIssuer(issuer, role, region)) revert NotIssuer(issuer, role, region);
        if (subject == address(0)) revert ZeroAddress();
        if (!Regions.isValid(region)) revert InvalidRegion(region);
        if (claimsHash == bytes32(0)) revert ZeroHash();
        uint64 maxExpiry = uint64(block.timestamp) + MAX_VALIDITY;
        if (expiresAt <= block.timestamp || expiresAt > maxExpiry) revert InvalidExpiry(expiresAt, maxExpiry);

        Slot storage slot = _slots[_key(subject, role, region)];
        uint32 serial = slot.serial;
        if (_isLive(slot)) revert CredentialAlreadyActive(_encodeId(subject, role, region, serial));

        unchecked {
            serial += 1; // see Slot
        }
        _slots[_key(subject, role, region)] = Slot({
            serial: serial,
            issuedAt: uint40(block.timestamp),
            expiresAt: uint40(expiresAt), // ≤ now + MAX_VALIDITY, far below 2^40
            revoked: false,
            household: householdTag_
        });
        id = _encodeId(subject, role, region, serial);
        emit CredentialIssued(id, subject, issuer, role, region, claimsHash, expiresAt, householdTag_);
    }

    /// @inheritdoc ICredentialRegistry
    function revoke(uint256 id, bytes32 reasonHash) external {
        (address subject, Role role, uint32 region, uint64 serial) = _decodeId(id);
        address revoker = _msgSender();
        if (!hasRole(DEFAULT_ADMIN_ROLE, revoker) && !_isIssuer(revoker, role, region)) {
            revert NotIssuer(revoker, role, region);
        }
        Slot storage slot = _slots[_key(subject, role, region)];
        if (serial == 0 || slot.serial != serial) revert CredentialNotFound(id);
        if (slot.revoked) revert CredentialAlreadyRevoked(id);
        slot.revoked = true;
        emit CredentialRevoked(id, subject, revoker, reasonHash);
    }

    /// @inheritdoc ICredentialRegistry
    function nameSuccessor(uint256 previousId, uint256 successorId) external {
        (address previous, Role role, uint32 region, uint64 serial) = _decodeId(previousId);
        address issuer = _msgSender();
        if (!hasRole(DEFAULT_ADMIN_ROLE, issuer) && !_isIssuer(issuer, role, region)) {
            revert NotIssuer(issuer, role, region);
        }
        bytes32 previousKey = _key(previous, role, region);
        Slot storage previousSlot = _slots[previousKey];
        if (serial == 0 || previousSlot.serial != serial) revert CredentialNotFound(previousId);
        if (_isLive(previousSlot)) revert CredentialStillValid(previousId);
        (address successor, Role successorRole, uint32 successorRegion, uint64 successorSerial) =
            _decodeId(successorId);
        bytes32 successorKey = _key(successor, role, region);
        Slot storage successorSlot = _slots[successorKey];
        if (
            successorRole != role || successorRegion != region || successor == previous
                || successorSlot.serial != successorSerial || !_isLive(successorSlot)
        ) revert InvalidSuccessor(previousId, successorId);

        address origin = _origin[previousKey];
        if (origin == address(0)) origin = previous;
        _origin[successorKey] = origin;
        _successor[_key(origin, role, region)] = successor;
        emit SuccessorNamed(previousId, successorId, issuer, origin);
    }

    /// @inheritdoc ICredentialRegistry
    function successorOf(address subject, Role role, uint32 region) external view returns (address) {
        address origin = _origin[_key(subject, role, region)];
        return _successor[_key(origin == address(0) ? subject : origin, role, region)];
    }

    /// @inheritdoc ICredentialRegistry
    function householdTag(address subject, Role role, uint32 region) external view returns (bytes32) {
        return _liveTag(_key(subject, role, region));
    }

    /// @inheritdoc ICredentialRegistry
    function householdTags(address a, Role roleA, address b, Role roleB, uint32 region)
        external
        view
        returns (bytes32 tagA, bytes32 tagB)
    {
        tagA = _liveTag(_key(a, roleA, region));
        tagB = _liveTag(_key(b, roleB, region));
    }

    /// @inheritdoc ICredentialRegistry
    function isValid(uint256 id) external view returns (bool) {
        (address subject, Role role, uint32 region, uint64 serial) = _decodeId(id);
        Slot storage slot = _slots[_key(subject, role, region)];
        return serial != 0 && slot.serial == serial && _isLive(slot);
    }

    /// @inheritdoc ICredentialRegistry
    function hasRole(address subject, Role role, uint32 region) external view returns (bool) {
        return _isLive(_slots[_key(subject, role, region)]);
    }

    /// @inheritdoc ICredentialRegistry
    function isIssuer(address account, Role role, uint32 region) external view returns (bool) {
        return _isIssuer(account, role, region);
    }

    /// @inheritdoc ICredentialRegistry
    function credential(uint256 id) external view returns (Credential memory) {
        (address subject, Role role, uint32 region, uint64 serial) = _decodeId(id);
        Slot storage slot = _slots[_key(subject, role, region)];
        if (serial == 0 || serial > slot.serial) revert CredentialNotFound(id);
        // Older serials were superseded: they are reported as revoked with unknown times.
        if (serial < slot.serial) {
            return Credential(subject, role, region, serial, 0, 0, true, bytes16(0));
        }
        return Credential(subject, role, region, serial, slot.issuedAt, slot.expiresAt, slot.revoked, slot.household);
    }

    /// @inheritdoc ICredentialRegistry
    function currentId(address subject, Role role, uint32 region) external view returns (uint256) {
        uint64 serial = _slots[_key(subject, role, region)].serial;
        return serial == 0 ? 0 : _encodeId(subject, role, region, serial);
    }

    /// @dev Subject, role and region packed into one word (20 + 1 + 4 bytes): injective, and the
    /// mapping hashes it once, so no hash of our own is needed.
    function _key(address subject, Role role, uint32 region) private pure returns (bytes32) {
        return bytes32((uint256(uint160(subject)) << 96) | (uint256(role) << 88) | (uint256(region) << 56));
    }

    /// @dev The tag of the credential at `key` when it is live ({_isLive}), else zero. Reads the
    /// slot as one word: through a storage pointer `revoked`, `expiresAt` and `household` cost a
    /// second (warm) SLOAD, through a memory copy more, on every rice and tender step. {Slot}
    /// from the low bits: serial 0, issuedAt 32, expiresAt 72, revoked 112, household 120..247.
    function _liveTag(bytes32 key) private view returns (bytes32) {
        Slot storage slot = _slots[key];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
        if (uint8(word >> 112) != 0 || uint40(word >> 72) <= block.timestamp) return bytes32(0);
        return bytes32(bytes16(uint128(word >> 120)));
    }

    function _isLive(Slot storage slot) private view returns (bool) {
        // expiresAt is 0 until a credential is issued, so a never-issued slot is never live.
        return !slot.revoked && slot.expiresAt > block.timestamp;
    }

    function _isIssuer(address account, Role role, uint32 region) private view returns (bool) {
        return _issuers[account][role][region] || _issuers[account][role][Regions.NATIONAL];
    }

    function _encodeId(address subject, Role role, uint32 region, uint64 serial) private pure returns (uint256) {
        return (uint256(uint160(subject)) << 96) | (uint256(role) << 88) | (uint256(region) << 64) | serial;
    }

    function _decodeId(uint256 id) private pure returns (address subject, Role role, uint32 region, uint64 serial) {
        uint8 roleByte = uint8(id >> 88);
        if (roleByte > uint8(type(Role).max)) revert CredentialNotFound(id);
        subject = address(uint160(id >> 96));
        role = Role(roleByte);
        region = uint32(uint24(id >> 64));
        serial = uint64(id);
    }

    // ---- ERC-2771: the actor is the forwarded signer when the call comes through the forwarder ----

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }

    /// @notice ERC-165: also reports {ICredentialRegistry}.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(ICredentialRegistry).interfaceId || super.supportsInterface(interfaceId);
    }
}
