using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Projections;
using Bittensor.Ledger.Projections.Metagraph;
using Bittensor.Ledger.Projections.StakeLedger;
using Bittensor.Ledger.Projections.SubnetStatus;
using Bittensor.Ledger.Projections.Tailing;
using Marten;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>What every audit query does first: make sure the schema exists and that the tailing projections have
/// caught up with the event log (docs/adr/0007-projections.md), so an answer never lags an import.</summary>
public sealed class AuditReadModels(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits? waits = null)
{
    private Projector? _projector;

    public NpgsqlDataSource DataSource => dataSource;

    public Projector Projector => _projector ??= Create(store, dataSource, waits?.Report);

    /// <summary>One reader per process: its caches of checked keys are shared by every projector.</summary>
    public static EventReader Reader { get; } = new();

    /// <param name="waiting">Told who holds the projector lock when this projector has to wait for it (a rebuild).</param>
    public static Projector Create(IDocumentStore store, NpgsqlDataSource dataSource, Action<string>? waiting = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var types = LedgerStore.EventTypes.ToDictionary(LedgerStore.EventTypeName, t => t, StringComparer.Ordinal);
        return new Projector(dataSource, Reader, types, ProjectionsRegistration.Flat) { Waiting = waiting };
    }

    public async Task<CatchUpResult> ReadyAsync(CancellationToken ct)
    {
        await schema.EnsureAsync(ct).ConfigureAwait(false);
        return await Projector.CatchUpAsync(null, null, ct).ConfigureAwait(false);
    }

    public Task EnsureSchemaAsync(CancellationToken ct) => schema.EnsureAsync(ct);

    /// <summary>
    /// Refuses a subnet the ledger never saw, so an empty answer about it is not read as "no emission" or "no neurons".
    /// Called only when an answer came back empty.
    /// </summary>
    public static async Task EnsureSubnetKnownAsync(NpgsqlDataSource dataSource, ushort netuid, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var known = dataSource.CreateCommand($"select exists(select 1 from {SubnetStatusTransformation.Table} where netuid = @netuid)");
        known.Parameters.AddWithValue("netuid", (int)netuid);
        if (!(bool)(await known.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
        {
            throw new NotFoundException("netuid", $"subnet {netuid} is not in this ledger (`ledger status` lists its subnets)");
        }
    }

    /// <summary>Refuses a hotkey or coldkey that was never registered nor staked in this ledger (after an empty answer).</summary>
    public static async Task EnsureKeyKnownAsync(NpgsqlDataSource dataSource, string column, string address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (column is not ("hotkey" or "coldkey"))
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, "hotkey or coldkey");
        }

        await using var known = dataSource.CreateCommand(
            $"select exists(select 1 from {NeuronHistoryProjection.Table} where {column} = @key) " +
            $"or exists(select 1 from {StakeLedgerProjection.HistoryTable} where {column} = @key)");
        known.Parameters.AddWithValue("key", address);
        if (!(bool)(await known.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
        {
            throw new NotFoundException(column, $"{address} was never registered nor staked in this ledger");
        }
    }

    internal static ulong Rao(BigInteger value) => checked((ulong)value);
}

/// <summary>Blocks per year at 12 s blocks (365.25 days), for annualized rates.</summary>
public static class BlockTime
{
    public const double BlocksPerYear = 365.25 * 7200;
}
