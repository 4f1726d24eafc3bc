// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title JangbuForwarder
/// @notice The one trusted ERC-2771 forwarder of a jangbu deployment. Farmers, inspectors and
/// officials sign EIP-712 `ForwardRequest`s (domain name "jangbu", version "1"); the county's
/// relayer submits them and pays the gas, and every jangbu contract reads the signer as the actor.
/// @dev OpenZeppelin's forwarder unchanged: per-signer nonces, deadlines, and a check that the
/// target trusts this forwarder. The EIP-712 domain binds chain id and this contract's address, so
/// a request signed for one chain or deployment is useless on any other.
contract JangbuForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("jangbu") {}
}
