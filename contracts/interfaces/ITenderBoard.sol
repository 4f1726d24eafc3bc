// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICredentialRegistry} from "./ICredentialRegistry.sol";

/// @title Goods purchase tenders (물품 구매 입찰) with a reserve price anyone can recompute
/// @notice An Official publishes a tender; Suppliers commit sealed bids with a bid bond
/// (입찰보증금); bids are revealed in a window; the contract draws the reserve price (복수예가) and
/// picks the winner; the winner delivers, an Inspector or Official accepts, an Official records the
/// payment. Amounts are whole won; times are Unix seconds.
///
/// **Who acts.** "Official of the region" means an Official credential for exactly the tender's
/// `region` (the office acts, not the person: any Official of the region may amend, cancel, award,
/// terminate and record payment). A bidder needs a Supplier credential for the tender's `region` or
/// for the nation (region 0): a regional tender (지역제한입찰) is open to the region's registered
/// suppliers, and a supplier registered nationally may bid everywhere. Every step checks the acting
/// credential at that moment: a credential revoked or expired mid-tender stops its holder at the
/// next step (see the bond rules for what happens to a revoked bidder's bond).
///
/// **Conflicts of interest.** No holder of an Official or Inspector credential of the tender's
/// region may bid (`InsiderCannotBid`), nor a Supplier whose credential carries the household tag the
/// creator's Official credential had at creation (`CreatorHouseholdCannotBid`; the tag is recorded
/// with the tender, and a creator without a tag cannot create one: `CreatorHouseholdUnknown`). A
/// Supplier credential without a tag is not compared (a supplier is usually a company); the issuer
/// tags those held by natural persons. Nobody who committed a bid may amend or cancel the tender,
/// reveal the seed, award, accept or refuse the delivery, terminate or record the payment
/// (`BidderCannotAct`).
///
/// **Windows.** Bidding is open while `block.timestamp < bidDeadline`; the reveal window is
/// `bidDeadline <= block.timestamp < revealDeadline`; the seed is revealed and the award made in
/// `revealDeadline <= block.timestamp < revealDeadline + AWARD_PERIOD`; from then on a tender still
/// Open may be ended as failed by anyone ({lapseTender}). The winner delivers before
/// `award time + DELIVERY_PERIOD` (the delivery deadline), else an Official may terminate.
///
/// **Sealed bid.** The price is never sent before the reveal. A bid is
/// `commitment = keccak256(abi.encode(block.chainid, address(board), tenderId, bidder, price,
/// picks[0], picks[1], docHash, salt))` (all static types: `uint256, address, uint256, address,
/// uint64, uint8, uint8, bytes32, bytes32`), so a commitment copied by anyone else, or replayed on
/// another tender, contract or chain, can never be revealed. Compute it locally: sending a price
/// to a remote node (even in an `eth_call`) discloses it. The board stores the first 224 bits of
/// the commitment (finding two openings that agree there takes about 2^112 hashes) next to the
/// bid's order, version and status in one slot; `BidCommitted` carries the full 256 bits.
///
/// **Bid bond (입찰보증금).** In Korea the bond is a guarantee certificate (보증서), not money: the
/// board records its amount and document hash and moves no token. The tender fixes one flat bond
/// amount and every bid must post exactly that amount, because a bond proportional to the price (the
/// usual 5 %) would publish the price before the reveal. A bond ends exactly once, `BondReleased`
/// or `BondForfeited`:
/// - bid replaced by a re-confirmation after an amendment: the old bond is released then;
/// - bid left at an older version (not re-confirmed): void, released by {settleBond};
/// - tender cancelled (only possible before the bid deadline): released by {settleBond};
/// - revealed bid that did not win, or of a tender that failed (유찰, by the draw or by lapse):
///   released by {settleBond} once the tender is awarded or failed;
/// - the winner's bond stays held as its guarantee of performance: released in {acceptDelivery},
///   forfeited in {terminateForNonDelivery};
/// - otherwise, a bid of the tender's last version not revealed by `revealDeadline` is forfeited by
///   {settleBond} (the claim the county then makes on the guarantee). This includes a bidder whose
///   Supplier credential was revoked before it revealed: it cannot reveal, so its bond is forfeited
///   like any unrevealed bid (the county may waive the claim off-chain, e.g. for a lost key). A
///   bidder revoked after revealing is passed over by the award (`BidPassedOver`) and its revealed
///   bond is released like a losing bid's.
///
/// **Reserve price (복수예가), exactly as {award} computes it** (also {drawReserve}):
/// 1. `saltMix` (uint64) = XOR, over every revealed bid, of `uint64(uint256(keccak256(abi.encode(salt))))`
///    (the low 8 bytes of `keccak256(salt)`); 0 when nothing was revealed.
/// 2. `finalSeed = keccak256(abi.encode(block.chainid, address(board), tenderId, seed, saltMix,
///    drawBlockHash))` (`uint256, address, uint256, bytes32, uint64, bytes32`), where `seed` is the
///    official's seed (`keccak256(abi.encode(seed)) == seedCommitment` given at creation) and
///    `drawBlockHash = blockhash(drawBlock)`, the hash of the block after the one in which the seed
///    was revealed ({revealSeed}; both in `DrawScheduled` and `ReserveDrawn`).
/// 3. For `i = 0…14`: `r_i = uint256(keccak256(abi.encode(finalSeed, i))) % 601` (`i` as uint256)
///    and `candidate_i = basePrice * (9_700 + r_i) / 10_000` (rounded down): base price −3.00 % to
///    +3.00 % in 0.01 % steps.
/// 4. `count_i` = the number of revealed bids that picked candidate `i` (each bid picks 2 distinct
///    indices in 0…14).
/// 5. The 4 chosen candidates are the most picked; ties go to the lower index (order by count
///    descending, then index ascending; take the first 4). Unpicked candidates fill up by index.
/// 6. `reserve = (candidate_a + candidate_b + candidate_c + candidate_d) / 4`, rounded down (원 미만
///    절사); `floor = ceil(reserve * floorRate / 100_000)` (낙찰하한가, 원 미만 절상).
/// 7. The winner is the revealed bid with `floor <= price <= reserve` and the lowest price, ties to
///    the earliest commit (lowest `seq`), leaving out the bids passed over because their bidder's
///    Supplier credential was no longer valid at the award (each named by a `BidPassedOver` emitted
///    before `TenderAwarded`/`TenderFailed`). None → 유찰 (`TenderFailed`).
///
/// **Why no single party can foresee the draw.** The official commits to `seed` when creating the
/// tender, before any bid exists, and cannot change it (amendments keep it; a commitment already
/// used by another tender is refused, since an award publishes its seed); the bidders cannot know
/// `seed`, and their picks are blind, as with the numbered balls of the 복수예가 draw. The salts
/// stay hidden inside the commitments until bidding has closed. Neither the seed nor the salts fix
/// the draw: it also needs `drawBlockHash`, the hash of a block that does not exist until after the
/// reveal window has closed and the seed is public ({revealSeed} may only run from
/// `revealDeadline` on, and fixes `drawBlock = block.number + 1`). So nobody — not an official who
/// also holds a bid (that is refused anyway), not a bidder deciding whether to reveal — can compute
/// the reserve while a bid can still be revealed. After {revealSeed} everyone can compute the
/// outcome as soon as `drawBlock` is mined, so the official's only remaining choice, not to award,
/// is public and ends in 유찰 by {lapseTender}. Remaining influence: the producer of `drawBlock`
/// chooses that block's contents and so can grind its hash among the variants it may propose; and a
/// producer that keeps {award} out of blocks for 256 blocks makes the hash unreadable on chain. An
/// expired draw block is not re-drawn (that would be a free second draw for whoever let it expire):
/// {award} then reverts with `DrawBlockExpired` and the tender ends in 유찰 by {lapseTender} after
/// the award period. See docs/threat-model.md.
///
/// **Cap.** At most `MAX_BIDDERS` bids under the tender's current version. An amendment voids every
/// earlier bid and so frees every slot (a bid must be re-confirmed and takes a slot again), and a
/// void bid, once settled, takes none; so junk commits cannot lock a tender out past an
/// amendment. {award} reads each revealed bid once and checks the bidder's credential for each bid
/// that would become the best so far (at most `MAX_BIDDERS` of each, measured in the gas tests);
/// every pick count fits in a byte. Bond settlement never loops: bonds end one by one through
/// {settleBond} (anyone may call it), the winner's in {acceptDelivery} or {terminateForNonDelivery}.
///
/// **Amendments (정정공고).** Each amendment is a new version (`TenderAmended` carries the complete
/// new terms); the creation and every amendment stay in the log as separate records, and storage
/// holds only the live terms the rules need. Region, bond and seed commitment cannot be amended.
/// An amendment never brings the bid deadline earlier and leaves at least `MIN_AMENDMENT_NOTICE`
/// (5 days) from the amendment to the bid deadline, for every bidder to re-confirm.
/// A bid committed under an older version is void unless its bidder re-confirms by committing
/// again (the same commitment or a new one) before the bid deadline.
///
/// **Contract amount.** A bid is the total price for the whole quantity, so the contract amount
/// (계약금액) is the winning bid price, and {recordPayment} accepts exactly that amount.
///
/// **Delivery.** The winner records a delivery before its delivery deadline; an Inspector or
/// Official accepts it, or refuses it with a reason (`Refused`), after which the winner may deliver
/// again before the same deadline. A tender Awarded or Refused at the deadline may be terminated by
/// an Official for non-delivery (`Terminated`, the contract ends early), forfeiting the winner's
/// bond.
interface ITenderBoard {
    /// @notice Where a tender is. `Open` covers bidding, reveal and waiting for the award.
    /// `Refused`: the last delivery was refused, a new one is awaited. `Terminated`: the contract
    /// ended early for non-delivery.
    enum TenderState {
        None,
        Open,
        Awarded,
        Failed,
        Cancelled,
        Delivered,
        Accepted,
        Paid,
        Refused,
        Terminated
    }

