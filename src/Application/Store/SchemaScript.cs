namespace Bittensor.Ledger.Application.Store;

/// <summary>The DDL Marten generates for the ledger's configuration, without touching a database, followed by the
/// statements Marten does not model (<see cref="EventCompression"/>). It is what
/// db/schema/ledger.sql holds (see db/README.md).</summary>
public static class SchemaScript
{
    public const string DefaultPath = "db/schema/ledger.sql";

    public static string Generate()
    {
        using var store = LedgerStore.Create("Host=unused");
        var script = store.Storage.ToDatabaseScript().ReplaceLineEndings("\n").TrimEnd() + "\n\n" + EventCompression.Sql;
        return script.TrimEnd() + "\n";
    }

    /// <summary>Whitespace-insensitive form for staleness checks: runs of whitespace become one space.</summary>
    public static string Normalise(string sql) =>
        string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
