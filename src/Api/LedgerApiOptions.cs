namespace Bittensor.Ledger.Api;

/// <summary>How `ledger serve` runs (docs/api.md): where it listens (loopback unless told otherwise), the ledger's
/// database, the key that writes need (none: read-only) and the limits every request is held to.</summary>
public sealed record LedgerApiOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5080";
    public const string ApiKeyEnvironmentVariable = "LEDGER_API_KEY";

    public required string ConnectionString { get; init; }

    /// <summary>Semicolon-separated, as ASP.NET Core's <c>--urls</c>; port 0 picks a free port (tests).</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Writes need this key in <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>); null: the server is read-only.</summary>
    public string? ApiKey { get; init; }

    public int DefaultPageSize { get; init; } = 1_000;

    public int MaxPageSize { get; init; } = 10_000;

    /// <summary>A read's timeout; verify, replay and writes (which replay or append whole histories) get <see cref="LongRequestTimeout"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan LongRequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest NDJSON body a write takes; any other request has no body.</summary>
    public long MaxRequestBodyBytes { get; init; } = 64L * 1024 * 1024;
}