    /// @notice Where a bid (and its bond) is. A `Revealed` bid's bond is held until the tender's
    /// outcome; `Released` and `Forfeited` are the two ends of every bond.
    enum BidStatus {
        None,
        Committed,
        Revealed,
        Released,
        Forfeited
    }

    /// @notice Why a bond was released. `Revealed`: a revealed bid that did not win (or of a
    /// failed tender); `Fulfilled`: the winner's, on acceptance of its delivery.
    enum ReleaseReason {
        Revealed,
        Reconfirmed,
        NotReconfirmed,
        Cancelled,
        Fulfilled
    }

    /// @notice A tender's live terms and progress (one slot).
    /// @dev `commitCount` counts every commit, re-confirmations included, and gives each bid its
    /// `seq`; `bidderCount` counts the bids of the current version against `MAX_BIDDERS` (an
    /// amendment resets it). 31 bytes (solhint's packing heuristic misjudges the enum and the
    /// uint40s).
    // solhint-disable-next-line gas-struct-packing
    struct Tender {
        uint32 region;
        uint40 bidDeadline;
        uint40 revealDeadline;
        TenderState state;
        uint8 version;
        uint8 bidderCount;
        uint16 commitCount;
        uint32 floorRate;
        uint64 bond;
    }

    /// @notice What the draw needs (one slot). Byte `i` of `pickCounts` (from the least
    /// significant) is `count_i`; `saltMix` is step 1 of the derivation so far.
    struct Draw {
        uint64 basePrice;
        uint120 pickCounts;
        uint8 revealedCount;
        uint64 saltMix;
    }

