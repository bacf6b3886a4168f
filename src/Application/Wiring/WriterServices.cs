using Bittensor.Ledger.Application.Epochs;
using Microsoft.Extensions.DependencyInjection;

namespace Bittensor.Ledger.Application.Wiring;

/// <summary>
/// The services of a process that computes epochs by rule (`ledger simulate`, the tests that simulate): the
/// application's services plus the process's one <see cref="LedgerWriter"/>, which <see cref="RunEpoch"/>'s handler
/// uses. No message bus (docs/adr/0003-dispatcher.md). Dispose it asynchronously: the writer gives back its lock.
/// </summary>
public static class WriterServices
{
    public static ServiceProvider Build(string connectionString, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLedgerApplication(connectionString);
        collection.AddSingleton<LedgerWriter>();
        services?.Invoke(collection);
        return collection.BuildServiceProvider();
    }
}
