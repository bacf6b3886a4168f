namespace Bittensor.Ledger.Domain;

/// <summary>One entry of a sparse weights or bonds row, as the chain stores it: <c>(uid_j, u16 value)</c>.</summary>
public readonly record struct SparseEntry(ushort Uid, ushort Value);