    /// @notice A bid (one slot): the first 224 bits of its commitment, its commit order, the tender
    /// version it was committed under, and its status.
    struct Bid {
        bytes28 commitment;
        uint16 seq;
        uint8 version;
        BidStatus status;
    }

    /// @notice A revealed bid, in reveal order; {award} reads these.
    struct RevealedBid {
        address bidder;
        uint64 price;
        uint16 seq;
    }

    /// @notice The outcome of an awarded tender: the winner and the contract amount.
    struct Award {
        address winner;
        uint64 amount;
    }

    /// @notice A tender's draw block (fixed by {revealSeed}) and, once awarded, the winner's delivery
    /// deadline (one slot).
    struct Schedule {
        uint64 drawBlock;
        uint40 deliveryDeadline;
    }

    /// @notice Emitted when a tender is published (version 1). The title and unit are public
    /// business text; `specHash` commits to the specification (규격서) document.
    event TenderCreated(
        uint256 indexed tenderId,
        uint32 indexed region,
        address indexed official,
        string title,
        bytes32 specHash,
        uint64 quantity,
        string unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline,
        uint64 bond,
        bytes32 seedCommitment
    );

    /// @notice Emitted when a tender is amended (정정공고): the complete terms of `version`. Bids of
    /// earlier versions are void unless re-confirmed.
    event TenderAmended(
        uint256 indexed tenderId,
        uint8 indexed version,
        address indexed official,
        string title,
        bytes32 specHash,
        uint64 quantity,
        string unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline,
        string reason
    );

    /// @notice Emitted when a sealed bid is committed (or re-confirmed under a new version) with
    /// its bond: the guarantee certificate's amount and document hash.
    event BidCommitted(
        uint256 indexed tenderId,
        address indexed bidder,
        uint8 version,
        uint16 seq,
        bytes32 commitment,
        uint64 bondAmount,
        bytes32 bondDocHash
    );

