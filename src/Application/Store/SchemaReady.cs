using Marten;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Applies the configured schema once per process before the first raw SQL touches it: the bulk import
/// and the status query bypass the sessions that would otherwise create tables on first use. A no-op against a
/// database already at db/schema/ledger.sql.</summary>
public sealed class SchemaReady(IDocumentStore store)
{
    private readonly Lazy<Task> _applied = new(() => store.Storage.ApplyAllConfiguredChangesToDatabaseAsync());

    public Task EnsureAsync(CancellationToken ct) => _applied.Value.WaitAsync(ct);
}
