using System.Text.Json;
using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Kernels;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>math_unit vectors: raw bits compared exactly where the vector says exact, else at the stated epsilon.</summary>
public sealed class MathVectorTests
{
    private static JsonElement.ArrayEnumerator Cases(JsonDocument doc) => doc.RootElement.GetProperty("cases").EnumerateArray();

    private static I32F32[] F32s(JsonElement array) => [.. array.EnumerateArray().Select(e => I32F32.FromF32(e.GetSingle()))];

    private static I32F32[] Bits(JsonElement array) => [.. array.EnumerateArray().Select(e => I32F32.FromBits(e.GetInt64()))];

    [Fact]
    public void ExpSafe_MatchesModelBits()
    {
        using var doc = VectorFiles.Load("test_math_exp_safe.json");
        foreach (var c in Cases(doc))
        {
            YumaMath.ExpSafe(I32F32.FromBits(c.GetProperty("input_bits").GetInt64())).Bits
                .ShouldBe(c.GetProperty("model_output_bits").GetInt64(), c.GetProperty("input_desc").GetString());
        }
    }

    [Fact]
    public void SigmoidSafe_MatchesExpectedBits()
    {
        using var doc = VectorFiles.Load("test_math_sigmoid_safe.json");
        foreach (var c in Cases(doc))
        {
            var inputs = Bits(c.GetProperty("inputs_bits"));
            var rho = I32F32.FromBits(c.GetProperty("rho_bits").GetInt64());
            var kappa = I32F32.FromBits(c.GetProperty("kappa_bits").GetInt64());
            var expected = c.GetProperty("expected_bits").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            inputs.Select(x => YumaMath.SigmoidSafe(x, rho, kappa).Bits).ToArray().ShouldBe(expected);
            if (c.TryGetProperty("inputs_f32", out var f32))
            {
                F32s(f32).ShouldBe(inputs);
            }
        }
    }

    [Fact]
    public void IsTopk_MatchesExpectedMasks()
    {
        using var doc = VectorFiles.Load("test_math_is_topk.json");
        foreach (var c in Cases(doc))
        {
            var input = F32s(c.GetProperty("input_f32"));
            var result = new bool[input.Length];
            YumaMath.IsTopk(input, c.GetProperty("k").GetInt32(), result);
            result.ShouldBe([.. c.GetProperty("expected").EnumerateArray().Select(e => e.GetBoolean())]);
        }
    }

    [Fact]
    public void WeightedMedian_MatchesExpectedBits()
    {
        using var doc = VectorFiles.Load("test_math_weighted_median.json");
        foreach (var c in Cases(doc))
        {
            var stake = F32s(c.GetProperty("stake_f32"));
            if (c.GetProperty("stake_normalized_first").GetBoolean())
            {
                YumaMath.InplaceNormalize(stake);
            }

            var score = F32s(c.GetProperty("score_f32"));
            var minority = I32F32.One.WrappingSub(I32F32.FromF32(c.GetProperty("majority_f32").GetSingle()));
            var idx = Enumerable.Range(0, stake.Length).ToArray();
            var median = YumaMath.WeightedMedian(stake, score, idx, minority, I32F32.Zero, YumaMath.Sum(stake));
            median.Bits.ShouldBe(c.GetProperty("expected_bits").GetInt64());
        }
    }

    [Fact]
    public void VecMaxUpscaleToU16_MatchesExpected()
    {
        using var doc = VectorFiles.Load("test_vec_max_upscale_to_u16.json");
        foreach (var c in Cases(doc))
        {
            var input = Bits(c.GetProperty("input_bits"));
            if (c.TryGetProperty("input_f32", out var f32))
            {
                F32s(f32).ShouldBe(input);
            }

            var result = new ushort[input.Length];
            YumaMath.VecMaxUpscaleToU16(input, result);
            result.ShouldBe([.. c.GetProperty("expected_u16").EnumerateArray().Select(e => e.GetUInt16())]);
        }
    }