    /// @notice Emitted when a bid is opened: everything needed to check it against its commitment
    /// and to recompute the draw.
    event BidRevealed(
        uint256 indexed tenderId,
        address indexed bidder,
        uint8 version,
        uint16 seq,
        uint64 price,
        uint8[2] picks,
        bytes32 docHash,
        bytes32 salt
    );

    /// @notice Emitted by {revealSeed}: the official's seed, now public, and the block whose hash
    /// will be mixed into the draw (the next block).
    event DrawScheduled(uint256 indexed tenderId, address indexed official, bytes32 seed, uint64 drawBlock);

    /// @notice Emitted by {award}: the official's seed, the bidders' salt mix, the draw block and
    /// its hash, the final seed, the 15 candidates, how often each was picked, the 4 chosen, the
    /// reserve and the floor.
    event ReserveDrawn(
        uint256 indexed tenderId,
        bytes32 seed,
        uint64 saltMix,
        uint64 drawBlock,
        bytes32 drawBlockHash,
        bytes32 finalSeed,
        uint256[15] candidates,
        uint8[15] pickCounts,
        uint8[4] chosen,
        uint256 reserve,
        uint256 floor
    );

    /// @notice Emitted by {award} for a revealed bid left out of step 7 because its bidder's
    /// Supplier credential is no longer valid (revoked or expired).
    event BidPassedOver(uint256 indexed tenderId, address indexed bidder, uint8 version, uint16 seq);

    /// @notice Emitted when the lowest valid bid wins; `price` is the contract amount and
    /// `deliveryDeadline` the winner's delivery deadline.
    event TenderAwarded(
        uint256 indexed tenderId,
        address indexed winner,
        address indexed official,
        uint64 price,
        uint16 seq,
        uint256 reserve,
        uint256 floor,
        uint8 revealedCount,
        uint40 deliveryDeadline
    );

    /// @notice Emitted when no revealed bid lies in [floor, reserve] (유찰).
    event TenderFailed(
        uint256 indexed tenderId, address indexed official, uint256 reserve, uint256 floor, uint8 revealedCount
    );

    /// @notice Emitted by {lapseTender} when no award came within `AWARD_PERIOD` after the reveal
    /// deadline (유찰): the bonds of revealed bids are released by {settleBond}.
    event TenderLapsed(uint256 indexed tenderId, address indexed caller, uint8 revealedCount);

    /// @notice Emitted when a tender is cancelled (before its bid deadline): every bond is released.
    event TenderCancelled(uint256 indexed tenderId, address indexed official, string reason);

    /// @notice Emitted when the winner records the delivery (납품).
    event DeliveryRecorded(uint256 indexed tenderId, address indexed winner, bytes32 deliveryDocHash);

    /// @notice Emitted when an Inspector or Official of the region refuses the delivery, with a
    /// public reason and the inspection report's hash; the winner may deliver again before
    /// `deliveryDeadline`.
    event DeliveryRefused(
        uint256 indexed tenderId,
        address indexed inspector,
        ICredentialRegistry.Role role,
        string reason,
        bytes32 inspectionDocHash,
        uint40 deliveryDeadline
    );

    /// @notice Emitted when an Official ends the contract for non-delivery after the delivery
    /// deadline (계약 해지); a `BondForfeited` of the winner's bond follows.
    event TenderTerminated(
        uint256 indexed tenderId, address indexed official, address indexed winner, string reason
    );

    /// @notice Emitted when an Inspector or Official of the region accepts the delivery (검수).
    event DeliveryAccepted(
        uint256 indexed tenderId, address indexed acceptor, ICredentialRegistry.Role role, bytes32 inspectionDocHash
    );

    /// @notice Emitted when an Official records the payment of the contract amount (대금 지급).
    event TenderPaid(
        uint256 indexed tenderId,
        address indexed official,
        address indexed winner,
        uint64 amount,
        bytes32 transferRefHash
    );

    /// @notice Emitted when the bond of `bidder`'s bid of `version` is forfeited (보증금 귀속): the
    /// county claims `amount` on the guarantee posted in the matching `BidCommitted`.
    event BondForfeited(uint256 indexed tenderId, address indexed bidder, uint8 version, uint64 amount);

    /// @notice Emitted when the bond of `bidder`'s bid of `version` is released.
    event BondReleased(
        uint256 indexed tenderId, address indexed bidder, uint8 version, uint64 amount, ReleaseReason reason
    );

