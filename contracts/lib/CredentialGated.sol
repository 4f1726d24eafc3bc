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

    /// @dev True when the registry links `a` and `b` to one household (or they are one address).
    function _sharesHousehold(address a, address b) internal view returns (bool) {
        return _registry.sharesHousehold(a, b);
    }

    /// @dev The household tag of `subject`'s live `role` credential in `region` (zero when none).
    function _householdTag(address subject, ICredentialRegistry.Role role, uint32 region)
        internal
        view
        returns (bytes32)
    {
        return _registry.householdTag(subject, role, region);
    }

    /// @dev Reverts with `CredentialRequired` unless `actor` holds `role` in exactly `region`.
    function _requireRole(address actor, ICredentialRegistry.Role role, uint32 region) internal view {
        if (!_registry.hasRole(actor, role, region)) {
            revert ICredentialRegistry.CredentialRequired(actor, role, region);
        }
    }
}
