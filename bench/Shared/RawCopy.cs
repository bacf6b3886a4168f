using System.Diagnostics;
using Bittensor.Ledger.Application.Import;
using Npgsql;
using NpgsqlTypes;

namespace Bittensor.Ledger.Bench;

/// <summary>The same-run reference of the import benchmarks: every line of an NDJSON file, as jsonb, by binary COPY
/// into a plain table (a sequence and the document, nothing else), one transaction per batch. What a ledger write
/// costs beyond "the bytes reach PostgreSQL". Linked from bench/Shared into the benches that compare against it.</summary>
internal static class RawCopy
{
    /// <summary>Creates <paramref name="table"/> (which must not exist) and copies the lines of <paramref name="file"/>
    /// into it; its jsonb column compressed with <paramref name="compression"/> (e.g. lz4), the server's default when null.</summary>
    public static async Task<(long Rows, TimeSpan Elapsed)> NdjsonAsync(
        NpgsqlDataSource dataSource, string file, int batchSize, string table, CancellationToken ct, string? compression = null)
    {
        var column = compression is null ? "data jsonb" : $"data jsonb compression {compression}";
        await using (var create = dataSource.CreateCommand($"create table {table}(seq bigserial, {column})"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var clock = Stopwatch.StartNew();
        long copied = 0;
        await using var input = File.OpenRead(file);
        NpgsqlBinaryImporter? importer = null;
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? tx = null;
        var inBatch = 0;
        try
        {
            await foreach (var line in NdjsonLines.ReadAsync(input, ct))
            {
                if (importer is null)
                {
                    connection = await dataSource.OpenConnectionAsync(ct);
                    tx = await connection.BeginTransactionAsync(ct);
                    importer = await connection.BeginBinaryImportAsync($"copy {table} (data) from stdin (format binary)", ct);
                }

                await importer.StartRowAsync(ct);
                await importer.WriteAsync(System.Text.Encoding.UTF8.GetString(line.Utf8), NpgsqlDbType.Jsonb, ct);
                copied++;
                if (++inBatch == batchSize)
                {
                    await FinishAsync();
                }
            }

            await FinishAsync();
        }
        finally
        {
            if (importer is not null)
            {
                await importer.DisposeAsync();
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        return (copied, clock.Elapsed);

        async Task FinishAsync()
        {
            if (importer is null)
            {
                return;
            }

            await importer.CompleteAsync(ct);
            await importer.DisposeAsync();
            await tx!.CommitAsync(ct);
            await connection!.DisposeAsync();
            importer = null;
            connection = null;
            inBatch = 0;
        }
    }
}
