// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ICommonErrors} from "../interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

contract CredentialRegistryTest is JangbuFixture {
    ICredentialRegistry.Role internal constant FARMER = ICredentialRegistry.Role.Farmer;
    ICredentialRegistry.Role internal constant INSPECTOR = ICredentialRegistry.Role.Inspector;
    bytes32 internal constant CLAIMS = keccak256("salted claims of a farmer");
    bytes16 internal constant TAG = bytes16(keccak256("random household secret 1"));

    address internal issuer;
    address internal subject;

    function setUp() public {
        setUpStack();
        issuer = makeAddr("gangjinIssuer");
        subject = makeAddr("newFarmer");
        registry.setIssuer(issuer, FARMER, GANGJIN, true);
    }

    function _expectedId(address who, ICredentialRegistry.Role role, uint32 region, uint64 serial)
        internal
        pure
        returns (uint256)
    {
        return (uint256(uint160(who)) << 96) | (uint256(role) << 88) | (uint256(region) << 64) | serial;
    }

    function _issue() internal returns (uint256 id) {
        vm.prank(issuer);
        id = registry.issue(subject, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), TAG);
    }

    function test_setIssuer_emitsAndGrants() public {
        address newIssuer = makeAddr("haenamIssuer");
        vm.expectEmit(true, true, true, true, address(registry));
        emit ICredentialRegistry.IssuerSet(newIssuer, INSPECTOR, HAENAM, true, address(this));
        registry.setIssuer(newIssuer, INSPECTOR, HAENAM, true);
        assertTrue(registry.isIssuer(newIssuer, INSPECTOR, HAENAM));
        assertFalse(registry.isIssuer(newIssuer, INSPECTOR, GANGJIN));
        registry.setIssuer(newIssuer, INSPECTOR, HAENAM, false);
        assertFalse(registry.isIssuer(newIssuer, INSPECTOR, HAENAM));
    }

    function test_setIssuer_revertsForNonAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, outsider, bytes32(0))
        );
        vm.prank(outsider);
        registry.setIssuer(outsider, FARMER, GANGJIN, true);
    }

    function test_setIssuer_revertsOnZeroAddressAndBadRegion() public {
        vm.expectRevert(ICredentialRegistry.ZeroAddress.selector);
        registry.setIssuer(address(0), FARMER, GANGJIN, true);
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.InvalidRegion.selector, uint32(100_000)));
        registry.setIssuer(issuer, FARMER, 100_000, true);
    }

    function test_issue_recordsCredentialAndEmits() public {
        uint256 expected = _expectedId(subject, FARMER, GANGJIN, 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ICredentialRegistry.CredentialIssued(
            expected, subject, issuer, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), TAG
        );
        uint256 id = _issue();
        assertEq(id, expected);
        assertTrue(registry.isValid(id));
        assertTrue(registry.hasRole(subject, FARMER, GANGJIN));
        assertFalse(registry.hasRole(subject, FARMER, HAENAM));
        assertFalse(registry.hasRole(subject, INSPECTOR, GANGJIN));
        assertEq(registry.currentId(subject, FARMER, GANGJIN), id);
        ICredentialRegistry.Credential memory c = registry.credential(id);
        assertEq(c.subject, subject);
        assertEq(uint256(c.role), uint256(FARMER));
        assertEq(c.region, GANGJIN);
        assertEq(c.serial, 1);
        assertEq(c.issuedAt, block.timestamp);
        assertEq(c.expiresAt, block.timestamp + YEAR);
        assertFalse(c.revoked);
        assertEq(c.householdTag, TAG);
        assertEq(registry.householdTag(subject, FARMER, GANGJIN), bytes32(TAG));
    }

    function test_issue_nationalIssuerCoversEveryRegion() public {
        // The fixture's test contract is a national issuer.
        registry.issue(subject, INSPECTOR, HAENAM, CLAIMS, uint64(block.timestamp + YEAR), TAG);
        assertTrue(registry.hasRole(subject, INSPECTOR, HAENAM));
    }

    function test_issue_revertsForIssuerOfAnotherRegionOrRole() public {
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.NotIssuer.selector, issuer, FARMER, HAENAM));
        vm.prank(issuer);
        registry.issue(subject, FARMER, HAENAM, CLAIMS, uint64(block.timestamp + YEAR), TAG);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.NotIssuer.selector, issuer, INSPECTOR, GANGJIN));
        vm.prank(issuer);
        registry.issue(subject, INSPECTOR, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), TAG);
    }

    function test_issue_revertsOnBadInput() public {
        uint64 expiry = uint64(block.timestamp + YEAR);
        vm.startPrank(issuer);
        vm.expectRevert(ICredentialRegistry.ZeroAddress.selector);
        registry.issue(address(0), FARMER, GANGJIN, CLAIMS, expiry, TAG);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        registry.issue(subject, FARMER, GANGJIN, bytes32(0), expiry, TAG);
        uint64 maxExpiry = uint64(block.timestamp) + registry.MAX_VALIDITY();
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.InvalidExpiry.selector, uint64(block.timestamp), maxExpiry)
        );
        registry.issue(subject, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp), TAG);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.InvalidExpiry.selector, maxExpiry + 1, maxExpiry));
        registry.issue(subject, FARMER, GANGJIN, CLAIMS, maxExpiry + 1, TAG);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.InvalidRegion.selector, uint32(5)));
        registry.issue(subject, FARMER, 5, CLAIMS, expiry, TAG);
    }

    function test_issue_revertsWhileActive() public {
        uint256 id = _issue();
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialAlreadyActive.selector, id));
        _issue();
    }

    function test_revoke_takesEffectAtOnce() public {
        uint256 id = _issue();
        bytes32 reason = keccak256("farm closed");
        vm.expectEmit(true, true, true, true, address(registry));
        emit ICredentialRegistry.CredentialRevoked(id, subject, issuer, reason);
        vm.prank(issuer);
        registry.revoke(id, reason);
        assertFalse(registry.isValid(id));
        assertFalse(registry.hasRole(subject, FARMER, GANGJIN));
        assertTrue(registry.credential(id).revoked);
    }

    function test_revoke_byAdmin() public {
        uint256 id = _issue();
        registry.revoke(id, bytes32(0));
        assertFalse(registry.isValid(id));
    }

    function test_revoke_revertsForStranger() public {
        uint256 id = _issue();
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.NotIssuer.selector, outsider, FARMER, GANGJIN));
        vm.prank(outsider);
        registry.revoke(id, bytes32(0));
    }

    function test_revoke_revertsForUnknownOrRevoked() public {
        uint256 unknown = _expectedId(subject, FARMER, GANGJIN, 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialNotFound.selector, unknown));
        registry.revoke(unknown, bytes32(0));
        uint256 id = _issue();
        registry.revoke(id, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialAlreadyRevoked.selector, id));
        registry.revoke(id, bytes32(0));
        uint256 badRole = (uint256(uint160(subject)) << 96) | (uint256(9) << 88) | 1;
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialNotFound.selector, badRole));
        registry.revoke(badRole, bytes32(0));
    }

    function test_expiry_endsTheRoleAndAllowsReissue() public {
        uint256 first = _issue();
        vm.warp(block.timestamp + YEAR);
        assertFalse(registry.hasRole(subject, FARMER, GANGJIN));
        assertFalse(registry.isValid(first));
        uint256 second = _issue();
        assertEq(second, _expectedId(subject, FARMER, GANGJIN, 2));
        assertTrue(registry.isValid(second));
        assertFalse(registry.isValid(first));
        assertTrue(registry.credential(first).revoked); // superseded
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialNotFound.selector, first));
        registry.revoke(first, bytes32(0));
    }

    function test_credential_revertsForUnissuedSerial() public {
        uint256 id = _expectedId(subject, FARMER, GANGJIN, 3);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialNotFound.selector, id));
        registry.credential(id);
        assertEq(registry.currentId(subject, FARMER, GANGJIN), 0);
    }

    /// @dev Hole 1 (issue 19): an issuer of another role and region can no longer touch the
    /// household of an inspector's credential. Before, it issued a sham credential to the
    /// inspector's address, relinked the address's household with it and revoked the sham.
    function test_householdTag_belongsToTheCredentialNotTheAddress() public {
        bytes16 family = bytes16(keccak256("kim household secret"));
        address relative = makeAddr("relativeInspector");
        registry.issue(relative, INSPECTOR, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), family);
        address haenamIssuer = makeAddr("haenamIssuer");
        registry.setIssuer(haenamIssuer, FARMER, HAENAM, true);
        vm.startPrank(haenamIssuer);
        uint256 sham = registry.issue(
            relative, FARMER, HAENAM, CLAIMS, uint64(block.timestamp + 1 days), bytes16(keccak256("someone else"))
        );
        registry.revoke(sham, bytes32(0));
        vm.stopPrank();
        assertEq(registry.householdTag(relative, INSPECTOR, GANGJIN), bytes32(family));
        assertEq(registry.householdTag(relative, FARMER, HAENAM), bytes32(0)); // revoked
        // Another issuer cannot re-issue it; its own issuer only after revoking it.
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.NotIssuer.selector, haenamIssuer, INSPECTOR, GANGJIN));
        vm.prank(haenamIssuer);
        registry.issue(relative, INSPECTOR, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), bytes16(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                ICredentialRegistry.CredentialAlreadyActive.selector, registry.currentId(relative, INSPECTOR, GANGJIN)
            )
        );
        registry.issue(relative, INSPECTOR, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), bytes16(0));
    }

    function test_householdTag_zeroWhenMissingRevokedExpiredOrUntagged() public {
        assertEq(registry.householdTag(subject, FARMER, GANGJIN), bytes32(0)); // never issued
        uint256 id = _issue();
        registry.revoke(id, bytes32(0));
        assertEq(registry.householdTag(subject, FARMER, GANGJIN), bytes32(0));
        vm.prank(issuer);
        registry.issue(subject, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), bytes16(0));
        assertEq(registry.householdTag(subject, FARMER, GANGJIN), bytes32(0)); // untagged re-issue
        vm.warp(block.timestamp + YEAR);
        registry.revoke(registry.currentId(subject, FARMER, GANGJIN), bytes32(0));
        vm.prank(issuer);
        registry.issue(subject, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + 1 days), TAG);
        assertEq(registry.householdTag(subject, FARMER, GANGJIN), bytes32(TAG));
        vm.warp(block.timestamp + 1 days);
        assertEq(registry.householdTag(subject, FARMER, GANGJIN), bytes32(0)); // expired
    }

    function test_nameSuccessor_continuesALostKeyLine() public {
        uint256 first = _issue();
        address second = makeAddr("newPhone");
        address third = makeAddr("newerPhone");
        vm.startPrank(issuer);
        registry.revoke(first, keccak256("phone lost"));
        uint256 secondId = registry.issue(second, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), TAG);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ICredentialRegistry.SuccessorNamed(first, secondId, issuer, subject);
        registry.nameSuccessor(first, secondId);
        assertEq(registry.successorOf(subject, FARMER, GANGJIN), second);
        assertEq(registry.successorOf(second, FARMER, GANGJIN), second);
        // Lost again: every earlier address resolves to the newest in one step.
        registry.revoke(secondId, keccak256("phone lost again"));
        uint256 thirdId = registry.issue(third, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), TAG);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ICredentialRegistry.SuccessorNamed(secondId, thirdId, issuer, subject);
        registry.nameSuccessor(secondId, thirdId);
        vm.stopPrank();
        assertEq(registry.successorOf(subject, FARMER, GANGJIN), third);
        assertEq(registry.successorOf(second, FARMER, GANGJIN), third);
        assertEq(registry.successorOf(farmer2, FARMER, GANGJIN), address(0));
    }

    function test_nameSuccessor_revertsForStrangerLiveOrMismatched() public {
        uint256 first = _issue();
        address second = makeAddr("newPhone");
        vm.prank(issuer);
        uint256 secondId = registry.issue(second, FARMER, GANGJIN, CLAIMS, uint64(block.timestamp + YEAR), TAG);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialStillValid.selector, first));
        vm.prank(issuer);
        registry.nameSuccessor(first, secondId);
        vm.prank(issuer);
        registry.revoke(first, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.NotIssuer.selector, outsider, FARMER, GANGJIN));
        vm.prank(outsider);
        registry.nameSuccessor(first, secondId);
        uint256 inspectorId = registry.currentId(inspector, INSPECTOR, GANGJIN);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.InvalidSuccessor.selector, first, inspectorId));
        vm.prank(issuer);
        registry.nameSuccessor(first, inspectorId); // another role
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.InvalidSuccessor.selector, first, first));
        vm.prank(issuer);
        registry.nameSuccessor(first, first); // itself
        vm.prank(issuer);
        registry.revoke(secondId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.InvalidSuccessor.selector, first, secondId));
        vm.prank(issuer);
        registry.nameSuccessor(first, secondId); // not valid
    }

    function test_supportsInterface() public view {
        assertTrue(registry.supportsInterface(type(ICredentialRegistry).interfaceId));
        assertTrue(registry.supportsInterface(type(IAccessControl).interfaceId));
        assertFalse(registry.supportsInterface(0xdeadbeef));
    }

    function testFuzz_id_decodesToItsParts(address who, uint8 roleSeed, uint32 regionSeed) public {
        vm.assume(who != address(0));
        ICredentialRegistry.Role role = ICredentialRegistry.Role(bound(roleSeed, 0, 4));
        uint32 region = uint32(bound(regionSeed, 11_000, 99_999));
        uint256 id = registry.issue(who, role, region, CLAIMS, uint64(block.timestamp + 1 days), TAG);
        ICredentialRegistry.Credential memory c = registry.credential(id);
        assertEq(c.subject, who);
        assertEq(uint256(c.role), uint256(role));
        assertEq(c.region, region);
        assertTrue(registry.hasRole(who, role, region));
    }
}
