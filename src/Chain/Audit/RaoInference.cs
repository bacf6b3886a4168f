namespace Bittensor.Ledger.Chain.Audit;

/// <summary>
/// The epoch's rao_emission, which storage does not keep, recovered from the floors the chain wrote (chain-adapter.md
/// §5 c). With one mechanism every u64 output is floor(x·rao / 2^32) for the uid's normalized emission x (I32F32 bits,
/// exact in I96F32): each observed value confines rao to an interval. The amount kept is the one the most floors agree
/// on, so an epoch whose outputs are right is reproduced exactly and a wrong value shows as the floor that disagrees.
/// </summary>
public static class RaoInference
{
    private const int FracBits = 32;

    /// <summary>
    /// The smallest rao in the range the most constraints agree on, that range, and how many agree; null when no
    /// constraint bounds rao (every x is 0). A constraint (x, e) with x = 0 holds for every rao when e = 0, none otherwise.
    /// </summary>
    public static (ulong Rao, ulong Low, ulong High, int Agreeing, int Total)? Infer(IReadOnlyList<(long X, ulong Observed)> constraints)
    {
        ArgumentNullException.ThrowIfNull(constraints);
        var always = 0;
        var events = new List<(UInt128 At, int Delta)>();
        foreach (var (x, e) in constraints)
        {
            if (x <= 0)
            {
                always += e == 0 ? 1 : 0;
                continue;
            }

            // x·rao ∈ [e·2^32, (e+1)·2^32)  ⇔  rao ∈ [ceil(e·2^32 / x), ceil((e+1)·2^32 / x) − 1].
            var low = CeilDiv((UInt128)e << FracBits, (ulong)x);
            var high = CeilDiv(((UInt128)e + 1) << FracBits, (ulong)x) - 1;
            if (low > ulong.MaxValue || low > high)
            {
                continue;
            }

            events.Add((low, +1));
            events.Add((UInt128.Min(high, ulong.MaxValue) + 1, -1));
        }

        if (events.Count == 0)
        {
            return null;
        }

        var best = (Count: -1, Low: UInt128.Zero, High: UInt128.Zero);
        var count = 0;
        var ordered = events.GroupBy(e => e.At).OrderBy(g => g.Key).ToList();
        for (var k = 0; k < ordered.Count; k++)
        {
            count += ordered[k].Sum(e => e.Delta);
            if (count > best.Count && k + 1 < ordered.Count)
            {
                best = (count, ordered[k].Key, ordered[k + 1].Key - 1);
            }
        }

        return ((ulong)best.Low, (ulong)best.Low, (ulong)best.High, best.Count + always, constraints.Count);
    }

    private static UInt128 CeilDiv(UInt128 a, ulong b) => (a + b - 1) / b;
}
