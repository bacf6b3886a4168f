using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Application.Store;

/// <summary>The natural key of every imported line (and of every event recorded by a command), with the sequence
/// of the event it produced. The primary key makes a second import of the same line a no-op; it is written in the
/// same transaction as the events.</summary>
public static class ImportKeys
{
    public const string TableName = "ledger_natural_keys";

    public static string QualifiedName => $"{LedgerStore.Schema}.{TableName}";

    internal static Table Table()
    {
        var table = new Table(QualifiedName);
        table.AddColumn<string>("natural_key").AsPrimaryKey();
        table.AddColumn<long>("seq_id").NotNull();
        return table;
    }
}
