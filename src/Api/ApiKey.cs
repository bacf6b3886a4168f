using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Bittensor.Ledger.Api;

/// <summary>The write guard: a request may write only when the server has a key and the request carries the same one
/// (<c>X-Api-Key: K</c> or <c>Authorization: Bearer K</c>). Compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the key's length nor its first wrong byte shows in
/// the time a refusal takes.</summary>
public sealed class ApiKey(string? key) : IEndpointFilter
{
    public const string Header = "X-Api-Key";

    private readonly byte[]? _digest = string.IsNullOrEmpty(key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool ReadOnly => _digest is null;

    public bool Accepts(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_digest is null)
        {
            return false;
        }

        string? given = request.Headers[Header];
        if (string.IsNullOrEmpty(given) && request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            given = auth["Bearer ".Length..];
        }

        return given is not null && CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(given)));
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Accepts(context.HttpContext.Request))
        {
            return await next(context).ConfigureAwait(false);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "ApiKey header=\"" + Header + "\"";
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "write refused",
            detail: ReadOnly
                ? "this server is read-only: start it with --api-key (or $" + LedgerApiOptions.ApiKeyEnvironmentVariable + ") to accept writes"
                : "writes need the server's key in the " + Header + " header (or Authorization: Bearer)",
            extensions: new Dictionary<string, object?> { ["parameter"] = Header });
    }
}
