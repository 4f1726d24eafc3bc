// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {WebAuthn} from "@openzeppelin/contracts/utils/cryptography/WebAuthn.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {IPasskeyAccount} from "./interfaces/IPasskeyAccount.sol";

/// @title PasskeyAccount
/// @notice A citizen's jangbu account signed by a passkey. Deployed as a minimal clone by
/// {PasskeyAccountFactory} at an address known from the passkey's public key before deployment,
/// so the county can issue a credential to it first. See {IPasskeyAccount}.
/// @dev The WebAuthn checks are OpenZeppelin's (`WebAuthn.verify`: client data type and
/// challenge, UP/UV flags, BE/BS consistency, P-256 via the P256VERIFY precompile when the chain
/// has it and the Solidity fallback otherwise). Before it, the account checks on its own the
/// relying-party id hash (which OpenZeppelin leaves out), the flags and low-s, so each refusal has
/// its own error. Passkeys are grouped by an epoch: a completed recovery bumps it, and every key
/// of an older epoch stops working without a loop over them.
contract PasskeyAccount is IPasskeyAccount, ERC2771Context {
    /// @notice The type of the signed challenge.
    bytes32 public constant CALL_TYPEHASH = keccak256(
        "JangbuPasskeyCall(uint256 chainId,address account,address target,bytes32 dataHash,uint64 nonce,uint48 deadline)"
    );
    /// @notice How long the current passkeys may object to a recovery started by an issuer.
    uint64 public constant RECOVERY_DELAY = 3 days;
    /// @notice The most passkeys an account may hold at once.
    uint8 public constant MAX_PASSKEYS = 4;

    /// @dev N/2 of P-256: a signature's s above this is refused as malleable.
    uint256 private constant HALF_N = 0x7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8;
    bytes1 private constant FLAG_UP = 0x01;
    bytes1 private constant FLAG_UV = 0x04;

    /// @notice sha256 of the relying-party id (the portal's domain) every assertion must carry.
    bytes32 public immutable rpIdHash;
    /// @notice The credential registry read to authorise recoveries.
    ICredentialRegistry public immutable registry;
    /// @notice The factory that deploys and initialises the clones.
    address public immutable factory;

    /// @dev One slot: the next nonce, the current key epoch and the number of current keys.
    struct State {
        uint64 nonce;
        uint32 epoch;
        uint8 keyCount;
    }

    struct Recovery {
        bytes32 qx;
        bytes32 qy;
        uint64 readyAt;
    }

    State private _state;
    /// @dev keyId (keccak256(qx, qy)) => the epoch it belongs to; current iff equal to `_state.epoch`.
    mapping(bytes32 keyId => uint32 epoch) private _keyEpoch;
    Recovery private _recovery;

    /// @param trustedForwarder_ The jangbu ERC-2771 forwarder (issuers may start recoveries through it).
    /// @param registry_ The credential registry.
    /// @param rpIdHash_ sha256 of the relying-party id.
    /// @param factory_ The factory allowed to initialise clones.
    constructor(address trustedForwarder_, ICredentialRegistry registry_, bytes32 rpIdHash_, address factory_)
        ERC2771Context(trustedForwarder_)
    {
        registry = registry_;
        rpIdHash = rpIdHash_;
        factory = factory_;
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert PasskeyOnlySelf();
        _;
    }

    /// @notice Sets the first passkey of a fresh clone.
    /// @param qx The passkey's public key, x coordinate.
    /// @param qy The passkey's public key, y coordinate.
    function initialize(bytes32 qx, bytes32 qy) external {
        if (msg.sender != factory) revert PasskeyOnlyFactory();
        if (_state.epoch != 0) revert PasskeyAlreadyInitialized();
        _state.epoch = 1;
        _addKey(qx, qy, 1);
    }

    /// @inheritdoc IPasskeyAccount
    function execute(
        address target,
        bytes calldata data,
        uint64 nonce_,
        uint48 deadline,
        bytes32 qx,
        bytes32 qy,
        WebAuthn.WebAuthnAuth calldata auth
    ) external returns (bytes memory result) {
        if (block.timestamp > deadline) revert PasskeyExpired(deadline);
        State memory state = _state;
        if (nonce_ != state.nonce) revert PasskeyBadNonce(state.nonce, nonce_);
        bytes32 keyId = _keyId(qx, qy);
        if (state.epoch == 0 || _keyEpoch[keyId] != state.epoch) revert PasskeyUnknownKey(keyId);
        _checkAuthenticator(auth);
        bytes32 challenge = _challenge(target, data, nonce_, deadline);
        if (!WebAuthn.verify(abi.encodePacked(challenge), auth, qx, qy, true)) revert PasskeyInvalidAssertion();

        _state.nonce = state.nonce + 1;
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @inheritdoc IPasskeyAccount
    function passkeyChallenge(address target, bytes calldata data, uint64 nonce_, uint48 deadline)
        external
        view
        returns (bytes32)
    {
        return _challenge(target, data, nonce_, deadline);
    }

    /// @inheritdoc IPasskeyAccount
    function addPasskey(bytes32 qx, bytes32 qy) external onlySelf {
        State memory state = _state;
        if (state.keyCount >= MAX_PASSKEYS) revert PasskeyLimitReached(MAX_PASSKEYS);
        bytes32 keyId = _keyId(qx, qy);
        if (_keyEpoch[keyId] == state.epoch) revert PasskeyAlreadyAdded(keyId);
        _addKey(qx, qy, state.epoch);
    }

    /// @inheritdoc IPasskeyAccount
    function removePasskey(bytes32 keyId) external onlySelf {
        State memory state = _state;
        if (_keyEpoch[keyId] != state.epoch) revert PasskeyUnknownKey(keyId);
        if (state.keyCount <= 1) revert PasskeyLastKey();
        delete _keyEpoch[keyId];
        _state.keyCount = state.keyCount - 1;
        emit PasskeyRemoved(keyId);
    }

    /// @inheritdoc IPasskeyAccount
    function startRecovery(ICredentialRegistry.Role role, uint32 region, bytes32 qx, bytes32 qy) external {
        address issuer = _msgSender();
        if (!registry.hasRole(address(this), role, region)) {
            revert ICredentialRegistry.CredentialRequired(address(this), role, region);
        }
        if (!registry.isIssuer(issuer, role, region)) revert ICredentialRegistry.NotIssuer(issuer, role, region);
        if (!P256.isValidPublicKey(qx, qy)) revert PasskeyInvalidKey();
        uint64 readyAt = uint64(block.timestamp) + RECOVERY_DELAY;
        _recovery = Recovery(qx, qy, readyAt);
        emit RecoveryStarted(issuer, role, region, _keyId(qx, qy), qx, qy, readyAt);
    }

    /// @inheritdoc IPasskeyAccount
    function cancelRecovery() external onlySelf {
        Recovery memory recovery = _recovery;
        if (recovery.readyAt == 0) revert RecoveryNotPending();
        delete _recovery;
        emit RecoveryCancelled(_keyId(recovery.qx, recovery.qy));
    }

    /// @inheritdoc IPasskeyAccount
    function finishRecovery() external {
        Recovery memory recovery = _recovery;
        if (recovery.readyAt == 0) revert RecoveryNotPending();
        if (block.timestamp < recovery.readyAt) revert RecoveryNotReady(recovery.readyAt);
        delete _recovery;
        uint32 epoch = _state.epoch + 1;
        _state.epoch = epoch;
        _state.keyCount = 0;
        bytes32 keyId = _addKey(recovery.qx, recovery.qy, epoch);
        emit RecoveryCompleted(keyId, epoch);
    }

    /// @inheritdoc IPasskeyAccount
    function nonce() external view returns (uint64) {
        return _state.nonce;
    }

    /// @inheritdoc IPasskeyAccount
    function isPasskey(bytes32 qx, bytes32 qy) external view returns (bool) {
        uint32 epoch = _state.epoch;
        return epoch != 0 && _keyEpoch[_keyId(qx, qy)] == epoch;
    }

    /// @notice The pending recovery's new key and the time it may complete (zeros when none).
    /// @return qx The new key's x coordinate.
    /// @return qy The new key's y coordinate.
    /// @return readyAt When `finishRecovery` may run.
    function pendingRecovery() external view returns (bytes32 qx, bytes32 qy, uint64 readyAt) {
        Recovery memory recovery = _recovery;
        return (recovery.qx, recovery.qy, recovery.readyAt);
    }

    function _addKey(bytes32 qx, bytes32 qy, uint32 epoch) private returns (bytes32 keyId) {
        if (!P256.isValidPublicKey(qx, qy)) revert PasskeyInvalidKey();
        keyId = _keyId(qx, qy);
        _keyEpoch[keyId] = epoch;
        _state.keyCount += 1;
        emit PasskeyAdded(keyId, qx, qy);
    }

    /// @dev The checks OpenZeppelin's `WebAuthn.verify` leaves out (rpIdHash) or folds into one
    /// boolean (flags, low-s), each with its own error.
    function _checkAuthenticator(WebAuthn.WebAuthnAuth calldata auth) private view {
        bytes calldata authData = auth.authenticatorData;
        if (authData.length < 37) revert PasskeyMalformedAssertion();
        bytes32 rp = bytes32(authData[:32]);
        if (rp != rpIdHash) revert PasskeyWrongRelyingParty(rp);
        bytes1 flags = authData[32];
        if (flags & FLAG_UP != FLAG_UP) revert PasskeyUserNotPresent();
        if (flags & FLAG_UV != FLAG_UV) revert PasskeyUserNotVerified();
        if (uint256(auth.s) > HALF_N) revert PasskeyHighS();
    }

    function _challenge(address target, bytes calldata data, uint64 nonce_, uint48 deadline)
        private
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(CALL_TYPEHASH, block.chainid, address(this), target, keccak256(data), nonce_, deadline)
        );
    }

    function _keyId(bytes32 qx, bytes32 qy) private pure returns (bytes32) {
        return keccak256(abi.encode(qx, qy));
    }
}
