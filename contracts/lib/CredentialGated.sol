// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";

/// @title CredentialGated
/// @notice Base of jangbu's business contracts: the actor is `_msgSender()` (the signer when the
/// call comes through the trusted forwarder) and each action checks the actor's credential.
abstract contract CredentialGated is ERC2771Context {
    ICredentialRegistry private immutable _registry;

    constructor(address trustedForwarder_, ICredentialRegistry registry_) ERC2771Context(trustedForwarder_) {
        _registry = registry_;
    }

    /// @notice The credential registry this contract reads permissions from.
    function credentialRegistry() external view returns (ICredentialRegistry) {
        return _registry;
    }

    /// @dev The household tag of `subject`'s live `role` credential in `region` (zero when none).
    function _householdTag(address subject, ICredentialRegistry.Role role, uint32 region)
        internal
        view
        returns (bytes32)
    {
        return _registry.householdTag(subject, role, region);
    }

    /// @dev The household tag of `actor`'s live `role` credential in `region`, for an action that
    /// compares households: reverts with `CredentialRequired` when the credential is not live and
    /// `HouseholdTagMissing` when it carries no tag. One registry read on the success path.
    function _requireTaggedRole(address actor, ICredentialRegistry.Role role, uint32 region)
        internal
        view
        returns (bytes32 tag)
    {
        tag = _registry.householdTag(actor, role, region);
        if (tag == bytes32(0)) {
            _requireRole(actor, role, region);
            revert ICredentialRegistry.HouseholdTagMissing(actor, role, region);
        }
    }

    /// @dev The tags of `a`'s live `roleA` and `b`'s live `roleB` credentials in `region`, in one call.
    function _householdTags(
        address a,
        ICredentialRegistry.Role roleA,
        address b,
        ICredentialRegistry.Role roleB,
        uint32 region
    ) internal view returns (bytes32, bytes32) {
        return _registry.householdTags(a, roleA, b, roleB, region);
    }

    /// @dev The newest address named to continue `subject`'s `role` line in `region` (zero: none).
    function _successorOf(address subject, ICredentialRegistry.Role role, uint32 region)
        internal
        view
        returns (address)
    {
        return _registry.successorOf(subject, role, region);
    }

    /// @dev True when `account` holds a live `role` credential in exactly `region`.
    function _hasRole(address account, ICredentialRegistry.Role role, uint32 region) internal view returns (bool) {
        return _registry.hasRole(account, role, region);
    }

    /// @dev Reverts with `CredentialRequired` unless `actor` holds `role` in exactly `region`.
    function _requireRole(address actor, ICredentialRegistry.Role role, uint32 region) internal view {
        if (!_registry.hasRole(actor, role, region)) {
            revert ICredentialRegistry.CredentialRequired(actor, role, region);
        }
    }
}
