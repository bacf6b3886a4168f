using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Projections;
using Bittensor.Ledger.Projections.Tailing;
using Marten;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>What every audit query does first: make sure the schema exists and that the tailing projections have
/// caught up with the event log (docs/adr/0006-projections.md), so an answer never lags an import.</summary>
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

    internal static ulong Rao(BigInteger value) => checked((ulong)value);
}

/// <summary>Blocks per year at 12 s blocks (365.25 days), for annualized rates.</summary>
public static class BlockTime
{
    public const double BlocksPerYear = 365.25 * 7200;
}
