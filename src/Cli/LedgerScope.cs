using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Wiring;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Bittensor.Ledger.Cli;

/// <summary>The application's services for one CLI invocation: a plain service provider, no generic host and no
/// writer lock (docs/adr/0003-dispatcher.md), disposed when the command ends.</summary>
internal sealed class LedgerScope : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    /// <param name="waits">Where the command says that it waits for another one (a writer, a rebuild) and who that is:
    /// the command's stderr.</param>
    public LedgerScope(string connectionString, TextWriter waits)
    {
        _provider = new ServiceCollection()
            .AddSingleton(new LockWaits(line => waits.WriteLine("ledger: " + line)))
            .AddLedgerApplication(connectionString)
            .BuildServiceProvider();
        _scope = _provider.CreateAsyncScope();
    }

    public IMediator Mediator => _scope.ServiceProvider.GetRequiredService<IMediator>();

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync().ConfigureAwait(false);
        await _provider.DisposeAsync().ConfigureAwait(false);
    }
}
