using System.CommandLine;
using Bittensor.Ledger.Api;
using Bittensor.Ledger.Cli.Db;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bittensor.Ledger.Cli.Serve;

/// <summary>`ledger serve [--urls http://127.0.0.1:5080] [--connection CS] [--api-key K]`: the HTTP API and the charts
/// page (src/Api, docs/api.md) until Ctrl-C. Loopback unless --urls says otherwise; read-only unless a key is given.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen, ';'-separated (loopback by default; a wider address lets others read the ledger).",
            DefaultValueFactory = _ => LedgerApiOptions.DefaultUrls,
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = $"Accept writes (POST /api/v1/facts) carrying this key in X-Api-Key. Default: ${LedgerApiOptions.ApiKeyEnvironmentVariable}; none: read-only.",
        };
        var command = new Command("serve", "Serve the ledger over HTTP: a JSON API with OpenAPI (/openapi/v1.json, /scalar/v1) and a page of charts (/).")
        {
            urls, apiKey, ConnectionOption.Create(),
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            var key = parse.GetValue(apiKey);
            if (string.IsNullOrEmpty(key))
            {
                key = Environment.GetEnvironmentVariable(LedgerApiOptions.ApiKeyEnvironmentVariable);
            }

            await using var app = LedgerApi.Build(new LedgerApiOptions
            {
                ConnectionString = database.ConnectionString,
                Urls = parse.GetValue(urls)!,
                ApiKey = string.IsNullOrEmpty(key) ? null : key,
            });
            await app.StartAsync(ct).ConfigureAwait(false);
            var error = parse.InvocationConfiguration.Error;
            foreach (var address in LedgerApi.Addresses(app))
            {
                await error.WriteLineAsync($"serve: listening on {address} (page /, API /api/v1, reference /scalar/v1){(string.IsNullOrEmpty(key) ? ", read-only" : "")}".AsMemory(), ct).ConfigureAwait(false);
            }

            // Ctrl-C cancels ct (src/Cli/Program.cs); the host's own console lifetime may stop it first.
            var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The normal end of a server.
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await error.WriteLineAsync("serve: stopped".AsMemory(), CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
