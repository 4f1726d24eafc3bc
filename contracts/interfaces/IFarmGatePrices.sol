// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Published farm-gate rice prices (산지쌀값), per purchase programme
/// @notice Statistics Korea surveys the farm-gate price of rice (80 kg of milled rice, in won) as of
/// the 5th, 15th and 25th of each month. A programme's final price is fixed from the survey dates
/// from 5 October to 25 December of its crop year: nine observations. A national Official records
/// each one as it is published, so anyone can follow the programme's final price as it forms and
/// check the figure the final prices were computed from.
///
/// Dates are `yyyymmdd` numbers (20261005 is 5 October 2026). Observations are immutable: the
/// survey's published figure is final, and the bounds below stop gross typing mistakes.
interface IFarmGatePrices {
    /// @notice One published observation.
    struct Observation {
        /// @dev The survey date, `yyyymmdd`.
        uint32 date;
        /// @dev Won per 80 kg of milled rice.
        uint32 pricePer80kg;
    }

    /// @notice A programme's series so far, in one slot.
    struct Series {
        /// @dev Observations recorded (at most `OBSERVATIONS_PER_SEASON`).
        uint8 count;
        /// @dev The newest observation's date (0 before the first).
        uint32 lastDate;
        /// @dev Sum of the recorded prices (the average is `sum / count`, rounded down).
        uint64 sum;
    }

    /// @notice Emitted once per recorded observation.
    /// @param programId The RicePurchase programme the observation counts for.
    /// @param date The survey date, `yyyymmdd`.
    /// @param pricePer80kg Won per 80 kg.
    /// @param official The national Official who recorded it.
    /// @param index Its position in the programme's series (0 for the first).
    event FarmGatePriceRecorded(
        uint32 indexed programId, uint32 date, uint32 pricePer80kg, address indexed official, uint8 index
    );

    /// @notice Thrown when `programId` is not a RicePurchase programme.
    error UnknownProgram(uint32 programId);

    /// @notice Thrown when `date` is not a survey date (the 5th, 15th or 25th) from 5 October to
    /// 25 December of the programme's crop year.
    error DateOutsidePriceWindow(uint32 programId, uint32 date, uint16 cropYear);

    /// @notice Thrown when `date` was already recorded for the programme.
    error DuplicateObservation(uint32 programId, uint32 date);

    /// @notice Thrown when `date` comes before the programme's newest observation.
    error ObservationOutOfOrder(uint32 programId, uint32 date, uint32 lastDate);

    /// @notice Thrown when a price lies outside [`MIN_PRICE`, `MAX_PRICE`].
    error PriceOutOfBounds(uint32 pricePer80kg, uint32 min, uint32 max);

    /// @notice Thrown once the programme's final prices are set: its series is closed.
    error SeriesClosed(uint32 programId);

    /// @notice Thrown when a programme has no observation yet and an average is asked for.
    error NoObservations(uint32 programId);

    /// @notice Records a published farm-gate price for a programme.
    /// @dev Requirements: the caller holds a live national (region 0) Official credential with a
    /// household tag, as for final prices; the programme exists and has no final prices yet;
    /// `date` is a survey date of the programme's price window, after its newest observation;
    /// `pricePer80kg` is within the bounds. Emits {FarmGatePriceRecorded}.
    /// @param programId The RicePurchase programme.
    /// @param date The survey date, `yyyymmdd`.
    /// @param pricePer80kg Won per 80 kg, as published.
    function recordObservation(uint32 programId, uint32 date, uint32 pricePer80kg) external;

    /// @notice The programme's series summary (count, newest date, sum).
    /// @param programId The RicePurchase programme.
    function getSeries(uint32 programId) external view returns (Series memory);

    /// @notice Every observation recorded for the programme, oldest first (at most nine).
    /// @param programId The RicePurchase programme.
    function getObservations(uint32 programId) external view returns (Observation[] memory);

    /// @notice The average of the programme's observations, rounded down to the won: the
    /// farm-gate figure its final prices are computed from once all nine are in.
    /// @param programId The RicePurchase programme.
    function averageOf(uint32 programId) external view returns (uint32);
}
