namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>Guards against a vector file being added to Vectors/ without a test that runs it.</summary>
public sealed class VectorCoverageTests
{
    private static readonly string[] ExplicitlyTested =
    [
        "test_512_graph.json", "test_validator_permits.json",
        "test_math_exp_safe.json", "test_math_fixed_overflow.json", "test_math_interpolate_sparse.json", "test_math_is_topk.json",
        "test_math_mat_ema_alpha.json", "test_math_sigmoid_safe.json", "test_math_u64_normalization.json", "test_math_weighted_median.json",
        "test_vec_max_upscale_to_u16.json", "test_vec_u16_max_upscale_to_u16.json",
        "block_emission_halving.json", "registration_burn_decay.json",
    ];

    [Fact]
    public void EveryVectorFile_IsRunByATest()
    {
        var sequences = VectorFiles.OfKind("epoch_sequence").Select(row => row.Data).ToHashSet();
        var untested = VectorFiles.Names().Where(n => !sequences.Contains(n) && !ExplicitlyTested.Contains(n)).ToList();
        untested.ShouldBeEmpty();
        VectorFiles.Names().Count().ShouldBe(31);
    }
}
