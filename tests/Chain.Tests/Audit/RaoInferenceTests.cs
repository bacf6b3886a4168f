using Bittensor.Ledger.Chain.Audit;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Audit;

/// <summary>Each written floor e = floor(x·rao / 2^32) confines rao to an interval; the amount most of them allow is kept.</summary>
public sealed class RaoInferenceTests
{
    private const long Half = 1L << 31;
    private const long One = 1L << 32;

    [Fact]
    public void Floors_that_agree_pin_the_amount()
    {
        // ½·rao floors to 5 for rao 10 or 11; 1·rao is 11.
        RaoInference.Infer([(Half, 5), (One, 11)]).ShouldBe((11UL, 11UL, 11UL, 2, 2));
        RaoInference.Infer([(Half, 5)]).ShouldBe((10UL, 10UL, 11UL, 1, 1));
    }

    [Fact]
    public void A_floor_no_amount_explains_is_outvoted()
    {
        RaoInference.Infer([(Half, 5), (One, 11), (One, 50), (0, 0), (0, 3)]).ShouldBe((11UL, 11UL, 11UL, 3, 5));
    }

    [Fact]
    public void Without_any_non_zero_share_nothing_bounds_the_amount()
    {
        RaoInference.Infer([(0, 0), (0, 0)]).ShouldBeNull();
    }
}
