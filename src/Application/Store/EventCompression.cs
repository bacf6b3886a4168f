namespace Bittensor.Ledger.Application.Store;

/// <summary>Stored events' JSON is compressed with lz4 instead of PostgreSQL's default pglz (docs/adr/0013-event-compression.md):
/// the derived events of a 256-uid epoch are 100–400 kB of JSON, and pglz-compressing them was half of the import's
/// critical path. Marten does not model a column's compression, so this statement follows its DDL: in
/// db/schema/ledger.sql (<see cref="SchemaScript"/>) and after every schema migration (<see cref="SchemaReady"/>).
/// It changes only how new rows are compressed: rows written before stay readable as they are.</summary>
public static class EventCompression
{
    /// <summary>Idempotent, and a no-op when the column already uses lz4 (so the table lock is taken once), on a
    /// server older than 14 (no per-column compression) or on one built without lz4 (the default stays).</summary>
    public static string Sql { get; } = $"""
        do $$
        begin
            if current_setting('server_version_num')::int >= 140000 then
                if exists (select 1 from pg_attribute
                           where attrelid = to_regclass('{LedgerStore.Schema}.mt_events') and attname = 'data' and attcompression <> 'l') then
                    alter table {LedgerStore.Schema}.mt_events alter column data set compression lz4;
                end if;
            end if;
        exception when feature_not_supported then
            null;
        end
        $$;
        """;
}
