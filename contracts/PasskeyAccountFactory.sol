// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {PasskeyAccount} from "./PasskeyAccount.sol";

/// @title PasskeyAccountFactory
/// @notice Deploys passkey accounts as minimal clones at addresses derived from the passkey's
/// public key (CREATE2), so a portal shows the address right after registration and the county
/// issues the credential to it before the account exists on chain.
contract PasskeyAccountFactory {
    /// @notice The account code every clone delegates to.
    PasskeyAccount public immutable implementation;

    /// @notice Emitted when an account is deployed; the indexer marks its address as a passkey account.
    event PasskeyAccountCreated(address indexed account, bytes32 indexed keyId, bytes32 qx, bytes32 qy);

    /// @param trustedForwarder The jangbu ERC-2771 forwarder.
    /// @param registry The credential registry.
    /// @param rpIdHash sha256 of the relying-party id (the portal's domain, e.g. "localhost").
    constructor(address trustedForwarder, ICredentialRegistry registry, bytes32 rpIdHash) {
        implementation = new PasskeyAccount(trustedForwarder, registry, rpIdHash, address(this));
    }

    /// @notice The address of the account whose first passkey is (qx, qy), deployed or not.
    /// @param qx The passkey's public key, x coordinate.
    /// @param qy The passkey's public key, y coordinate.
    /// @return The account address.
    function accountAddress(bytes32 qx, bytes32 qy) public view returns (address) {
        return Clones.predictDeterministicAddress(address(implementation), _salt(qx, qy));
    }

    /// @notice Deploys the account of (qx, qy) if it does not exist yet (anyone may pay for it).
    /// @param qx The passkey's public key, x coordinate.
    /// @param qy The passkey's public key, y coordinate.
    /// @return account The account address.
    function createAccount(bytes32 qx, bytes32 qy) external returns (address account) {
        account = accountAddress(qx, qy);
        if (account.code.length != 0) return account;
        Clones.cloneDeterministic(address(implementation), _salt(qx, qy));
        PasskeyAccount(account).initialize(qx, qy);
        emit PasskeyAccountCreated(account, _salt(qx, qy), qx, qy);
    }

    function _salt(bytes32 qx, bytes32 qy) private pure returns (bytes32) {
        return keccak256(abi.encode(qx, qy));
    }
}
