using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Projections.SubnetStatus;

/// <summary>What `ledger status` answers per subnet: how many neurons it has, the last block any of its facts
/// happened at, how many weight submissions it has seen, and the alpha staked on it.</summary>
public sealed record SubnetStatus(NetUid NetUid, long Neurons, Block LatestBlock, long WeightSubmissions, Rao TotalStake);