    /// @notice Thrown when `tenderId` names no tender.
    error TenderNotFound(uint256 tenderId);

    /// @notice Thrown when a tender is not in a state the function accepts.
    error InvalidTenderState(uint256 tenderId, TenderState state);

    /// @notice Thrown when the bid deadline is less than `MIN_BID_PERIOD` away or the reveal
    /// window is shorter than `MIN_REVEAL_PERIOD`.
    error InvalidDeadlines(uint40 bidDeadline, uint40 revealDeadline);

    /// @notice Thrown when the quantity is zero.
    error InvalidQuantity(uint64 quantity);

    /// @notice Thrown when the base price (기초금액) is zero.
    error InvalidBasePrice(uint64 basePrice);

    /// @notice Thrown when the floor rate is zero or above 100 % (100,000).
    error InvalidFloorRate(uint32 floorRate);

    /// @notice Thrown when the bid bond is zero: without it a strategic non-reveal would be free.
    error InvalidBond(uint64 bond);

    /// @notice Thrown when a title, unit or reason is empty or longer than `max` bytes
    /// (`MAX_TEXT_BYTES`, or `MAX_UNIT_BYTES` for the unit).
    error TextLengthInvalid(uint256 length, uint256 max);

    /// @notice Thrown when a tender has had `maxVersion` versions already.
    error TooManyAmendments(uint256 tenderId, uint8 maxVersion);

    /// @notice Thrown when bidding or amending at or after the bid deadline.
    error TenderBiddingClosed(uint256 tenderId, uint40 bidDeadline);

    /// @notice Thrown when revealing before the bid deadline.
    error TenderRevealNotOpen(uint256 tenderId, uint40 bidDeadline);

    /// @notice Thrown when revealing at or after the reveal deadline.
    error TenderRevealClosed(uint256 tenderId, uint40 revealDeadline);

    /// @notice Thrown when awarding, or forfeiting a bond, before the reveal deadline.
    error TenderRevealNotOver(uint256 tenderId, uint40 revealDeadline);

    /// @notice Thrown when a new bidder would exceed `maxBidders`.
    error TenderFull(uint256 tenderId, uint256 maxBidders);

    /// @notice Thrown when `bidder` already committed under the current `version`.
    error BidAlreadyCommitted(uint256 tenderId, address bidder, uint8 version);

    /// @notice Thrown when the bond posted is not the tender's bond amount.
    error BondAmountMismatch(uint256 tenderId, uint64 required, uint64 offered);

    /// @notice Thrown when `bidder` has no bid on the tender.
    error BidNotFound(uint256 tenderId, address bidder);

    /// @notice Thrown when a bid is not in a status the function accepts (e.g. revealed twice).
    error InvalidBidStatus(uint256 tenderId, address bidder, BidStatus status);

    /// @notice Thrown when revealing a bid committed under an older version and not re-confirmed.
    error BidNotConfirmed(uint256 tenderId, address bidder, uint8 bidVersion, uint8 tenderVersion);

    /// @notice Thrown when the opening does not match the bidder's commitment (wrong salt, price,
    /// picks or document, or a commitment copied from someone else).
    error CommitmentMismatch(uint256 tenderId, address bidder);

    /// @notice Thrown when the two picks are not distinct indices in 0…14.
    error InvalidPicks(uint8 first, uint8 second);

    /// @notice Thrown when `keccak256(abi.encode(seed))` is not the tender's seed commitment.
    error SeedMismatch(uint256 tenderId, bytes32 seed);

    /// @notice Thrown when someone other than the winner records the delivery.
    error NotWinner(uint256 tenderId, address account);

    /// @notice Thrown when a payment is not exactly the contract amount.
    error WrongPaymentAmount(uint256 tenderId, uint64 due, uint64 offered);

    /// @notice Thrown when a holder of an Official or Inspector credential (`role`) of the tender's
    /// region tries to bid.
    error InsiderCannotBid(uint256 tenderId, address bidder, ICredentialRegistry.Role role);

    /// @notice Thrown when a Supplier of the tender creator's household tries to bid.
    error CreatorHouseholdCannotBid(uint256 tenderId, address bidder);

    /// @notice Thrown when creating a tender with an Official credential that carries no household
    /// tag: the tender could not keep the creator's household out of the bidding.
    error CreatorHouseholdUnknown(address official, uint32 region);

    /// @notice Thrown when someone who bid on the tender tries to amend or cancel it, reveal its
    /// seed, award, accept, refuse, terminate or record the payment.
    error BidderCannotAct(uint256 tenderId, address account);

