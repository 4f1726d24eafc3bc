// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Errors shared by every jangbu contract
/// @notice Failures that are not about one business concept: batch shapes, region codes, hashes.
interface ICommonErrors {
    /// @notice Thrown when a batch is empty or longer than the contract's cap.
    /// @param size The number of items sent.
    /// @param max The largest batch the contract accepts.
    error BatchSizeInvalid(uint256 size, uint256 max);

    /// @notice Thrown when two parallel arrays of a batch differ in length.
    error ArrayLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Thrown when a region code is not national (0), a 시도 (`XX000`) or a 시군구 (`XXYYY`),
    /// or is not the kind of region the function needs.
    error InvalidRegion(uint32 region);

    /// @notice Thrown when a document or record hash that must commit to something is zero.
    error ZeroHash();
}
