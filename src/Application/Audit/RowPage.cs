using FluentValidation;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>One page of a long answer (a history's rows), read by the query itself: <see cref="Limit"/> rows from
/// <see cref="Offset"/> in the answer's order, with LIMIT/OFFSET in its SQL, so a page costs what its rows cost rather
/// than the whole history's. The report's totals stay those of the whole answer, and it says how many rows that has.</summary>
public sealed record RowPage(int Offset, int Limit)
{
    public const int MaxLimit = 1_000_000;

    /// <summary>The SQL that reads the page and one row more: whether the page is the answer's end is then known
    /// without counting, and an answer that fits in its first page needs no second statement.</summary>
    public string Sql => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" limit {checked(Limit + 1)} offset {Offset}");

    public bool IsValid => Offset >= 0 && Limit is >= 1 and <= MaxLimit;

    /// <summary>Cuts the extra row off what <see cref="Sql"/> read, and says whether the page is the whole answer
    /// (the first page, and nothing after it): then its rows give the totals, else the query counts them.</summary>
    public bool TrimToWhole<TRow>(List<TRow> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var more = read.Count > Limit;
        if (more)
        {
            read.RemoveRange(Limit, read.Count - Limit);
        }

        return Offset == 0 && !more;
    }
}

public static class RowPageRules
{
    /// <summary>The one shape rule of a query's optional page, named <c>limit</c> as the API and CLI spell it.</summary>
    public static IRuleBuilderOptions<T, RowPage?> IsAPage<T>(this IRuleBuilder<T, RowPage?> rule) =>
        rule.Must(p => p is null || p.IsValid).OverridePropertyName("limit").WithMessage($"a page is offset >= 0 and 1..{RowPage.MaxLimit} rows");
}
