// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {WebAuthn} from "@openzeppelin/contracts/utils/cryptography/WebAuthn.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IPasskeyAccount} from "../interfaces/IPasskeyAccount.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {PasskeyAccount} from "../PasskeyAccount.sol";
import {PasskeyAccountFactory} from "../PasskeyAccountFactory.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

/// @notice A farmer signs with a passkey alone; the relayer (any address) submits; every forged,
/// replayed or misdirected assertion is refused with its own error.
contract PasskeyAccountTest is JangbuFixture {
    uint256 internal constant PASSKEY = 0x5ea1ed;
    uint256 internal constant SECOND_PASSKEY = 0x5ec0d;
    uint256 internal constant NEW_PASSKEY = 0x0ba11;
    uint256 internal constant N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551;
    bytes1 internal constant UP_UV = 0x05;

    PasskeyAccountFactory internal factory;
    PasskeyAccount internal account;
    address internal relayer;

    struct Signed {
        uint48 deadline;
        bytes32 qx;
        bytes32 qy;
        WebAuthn.WebAuthnAuth auth;
    }

    function setUp() public {
        setUpStack();
        setUpProgram();
        relayer = makeAddr("relayer");
        factory = new PasskeyAccountFactory(address(forwarder), registry, sha256("localhost"));
        (bytes32 qx, bytes32 qy) = _pub(PASSKEY);
        address predicted = factory.accountAddress(qx, qy);
        // The county issues the credential and the allocation to the address before it exists.
        _credential(predicted, ICredentialRegistry.Role.Farmer, GANGJIN);
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, predicted, 1_000);
        assertEq(predicted.code.length, 0);
        account = PasskeyAccount(factory.createAccount(qx, qy));
        assertEq(address(account), predicted);
    }

    // ---- helpers

    function _pub(uint256 key) internal pure returns (bytes32, bytes32) {
        (uint256 x, uint256 y) = vm.publicKeyP256(key);
        return (bytes32(x), bytes32(y));
    }

    function _submitData() internal view returns (bytes memory) {
        return abi.encodeCall(IRicePurchase.submitSale, (programId, 20, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today()));
    }

    /// @dev The challenge computed independently of the account's code.
    function _challenge(uint256 chainId, address target, bytes memory data, uint64 nonce, uint48 deadline)
        internal
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                keccak256(
                    "JangbuPasskeyCall(uint256 chainId,address account,address target,bytes32 dataHash,uint64 nonce,uint48 deadline)"
                ),
                chainId,
                address(account),
                target,
                keccak256(data),
                nonce,
                deadline
            )
        );
    }

    /// @dev An assertion as a browser and authenticator make it, for `challenge`.
    function _assert(uint256 key, bytes32 challenge, bytes32 rpIdHash, bytes1 flags, string memory type_)
        internal
        pure
        returns (WebAuthn.WebAuthnAuth memory auth)
    {
        auth.authenticatorData = abi.encodePacked(rpIdHash, flags, uint32(7));
        auth.clientDataJSON = string.concat(
            "{\"type\":\"",
            type_,
            "\",\"challenge\":\"",
            Base64.encodeURL(abi.encodePacked(challenge)),
            "\",\"origin\":\"http://localhost:8080\",\"crossOrigin\":false}"
        );
        auth.typeIndex = 1;
        auth.challengeIndex = 9 + bytes(type_).length + 2;
        bytes32 digest = sha256(abi.encodePacked(auth.authenticatorData, sha256(bytes(auth.clientDataJSON))));
        (bytes32 r, bytes32 s) = vm.signP256(key, digest);
        if (uint256(s) > N / 2) s = bytes32(N - uint256(s));
        auth.r = r;
        auth.s = s;
    }

    function _sign(uint256 key, address target, bytes memory data) internal view returns (Signed memory signed) {
        signed.deadline = uint48(block.timestamp + 1 hours);
        (signed.qx, signed.qy) = _pub(key);
        bytes32 challenge = _challenge(block.chainid, target, data, account.nonce(), signed.deadline);
        signed.auth = _assert(key, challenge, sha256("localhost"), UP_UV, "webauthn.get");
    }

    function _exec(address target, bytes memory data, uint64 nonce, Signed memory s) internal returns (bytes memory) {
        vm.prank(relayer);
        return account.execute(target, data, nonce, s.deadline, s.qx, s.qy, s.auth);
    }

    function _submitSigned() internal returns (uint256 saleId) {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        saleId = abi.decode(_exec(address(rice), _submitData(), account.nonce(), s), (uint256));
    }

    // ---- the path that works

    function test_passkeySignedSaleIsTheAccounts() public {
        uint256 saleId = _submitSigned();
        assertEq(address(uint160(saleId)), address(account));
        assertEq(rice.getSale(saleId).units, 20);
        assertEq(account.nonce(), 1);
        assertEq(account.passkeyChallenge(address(rice), _submitData(), 1, 5), _challenge(block.chainid, address(rice), _submitData(), 1, 5));
    }

    function test_createAccountTwiceReturnsTheSameAccount() public {
        (bytes32 qx, bytes32 qy) = _pub(PASSKEY);
        assertEq(factory.createAccount(qx, qy), address(account));
        assertTrue(account.isPasskey(qx, qy));
    }

    // ---- refusals, each with its error

    function test_refusesAnotherRelyingParty() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        bytes32 evil = sha256("evil.example");
        s.auth = _assert(PASSKEY, _challenge(block.chainid, address(rice), _submitData(), 0, s.deadline), evil, UP_UV, "webauthn.get");
        vm.expectRevert(abi.encodeWithSelector(IPasskeyAccount.PasskeyWrongRelyingParty.selector, evil));
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesReplay() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        _exec(address(rice), _submitData(), 0, s);
        vm.expectRevert(abi.encodeWithSelector(IPasskeyAccount.PasskeyBadNonce.selector, uint64(1), uint64(0)));
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesUserVerificationOff() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        s.auth = _assert(PASSKEY, _challenge(block.chainid, address(rice), _submitData(), 0, s.deadline), sha256("localhost"), 0x01, "webauthn.get");
        vm.expectRevert(IPasskeyAccount.PasskeyUserNotVerified.selector);
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesUserNotPresent() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        s.auth = _assert(PASSKEY, _challenge(block.chainid, address(rice), _submitData(), 0, s.deadline), sha256("localhost"), 0x04, "webauthn.get");
        vm.expectRevert(IPasskeyAccount.PasskeyUserNotPresent.selector);
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesAnotherChain() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        s.auth = _assert(PASSKEY, _challenge(block.chainid + 1, address(rice), _submitData(), 0, s.deadline), sha256("localhost"), UP_UV, "webauthn.get");
        vm.expectRevert(IPasskeyAccount.PasskeyInvalidAssertion.selector);
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesAnotherTarget() public {
        // Signed for the rice contract, sent to another contract with the same calldata.
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        vm.expectRevert(IPasskeyAccount.PasskeyInvalidAssertion.selector);
        _exec(address(registry), _submitData(), 0, s);
    }

    function test_refusesAnotherAction() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        bytes memory other = abi.encodeCall(IRicePurchase.submitSale, (programId, 900, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today()));
        vm.expectRevert(IPasskeyAccount.PasskeyInvalidAssertion.selector);
        _exec(address(rice), other, 0, s);
    }

    function test_refusesRegistrationCeremonyType() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        s.auth = _assert(PASSKEY, _challenge(block.chainid, address(rice), _submitData(), 0, s.deadline), sha256("localhost"), UP_UV, "webauthn.create");
        vm.expectRevert(IPasskeyAccount.PasskeyInvalidAssertion.selector);
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesExpiredDeadline() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        vm.warp(uint256(s.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(IPasskeyAccount.PasskeyExpired.selector, s.deadline));
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesHighS() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        s.auth.s = bytes32(N - uint256(s.auth.s)); // the same signature, its malleable twin
        vm.expectRevert(IPasskeyAccount.PasskeyHighS.selector);
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesAnotherKey() public {
        Signed memory s = _sign(SECOND_PASSKEY, address(rice), _submitData());
        vm.expectRevert(abi.encodeWithSelector(IPasskeyAccount.PasskeyUnknownKey.selector, keccak256(abi.encode(s.qx, s.qy))));
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_refusesBadSignature() public {
        Signed memory s = _sign(PASSKEY, address(rice), _submitData());
        s.auth.r = bytes32(uint256(s.auth.r) ^ 1);
        vm.expectRevert(IPasskeyAccount.PasskeyInvalidAssertion.selector);
        _exec(address(rice), _submitData(), 0, s);
    }

    function test_settingsOnlyThroughTheAccount() public {
        (bytes32 qx, bytes32 qy) = _pub(SECOND_PASSKEY);
        vm.expectRevert(IPasskeyAccount.PasskeyOnlySelf.selector);
        account.addPasskey(qx, qy);
        vm.expectRevert(IPasskeyAccount.PasskeyOnlySelf.selector);
        account.cancelRecovery();
        vm.expectRevert(IPasskeyAccount.PasskeyOnlyFactory.selector);
        account.initialize(qx, qy);
    }

    // ---- a second passkey

    function test_secondPasskeySignsAndLastCannotBeRemoved() public {
        (bytes32 qx2, bytes32 qy2) = _pub(SECOND_PASSKEY);
        bytes memory add = abi.encodeCall(IPasskeyAccount.addPasskey, (qx2, qy2));
        _exec(address(account), add, 0, _sign(PASSKEY, address(account), add));
        assertTrue(account.isPasskey(qx2, qy2));

        // The second phone signs a sale for the same account.
        Signed memory s = _sign(SECOND_PASSKEY, address(rice), _submitData());
        uint256 saleId = abi.decode(_exec(address(rice), _submitData(), 1, s), (uint256));
        assertEq(address(uint160(saleId)), address(account));

        (bytes32 qx, bytes32 qy) = _pub(PASSKEY);
        bytes memory remove = abi.encodeCall(IPasskeyAccount.removePasskey, (keccak256(abi.encode(qx, qy))));
        _exec(address(account), remove, 2, _sign(SECOND_PASSKEY, address(account), remove));
        assertFalse(account.isPasskey(qx, qy));

        bytes memory removeLast = abi.encodeCall(IPasskeyAccount.removePasskey, (keccak256(abi.encode(qx2, qy2))));
        Signed memory last = _sign(SECOND_PASSKEY, address(account), removeLast);
        vm.expectRevert(IPasskeyAccount.PasskeyLastKey.selector);
        _exec(address(account), removeLast, 3, last);
    }

    // ---- recovery

    function test_recoveryByAnUnauthorizedIssuerIsRefused() public {
        (bytes32 qx, bytes32 qy) = _pub(NEW_PASSKEY);
        vm.prank(outsider);
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.NotIssuer.selector, outsider, ICredentialRegistry.Role.Farmer, GANGJIN)
        );
        account.startRecovery(ICredentialRegistry.Role.Farmer, GANGJIN, qx, qy);
    }

    function test_recoveryForACredentialTheAccountLacksIsRefused() public {
        (bytes32 qx, bytes32 qy) = _pub(NEW_PASSKEY);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICredentialRegistry.CredentialRequired.selector, address(account), ICredentialRegistry.Role.Official, GANGJIN
            )
        );
        account.startRecovery(ICredentialRegistry.Role.Official, GANGJIN, qx, qy);
    }

    function test_oldPasskeyObjectsToRecovery() public {
        (bytes32 qx, bytes32 qy) = _pub(NEW_PASSKEY);
        account.startRecovery(ICredentialRegistry.Role.Farmer, GANGJIN, qx, qy);
        bytes memory cancel = abi.encodeCall(IPasskeyAccount.cancelRecovery, ());
        _exec(address(account), cancel, 0, _sign(PASSKEY, address(account), cancel));
        vm.warp(block.timestamp + 3 days);
        vm.expectRevert(IPasskeyAccount.RecoveryNotPending.selector);
        account.finishRecovery();
    }

    function test_recoveryWaitsForTheObjectionPeriod() public {
        (bytes32 qx, bytes32 qy) = _pub(NEW_PASSKEY);
        account.startRecovery(ICredentialRegistry.Role.Farmer, GANGJIN, qx, qy);
        uint64 readyAt = uint64(block.timestamp + 3 days);
        vm.warp(readyAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IPasskeyAccount.RecoveryNotReady.selector, readyAt));
        account.finishRecovery();
    }

    function test_recoveryMovesTheAccountToTheNewPasskey() public {
        uint256 before = _submitSigned();
        (bytes32 qx, bytes32 qy) = _pub(NEW_PASSKEY);
        vm.expectEmit(true, true, true, true, address(account));
        emit IPasskeyAccount.RecoveryStarted(
            address(this), ICredentialRegistry.Role.Farmer, GANGJIN, keccak256(abi.encode(qx, qy)), qx, qy,
            uint64(block.timestamp + 3 days)
        );
        account.startRecovery(ICredentialRegistry.Role.Farmer, GANGJIN, qx, qy);
        vm.warp(block.timestamp + 3 days);
        account.finishRecovery();

        // The lost phone's key no longer works ...
        Signed memory old = _sign(PASSKEY, address(rice), _submitData());
        vm.expectRevert(abi.encodeWithSelector(IPasskeyAccount.PasskeyUnknownKey.selector, keccak256(abi.encode(old.qx, old.qy))));
        _exec(address(rice), _submitData(), 1, old);
        // ... the new one acts for the same account, whose history is unchanged.
        uint256 saleId = abi.decode(_exec(address(rice), _submitData(), 1, _sign(NEW_PASSKEY, address(rice), _submitData())), (uint256));
        assertEq(address(uint160(saleId)), address(account));
        assertEq(rice.getSale(before).units, 20);
    }
}