    [Fact]
    public void VecU16MaxUpscaleToU16_MatchesExpected()
    {
        using var doc = VectorFiles.Load("test_vec_u16_max_upscale_to_u16.json");
        foreach (var c in Cases(doc))
        {
            var input = c.GetProperty("input_u16").EnumerateArray().Select(e => e.GetUInt16()).ToArray();
            var result = new ushort[input.Length];
            YumaMath.VecU16MaxUpscaleToU16(input, result);
            result.ShouldBe([.. c.GetProperty("expected_u16").EnumerateArray().Select(e => e.GetUInt16())]);
        }
    }

    [Fact]
    public void U64Normalization_MatchesI64F64AndI32F32Bits()
    {
        using var doc = VectorFiles.Load("test_math_u64_normalization.json");
        foreach (var c in Cases(doc))
        {
            var x = new[] { I64F64.SaturatingFromNum(c.GetProperty("numerator").GetUInt64()) };
            var q = x[0].SafeDiv(I64F64.SaturatingFromNum(c.GetProperty("denominator").GetUInt64()));
            q.Bits.ShouldBe(Int128.Parse(c.GetProperty("expected_I64F64_bits").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            I32F32.SaturatingFromNum(q).Bits.ShouldBe(c.GetProperty("expected_I32F32_bits").GetInt64());
        }
    }

    [Fact]
    public void FixedOverflow_BondsAlphaBitsMatch()
    {
        using var doc = VectorFiles.Load("test_math_fixed_overflow.json");
        foreach (var c in Cases(doc))
        {
            ulong bma = c.TryGetProperty("bonds_moving_average", out var b) ? b.GetUInt64() : 1_000_000;
            var scaled = I64F64.SaturatingFromNum(bma).SafeDiv(I64F64.SaturatingFromNum(1_000_000UL));
            var alpha = I32F32.One.SaturatingSub(I32F32.SaturatingFromNum(scaled));
            alpha.Bits.ShouldBe(c.GetProperty("expected_alpha_bits").GetInt64());
        }
    }

    [Fact]
    public void InterpolateSparse_MatchesExpected()
    {
        using var doc = VectorFiles.Load("test_math_interpolate_sparse.json");
        foreach (var c in Cases(doc))
        {
            var ratio = I32F32.FromF64(c.GetProperty("ratio_f64").GetDouble());
            if (c.TryGetProperty("mat1_f32_rowmajor", out var m1))
            {
                int rows = c.GetProperty("rows").GetInt32(), cols = c.GetProperty("columns").GetInt32();
                var a = Sparse(F32s(m1), rows, cols);
                var bMat = Sparse(F32s(c.GetProperty("mat2_f32_rowmajor")), rows, cols);
                var result = YumaMath.InterpolateSparse(a, bMat, cols, ratio);
                var expected = F32s(c.GetProperty("expected_f32_rowmajor"));
                double tol = c.GetProperty("tol").GetDouble();
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        var actual = result[i].Where(e => e.Col == j).Select(e => e.Val).FirstOrDefault();
                        Math.Abs(actual.ToDouble() - expected[(i * cols) + j].ToDouble()).ShouldBeLessThanOrEqualTo(tol);
                    }
                }
            }
            else
            {
                // 4x3 zeros vs 4x3 ones: every entry is exactly the ratio rounded to I32F32 (tol 0 in the Rust test).
                var zeros = Sparse(new I32F32[12], 4, 3);
                var ones = Sparse(Enumerable.Repeat(I32F32.One, 12).ToArray(), 4, 3);
                var result = YumaMath.InterpolateSparse(zeros, ones, 3, ratio);
                var expected = I32F32.FromF32(c.GetProperty("expected_each_f32").GetSingle());
                foreach (var row in result)
                {
                    row.Length.ShouldBe(3);
                    row.ShouldAllBe(e => e.Val == expected);
                }
            }
        }
    }

