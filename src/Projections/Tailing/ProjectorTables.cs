using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.Tailing;

/// <summary>The projector's own bookkeeping: a checkpoint per projection (the last <c>seq_id</c> it has seen,
/// committed with its rows), and every sequence gap and skipped event it found, so none passes silently.</summary>
public static class ProjectorTables
{
    public const string Checkpoint = "ledger.projection_checkpoint";
    public const string Gap = "ledger.projection_gap";
    public const string Skipped = "ledger.projection_skipped";

    public static IEnumerable<Table> All()
    {
        var checkpoint = Sql.NewTable("projection_checkpoint");
        checkpoint.AddColumn<string>("name").AsPrimaryKey();
        checkpoint.AddColumn<long>("seq_id").NotNull();
        yield return checkpoint;

        var gap = Sql.NewTable("projection_gap");
        gap.AddColumn<long>("from_seq").AsPrimaryKey();
        gap.AddColumn<long>("to_seq").NotNull();
        yield return gap;

        var skipped = Sql.NewTable("projection_skipped");
        skipped.AddColumn<long>("seq_id").AsPrimaryKey();
        skipped.AddColumn<string>("type").NotNull();
        skipped.AddColumn<string>("reason").NotNull();
        yield return skipped;
    }
}
