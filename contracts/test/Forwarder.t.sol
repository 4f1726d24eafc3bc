// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

/// @notice A farmer without ether signs; a relayer submits through the forwarder; the contract
/// sees the farmer.
contract ForwarderTest is JangbuFixture {
    bytes32 private constant REQUEST_TYPEHASH = keccak256(
        "ForwardRequest(address from,address to,uint256 value,uint256 gas,uint256 nonce,uint48 deadline,bytes data)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    address internal relayer;

    function setUp() public {
        setUpStack();
        setUpProgram();
        relayer = makeAddr("relayer");
    }

    /// @dev The EIP-712 digest the forwarder checks, computed independently of its code.
    function _digest(address from, address to, bytes memory data, uint48 deadline) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(REQUEST_TYPEHASH, from, to, 0, 300_000, forwarder.nonces(from), deadline, keccak256(data))
        );
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("jangbu"), keccak256("1"), block.chainid, address(forwarder))
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _signed(uint256 key, address to, bytes memory data, uint48 deadline)
        internal
        view
        returns (ERC2771Forwarder.ForwardRequestData memory request)
    {
        address from = vm.addr(key);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest(from, to, data, deadline));
        request = ERC2771Forwarder.ForwardRequestData({
            from: from,
            to: to,
            value: 0,
            gas: 300_000,
            deadline: deadline,
            data: data,
            signature: abi.encodePacked(r, s, v)
        });
    }

    function _split(bytes memory signature) internal pure returns (uint8 v, bytes32 r, bytes32 s) {
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
    }

    function _saleCall() internal view returns (bytes memory) {
        return abi.encodeCall(rice.submitSale, (programId, 10, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today()));
    }

    function test_forwardedCall_actsAsTheSigner() public {
        ERC2771Forwarder.ForwardRequestData memory request =
            _signed(FARMER_KEY, address(rice), _saleCall(), uint48(block.timestamp + 1 hours));
        uint256 expectedId = rice.saleIdOf(programId, GANGJIN, 1, farmer);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleSubmitted(
            expectedId, programId, farmer, GANGJIN, 10, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today()
        );
        vm.prank(relayer);
        forwarder.execute(request);
        assertEq(rice.getSale(expectedId).units, 10);
        assertEq(forwarder.nonces(farmer), 1);
    }

    function test_forwardedCall_replayIsRefused() public {
        ERC2771Forwarder.ForwardRequestData memory request =
            _signed(FARMER_KEY, address(rice), _saleCall(), uint48(block.timestamp + 1 hours));
        vm.prank(relayer);
        forwarder.execute(request);
        // Same signature, nonce now 1: the recovered signer no longer matches `from`.
        vm.expectRevert();
        vm.prank(relayer);
        forwarder.execute(request);
        assertEq(rice.getAllocation(programId, farmer).saleCount, 1);
    }

    function test_forwardedCall_forgedFromIsRefused() public {
        ERC2771Forwarder.ForwardRequestData memory request =
            _signed(0xBAD, address(rice), _saleCall(), uint48(block.timestamp + 1 hours));
        request.from = farmer; // claim to be the farmer with someone else's signature
        // The forwarder recovers some other address from the farmer's digest and refuses.
        (uint8 v, bytes32 r, bytes32 s) = _split(request.signature);
        address recovered = ecrecover(_digest(farmer, address(rice), request.data, request.deadline), v, r, s);
        assertTrue(recovered != farmer);
        vm.expectRevert(
            abi.encodeWithSelector(ERC2771Forwarder.ERC2771ForwarderInvalidSigner.selector, recovered, farmer)
        );
        vm.prank(relayer);
        forwarder.execute(request);
    }

    function test_forwardedCall_expiredIsRefused() public {
        uint48 deadline = uint48(block.timestamp + 1 hours);
        ERC2771Forwarder.ForwardRequestData memory request = _signed(FARMER_KEY, address(rice), _saleCall(), deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ERC2771Forwarder.ERC2771ForwarderExpiredRequest.selector, deadline));
        vm.prank(relayer);
        forwarder.execute(request);
    }
}
