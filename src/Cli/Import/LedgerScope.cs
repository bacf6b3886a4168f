using Bittensor.Ledger.Application.Wiring;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Bittensor.Ledger.Cli.Import;

/// <summary>The application's services for one CLI invocation: a plain service provider, no generic host and no
/// Wolverine (docs/adr/0003-dispatcher.md), disposed when the command ends.</summary>
internal sealed class LedgerScope : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    public LedgerScope(string connectionString)
    {
        _provider = new ServiceCollection().AddLedgerApplication(connectionString).BuildServiceProvider();
        _scope = _provider.CreateAsyncScope();
    }

    public IMediator Mediator => _scope.ServiceProvider.GetRequiredService<IMediator>();

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync().ConfigureAwait(false);
        await _provider.DisposeAsync().ConfigureAwait(false);
    }
}
