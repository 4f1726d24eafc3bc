// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "./Vm.sol";

/// @title A small test base for jangbu's Solidity tests
/// @notice Assertions that revert with the values that differed, `bound` for fuzz inputs, and the
/// target lists the invariant runner reads. Modelled on the forge-std functions of the same name.
abstract contract Test {
    /// @dev The cheatcode address: keccak256("hevm cheat code") truncated, as in every Foundry-style runner.
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bool public constant IS_TEST = true;

    address[] private _targetContracts;

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    FuzzSelector[] private _targetSelectors;

    // ---- invariant targets

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetSelectors.push(selector);
    }

    /// @notice Read by the invariant runner: the contracts whose functions it calls at random.
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @notice Read by the invariant runner: the functions of those contracts it may call.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    // ---- fuzz helpers

    /// @notice Maps any `x` into [min, max] (inclusive), keeping small values stable.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    function makeAddr(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }

    // ---- assertions

    function fail(string memory message) internal pure {
        revert(message);
    }

    function assertTrue(bool value, string memory message) internal pure {
        if (!value) fail(message);
    }

    function assertTrue(bool value) internal pure {
        assertTrue(value, "expected true");
    }

    function assertFalse(bool value) internal pure {
        assertTrue(!value, "expected false");
    }

    function assertEq(uint256 actual, uint256 expected) internal pure {
        if (actual != expected) {
            fail(string.concat("assertEq(uint): got ", _str(actual), ", expected ", _str(expected)));
        }
    }

    function assertEq(uint256 actual, uint256 expected, string memory message) internal pure {
        if (actual != expected) {
            fail(string.concat(message, ": got ", _str(actual), ", expected ", _str(expected)));
        }
    }

    function assertEq(int256 actual, int256 expected) internal pure {
        if (actual != expected) fail("assertEq(int): values differ");
    }

    function assertEq(address actual, address expected) internal pure {
        if (actual != expected) fail("assertEq(address): values differ");
    }

    function assertEq(bytes32 actual, bytes32 expected) internal pure {
        if (actual != expected) fail("assertEq(bytes32): values differ");
    }

    function assertEq(bool actual, bool expected) internal pure {
        if (actual != expected) fail("assertEq(bool): values differ");
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) fail(string.concat(message, ": ", _str(a), " > ", _str(b)));
    }

    function assertGe(uint256 a, uint256 b, string memory message) internal pure {
        if (a < b) fail(string.concat(message, ": ", _str(a), " < ", _str(b)));
    }

    function _str(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) ++digits;
        bytes memory buffer = new bytes(digits);
        for (; value != 0; value /= 10) buffer[--digits] = bytes1(uint8(48 + (value % 10)));
        return string(buffer);
    }
}