    [Fact]
    public void MatEmaAlphaSparse_MatchesExpected()
    {
        using var doc = VectorFiles.Load("test_math_mat_ema_alpha.json");
        foreach (var c in Cases(doc))
        {
            string fn = c.GetProperty("fn").GetString()!;
            if (c.TryGetProperty("old_f32_rowmajor", out var oldRm))
            {
                int rows = c.GetProperty("rows").GetInt32();
                var oldVals = F32s(oldRm);
                int cols = oldVals.Length / rows;
                var alpha = I32F32.FromF32(c.GetProperty("alpha_f32_all").GetSingle());
                var alphaMatrix = Enumerable.Range(0, rows).Select(_ => Enumerable.Repeat(alpha, cols).ToArray()).ToArray();
                var result = YumaMath.MatEmaAlphaSparse(Sparse(F32s(c.GetProperty("new_f32_rowmajor")), rows, cols), Sparse(oldVals, rows, cols), alphaMatrix);
                double tol = c.GetProperty("tol").GetDouble();
                if (c.TryGetProperty("expected_sparse", out var expectedSparse))
                {
                    for (int i = 0; i < rows; i++)
                    {
                        var exp = expectedSparse[i].EnumerateArray().Select(p => (p[0].GetInt32(), p[1].GetDouble())).ToArray();
                        result[i].Length.ShouldBe(exp.Length);
                        for (int k = 0; k < exp.Length; k++)
                        {
                            ((int)result[i][k].Col).ShouldBe(exp[k].Item1);
                            Math.Abs(result[i][k].Val.ToDouble() - exp[k].Item2).ShouldBeLessThanOrEqualTo(tol);
                        }
                    }
                }
                else
                {
                    var expected = F32s(c.GetProperty("expected_f32_rowmajor"));
                    for (int i = 0; i < rows; i++)
                    {
                        for (int j = 0; j < cols; j++)
                        {
                            var actual = result[i].Where(e => e.Col == j).Select(e => e.Val).FirstOrDefault();
                            Math.Abs(actual.ToDouble() - expected[(i * cols) + j].ToDouble()).ShouldBeLessThanOrEqualTo(tol);
                        }
                    }
                }
            }
            else
            {
                string suffix = fn.Contains("dense", StringComparison.Ordinal) ? "" : "_f64";
                var newM = Dense(c.GetProperty("new" + suffix));
                var oldM = Dense(c.GetProperty("old" + suffix));
                var alphaM = Dense(c.GetProperty("alpha" + suffix));
                var expected = Dense(c.GetProperty("expected" + suffix));
                double tol = c.GetProperty("tol").GetDouble();
                int cols = newM[0].Length;
                var result = YumaMath.MatEmaAlphaSparse(
                    [.. newM.Select(r => ToSparse(r))], [.. oldM.Select(r => ToSparse(r))], alphaM);
                for (int i = 0; i < newM.Length; i++)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        var actual = result[i].Where(e => e.Col == j).Select(e => e.Val).FirstOrDefault();
                        Math.Abs(actual.ToDouble() - expected[i][j].ToDouble()).ShouldBeLessThanOrEqualTo(tol);
                    }
                }
            }
        }
    }

    private static I32F32[][] Dense(JsonElement m) =>
        [.. m.EnumerateArray().Select(r => r.EnumerateArray().Select(e => I32F32.FromF64(e.GetDouble())).ToArray())];

    private static (ushort Col, I32F32 Val)[] ToSparse(I32F32[] row) =>
        [.. row.Select((v, j) => ((ushort)j, v)).Where(e => !e.v.IsZero)];

    private static (ushort Col, I32F32 Val)[][] Sparse(I32F32[] rowMajor, int rows, int cols) =>
        [.. Enumerable.Range(0, rows).Select(i => ToSparse(rowMajor[(i * cols)..((i + 1) * cols)]))];
}