    /// @notice Thrown when a seed commitment was already used by another tender.
    error SeedCommitmentUsed(bytes32 seedCommitment);

    /// @notice Thrown when an amendment would bring the bid deadline before the current one.
    error BidDeadlineMovedEarlier(uint256 tenderId, uint40 current, uint40 proposed);

    /// @notice Thrown when an amendment leaves less than `MIN_AMENDMENT_NOTICE` until the bid
    /// deadline; `earliest` is the earliest bid deadline it may set.
    error AmendmentNoticeTooShort(uint256 tenderId, uint40 bidDeadline, uint256 earliest);

    /// @notice Thrown when cancelling at or after the bid deadline: the tender must then end in an
    /// award or 유찰.
    error CancellationClosed(uint256 tenderId, uint40 bidDeadline);

    /// @notice Thrown when revealing the seed or awarding at or after the end of the award period
    /// (`revealDeadline + AWARD_PERIOD`).
    error AwardPeriodOver(uint256 tenderId, uint256 awardDeadline);

    /// @notice Thrown when lapsing a tender before the end of its award period.
    error AwardPeriodNotOver(uint256 tenderId, uint256 awardDeadline);

    /// @notice Thrown when awarding before {revealSeed}.
    error DrawNotScheduled(uint256 tenderId);

    /// @notice Thrown when revealing the seed a second time.
    error DrawAlreadyScheduled(uint256 tenderId, uint64 drawBlock);

    /// @notice Thrown when awarding before the draw block is mined (its hash is not known yet).
    error DrawBlockNotMined(uint256 tenderId, uint64 drawBlock);

    /// @notice Thrown when awarding more than 256 blocks after the draw block: the chain no longer
    /// serves its hash. The draw is not re-drawn; the tender lapses at the end of the award period.
    error DrawBlockExpired(uint256 tenderId, uint64 drawBlock);

    /// @notice Thrown when delivering at or after the delivery deadline.
    error DeliveryDeadlinePassed(uint256 tenderId, uint40 deliveryDeadline);

    /// @notice Thrown when terminating for non-delivery before the delivery deadline.
    error DeliveryDeadlineNotPassed(uint256 tenderId, uint40 deliveryDeadline);

    /// @notice Thrown when settling the winner's bond through {settleBond}: it is held until the
    /// delivery is accepted or the contract terminated.
    error WinnerBondHeld(uint256 tenderId, address winner);

    /// @notice Publishes a tender (입찰공고), version 1.
    /// @dev Requirements: the caller is an Official of `region` (a valid region code) whose
    /// credential carries a household tag (recorded with the tender); title
    /// 1…`MAX_TEXT_BYTES` bytes and unit 1…`MAX_UNIT_BYTES` bytes; `specHash` and `seedCommitment`
    /// not zero; quantity, base price and bond not zero; `0 < floorRate <= 100_000`;
    /// `bidDeadline >= now + MIN_BID_PERIOD` and `revealDeadline >= bidDeadline + MIN_REVEAL_PERIOD`;
    /// `seedCommitment` not used by an earlier tender of this board.
    /// @param region The region whose Officials run the tender and whose Suppliers may bid.
    /// @param title Public title of the tender.
    /// @param specHash Hash of the specification document (규격서).
    /// @param quantity How many `unit`s are bought.
    /// @param unit The unit of `quantity` (e.g. "대").
    /// @param basePrice 기초금액 in won, for the whole quantity.
    /// @param floorRate 낙찰하한율 in 1/100,000 (87,745 = 87.745 %).
    /// @param bidDeadline Bids are accepted while `block.timestamp` is below this.
    /// @param revealDeadline Bids are revealed while `block.timestamp` is below this.
    /// @param bond The flat bid bond (입찰보증금) in won every bid must post.
    /// @param seedCommitment `keccak256(abi.encode(seed))` of the official's secret seed, fresh for
    /// each tender (an award publishes the seed).
    /// @return tenderId The new tender's id (from 1).
    function createTender(
        uint32 region,
        string calldata title,
        bytes32 specHash,
        uint64 quantity,
        string calldata unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline,
        uint64 bond,
        bytes32 seedCommitment
    ) external returns (uint256 tenderId);

