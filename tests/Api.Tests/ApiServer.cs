using Bittensor.Ledger.Application.Simulation;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bittensor.Ledger.Api.Tests;

/// <summary>A simulated ledger (the events `ledger simulate` writes) on the throwaway PostgreSQL, served by
/// <see cref="LedgerApi"/> on 127.0.0.1 with a free port and a write key, and a client for it.</summary>
public sealed class ApiServer : IAsyncLifetime
{
    /// <summary>One simulated ledger and server for the API and page tests (one database: a fixture per class would
    /// drop the other's).</summary>
    public const string Collection = "api server";

    public const string Key = "test-key-0123456789";

    public static readonly SimulationOptions Options = new() { Subnets = 2, Neurons = 32, Validators = 4, Tempo = 30, Blocks = 200, Seed = 11 };

    private WebApplication? _app;
    private ServiceProvider? _services;

    public string ConnectionString { get; private set; } = "";

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The Application's services alone, to ask the same question without HTTP.</summary>
    public IMediator Mediator => _services!.GetRequiredService<IMediator>();

    /// <summary>The Application's services, to write through the real writers.</summary>
    public IServiceProvider Services => _services!;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync("ApiServer");
        await SimulateAsync(ConnectionString);
        _services = new ServiceCollection().AddLedgerApplication(ConnectionString).BuildServiceProvider();
        (_app, BaseAddress) = await StartAsync(ConnectionString, Key);
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>Writes the simulated ledger of <see cref="Options"/> into an empty database, as `ledger simulate` does.</summary>
    public static async Task SimulateAsync(string connectionString)
    {
        await using var services = WriterServices.Build(connectionString);
        await Simulation.RunAsync(services, Options, null, CancellationToken.None);
    }

    /// <summary>Starts a server on 127.0.0.1 and a free port; logs stay quiet.</summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(string connectionString, string? key)
    {
        var app = LedgerApi.Build(
            new LedgerApiOptions { ConnectionString = connectionString, Urls = "http://127.0.0.1:0", ApiKey = key, MaxPageSize = 500 },
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return (app, new Uri(LedgerApi.Addresses(app).Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}

[CollectionDefinition(ApiServer.Collection)]
public sealed class ApiServerCollection : ICollectionFixture<ApiServer>;
