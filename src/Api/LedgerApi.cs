using System.Net;
using System.Text.Json;
using Bittensor.Ledger.Application.Wiring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Npgsql;
using Scalar.AspNetCore;

namespace Bittensor.Ledger.Api;

/// <summary>
/// `ledger serve` (issue 11, docs/adr/0010-http-api.md): minimal APIs over the Mediator queries the CLI sends, on the
/// same <see cref="ApplicationRegistration.AddLedgerApplication"/> services, an OpenAPI
/// document at <c>/openapi/v1.json</c> with its reference page at <c>/scalar/v1</c>, and the charts page at <c>/</c>.
/// </summary>
public static partial class LedgerApi
{
    public const string LongRequests = "long";

    public static WebApplication Build(LedgerApiOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            // One JSON object per line (structured request logging): the request lines of HttpLogging and warnings.
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.Information);
            builder.Logging.AddFilter("Bittensor.Ledger.Api", LogLevel.Information);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.AddLedgerApplication(options.ConnectionString);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ApiKey(options.ApiKey));
        builder.Services.AddSingleton<AnswerCache>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Problems>();
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = new RequestTimeoutPolicy { Timeout = options.RequestTimeout, TimeoutStatusCode = StatusCodes.Status504GatewayTimeout };
            o.AddPolicy(LongRequests, new RequestTimeoutPolicy { Timeout = options.LongRequestTimeout, TimeoutStatusCode = StatusCodes.Status504GatewayTimeout });
        });
        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.RequestQuery |
                              HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Bittensor.Ledger";
            document.Info.Description = "Emission, stake and supply of a Bittensor ledger (docs/api.md). Amounts come twice: exact in rao " +
                                        "as a string (`*_rao`) and readable in τ or α (`unit`).";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpLogging();
        var page = new EmbeddedFileProvider(typeof(LedgerApi).Assembly, "Bittensor.Ledger.Api.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        app.UseRouting();
        app.UseRequestTimeouts();

        app.MapOpenApi();
        // Scalar's own script is served by the package; its default web fonts would come from a CDN: system fonts instead.
        app.MapScalarApiReference(o => o.DisableDefaultFonts());
        app.MapGet("/health", HealthAsync).WithTags("server").WithSummary("Up, and the database answers.").ExcludeFromDescription();
        var api = app.MapGroup("/api/v1");
        MapReads(api);
        MapWrites(api, app.Services.GetRequiredService<ApiKey>());
        WarnIfNotLoopback(app, options.Urls);
        return app;
    }

    /// <summary>The addresses the server listens on once started (port 0 resolved).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
    }

    private static async Task<IResult> HealthAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("select 1");
            await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return Results.Json(new { status = "ok", database = "ok" });
        }
        catch (NpgsqlException e)
        {
            return Results.Json(new { status = "degraded", database = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>Loopback is the default; a server told to listen wider says so once, where its logs go.</summary>
    private static void WarnIfNotLoopback(WebApplication app, string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IsLoopback(url))
            {
                LogNotLoopback(app.Logger, url);
            }
        }
    }

    public static bool IsLoopback(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "listening beyond loopback on {Url}: anyone who can reach it can read this ledger")]
    private static partial void LogNotLoopback(ILogger logger, string url);
}
