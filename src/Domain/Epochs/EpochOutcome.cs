using Bittensor.Ledger.Consensus.Yuma;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Epochs;

/// <summary>What <see cref="EpochCompleted"/> records of Yuma's output: per uid its terms, per validator and mechanism
/// its new bonds row. The one mapping, used by <see cref="LedgerEngine.ComputeEpoch"/> and by replay.</summary>
public static class EpochOutcome
{
    /// <summary>Uid <paramref name="i"/>'s terms from the aggregate output (spec §3.5), under its identity at the epoch.</summary>
    public static UidEpochTerms Term(Uid uid, Hotkey hotkey, Coldkey coldkey, YumaOutput aggregate, int i)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        return new UidEpochTerms(uid, hotkey, coldkey,
            aggregate.StakeWeight[i], aggregate.Consensus[i], aggregate.Incentive[i], aggregate.Dividends[i], aggregate.ValidatorTrust[i],
            new Rao(aggregate.ServerEmission[i]), new Rao(aggregate.ValidatorEmission[i]), new Rao(aggregate.Emission[i]),
            aggregate.Active[i], aggregate.NewValidatorPermit[i]);
    }

    /// <summary>Every non-empty bonds row of every mechanism, by mechanism then uid.</summary>
    public static EpochBondsRow[] Bonds(IReadOnlyList<YumaOutput> perMechanism)
    {
        ArgumentNullException.ThrowIfNull(perMechanism);
        var bonds = new List<EpochBondsRow>();
        for (var m = 0; m < perMechanism.Count; m++)
        {
            var rows = perMechanism[m].Bonds;
            for (var i = 0; i < rows.Length; i++)
            {
                if (rows[i].Length > 0)
                {
                    bonds.Add(new EpochBondsRow((ushort)m, new Uid((ushort)i), [.. rows[i].Select(e => new SparseEntry(e.Col, e.Val))]));
                }
            }
        }

        return [.. bonds];
    }
}
