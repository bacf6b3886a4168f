using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wolverine;
using Wolverine.Marten;

namespace Bittensor.Ledger.Application.Wiring;

/// <summary>
/// The host for the write paths that run epochs (docs/adr/0003-dispatcher.md, 0006-epochs.md): the application's
/// services plus Wolverine integrated with Marten (its envelope tables in the ledger's schema, the outbox in Marten's
/// transaction), the consensus handler alone discovered (Mediator's handlers stay Mediator's), and a durable,
/// sequential local queue for <see cref="RunEpoch"/>. Read paths never build it.
/// </summary>
public static class LedgerHost
{
    public const string EpochQueue = "epochs";

    public static IHost Build(string connectionString, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLedgerApplication(connectionString, marten => marten.IntegrateWithWolverine());
        builder.Services.AddSingleton<LedgerWriter>();
        // The host is started and stopped by the command that builds it, which owns the process's signals: Ctrl-C
        // cancels that command (src/Cli/Program.cs). The default console lifetime would take SIGINT for itself and hold
        // the process's exit until the host is disposed.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        services?.Invoke(builder.Services);
        builder.UseWolverine(opts =>
        {
            opts.UseRuntimeCompilation();
            opts.Durability.Mode = DurabilityMode.Solo;
            opts.Discovery.DisableConventionalDiscovery().IncludeType(typeof(RunEpochHandler));
            opts.PublishMessage<RunEpoch>().ToLocalQueue(EpochQueue);
            opts.LocalQueue(EpochQueue).Sequential().UseDurableInbox();
        });
        return builder.Build();
    }
}

/// <summary>A host lifetime that waits for nothing and listens to no signal: the command that runs the host decides
/// when it starts and stops.</summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
