using System.Globalization;
using Bittensor.Ledger.Domain;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.Tailing;

/// <summary>One stored event as a tailing projection sees it: its global sequence number and the Domain event.</summary>
public readonly record struct SequencedEvent(long Seq, ILedgerEvent Event);

/// <summary>A read model kept as flat tables by the projector that tails <c>mt_events</c> by <c>seq_id</c>
/// (docs/adr/0007-projections.md). Implementations are deterministic: every value they write comes from the events.</summary>
public interface IFlatProjection
{
    /// <summary>The name `ledger rebuild NAME` and `ledger digest` use.</summary>
    string Name { get; }

    /// <summary>The tables this projection owns (created by Marten's schema management, truncated by a rebuild).</summary>
    IReadOnlyList<Table> Tables { get; }

    /// <summary>The event types it reads; the projector reads only these from <c>mt_events</c>.</summary>
    IReadOnlySet<Type> EventTypes { get; }

    /// <summary>One <c>select</c> per table, ordered by its primary key: the digest hashes their text output. Built
    /// with <see cref="Sql.DigestQuery"/>, so a <c>seq_id</c> is hashed as the event's rank in the log, not as its
    /// number (the digest is over the facts and their order; docs/adr/0007-projections.md).</summary>
    IReadOnlyList<string> DigestQueries { get; }

    /// <summary>State for one catch-up run (caches that are only valid while the projector lock is held).</summary>
    IProjectionRun Begin();
}

/// <summary>One catch-up run of a projection: <see cref="Apply"/> collects rows in memory, <see cref="FlushAsync"/>
/// writes them in the projector's transaction, together with the projection's checkpoint.</summary>
public interface IProjectionRun
{
    void Apply(in SequencedEvent e);

    Task FlushAsync(NpgsqlConnection connection, CancellationToken ct);

    /// <summary>After the last page's <see cref="FlushAsync"/>, in its transaction: rows a run writes once, at the
    /// end, rather than per page (a final state). Nothing by default.</summary>
    Task CompleteAsync(NpgsqlConnection connection, CancellationToken ct) => Task.CompletedTask;
}

internal static class Sql
{
    public const string Schema = "ledger";

    /// <summary>Every stored event's <c>seq_id</c> and its rank in the log (1, 2, ...): a temporary table the projector
    /// fills on its own connection for the length of a digest.</summary>
    public const string EventRank = "pg_temp.ledger_event_rank";

    /// <summary>The digest's <c>select</c> over <paramref name="table"/>: every column in declaration order, except that
    /// <c>seq_id</c> is replaced by the event's rank (<see cref="EventRank"/>), ordered by <paramref name="orderBy"/>
    /// (its primary key). Ranks keep the order of sequence numbers and drop their values: the same facts in the
    /// same order digest alike however the numbers were drawn, and a missing event shifts every later rank.</summary>
    public static string DigestQuery(Table table, params string[] orderBy)
    {
        ArgumentNullException.ThrowIfNull(table);
        var ranked = table.Columns.Any(c => c.Name == "seq_id");
        var columns = string.Join(", ", table.Columns.Select(c => c.Name == "seq_id" ? "r.rank as seq_rank" : "t." + c.Name));
        var from = ranked
            ? $"{table.Identifier.QualifiedName} t left join {EventRank} r on r.seq_id = t.seq_id"
            : $"{table.Identifier.QualifiedName} t";
        return $"select {columns} from {from} order by {string.Join(", ", orderBy.Select(c => "t." + c))}";
    }

    public static string Qualified(string table) => Schema + "." + table;

    public static Table NewTable(string name) => new(Qualified(name));

    public static void Index(this Table table, string name, params string[] columns) =>
        table.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition(name) { Columns = columns });

    /// <summary>A covering index: the query reads <paramref name="include"/> from the index alone (index-only scan).</summary>
    public static void CoveringIndex(this Table table, string name, string[] columns, string[] include) =>
        table.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition(name) { Columns = columns, IncludeColumns = include });

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

internal static class Copy
{
    /// <summary>Binary COPY of <paramref name="rows"/> into <paramref name="target"/> ("table (col, ...)").</summary>
    public static async Task RowsAsync<T>(NpgsqlConnection connection, string target, IReadOnlyList<T> rows,
        Action<NpgsqlBinaryImporter, T> write, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var copy = await connection.BeginBinaryImportAsync($"copy {target} from stdin (format binary)", ct).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            write(copy, row);
        }

        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    public static void Int(this NpgsqlBinaryImporter c, int v) => c.Write(v, NpgsqlTypes.NpgsqlDbType.Integer);

    public static void Long(this NpgsqlBinaryImporter c, long v) => c.Write(v, NpgsqlTypes.NpgsqlDbType.Bigint);

    public static void Long(this NpgsqlBinaryImporter c, ulong v) => c.Write(checked((long)v), NpgsqlTypes.NpgsqlDbType.Bigint);

    public static void Text(this NpgsqlBinaryImporter c, string? v)
    {
        if (v is null)
        {
            c.WriteNull();
        }
        else
        {
            c.Write(v, NpgsqlTypes.NpgsqlDbType.Text);
        }
    }

    public static void Numeric(this NpgsqlBinaryImporter c, System.Numerics.BigInteger v) => c.Write(v, NpgsqlTypes.NpgsqlDbType.Numeric);

    // decimal converts to PostgreSQL numeric without BigInteger's allocations; exact for any integer in rao.
    public static void Numeric(this NpgsqlBinaryImporter c, long v) => c.Write((decimal)v, NpgsqlTypes.NpgsqlDbType.Numeric);

    public static void Numeric(this NpgsqlBinaryImporter c, ulong v) => c.Write((decimal)v, NpgsqlTypes.NpgsqlDbType.Numeric);

    public static void Bool(this NpgsqlBinaryImporter c, bool v) => c.Write(v, NpgsqlTypes.NpgsqlDbType.Boolean);

    public static void Ints(this NpgsqlBinaryImporter c, int[] v) => c.Write(v, NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer);
}
