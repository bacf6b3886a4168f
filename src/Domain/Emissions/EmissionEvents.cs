using System.Text.Json.Serialization;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Emissions;

/// <summary>A fact the ledger computed rather than recorded. It names what it was derived from, so an auditor can
/// tell the two apart and recompute it (architecture: "Derived events are marked as derived").</summary>
public interface IDerivedEvent : ILedgerEvent
{
    /// <summary>Digest of the inputs the computation read (hex SHA-256 of a canonical encoding).</summary>
    string InputDigest { get; }
}

/// <summary>Why an amount moved.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PostingReason>))]
public enum PostingReason
{
    Genesis,
    BlockEmission,
    UnassignedEmissionRecycled,
    AlphaEmission,
    OwnerCut,
    ServerPot,
    ValidatorPot,
    RootPot,
    RootAlphaRecycled,
    Incentive,
    OwnerIncentiveBurned,
    OwnerIncentiveRecycled,
    ValidatorTake,
    NominatorDividend,
    RootDividend,
    OwnerCutStaked,
    Rounding,
    StakeAdded,
    StakeRemoved,
    StakeMoved,
    AlphaBurned,
    AlphaRecycled,
    TaoRecycled,
    TaoBurned,
    RegistrationBurn,
}

/// <summary>One movement of <see cref="Amount"/> from one account to another: every posting preserves the books' sum.
/// For per-uid postings (incentive, take, dividends) <see cref="Uid"/> names the uid whose emission it pays.</summary>
public sealed record Posting(Account From, Account To, Rao Amount, PostingReason Reason, Uid? Uid = null)
{
    /// <summary>Coinbase accrual: new rao leaving <see cref="AccountKind.Unissued"/> (block by block, as the clock advances).</summary>
    [JsonIgnore]
    public bool IsAccrual => From.Kind == AccountKind.Unissued;
}

/// <summary>How the epoch's block was chosen (spec §4.6, §3.6).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EpochSchedule>))]
public enum EpochSchedule
{
    /// <summary>An imported <c>EpochTriggered</c> (chain export).</summary>
    Triggered,

    /// <summary>(block + netuid + 1) % (tempo + 1) == 0.</summary>
    Classic,

    /// <summary>block − LastEpochBlock ≥ tempo.</summary>
    Dynamic,
}

/// <summary>The rules an epoch ran under: enough to recompute it.</summary>
public sealed record EpochRuleSet(
    EpochSchedule Schedule,
    ushort Tempo,
    ulong ActivityCutoff,
    ulong StakeThreshold,
    ushort MaxAllowedValidators,
    ushort Kappa,
    ushort BondsPenalty,
    ulong BondsMovingAverage,
    bool Yuma3,
    bool LiquidAlpha,
    ushort AlphaLow,
    ushort AlphaHigh,
    short AlphaSigmoidSteepness);

/// <summary>One uid's terms from an epoch (aggregated over mechanisms, spec §3.5).</summary>
public sealed record UidEpochTerms(
    Uid Uid,
    Hotkey Hotkey,
    Coldkey Coldkey,
    ushort StakeWeight,
    ushort Consensus,
    ushort Incentive,
    ushort Dividends,
    ushort ValidatorTrust,
    Rao ServerEmission,
    Rao ValidatorEmission,
    Rao Emission,
    bool Active,
    bool ValidatorPermit);

/// <summary>A validator's bonds row after the epoch, as stored (u16), per mechanism.</summary>
public sealed record EpochBondsRow(ushort Mechanism, Uid Uid, SparseEntry[] Row);

/// <summary>A subnet's epoch ran at <see cref="Block"/>: the Yuma results for every uid, the new bonds, the rules and
/// the digest of the inputs, and the alpha <see cref="Emission"/> it distributed (the drained pots).</summary>
public sealed record EpochCompleted(
    Block Block,
    NetUid NetUid,
    ulong Epoch,
    EpochRuleSet Rules,
    string InputDigest,
    Rao Emission,
    UidEpochTerms[] Terms,
    EpochBondsRow[] Bonds) : ISubnetEvent, IDerivedEvent;

/// <summary>The postings that move a subnet's emission, recorded with its epoch (<see cref="Epoch"/>): the per-block
/// coinbase accrual of blocks (<see cref="FromBlock"/>, <see cref="Block"/>] — TAO minted into the subnet, alpha minted
/// into the owner, server and validator pots and the floors' dust — then the epoch's distribution of the drained pots
/// into stake, take, burns and dust. Every posting preserves the books' sum (docs/adr/0005-emission-accounting.md).</summary>
public sealed record SubnetEmissionPosted(
    Block Block,
    NetUid NetUid,
    ulong Epoch,
    Block FromBlock,
    string InputDigest,
    Posting[] Postings) : ISubnetEvent, IDerivedEvent;
