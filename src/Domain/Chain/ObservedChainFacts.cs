using System.Text.Json.Nodes;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Chain;

/// <summary>
/// A fact read from a real subtensor chain by <c>ledger chain sync</c> (docs/adr/0012-observed-chain-facts.md): what the
/// chain recorded, not what this ledger computed. The ledger's own fold and books do not apply these facts (they
/// describe a chain whose coinbase the ledger did not run); the chain read model keeps them and the audit recomputes
/// their epochs. <see cref="ILedgerEvent.Block"/> is the chain's block number.
/// </summary>
public interface IObservedChainFact : ILedgerEvent
{
    /// <summary>The subnet the fact was recorded for.</summary>
    NetUid NetUid { get; }

    /// <summary>The spec version of the runtime that executed the block.</summary>
    uint SpecVersion { get; }
}

/// <summary>One storage value as the chain stored it: the item, how it is keyed (<c>Netuid</c>, <c>Hotkey</c>,
/// <c>HotkeyRoot</c>, …), the mechanism (0 for per-subnet items), the storage key and the raw SCALE bytes (hex, null
/// when absent), beside the key parts and the value decoded with the metadata of the runtime that executed the block.
/// The raw bytes let a later decoder re-decode without syncing again.</summary>
public sealed record ObservedValue(string Item, string Keyed, byte Mechanism, string Key, JsonArray? KeyParts, string? Raw, JsonNode? Value, bool Optional);

/// <summary>
/// A SubtensorModule event of a synced subnet, as recorded in <c>System.Events</c> of <see cref="Block"/>.
/// <see cref="Kind"/> is the typed reader's name (<c>stake_added</c>, <c>weights_set</c>, …); <see cref="Fields"/> the
/// decoded fields in the metadata's shape; <see cref="Raw"/> the record's SCALE bytes. For weights set or revealed,
/// <see cref="Weights"/> is the uid's row read from <c>Weights</c> at that block, as the epoch will see it.
/// </summary>
public sealed record ChainEventObserved(
    Block Block,
    string BlockHash,
    uint SpecVersion,
    NetUid NetUid,
    string Phase,
    int? Extrinsic,
    int EventIndex,
    string Pallet,
    string Name,
    string Kind,
    JsonNode? Fields,
    string Raw,
    ObservedValue? Weights) : IObservedChainFact;

/// <summary>
/// The state an epoch of <see cref="NetUid"/> at block <see cref="Block"/> read (research/chain-adapter.md §1.1): every
/// epoch item at B−1, the Weights rows revealed in B's initialization (read at B), the commit maps at B without the
/// commits made in B, the uids extrinsics of B touched (excluded from comparison) and whether B was the first block of
/// a new runtime. Hyperparameters are read from storage, not rebuilt from events.
/// </summary>
public sealed record EpochInputsObserved(
    Block Block,
    string BlockHash,
    string ParentHash,
    uint SpecVersion,
    uint ParentSpecVersion,
    NetUid NetUid,
    int Mechanisms,
    bool RuntimeUpgrade,
    IReadOnlyList<ObservedValue> Values,
    IReadOnlyList<string> Missing,
    IReadOnlyList<ObservedValue> RevealedWeights,
    IReadOnlyList<ObservedValue> Commits,
    IReadOnlyList<ushort> ExcludedUids) : IObservedChainFact;

/// <summary>What the epoch of <see cref="NetUid"/> at <see cref="Block"/> wrote: every epoch item at B (Incentive and
/// Bonds per mechanism, Dividends, Consensus, ValidatorTrust, StakeWeight, ValidatorPermit, Active, Emission,
/// LastMechansimStepBlock) and the per-mechanism miner emissions of <c>IncentiveAlphaEmittedToMiners</c>.</summary>
public sealed record EpochOutputsObserved(
    Block Block,
    string BlockHash,
    uint SpecVersion,
    NetUid NetUid,
    int Mechanisms,
    IReadOnlyList<ObservedValue> Values,
    IReadOnlyList<string> Missing,
    IReadOnlyList<MinerEmissionsObserved> MinerEmissions) : IObservedChainFact;

/// <summary>One <c>IncentiveAlphaEmittedToMiners</c>: the server emission per uid of one mechanism.</summary>
public sealed record MinerEmissionsObserved(byte Mechanism, ulong[] Emissions);

/// <summary>The first field where the chain and the ledger differ: which output, mechanism (0 for per-subnet
/// aggregates) and uid, and both values as text (u16, u64, bool or a bonds row).</summary>
public sealed record AuditDifference(string Field, byte Mechanism, ushort Uid, string Chain, string Ledger);

/// <summary>
/// The audit's verdict on one observed epoch: <c>match</c> (every compared output identical to the u16 and the rao),
/// <c>differs</c> (with the first difference and how many fields differ) or <c>incomplete</c> (the inputs did not
/// allow a recomputation; <see cref="Reason"/> says why). <see cref="NotCompared"/> names the outputs the audit could
/// not compare (e.g. emission when the epoch's emission amount cannot be determined); <see cref="Caveats"/> when the
/// state before the block may not be what the epoch saw (a runtime upgrade in the block, for instance).
/// <see cref="RaoEmission"/>: the emission amount the epoch distributed as the audit inferred it from the written u64
/// floors (the chain does not store it), with the range they allow in <see cref="RaoEmissionInferred"/>.
/// </summary>
public sealed record EpochAudited(
    Block Block,
    NetUid NetUid,
    uint SpecVersion,
    string RuleSet,
    int Mechanisms,
    string Verdict,
    IReadOnlyList<ushort> ExcludedUids,
    AuditDifference? FirstDifference,
    int Differences,
    IReadOnlyList<string> NotCompared,
    IReadOnlyList<string> Caveats,
    string? Reason,
    bool RuntimeUpgrade,
    ulong? RaoEmission = null,
    string? RaoEmissionInferred = null) : IObservedChainFact;
