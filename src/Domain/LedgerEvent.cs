using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain;

/// <summary>Every fact the ledger records happened at a block.</summary>
public interface ILedgerEvent
{
    Block Block { get; }
}

/// <summary>A fact that belongs to one subnet (and so to that subnet's shard).</summary>
public interface ISubnetEvent : ILedgerEvent
{
    NetUid NetUid { get; }
}
