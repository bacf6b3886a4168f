using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    private static readonly I32F32 ExpClamp = I32F32.FromNum(20);
    private static readonly I32F32 NegExpClamp = I32F32.FromNum(-20);

    /// <summary>e stored by substrate-fixed at I9F23 precision: 22802600 / 2^23, widened exactly to I32F32.</summary>
    private static readonly I32F32 EAtI9F23 = I32F32.FromBits(22802600L << 9);

    /// <summary>
    /// exp of x clamped to [−20, 20] via substrate-fixed's <c>transcendental::exp</c>: 0 → 1; exactly 1 → e at I9F23
    /// precision; otherwise the Taylor series of |x| to the 31st term with checked mul (floor) and checked div (truncate),
    /// inverted (checked 1/r) for negative x. Any overflow gives 0 for x ≤ 0 and MAX otherwise.
    /// </summary>
    /// <remarks>Port of math.rs exp_safe (safe_exp).</remarks>
    public static I32F32 ExpSafe(I32F32 input)
    {
        var x = input.Max(NegExpClamp).Min(ExpClamp);
        return Exp(x) ?? (x <= I32F32.Zero ? I32F32.Zero : I32F32.MaxValue);
    }

    private static I32F32? Exp(I32F32 x)
    {
        if (x.IsZero)
        {
            return I32F32.One;
        }

        if (x == I32F32.One)
        {
            return EAtI9F23;
        }

        bool negative = x < I32F32.Zero;
        var s = negative ? I32F32.Zero.WrappingSub(x) : x;
        var result = s.CheckedAdd(I32F32.One);
        if (result is null)
        {
            return null;
        }

        var term = s;
        for (int i = 2; i <= 31; i++)
        {
            var t = term.CheckedMul(s);
            if (t is null)
            {
                return null;
            }

            // checked_div(term, I32F32(i)) = trunc((term·2^32)/(i·2^32)) = trunc(term/i): never overflows for i ≥ 2.
            term = I32F32.FromBits(t.Value.Bits / i);
            if (term.IsZero)
            {
                // Every later term is 0 too (0·s = 0, 0/i = 0) and adding 0 cannot overflow: same result, fewer steps.
                break;
            }

            result = result.Value.CheckedAdd(term);
            if (result is null)
            {
                return null;
            }
        }

        return negative ? I32F32.One.CheckedDiv(result.Value) : result;
    }

    /// <summary>safe_div(1, exp_safe((−ρ)·(x − κ)) + 1) with saturating negation, subtraction, multiplication and addition.</summary>
    /// <remarks>Port of math.rs sigmoid_safe.</remarks>
    public static I32F32 SigmoidSafe(I32F32 input, I32F32 rho, I32F32 kappa)
    {
        var negRho = I32F32.Zero.SaturatingSub(rho);
        var offset = input.SaturatingSub(kappa);
        var exp = ExpSafe(negRho.SaturatingMul(offset));
        return I32F32.One.SafeDiv(exp.SaturatingAdd(I32F32.One));
    }
}
