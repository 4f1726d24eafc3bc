// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WebAuthn} from "@openzeppelin/contracts/utils/cryptography/WebAuthn.sol";
import {ICredentialRegistry} from "./ICredentialRegistry.sol";

/// @title IPasskeyAccount
/// @notice A jangbu account whose signer is a WebAuthn passkey (P-256). The account itself is
/// the actor that jangbu contracts see (`msg.sender`), so credentials are issued to its address
/// exactly as to any other; the county's relayer submits `execute` and pays the gas.
interface IPasskeyAccount {
    /// @notice Emitted when the account starts with its first passkey (by the factory).
    event PasskeyAdded(bytes32 indexed keyId, bytes32 qx, bytes32 qy);

    /// @notice Emitted when a passkey is removed by the account itself.
    event PasskeyRemoved(bytes32 indexed keyId);

    /// @notice Emitted when an issuer of the account's credential starts moving it to a new passkey
    /// after an in-person check. Until `readyAt` any current passkey may object (`cancelRecovery`).
    event RecoveryStarted(
        address indexed issuer,
        ICredentialRegistry.Role indexed role,
        uint32 indexed region,
        bytes32 keyId,
        bytes32 qx,
        bytes32 qy,
        uint64 readyAt
    );

    /// @notice Emitted when a current passkey objects to a pending recovery.
    event RecoveryCancelled(bytes32 indexed keyId);

    /// @notice Emitted when a recovery takes effect: every older passkey stops working.
    event RecoveryCompleted(bytes32 indexed keyId, uint32 epoch);

    /// @notice The deadline of a signed call has passed.
    error PasskeyExpired(uint48 deadline);
    /// @notice The signed nonce is not the account's next one (a replay, or out of order).
    error PasskeyBadNonce(uint64 expected, uint64 given);
    /// @notice The public key is not one of the account's current passkeys.
    error PasskeyUnknownKey(bytes32 keyId);
    /// @notice The authenticator data is shorter than rpIdHash + flags + counter.
    error PasskeyMalformedAssertion();
    /// @notice The assertion was made for another relying party (another site).
    error PasskeyWrongRelyingParty(bytes32 rpIdHash);
    /// @notice The authenticator did not report the user present (UP flag).
    error PasskeyUserNotPresent();
    /// @notice The authenticator did not verify the user (UV flag: fingerprint, face or PIN).
    error PasskeyUserNotVerified();
    /// @notice The signature's s is in the upper half of the curve order (malleable).
    error PasskeyHighS();
    /// @notice The client data, challenge or signature do not match this call, account and chain.
    error PasskeyInvalidAssertion();
    /// @notice Only the account itself (a passkey-signed call to itself) may do this.
    error PasskeyOnlySelf();
    /// @notice Only the factory initialises an account.
    error PasskeyOnlyFactory();
    /// @notice The account was already initialised.
    error PasskeyAlreadyInitialized();
    /// @notice The point is not a valid P-256 public key.
    error PasskeyInvalidKey();
    /// @notice The key is already one of the account's passkeys.
    error PasskeyAlreadyAdded(bytes32 keyId);
    /// @notice The account already has the most passkeys it may have.
    error PasskeyLimitReached(uint8 max);
    /// @notice The last passkey cannot be removed (recovery replaces it instead).
    error PasskeyLastKey();
    /// @notice No recovery is pending (none was started, or the old passkey objected).
    error RecoveryNotPending();
    /// @notice The recovery's objection period has not ended.
    error RecoveryNotReady(uint64 readyAt);

    /// @notice Runs `target.call(data)` as this account, authorised by a passkey assertion over
    /// `passkeyChallenge(target, data, nonce, deadline)`.
    /// @param target The contract to call (a jangbu contract, or this account for its own settings).
    /// @param data The call's calldata.
    /// @param nonce The account's next nonce (`nonce()`).
    /// @param deadline The last second at which the call may run.
    /// @param qx The passkey's public key, x coordinate.
    /// @param qy The passkey's public key, y coordinate.
    /// @param auth The WebAuthn assertion (signature, authenticator data, client data JSON).
    /// @return result The call's return data.
    function execute(
        address target,
        bytes calldata data,
        uint64 nonce,
        uint48 deadline,
        bytes32 qx,
        bytes32 qy,
        WebAuthn.WebAuthnAuth calldata auth
    ) external returns (bytes memory result);

    /// @notice The 32 bytes a passkey signs (as the WebAuthn challenge) to authorise a call.
    /// @dev keccak256 of the typehash, chain id, this account, target, keccak256(data), nonce, deadline.
    function passkeyChallenge(address target, bytes calldata data, uint64 nonce, uint48 deadline)
        external
        view
        returns (bytes32);

    /// @notice Adds a second (third, fourth) passkey. Only through `execute` to itself.
    function addPasskey(bytes32 qx, bytes32 qy) external;

    /// @notice Removes a passkey; the last one cannot be removed. Only through `execute` to itself.
    function removePasskey(bytes32 keyId) external;

    /// @notice Starts moving the account to a new passkey, by an issuer of a credential the account
    /// holds (role and region), after an in-person check. Restarts any pending recovery.
    function startRecovery(ICredentialRegistry.Role role, uint32 region, bytes32 qx, bytes32 qy) external;

    /// @notice A current passkey objects to the pending recovery. Only through `execute` to itself.
    function cancelRecovery() external;

    /// @notice Completes a pending recovery once its objection period has passed (anyone may call).
    function finishRecovery() external;

    /// @notice The nonce the next signed call must carry.
    function nonce() external view returns (uint64);

    /// @notice True when (qx, qy) is a current passkey of the account.
    function isPasskey(bytes32 qx, bytes32 qy) external view returns (bool);
}