    /// @notice Amends a tender before the bid deadline (정정공고): a new version with complete terms.
    /// @dev Requirements: an Official of the tender's region that did not bid; tender Open and
    /// bidding still open; fewer than 255 versions so far; the same checks on the terms as {createTender}, deadlines
    /// measured from now; the bid deadline not earlier than the current one and at least
    /// `MIN_AMENDMENT_NOTICE` from now; a reason of 1…`MAX_TEXT_BYTES` bytes. Bids of earlier
    /// versions become void unless re-confirmed, and their slots are freed.
    function amendTender(
        uint256 tenderId,
        string calldata title,
        bytes32 specHash,
        uint64 quantity,
        string calldata unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline,
        string calldata reason
    ) external;

    /// @notice Commits a sealed bid with its bond, or re-confirms a bid after an amendment.
    /// @dev Requirements: tender Open and bidding open; the caller holds a Supplier credential of
    /// the tender's region or of region 0, no Official or Inspector credential of the tender's region
    /// and no household tag equal to the creator's; `bondAmount` equals the tender's bond and
    /// `bondDocHash` is not zero; the caller has no bid under the current version; the bid fits
    /// under `MAX_BIDDERS` bids of the current version. A bid of an older version still held is
    /// replaced and its bond released.
    /// @param tenderId The tender.
    /// @param commitment See the contract notice for the formula.
    /// @param bondAmount The guarantee certificate's amount in won.
    /// @param bondDocHash Hash of the guarantee certificate (보증서).
    function commitBid(uint256 tenderId, bytes32 commitment, uint64 bondAmount, bytes32 bondDocHash) external;

    /// @notice Opens the caller's bid in the reveal window. Its bond stays held until the outcome.
    /// @dev Requirements: the caller still holds a valid Supplier credential of the tender's region
    /// or of region 0 (a revoked bidder cannot reveal; its bond is forfeited like any unrevealed
    /// one); tender Open; `bidDeadline <= now < revealDeadline`; the bid is Committed under the
    /// current version; two distinct picks in 0…14; `docHash` not zero; the opening matches the
    /// commitment.
    /// @param price Total bid price in won for the whole quantity.
    /// @param picks The two candidate indices (0…14) the bidder draws.
    /// @param salt The secret that hid the bid.
    /// @param docHash Hash of the bid document (입찰서).
    function revealBid(uint256 tenderId, uint64 price, uint8[2] calldata picks, bytes32 salt, bytes32 docHash)
        external;

    /// @notice Reveals the official's seed after the reveal window and fixes the draw block (the
    /// next block), whose hash {award} mixes into the draw.
    /// @dev Requirements: an Official of the tender's region that did not bid; tender Open;
    /// `revealDeadline <= now < revealDeadline + AWARD_PERIOD`; `keccak256(abi.encode(seed))` is the
    /// seed commitment; no draw block fixed yet. Emits `DrawScheduled`.
    /// @param seed The official's seed.
    function revealSeed(uint256 tenderId, bytes32 seed) external;

    /// @notice Draws the reserve price from the seed, the salts and the draw block's hash, and
    /// awards the lowest valid bid of a bidder still holding a valid Supplier credential, or
    /// records 유찰 when there is none.
    /// @dev Requirements: an Official of the tender's region that did not bid; tender Open;
    /// `now < revealDeadline + AWARD_PERIOD`; the draw block fixed by {revealSeed}, mined
    /// (`DrawBlockNotMined`) and at most 256 blocks old (`DrawBlockExpired`); `seed` is the committed
    /// seed. Emits `ReserveDrawn`, one `BidPassedOver` per revealed bid of a revoked bidder that
    /// would otherwise have led, then `TenderAwarded` (starting the `DELIVERY_PERIOD`) or
    /// `TenderFailed`. Reads each revealed bid once.
    /// @param seed The seed revealed by {revealSeed}.
    function award(uint256 tenderId, bytes32 seed) external;

    /// @notice Ends as failed (유찰) a tender with no award within `AWARD_PERIOD` after its reveal
    /// deadline. Anyone may call it; the revealed bonds are then released by {settleBond}.
    /// @dev Requirements: tender Open; `now >= revealDeadline + AWARD_PERIOD`. Emits `TenderLapsed`.
    function lapseTender(uint256 tenderId) external;

    /// @notice Cancels a tender (취소공고) before its bid deadline, with a public reason.
    /// @dev Requirements: an Official of the tender's region that did not bid; tender Open;
    /// `now < bidDeadline` (`CancellationClosed`); a reason of 1…`MAX_TEXT_BYTES` bytes. Every bond is then released
    /// by {settleBond}.
    function cancelTender(uint256 tenderId, string calldata reason) external;

