using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Application.Store;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bittensor.Ledger.Api;

/// <summary>
/// Every error as RFC 7807 problem details naming the parameter and the reason (<c>"parameter": "netuid"</c>): the
/// API's side of the CLI's <c>field: reason</c> lines and exit codes (src/Cli/CliErrors.cs). Bad input is 400, an
/// unknown subnet, key or epoch 404, a database that cannot be reached 503.
/// </summary>
public sealed partial class Problems(IProblemDetailsService problems, ILogger<Problems> logger) : IExceptionHandler
{
    /// <summary>A query parameter that does not parse (a malformed SS58 key, an out-of-range netuid).</summary>
    public sealed class BadParameterException(string parameter, string reason) : Exception($"{parameter}: {reason}")
    {
        public string Parameter { get; } = parameter;

        public string Reason { get; } = reason;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var (status, title, parameter, detail, errors) = Describe(exception);
        if (status >= 500)
        {
            LogFailure(logger, exception, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };
        if (parameter is not null)
        {
            context.ProblemDetails.Extensions["parameter"] = parameter;
        }

        if (errors is not null)
        {
            context.ProblemDetails.Extensions["errors"] = errors;
        }

        return await problems.TryWriteAsync(context).ConfigureAwait(false);
    }

    private static (int Status, string Title, string? Parameter, string Detail, IReadOnlyList<object>? Errors) Describe(Exception e) => e switch
    {
        BadParameterException p => (400, "bad parameter", p.Parameter, p.Reason, null),
        ValidationException v => (400, "bad parameter", v.Errors.FirstOrDefault()?.PropertyName, string.Join("; ", v.Errors.Select(f => $"{f.PropertyName}: {f.ErrorMessage}")),
            [.. v.Errors.Select(f => (object)new Dictionary<string, string> { ["parameter"] = f.PropertyName, ["reason"] = f.ErrorMessage })]),
        NotFoundException n => (404, "not found", Field(n.Message), Reason(n.Message), null),
        Application.Epochs.EpochNotDueException d => (409, "nothing due", d.Error.Field, d.Error.Reason, null),
        FieldErrorException r => (400, "bad input", null, r.Message, null),
        BadHttpRequestException b => (b.StatusCode, "bad request", Bound(b.Message), b.Message, null),
        OperationCanceledException => (504, "timed out", null, "the request was cancelled before it completed", null),
        PostgresUnavailableException or Npgsql.NpgsqlException => (503, "database unavailable", null, e.Message, null),
        _ => (500, "unexpected error", null, $"{e.GetType().Name}: {e.Message}", null),
    };

    private static string Field(string message) => message.IndexOf(':', StringComparison.Ordinal) is var i and > 0 ? message[..i] : "";

    private static string Reason(string message) => message.IndexOf(':', StringComparison.Ordinal) is var i and > 0 ? message[(i + 1)..].Trim() : message;

    /// <summary>The parameter ASP.NET Core names in a binding failure: <c>Failed to bind parameter "int netuid" from "x".</c></summary>
    private static string? Bound(string message)
    {
        var m = BoundParameter().Match(message);
        return m.Success ? m.Groups["name"].Value : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("parameter \"[^\" ]+ (?<name>[^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex BoundParameter();

    [LoggerMessage(Level = LogLevel.Error, Message = "request {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string path);
}
