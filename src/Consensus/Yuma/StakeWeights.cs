using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>The stake vector's TAO weighting (spec §1.1), for feeding root/TAO stake into <see cref="YumaInput"/>.</summary>
public static class StakeWeights
{
    /// <summary>
    /// tao_weight = TaoWeight / u64::MAX in U96F32 (truncating), widened exactly to I64F64 for
    /// <see cref="YumaInput.TaoWeight"/>. Prod default 971_718_665_099_567_868 ≈ 0.0527; mock 0.
    /// </summary>
    /// <remarks>Port of stake_utils.rs get_tao_weight.</remarks>
    public static I64F64 TaoWeight(ulong taoWeightStorage)
    {
        var ratio = U96F32.FromNum(taoWeightStorage).SafeDiv(U96F32.FromNum(ulong.MaxValue));
        return I64F64.FromBits((Int128)ratio.Bits << (I64F64.FracBits - U96F32.FracBits));
    }
}