    /// @notice Ends the bond of a bid: released or forfeited by the rules in the contract notice.
    /// Anyone may call it.
    /// @dev Requirements: the bid is Committed or Revealed. A void bid (older version) or a bid of
    /// a cancelled tender may be settled at once; an unrevealed bid of the last version once the
    /// reveal deadline passed (forfeited); a revealed bid once the tender is decided (released),
    /// except the winner's (`WinnerBondHeld`).
    function settleBond(uint256 tenderId, address bidder) external;

    /// @notice The winner records a delivery (납품), first or after a refusal.
    /// @dev Requirements: the caller is the winner and still holds a valid Supplier credential of
    /// the tender's region or of region 0; tender Awarded or Refused; `now < deliveryDeadline`;
    /// `deliveryDocHash` not zero.
    function recordDelivery(uint256 tenderId, bytes32 deliveryDocHash) external;

    /// @notice An Inspector or Official of the tender's region accepts the delivery (검수); the
    /// winner's bond is released.
    /// @dev Requirements: an Inspector (checked first) or Official credential of the region,
    /// else `CredentialRequired(caller, Inspector, region)`; did not bid on the tender; tender
    /// Delivered; `inspectionDocHash` not zero.
    function acceptDelivery(uint256 tenderId, bytes32 inspectionDocHash) external;

    /// @notice An Inspector or Official of the tender's region refuses the delivery with a reason;
    /// the tender returns to awaiting delivery (`Refused`) until the same delivery deadline.
    /// @dev Requirements: as {acceptDelivery}; a reason of 1…`MAX_TEXT_BYTES` bytes.
    /// @param reason Why the delivery is refused (public).
    /// @param inspectionDocHash Hash of the inspection report.
    function refuseDelivery(uint256 tenderId, string calldata reason, bytes32 inspectionDocHash) external;

    /// @notice An Official ends the contract for non-delivery (계약 해지); the winner's bond is
    /// forfeited.
    /// @dev Requirements: an Official of the tender's region that did not bid; tender Awarded or
    /// Refused; `now >= deliveryDeadline`; a reason of 1…`MAX_TEXT_BYTES` bytes. Emits
    /// `TenderTerminated` and `BondForfeited`.
    function terminateForNonDelivery(uint256 tenderId, string calldata reason) external;

    /// @notice An Official records the payment of exactly the contract amount (the winning price).
    /// @dev Requirements: an Official of the tender's region that did not bid; tender Accepted;
    /// `amount` equals the winning price; `transferRefHash` not zero.
    function recordPayment(uint256 tenderId, uint64 amount, bytes32 transferRefHash) external;

    /// @notice The number of tenders created so far (ids run from 1 to this).
    function tenderCount() external view returns (uint256);

    /// @notice A tender's live terms and progress.
    function getTender(uint256 tenderId) external view returns (Tender memory);

    /// @notice A tender's base price and the draw inputs gathered from reveals so far.
    function getDraw(uint256 tenderId) external view returns (Draw memory);

    /// @notice The tender that used `seedCommitment` (0 when none).
    function tenderOfSeedCommitment(bytes32 seedCommitment) external view returns (uint256);

    /// @notice A tender's draw block and delivery deadline (zero until fixed).
    function getSchedule(uint256 tenderId) external view returns (Schedule memory);

    /// @notice The winner and contract amount of an awarded tender (zero otherwise).
    function getAward(uint256 tenderId) external view returns (Award memory);

    /// @notice `bidder`'s bid on a tender (zero when none).
    function getBid(uint256 tenderId, address bidder) external view returns (Bid memory);

    /// @notice The `index`-th revealed bid of a tender (0-based, in reveal order).
    function getRevealedBid(uint256 tenderId, uint256 index) external view returns (RevealedBid memory);

    /// @notice Step 2 of the derivation: the final seed of a tender for `seed`, `saltMix` and
    /// `drawBlockHash`.
    function finalSeedOf(uint256 tenderId, bytes32 seed, uint64 saltMix, bytes32 drawBlockHash)
        external
        view
        returns (bytes32);

    /// @notice Steps 3–6 of the derivation, for anyone to recompute a draw.
    /// @return candidates The 15 candidate prices.
    /// @return chosen The indices of the 4 averaged candidates, most picked first.
    /// @return reserve The reserve price (예정가격).
    /// @return floor The lowest winning price (낙찰하한가).
    function drawReserve(uint64 basePrice, uint32 floorRate, bytes32 finalSeed, uint8[15] calldata pickCounts)
        external
        pure
        returns (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor);
}
