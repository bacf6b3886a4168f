using System.Globalization;
using System.Numerics;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Projections.SubnetStatus;

/// <summary>The change one subnet event makes to its <see cref="SubnetStatus"/> row. Deltas add up, so the bulk
/// import can sum a whole batch per subnet and write one upsert per subnet instead of one per event.</summary>
public record struct SubnetStatusDelta(ushort NetUid, long Neurons, ulong LatestBlock, long WeightSubmissions, BigInteger Stake)
{
    public void Add(SubnetStatusDelta other)
    {
        Neurons += other.Neurons;
        LatestBlock = Math.Max(LatestBlock, other.LatestBlock);
        WeightSubmissions += other.WeightSubmissions;
        Stake += other.Stake;
    }

    public readonly string StakeText => Stake.ToString(CultureInfo.InvariantCulture);
}

public static class SubnetStatusTransformation
{
    public const string Table = "ledger.subnet_status";

    /// <summary>Upsert of one delta; '?' placeholders as Marten's QueueSqlCommand takes them.</summary>
    public const string UpsertSql =
        "insert into " + Table + " as s (netuid, neurons, latest_block, weight_submissions, total_stake) " +
        "values (?, ?, ?, ?, ?::numeric) on conflict (netuid) do update set " +
        "neurons = s.neurons + excluded.neurons, " +
        "latest_block = greatest(s.latest_block, excluded.latest_block), " +
        "weight_submissions = s.weight_submissions + excluded.weight_submissions, " +
        "total_stake = s.total_stake + excluded.total_stake";

    /// <summary>The same upsert for many subnets at once (one row per subnet in the arrays).</summary>
    public const string UpsertManySql =
        "insert into " + Table + " as s (netuid, neurons, latest_block, weight_submissions, total_stake) " +
        "select * from unnest(@netuid::int[], @neurons::bigint[], @latest_block::bigint[], @weight_submissions::bigint[], @stake::numeric[]) " +
        "on conflict (netuid) do update set " +
        "neurons = s.neurons + excluded.neurons, " +
        "latest_block = greatest(s.latest_block, excluded.latest_block), " +
        "weight_submissions = s.weight_submissions + excluded.weight_submissions, " +
        "total_stake = s.total_stake + excluded.total_stake";

    /// <summary>A neuron registered at a uid that was pruned replaces it (n unchanged); otherwise n grows by one.
    /// Staked alpha that is burned or recycled leaves the subnet's stake; a move between hotkeys does not; an epoch's
    /// distribution adds what it stakes.</summary>
    public static SubnetStatusDelta Delta(ISubnetEvent e)
    {
        var d = new SubnetStatusDelta(e.NetUid.Value, 0, e.Block.Value, 0, BigInteger.Zero);
        switch (e)
        {
            case NeuronRegistered r:
                d.Neurons = r.PrunedHotkey is null ? 1 : 0;
                break;
            case WeightsSet:
                d.WeightSubmissions = 1;
                break;
            case StakeAdded s:
                d.Stake = s.Alpha.Value;
                break;
            case StakeRemoved s:
                d.Stake = -(BigInteger)s.Alpha.Value;
                break;
            case AlphaBurned s:
                d.Stake = -(BigInteger)s.Alpha.Value;
                break;
            case AlphaRecycled s:
                d.Stake = -(BigInteger)s.Alpha.Value;
                break;
            case SubnetEmissionPosted p:
                // An epoch's distribution stakes incentive, dividends and the owner cut (and may burn from stake: never today).
                foreach (var posting in p.Postings)
                {
                    if (posting.To.Kind == AccountKind.Stake)
                    {
                        d.Stake += posting.Amount.Value;
                    }

                    if (posting.From.Kind == AccountKind.Stake)
                    {
                        d.Stake -= posting.Amount.Value;
                    }
                }

                break;
        }

        return d;
    }
}
